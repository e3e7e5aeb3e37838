#!/usr/bin/env bash
# Merge the shards written by scripts/slurm_shards.sh into the files a single run writes.
# See docs/DISTRIBUTED.md.
#
# Submit after the shard array, from the project root; afterok on an array job waits for
# every task and skips the merge if any failed:
#   jid=$(sbatch --parsable scripts/slurm_shards.sh)
#   sbatch --dependency=afterok:"${jid%%;*}" scripts/slurm_merge.sh
# or run it directly (it is cheap) once the shards are done:
#   scripts/slurm_merge.sh
#
# Settings, from the environment (same meaning as in slurm_shards.sh):
#   OUT       reads $OUT/shard-K/partial.json    default output/sweep
#   MERGED    where the merged outputs go         default $OUT/merged
#   SHARDS    merge shards 1..SHARDS             default: every $OUT/shard-*/ directory
#   CHAINSIM  the chainsim binary                default target/release/chainsim
# chainsim merge itself checks that the shards are complete (none missing or given twice)
# and come from the same scenario, seed, weeks, replications and chainsim version.
#
#SBATCH --job-name=chainsim-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=00:30:00
#SBATCH --output=chainsim-merge-%j.out

set -euo pipefail

CHAINSIM=${CHAINSIM:-target/release/chainsim}
OUT=${OUT:-output/sweep}
MERGED=${MERGED:-$OUT/merged}

case "${1:-}" in
    "") ;;
    -h | --help)
        awk 'NR > 1 && /^#SBATCH/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "slurm_merge.sh: takes no arguments (settings come from OUT, MERGED, SHARDS, CHAINSIM)" >&2
        exit 2
        ;;
esac

dirs=()
if [[ -n ${SHARDS:-} ]]; then
    if ! [[ $SHARDS =~ ^[1-9][0-9]*$ ]]; then
        echo "slurm_merge.sh: SHARDS must be a whole number >= 1, found '$SHARDS'" >&2
        exit 2
    fi
    for ((k = 1; k <= SHARDS; k++)); do
        dirs+=("$OUT/shard-$k")
    done
else
    shopt -s nullglob
    for d in "$OUT"/shard-*/; do
        dirs+=("${d%/}")
    done
    shopt -u nullglob
fi
if ((${#dirs[@]} == 0)); then
    echo "slurm_merge.sh: no shard directories in '$OUT' (is OUT right?)" >&2
    exit 2
fi

echo "merging ${#dirs[@]} shard(s) from $OUT into $MERGED"
exec "$CHAINSIM" merge "${dirs[@]}" --force --out "$MERGED"
