#!/usr/bin/env bash
# One shard of a chainsim sweep per Slurm array task. See docs/DISTRIBUTED.md.
#
# Submit from the project root (relative paths below are resolved there):
#   jid=$(sbatch --parsable scripts/slurm_shards.sh)                  # shards 1..8 of 8
#   sbatch --dependency=afterok:"${jid%%;*}" scripts/slurm_merge.sh   # merge when all succeeded
# or both in one go, with the array sized from SHARDS (further options go to both sbatch calls):
#   SHARDS=32 REPS=3200 scripts/slurm_shards.sh --submit --partition=long
# Local dry run without Slurm (every shard one after another on this machine, then the merge):
#   REPS=6 WEEKS=8 SHARDS=3 scripts/slurm_shards.sh --local
# Re-run only failed shards 3 and 7 of 8 (SHARDS is required when the array is not 1-N):
#   SHARDS=8 sbatch --array=3,7 scripts/slurm_shards.sh
#
# Settings, from the environment (sbatch passes your environment to the job by default):
#   SCENARIO  scenario file                      default scenarios/retail_bank.ron
#   REPS      replications per arm              default: the scenario's
#   SEED      master seed                        default: the scenario's
#   WEEKS     horizon in weeks                   default: the scenario's
#   OUT       shard K writes $OUT/shard-K/partial.json; merge writes $OUT/merged
#                                                default output/sweep
#   MERGED    where the merge writes             default $OUT/merged
#   SHARDS    number of shards N                 default: the array's task count
#                                                (8 with --local and --submit)
#   THREADS   threads per shard                  default $SLURM_CPUS_PER_TASK, else all cores
#   CHAINSIM  the chainsim binary                default target/release/chainsim
# Every shard of one sweep must see the same SCENARIO, REPS, SEED, WEEKS and SHARDS;
# `chainsim merge` refuses partials that differ.
#
# The #SBATCH lines are defaults: command-line sbatch options override them.
#SBATCH --job-name=chainsim-shard
#SBATCH --array=1-8
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=chainsim-shard-%A_%a.out

set -euo pipefail

CHAINSIM=${CHAINSIM:-target/release/chainsim}
SCENARIO=${SCENARIO:-scenarios/retail_bank.ron}
OUT=${OUT:-output/sweep}
THREADS=${THREADS:-${SLURM_CPUS_PER_TASK:-}}

die() {
    echo "slurm_shards.sh: $*" >&2
    exit 2
}

usage() {
    awk 'NR > 1 && /^#SBATCH/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

# The options every shard shares (empty settings fall back to the scenario's values).
common=()
[[ -n ${REPS:-} ]] && common+=(--reps "$REPS")
[[ -n ${SEED:-} ]] && common+=(--seed "$SEED")
[[ -n ${WEEKS:-} ]] && common+=(--weeks "$WEEKS")
[[ -n $THREADS ]] && common+=(--threads "$THREADS")

# run_shard K N: runs shard K of N into $OUT/shard-K.
run_shard() {
    local dir="$OUT/shard-$1"
    mkdir -p "$dir"
    rm -f "$dir/partial.json" # never leave a stale partial from an earlier sweep behind
    # ${a[@]+"${a[@]}"}: an empty array is "unbound" under set -u in bash < 4.4.
    "$CHAINSIM" run "$SCENARIO" ${common[@]+"${common[@]}"} --shard "$1/$2" --force --out "$dir"
}

is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

mode=slurm
case "${1:-}" in
    --local) mode=local ;;
    --submit) mode=submit ;;
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *) die "unknown option '$1' (use --local, --submit [sbatch options] or --help)" ;;
esac

case $mode in
    local)
        n=${SHARDS:-8}
        is_count "$n" || die "SHARDS must be a whole number >= 1, found '$n'"
        [[ -x $CHAINSIM ]] || die "no chainsim binary at '$CHAINSIM' (cargo build --release, or set CHAINSIM)"
        for ((k = 1; k <= n; k++)); do
            run_shard "$k" "$n"
        done
        # The same merge step the Slurm pipeline submits.
        SHARDS=$n CHAINSIM=$CHAINSIM OUT=$OUT bash "$(dirname "${BASH_SOURCE[0]}")/slurm_merge.sh"
        ;;
    submit)
        command -v sbatch >/dev/null || die "sbatch not found: is this a Slurm login node?"
        n=${SHARDS:-8}
        is_count "$n" || die "SHARDS must be a whole number >= 1, found '$n'"
        export SHARDS=$n CHAINSIM SCENARIO OUT
        here=$(dirname "${BASH_SOURCE[0]}")
        shift
        jid=$(sbatch --parsable "$@" --array="1-$n" "${BASH_SOURCE[0]}")
        jid=${jid%%;*} # --parsable prints "jobid" or "jobid;cluster"
        mid=$(sbatch --parsable "$@" --dependency="afterok:$jid" "$here/slurm_merge.sh")
        echo "submitted shards: array job $jid (tasks 1-$n); merge: job ${mid%%;*} (after all succeed)"
        echo "results: $OUT/shard-K/partial.json, merged into ${MERGED:-$OUT/merged}"
        ;;
    slurm)
        [[ -n ${SLURM_ARRAY_TASK_ID:-} ]] ||
            die "not inside a Slurm array task: submit with sbatch, or use --local / --submit (see --help)"
        k=$SLURM_ARRAY_TASK_ID
        [[ ${SLURM_ARRAY_TASK_MIN:-1} != 0 ]] ||
            die "the array starts at 0, but shards are numbered from 1: use --array=1-N"
        if [[ -n ${SHARDS:-} ]]; then
            n=$SHARDS
        else
            # Shard K/N with K = the task id and N = the task count only holds for --array=1-N.
            n=${SLURM_ARRAY_TASK_COUNT:-}
            [[ ${SLURM_ARRAY_TASK_MIN:-1} == 1 && ${SLURM_ARRAY_TASK_MAX:-$n} == "$n" ]] ||
                die "the array is not 1-N (min ${SLURM_ARRAY_TASK_MIN:-?}, max ${SLURM_ARRAY_TASK_MAX:-?}, count ${n:-?}): set SHARDS=N, e.g. SHARDS=8 sbatch --array=3,7 ..."
        fi
        is_count "$n" || die "cannot tell the number of shards: set SHARDS=N"
        ((k >= 1 && k <= n)) || die "array task $k is outside 1-$n: shards are numbered from 1, use --array=1-$n"
        echo "chainsim shard $k/$n on $(hostname) (job ${SLURM_ARRAY_JOB_ID:-?}_$k)"
        run_shard "$k" "$n"
        ;;
esac
