#!/usr/bin/env python3
"""chainsim against SimPy on the same M/M/c queue, one core each: encounters (customers served)
per wall second, and the ratio. See README.md in this folder.

For each service time S (6 and 60 minutes by default) the queue has C servers (25) and Poisson
arrivals at L = rho * C / S per minute (rho 0.8): the same lambda, mu and c for both engines.
SimPy runs it once per (L, S, C) (its cost does not depend on a customer base); chainsim runs it
for every customer base (1,000, 10,000 and 100,000), the base changing only chainsim's
per-customer work, never the arrival rate. Each engine's run is sized to its speed: SimPy's
simulated horizon so it takes about --simpy-seconds of wall time, chainsim's (whole weeks) so it
takes at least --chainsim-seconds (beyond a scenario's 2,600 weeks, as several replications run
one after the other in the same process). The horizons differ; the rate is per wall second, so the ratio
is fair. Each measurement is repeated (--repeats) and the fastest run's rate kept (the mean
wait pools every run's customers), for both engines alike (the machine may be shared); the repeats are interleaved (SimPy, then chainsim at each
base, then again) so a change in load falls on both. Runs are one after the other, never at the
same time.

chainsim's time is the whole of `Replication::run()` (setup and simulation, on one thread);
the run-only rate (without building the customer base) is shown beside it.

    python3 benches/simpy/compare.py                  # builds the example with --release
    python3 benches/simpy/compare.py --profile quick  # or a faster-to-build profile
    CHAINSIM_MMC=target/release/examples/mmc python3 benches/simpy/compare.py

Needs SimPy (`pip install simpy`); exits with status 2 and says so when it is missing.
"""

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MINUTES_PER_WEEK = 10_080
# The longest horizon a scenario takes (50 years); longer runs are several replications.
MAX_WEEKS = 2_600

try:
    import simpy  # noqa: F401  (only to say early and clearly that it is missing)
except ImportError:
    sys.stderr.write(
        "compare.py: SimPy is not installed. Install it with:\n"
        "    pip install simpy\n"
        "(or `python3 -m pip install simpy`), then run this again.\n"
    )
    sys.exit(2)


def erlang_c(c, lam, mu):
    """Erlang C for M/M/c: (probability of waiting, mean wait in queue), in the rates' unit."""
    a = lam / mu
    rho = a / c
    term, total = 1.0, 0.0
    for k in range(c):
        if k > 0:
            term *= a / k
        total += term
    top = term * a / c / (1.0 - rho)
    p_wait = top / (total + top)
    return p_wait, p_wait / (c * mu - lam)


