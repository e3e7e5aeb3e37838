#!/usr/bin/env bash
# Run the shards of a chainsim sweep on a handful of machines over ssh, then merge them.
# See docs/DISTRIBUTED.md.
#
# Usage (from the project root):
#   scripts/ssh_shards.sh [--hosts FILE] [--copy-back] [--resume] [--no-parallel]
#   scripts/ssh_shards.sh --local [--jobs J] [--resume] [--no-parallel]
#
#   --hosts FILE   ssh destinations ([user@]host), one per line; blank lines and '#' comments
#                  are skipped. Each line is one slot that runs one shard at a time, so list a
#                  host twice to run two shards on it at once (then set THREADS).
#                  Default: $HOSTS, else hosts.txt.
#   --local        no ssh: run on this machine, J shards at a time (--jobs J, default 1).
#   --copy-back    the hosts do not share $OUT with this machine: each shard writes under
#                  $REMOTE_OUT on its host and its partial.json is copied back with scp.
#                  Default (without it): a shared filesystem, $OUT is the same path everywhere.
#   --resume       run only the shards that did not succeed last time with the same settings
#                  (no matching $OUT/logs/shard-K.ok), then merge.
#   --no-parallel  use xargs -P even if GNU parallel is installed.
#
# Settings, from the environment:
#   SCENARIO    scenario file                   default scenarios/retail_bank.ron
#   REPS        replications per arm            default: the scenario's
#   SEED        master seed                     default: the scenario's
#   WEEKS       horizon in weeks                default: the scenario's
#   SHARDS      number of shards N              default: the number of slots (4 with --local)
#   THREADS     threads per shard               default: all cores of the host
#   OUT         shard K ends up in $OUT/shard-K/partial.json, logs in $OUT/logs, the merge in
#               $OUT/merged (made absolute)     default output/sweep
#   MERGED      where the merge writes          default $OUT/merged
#   CHAINSIM    the binary                      default target/release/chainsim
#   REMOTE_DIR  directory on the hosts that CHAINSIM and SCENARIO are relative to
#                                               default: the current directory's path
#   REMOTE_OUT  with --copy-back, the output root on the hosts (absolute, or relative to
#               REMOTE_DIR)                     default: $OUT's path
#   SSH_OPTS    options for ssh and scp         default "-o BatchMode=yes"
# Every host needs the same chainsim binary and scenario file at REMOTE_DIR; paths must not
# contain spaces. With GNU parallel each shard goes to the next free slot; with xargs the
# shards are dealt out to the slots in turn up front, so make N a multiple of the slots.

set -euo pipefail

die() {
    echo "ssh_shards.sh: $*" >&2
    exit 2
}

local_mode=0 jobs=1 copy_back=0 resume=0 use_parallel=1
hosts_file=${HOSTS:-hosts.txt}
while (($#)); do
    case $1 in
        --local) local_mode=1 ;;
        --jobs | -j)
            (($# >= 2)) || die "$1 needs a number"
            jobs=$2
            shift
            ;;
        --jobs=*) jobs=${1#*=} ;;
        --hosts)
            (($# >= 2)) || die "--hosts needs a file"
            hosts_file=$2
            shift
            ;;
        --hosts=*) hosts_file=${1#*=} ;;
        --copy-back) copy_back=1 ;;
        --resume) resume=1 ;;
        --no-parallel) use_parallel=0 ;;
        -h | --help)
            awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done

is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

# Slots: one line per shard that may run at the same time; ":" means this machine, no ssh.
slots=()
if ((local_mode)); then
    is_count "$jobs" || die "--jobs must be a whole number >= 1, found '$jobs'"
    for ((i = 0; i < jobs; i++)); do slots+=(":"); done
    ((copy_back)) && die "--copy-back makes no sense with --local"
