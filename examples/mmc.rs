//! One M/M/c replication on one thread, timed, for the side-by-side with SimPy
//! (`benches/simpy/compare.py`): the queue of `chainsim::validate::queue_scenario_with_customers`
//! (one site open round the clock, every feedback link off, no churn, no acquisition,
//! exponential service, FIFO, no abandonment) with `--servers` servers, Poisson arrivals at
//! `--arrivals-per-minute` to the site and a base of `--customers` customers, over `--weeks`
//! weeks. Usage:
//!
//! `cargo run --release --example mmc -- --servers 25 --arrivals-per-minute 3.3333
//! --service-minutes 6 --customers 10000 --weeks 100 [--replications 1] [--seed 19]`
//!
//! A scenario holds at most 2,600 weeks; `--replications R` runs R independent replications
//! (indices 0 to R-1) one after the other, for a longer horizon in all, and reports their sums.
//! Prints one line of JSON. `wall_seconds` times the whole of `Replication::run()`, i.e. its two
//! halves: `setup_seconds` (building the site and its customers; the warm-up is 0 weeks) and
//! `run_seconds` (the reported horizon, which starts from a copy of that world).
//! `encounters_per_second` is over `wall_seconds`, `run_encounters_per_second` over
//! `run_seconds` only. `mean_wait_minutes` is over every customer served, the first week of each
//! replication (from an empty queue) included; `erlang_c_wait_minutes` is the theory for the
//! same queue.

use std::time::Instant;

use chainsim::model::Replication;
use chainsim::model::{WeekTally, world::WarmStart};
use chainsim::validate::{erlang_c, queue_scenario_with_customers};

/// The command line.
struct Args {
    servers: u32,
    arrivals_per_minute: f64,
    service_minutes: f64,
    customers: u32,
    weeks: u32,
    replications: u32,
    seed: u64,
}

const USAGE: &str = "usage: mmc --servers C --arrivals-per-minute L --service-minutes S \
                     --customers N --weeks W [--replications R] [--seed SEED]";

fn fail(message: &str) -> ! {
    eprintln!("mmc: {message}\n{USAGE}");
    std::process::exit(2)
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| fail(&format!("{flag}: not a valid number: {value}")))
}

fn parse() -> Args {
    let mut a = Args {
        servers: 0,
        arrivals_per_minute: f64::NAN,
        service_minutes: f64::NAN,
        customers: 10_000,
        weeks: 0,
        replications: 1,
        seed: 19,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--servers" => a.servers = number(&flag, &value),
            "--arrivals-per-minute" => a.arrivals_per_minute = number(&flag, &value),
            "--service-minutes" => a.service_minutes = number(&flag, &value),
            "--customers" => a.customers = number(&flag, &value),
            "--weeks" => a.weeks = number(&flag, &value),
            "--replications" => a.replications = number(&flag, &value),
            "--seed" => a.seed = number(&flag, &value),
            _ => fail(&format!("unknown flag {flag}")),
        }
    }
    if a.servers == 0 || a.weeks == 0 || a.customers == 0 || a.replications == 0 {
        fail("--servers, --weeks, --customers and --replications must be at least 1");
    }
    if !(a.arrivals_per_minute > 0.0 && a.service_minutes > 0.0) {
        fail("--arrivals-per-minute and --service-minutes must be positive");
    }
    if a.arrivals_per_minute * a.service_minutes >= f64::from(a.servers) {
        fail("the queue is unstable: arrivals-per-minute x service-minutes must be below servers");
    }
    a
}

fn main() {
    let a = parse();
    let mut s = queue_scenario_with_customers(
        a.servers,
        a.arrivals_per_minute,
        a.service_minutes,
        None,
        a.customers,
    );
    s.weeks = a.weeks;
    if let Some(p) = s.problems().first() {
        fail(&format!("invalid scenario: {}: {}", p.path, p.message));
    }
    // `Replication::run()` is exactly `warm_up().run_arm(arm, &mut ())`: timed in its two halves.
    let (mut setup, mut run, mut encounters) = (0.0, 0.0, 0u64);
    let mut total = WeekTally::default();
    for index in 0..u64::from(a.replications) {
        let replication = Replication::new(&s, a.seed, index);
        let t = Instant::now();
        let start: WarmStart<'_> = replication.warm_up();
        setup += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let out = start.run_arm(s.baseline_index(), &mut ());
        run += t.elapsed().as_secs_f64();
        encounters += out.encounters;
        out.weekly.iter().flatten().for_each(|x| total.add(x));
    }
    let wall = setup + run;
    let mean_wait = total.wait_seconds_sum / 60.0 / total.served;
    let (p_wait, theory) = erlang_c(a.servers, a.arrivals_per_minute, 1.0 / a.service_minutes);
    let simulated_minutes = f64::from(a.weeks) * f64::from(a.replications) * 10_080.0;
    let json = serde_json::json!({
        "engine": "chainsim",
        "servers": a.servers,
        "arrivals_per_minute": a.arrivals_per_minute,
        "service_minutes": a.service_minutes,
        "customers": a.customers,
        "weeks": a.weeks,
        "replications": a.replications,
        "seed": a.seed,
        "simulated_minutes": simulated_minutes,
        "encounters": encounters,
        "arrivals": total.arrivals,
        "served": total.served,
        "abandoned": total.abandoned,
        "setup_seconds": setup,
        "run_seconds": run,
        "wall_seconds": wall,
        "encounters_per_second": encounters as f64 / wall,
        "run_encounters_per_second": encounters as f64 / run,
        "arrivals_per_simulated_minute": total.arrivals / simulated_minutes,
        "mean_wait_minutes": mean_wait,
        "utilisation": total.busy_hours / total.staffed_hours,
        "erlang_c_wait_minutes": theory,
        "erlang_c_p_wait": p_wait,
    });
    println!("{json}");
}