def run_json(cmd):
    """Runs `cmd` and returns its one line of JSON."""
    cmd = [str(x) for x in cmd]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        sys.exit(f"compare.py: {' '.join(map(str, cmd))} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def chainsim_binary(args):
    """The built `mmc` example: --mmc, $CHAINSIM_MMC, or built here with cargo."""
    given = args.mmc or os.environ.get("CHAINSIM_MMC")
    if given:
        path = Path(given)
        if not path.is_file():
            sys.exit(f"compare.py: no chainsim mmc binary at {path}")
        return path
    profile = args.profile
    flag = ["--release"] if profile == "release" else ["--profile", profile]
    print(f"building: cargo build {' '.join(flag)} --example mmc", file=sys.stderr)
    subprocess.run(["cargo", "build", *flag, "--example", "mmc"], cwd=ROOT, check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    target = Path(json.loads(meta.stdout)["target_directory"])
    return target / profile / "examples" / "mmc"


def chainsim(binary, c, lam, s, customers, weeks, seed):
    """One timed run of `weeks` weeks in all: replications of at most MAX_WEEKS weeks each."""
    replications = math.ceil(weeks / MAX_WEEKS)
    return run_json(
        [
            binary,
            "--servers", c,
            "--arrivals-per-minute", repr(lam),
            "--service-minutes", repr(s),
            "--customers", customers,
            "--weeks", math.ceil(weeks / replications),
            "--replications", replications,
            "--seed", seed,
        ]
    )


def simpy_run(c, lam, s, minutes, seed):
    return run_json(
        [
            sys.executable,
            HERE / "mmc.py",
            "--servers", c,
            "--arrivals-per-minute", repr(lam),
            "--service-minutes", repr(s),
            "--minutes", repr(minutes),
            "--seed", seed,
        ]
    )


def pooled(runs):
    """The fastest of `runs`, its mean wait replaced by that of every run's customers together
    (the rate is the best the machine allowed; the wait is the most precise estimate)."""
    best = dict(max(runs, key=lambda r: r["encounters_per_second"]))
    served = sum(r["served"] for r in runs)
    best["mean_wait_minutes"] = sum(r["mean_wait_minutes"] * r["served"] for r in runs) / served
    best["pooled_served"] = served
    return best


def size_chainsim(binary, c, lam, s, customers, args):
    """Weeks for a run of at least --chainsim-seconds, from probe runs."""
    weeks = 4
    while True:
        probe = chainsim(binary, c, lam, s, customers, weeks, args.seed)
        if probe["wall_seconds"] >= 0.2:
            break
        weeks *= 8
    per_week = probe["wall_seconds"] / weeks
    return max(weeks, math.ceil(1.25 * args.chainsim_seconds / per_week))


def run_chainsim(binary, c, lam, s, customers, weeks, seed, args):
    """One run kept: lengthened and run again while it is shorter than --chainsim-seconds.
    Returns the run and the weeks it took."""
    while True:
        r = chainsim(binary, c, lam, s, customers, weeks, seed)
        if r["wall_seconds"] >= args.chainsim_seconds:
            return r, weeks
        weeks = math.ceil(weeks * 1.25 * args.chainsim_seconds / r["wall_seconds"])


def size_simpy(c, lam, s, args):
    """Simulated minutes for a run of about --simpy-seconds, from a probe run."""
    probe_minutes = 20_000 / lam  # about 20,000 customers
    probe = simpy_run(c, lam, s, probe_minutes, args.seed)
    return probe_minutes * args.simpy_seconds / probe["wall_seconds"]


def measure(binary, c, lam, s, args):
    """SimPy once and chainsim at every customer base, --repeats times over, interleaved (round
    k runs SimPy, then chainsim at each base) so a change in the machine's load falls on both;
    the fastest run of each is kept, with the mean wait of all its runs pooled. Returns (SimPy's
    run, {base: chainsim's run})."""
    minutes = size_simpy(c, lam, s, args)
    weeks = {n: size_chainsim(binary, c, lam, s, n, args) for n in args.customers}
    simpy_runs, chainsim_runs = [], {n: [] for n in args.customers}
    for k in range(args.repeats):
        print(f"  round {k + 1} of {args.repeats}", file=sys.stderr)
        simpy_runs.append(simpy_run(c, lam, s, minutes, args.seed + k))
        for n in args.customers:
            r, weeks[n] = run_chainsim(binary, c, lam, s, n, weeks[n], args.seed + k, args)
            chainsim_runs[n].append(r)
    return pooled(simpy_runs), {n: pooled(runs) for n, runs in chainsim_runs.items()}


def main():
    p = argparse.ArgumentParser(
        description="chainsim vs SimPy on the same M/M/c queue: encounters per wall second."
    )
    p.add_argument("--servers", type=int, default=25, help="C (default 25)")
    p.add_argument("--utilisation", type=float, default=0.8, help="rho = L S / C (default 0.8)")
    p.add_argument(
        "--service-minutes", type=float, nargs="+", default=[6.0, 60.0], help="S (6 60)"
    )
    p.add_argument(
        "--customers", type=int, nargs="+", default=[1_000, 10_000, 100_000],
        help="chainsim's customer bases (1000 10000 100000)",
    )
    p.add_argument("--simpy-seconds", type=float, default=7.0, help="SimPy wall per run (7)")
    p.add_argument(
        "--chainsim-seconds", type=float, default=1.0, help="chainsim wall per run, at least (1)"
    )
    p.add_argument("--repeats", type=int, default=3, help="runs per measurement, fastest kept (3)")
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("--profile", default="release", help="cargo profile to build (release)")
    p.add_argument("--mmc", help="a built chainsim mmc example (or $CHAINSIM_MMC); skips cargo")
    p.add_argument("--json", help="also write every run kept to this file")
    p.add_argument(
        "--require", type=float,
        help="exit 1 unless every ratio is at least this (e.g. 150)",
    )
    args = p.parse_args()
    if not 0 < args.utilisation < 1:
        p.error("--utilisation must be between 0 and 1")

    binary = chainsim_binary(args)
    c = args.servers
    rows, kept = [], []
    for s in args.service_minutes:
        lam = args.utilisation * c / s
        _, theory = erlang_c(c, lam, 1.0 / s)
        print(f"C={c} L={lam:.4g}/min S={s:g} min ...", file=sys.stderr)
        ref, by_base = measure(binary, c, lam, s, args)
        kept.append(ref)
        for n in args.customers:
            kept.append(by_base[n])
            rows.append((n, s, lam, by_base[n], ref, theory))

    header = (
        f"{'customers':>9} {'S min':>5} {'L/min':>7} "
        f"{'chainsim enc/s':>14} {'(run only)':>11} {'SimPy enc/s':>11} {'ratio':>7} "
        f"{'wait chainsim':>13} {'wait SimPy':>10} {'Erlang C':>8} "
        f"{'chainsim sim':>12} {'SimPy sim':>10}"
    )
    print(f"M/M/{c} at utilisation {args.utilisation:g}, one core each; encounters/s: the "
          f"fastest of {args.repeats} runs; waits (minutes): all {args.repeats} runs pooled; "
          f"simulated horizon of the fastest run, weeks")
    print(header)
    ratios = []
    for n, s, lam, cs, ref, theory in rows:
        ratio = cs["encounters_per_second"] / ref["encounters_per_second"]
        ratios.append(ratio)
        print(
            f"{n:>9,} {s:>5g} {lam:>7.4g} "
            f"{cs['encounters_per_second']:>14,.0f} {cs['run_encounters_per_second']:>11,.0f} "
            f"{ref['encounters_per_second']:>11,.0f} {ratio:>6.0f}x "
            f"{cs['mean_wait_minutes']:>13.4f} {ref['mean_wait_minutes']:>10.4f} "
            f"{theory:>8.4f} "
            f"{cs['simulated_minutes'] / MINUTES_PER_WEEK:>12,.0f} "
            f"{ref['simulated_minutes'] / MINUTES_PER_WEEK:>10,.1f}"
        )
    worst = max(
        max(abs(cs["mean_wait_minutes"] / t - 1), abs(ref["mean_wait_minutes"] / t - 1))
        for _, _, _, cs, ref, t in rows
    )
    print(f"largest wait departure from Erlang C: {100 * worst:.1f}%")
    if args.json:
        Path(args.json).write_text(json.dumps(kept, indent=1) + "\n")
    if args.require is not None and min(ratios) < args.require:
        print(f"below {args.require:g}x: lowest ratio {min(ratios):.0f}x", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