else
    [[ -r $hosts_file ]] || die "cannot read the hosts file '$hosts_file' (use --hosts FILE, or --local)"
    while read -r line || [[ -n $line ]]; do
        read -r -a words <<<"${line%%#*}"
        if ((${#words[@]} > 1)); then
            die "$hosts_file: '${line%%#*}': one [user@]host per line (ssh options go in SSH_OPTS or ~/.ssh/config)"
        elif ((${#words[@]} == 1)); then
            slots+=("${words[0]}")
        fi
    done <"$hosts_file"
    ((${#slots[@]})) || die "no hosts in '$hosts_file'"
fi

export CHAINSIM=${CHAINSIM:-target/release/chainsim}
export SCENARIO=${SCENARIO:-scenarios/retail_bank.ron}
if ((local_mode)); then default_shards=4; else default_shards=${#slots[@]}; fi
export SHARDS=${SHARDS:-$default_shards}
is_count "$SHARDS" || die "SHARDS must be a whole number >= 1, found '$SHARDS'"
[[ -x $CHAINSIM ]] || die "no chainsim binary at '$CHAINSIM' here, needed for the merge (cargo build --release, or set CHAINSIM)"
mkdir -p "${OUT:-output/sweep}/logs"
OUT=$(cd "${OUT:-output/sweep}" && pwd) # absolute: the hosts see it by this path
export OUT
export REMOTE_DIR=${REMOTE_DIR:-$PWD}
REMOTE_OUT=${REMOTE_OUT:-$OUT}
[[ $REMOTE_OUT == /* ]] || REMOTE_OUT=$REMOTE_DIR/$REMOTE_OUT # scp needs it absolute
export REMOTE_OUT
export SSH_OPTS=${SSH_OPTS:--o BatchMode=yes}
export COPY_BACK=$copy_back
MERGED=${MERGED:-$OUT/merged}

# The options every shard shares, as one shell-quoted string (arrays cannot be exported).
common=""
[[ -n ${REPS:-} ]] && common+=" --reps $(printf %q "$REPS")"
[[ -n ${SEED:-} ]] && common+=" --seed $(printf %q "$SEED")"
[[ -n ${WEEKS:-} ]] && common+=" --weeks $(printf %q "$WEEKS")"
[[ -n ${THREADS:-} ]] && common+=" --threads $(printf %q "$THREADS")"
export COMMON=$common
# What a shard's .ok marker records, so --resume never trusts a shard of a different sweep.
export SIG="scenario=$SCENARIO reps=${REPS:-} seed=${SEED:-} weeks=${WEEKS:-} shards=$SHARDS"
SLOTS=$(printf '%s\n' "${slots[@]}")
export SLOTS

# run_shard SLOT K: runs shard K of $SHARDS on the host of slot SLOT (1-based), logging to
# $OUT/logs/shard-K.log; on success it leaves $OUT/logs/shard-K.ok holding $SIG. Success is
# judged by the exit status, not by looking for partial.json here: on a shared NFS mount this
# machine may not see a file another host just wrote for a while, so it does not look at
# $OUT/shard-K before the merge.
run_shard() {
    local slot=$1 k=$2 host name log rdir cmd ssh_opts
    host=$(printf '%s\n' "$SLOTS" | sed -n "${slot}p")
    name=${host/#:/this machine}
    log=$OUT/logs/shard-$k.log
    read -r -a ssh_opts <<<"$SSH_OPTS"
    rm -f "$OUT/logs/shard-$k.ok"
    if [[ $COPY_BACK == 1 ]]; then rdir=$REMOTE_OUT/shard-$k; else rdir=$OUT/shard-$k; fi
    # Remove any stale partial from an earlier sweep first, then run the shard.
    cmd="cd $(printf %q "$REMOTE_DIR") && rm -f $(printf %q "$rdir/partial.json") &&"
    cmd+=" $(printf %q "$CHAINSIM") run $(printf %q "$SCENARIO")$COMMON"
    cmd+=" --shard $k/$SHARDS --force --out $(printf %q "$rdir")"
    if {
        echo "== shard $k/$SHARDS on $name: $cmd"
        if [[ $host == ":" ]]; then
            bash -c "$cmd" </dev/null
        elif [[ $COPY_BACK == 1 ]]; then
            ssh "${ssh_opts[@]}" "$host" "$cmd" </dev/null &&
                mkdir -p "$OUT/shard-$k" &&
                scp -q "${ssh_opts[@]}" "$host:$rdir/partial.json" "$OUT/shard-$k/partial.json.part" &&
                mv -f "$OUT/shard-$k/partial.json.part" "$OUT/shard-$k/partial.json"
        else
            ssh "${ssh_opts[@]}" "$host" "$cmd" </dev/null
        fi
    } >"$log" 2>&1; then
        echo "$SIG" >"$OUT/logs/shard-$k.ok"
        echo "shard $k/$SHARDS on $name: done"
    else
        echo "shard $k/$SHARDS on $name: FAILED, see $log" >&2
        return 1
    fi
}

# run_lane I: the xargs fallback's share for slot I: the shards to run are dealt out to the
# slots in turn (the Jth of $TODO to slot ((J - 1) mod slots) + 1) and run one after another.
run_lane() {
    local lane=$1 n j=0 k status=0
    n=$(printf '%s\n' "$SLOTS" | wc -l)
    for k in $TODO; do
        if ((j++ % n == lane - 1)); then
            run_shard "$lane" "$k" || status=1
        fi
    done
    return "$status"
}
export -f run_shard run_lane

done_ok() { [[ -r $OUT/logs/shard-$1.ok && $(<"$OUT/logs/shard-$1.ok") == "$SIG" ]]; }
((resume)) || rm -f "$OUT"/logs/shard-*.ok
todo=()
for ((k = 1; k <= SHARDS; k++)); do
    done_ok "$k" || todo+=("$k")
done
export TODO="${todo[*]}"

where="${#slots[@]} slot(s)"
((local_mode)) || where+=" on $(printf '%s\n' "${slots[@]}" | sort -u | paste -sd, -)"
if ((${#todo[@]} == 0)); then
    echo "all $SHARDS shards already succeeded (see $OUT/logs/shard-*.ok)"
elif ((use_parallel)) && command -v parallel >/dev/null; then
    echo "running ${#todo[@]} of $SHARDS shard(s) in $where with GNU parallel"
    # {%} is the job slot (1..J): each slot, i.e. each hosts-file line, runs one shard at a time.
    printf '%s\n' "${todo[@]}" |
        PARALLEL_SHELL=bash parallel --will-cite -j "${#slots[@]}" run_shard '{%}' '{}' || true
else
    echo "running ${#todo[@]} of $SHARDS shard(s) in $where with xargs -P"
    seq 1 "${#slots[@]}" |
        xargs -P "${#slots[@]}" -I{} bash -c 'run_lane "$1"' run_lane {} || true
fi

missing=()
for ((k = 1; k <= SHARDS; k++)); do
    done_ok "$k" || missing+=("$k")
done
if ((${#missing[@]})); then
    echo "ssh_shards.sh: shard(s) ${missing[*]} of $SHARDS failed; not merging." >&2
    echo "Fix the cause (see $OUT/logs/), then run the same command again with --resume." >&2
    exit 1
fi

dirs=()
for ((k = 1; k <= SHARDS; k++)); do dirs+=("$OUT/shard-$k"); done
echo "merging $SHARDS shard(s) into $MERGED"
"$CHAINSIM" merge "${dirs[@]}" --force --out "$MERGED"
