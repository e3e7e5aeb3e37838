#!/usr/bin/env python3
"""The M/M/c queue in SimPy, timed: the reference that chainsim's `examples/mmc.rs` is compared
with (see compare.py and README.md in this folder).

c servers (a `simpy.Resource(capacity=c)`, FIFO), Poisson arrivals at L per minute, exponential
service of mean S minutes, no abandonment, from an empty system for the given simulated minutes.
Prints one line of JSON: customers served, simulated minutes, wall seconds (the whole
`env.run()`, one thread), served per wall second, and the mean wait in queue of those served.

    python3 benches/simpy/mmc.py --servers 25 --arrivals-per-minute 3.3333 \
        --service-minutes 6 --minutes 100000 [--seed 19]

Needs SimPy (`pip install simpy`); exits with status 2 and says so when it is missing.
"""

import argparse
import json
import random
import sys
import time

try:
    import simpy
except ImportError:
    sys.stderr.write(
        "mmc.py: SimPy is not installed. Install it with:\n"
        "    pip install simpy\n"
        "(or `python3 -m pip install simpy`), then run this again.\n"
    )
    sys.exit(2)


def run(servers, arrivals_per_minute, service_minutes, minutes, seed):
    """Simulates the queue for `minutes`; returns (served, wait sum in minutes, wall seconds)."""
    rng = random.Random(seed)
    expovariate = rng.expovariate
    service_rate = 1.0 / service_minutes
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    tally = {"served": 0, "wait": 0.0}

    def customer():
        arrived = env.now
        with desk.request() as req:
            yield req
            tally["wait"] += env.now - arrived
            yield env.timeout(expovariate(service_rate))
        tally["served"] += 1

    def source():
        while True:
            yield env.timeout(expovariate(arrivals_per_minute))
            env.process(customer())

    env.process(source())
    start = time.perf_counter()
    env.run(until=minutes)
    wall = time.perf_counter() - start
    return tally["served"], tally["wait"], wall


def main():
    p = argparse.ArgumentParser(description="M/M/c in SimPy, timed (one line of JSON).")
    p.add_argument("--servers", type=int, required=True)
    p.add_argument("--arrivals-per-minute", type=float, required=True)
    p.add_argument("--service-minutes", type=float, required=True)
    p.add_argument("--minutes", type=float, required=True, help="simulated minutes")
    p.add_argument("--seed", type=int, default=19)
    a = p.parse_args()
    if a.arrivals_per_minute * a.service_minutes >= a.servers:
        p.error("the queue is unstable: arrivals-per-minute x service-minutes must be below servers")
    served, wait, wall = run(
        a.servers, a.arrivals_per_minute, a.service_minutes, a.minutes, a.seed
    )
    print(
        json.dumps(
            {
                "engine": "simpy",
                "simpy_version": simpy.__version__,
                "python": sys.version.split()[0],
                "servers": a.servers,
                "arrivals_per_minute": a.arrivals_per_minute,
                "service_minutes": a.service_minutes,
                "seed": a.seed,
                "simulated_minutes": a.minutes,
                "encounters": served,
                "served": served,
                "wall_seconds": wall,
                "encounters_per_second": served / wall,
                "mean_wait_minutes": wait / served if served else float("nan"),
            }
        )
    )


if __name__ == "__main__":
    main()
