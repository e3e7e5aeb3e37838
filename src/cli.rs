//! The command line: `run`, `check` and `reference`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use chainsim::ledger::Line;
use chainsim::model::Metric;
use chainsim::report::{self, Provenance};
use chainsim::runner::{self, Interrupt, Partial, RunOptions, RunResult, Shard};
use chainsim::scenario::{
    DEFAULT_SCENARIO_LABEL, DEFAULT_SCENARIO_RON, MAX_REPLICATIONS, Scenario, ScenarioError,
};

/// chainsim: simulate the service-profit chain with agents and events.
#[derive(Debug, Parser)]
#[command(name = "chainsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do; with none, `run` the built-in default scenario.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Replace the results in an output directory given with --out. Without it an --out that
    /// already holds files is refused, and a default output directory that holds an earlier
    /// run's results gives way to a fresh one (`-2`, `-3`, ...), named on stdout.
    #[arg(long, global = true)]
    pub force: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's arms for many replications and write the outputs.
    Run(RunArgs),
    /// Check scenario files and report every problem (exit 2 if any).
    Check {
        /// Scenario files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the reference of every scenario field (the text of docs/SCENARIO.md).
    Reference,
    /// Run the validation suite: MODEL.md's calibration targets as experiments on the
    /// archetypes. Prints the table, writes validation.csv and charts; exit 1 if any check fails.
    Validate {
        /// Replications per experiment arm.
        #[arg(long, default_value_t = 40)]
        reps: u32,
        /// Master seed.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Output directory (default: output/validation/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only these experiments (comma-separated): facts, archetypes, sears, smile,
        /// not_maximise, reichheld, ablations, queueing.
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
    },
    /// Run a sensitivity sweep from a sweep file (RON): which assumptions drive the answer.
    /// Writes sweep.csv (streamed as points finish), indices.csv, charts and a manifest.
    Sweep {
        /// Sweep file (RON); see scenarios/sweeps/.
        file: PathBuf,
        /// Replications per point (default: the file's).
        #[arg(long)]
        reps: Option<u32>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Output directory (default: output/sweeps/<name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only shard K of N (1-based; points p with p % N == K - 1) and write a partial
        /// result for `chainsim merge`.
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<Shard>,
    },
    /// Narrate one replication month by month in plain sentences: which link of the chain
    /// moved and why, with the numbers, read from the simulation's own state.
    Explain {
        /// Scenario file (RON); the built-in smile-vs-tools comparison if omitted.
        scenario: Option<PathBuf>,
        /// The arm to explain (default: the baseline).
        #[arg(long)]
        arm: Option<String>,
        /// One site (from 0); default: the whole firm.
        #[arg(long)]
        site: Option<usize>,
        /// Master seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Which replication (from 0; the same streams as replication N of `run`).
        #[arg(long, default_value_t = 0)]
        replication: u64,
        /// Horizon in weeks (default: the scenario's).
        #[arg(long)]
        weeks: Option<u32>,
    },
    /// Rebuild `report.html` in an output directory of `run`, `sweep`, `validate` or `merge`
    /// from the files there (one self-contained page: open it offline, print it to PDF).
    Report {
        /// The output directory.
        dir: PathBuf,
    },
    /// Merge the partial results of `run --shard` (or `sweep --shard`) into the files a single
    /// run (or sweep) writes.
    Merge {
        /// Output directories of the shards (each holds a partial.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged outputs.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Arguments of `run`.
#[derive(Debug, clap::Args, Default)]
pub struct RunArgs {
    /// Scenario file (RON); the built-in smile-vs-tools comparison if omitted.
    pub scenario: Option<PathBuf>,
    /// Replications per arm (default: the scenario's).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Master seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Horizon in weeks (default: the scenario's).
    #[arg(long)]
    pub weeks: Option<u32>,
    /// Output directory (default: output/<scenario name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (1-based; replications r with r % N == K - 1) and write a
    /// partial result for `chainsim merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Add replications (in batches of 20) until every arm's ΔNPV 95% interval against the
    /// baseline has a half-width of at most AMOUNT (currency); --reps is then ignored.
    #[arg(long, value_name = "AMOUNT")]
    pub precision: Option<f64>,
    /// With --precision: stop after this many replications even if not precise enough.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub max_reps: u32,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text)
}

/// Why a command failed, with the exit code it implies.
pub enum Failure {
    /// Usage or scenario errors: exit 2.
    Input(String),
    /// Failures while running or writing: exit 1.
    Runtime(String),
    /// Stopped by Ctrl-C after writing what was complete: exit 130 (128 + SIGINT).
    Interrupted(String),
}

/// Set by the first Ctrl-C; runs and sweeps stop starting replications once it is.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C stop the work gracefully: the first press asks the run to stop after the
/// replications in flight (it then writes what is complete); a second press quits at once.
/// Returns the interrupt to give the run.
fn catch_ctrl_c() -> Interrupt {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted again: quitting without writing");
            std::process::exit(130);
        }
        eprintln!(
            "\ninterrupted: finishing the replications in flight, then writing what is complete (Ctrl-C again quits at once)"
        );
    });
    if let Err(e) = installed {
        // Without the handler Ctrl-C still stops the process; only the partial results are lost.
        eprintln!("warning: cannot catch Ctrl-C ({e}); an interrupted run will write nothing");
    }
    Interrupt::on(&INTERRUPTED)
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> Result<(), Failure> {
    let force = cli.force;
    match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Run(args) => run(args, force),
        Command::Check { files } => check(&files),
        Command::Reference => {
            print!("{}", Scenario::reference_markdown());
            Ok(())
        }
        Command::Explain {
            scenario,
            arm,
            site,
            seed,
            replication,
            weeks,
        } => explain(scenario.as_deref(), arm, site, seed, replication, weeks),
        Command::Report { dir } => {
            let path = report::html::write(&dir).map_err(|e| match e {
                report::ReportError::Read { .. } => Failure::Input(e.to_string()),
                other => Failure::Runtime(other.to_string()),
            })?;
            println!("wrote {}", path.display());
            Ok(())
        }
        Command::Merge { dirs, out } => {
            merge(&dirs, &output_dir(Some(out), PathBuf::new(), force)?)
        }
        Command::Sweep {
            file,
            reps,
            threads,
            out,
            shard,
        } => sweep(
            &file,
            reps,
            threads,
            out,
            shard.unwrap_or(Shard::WHOLE),
            force,
        ),
        Command::Validate {
            reps,
            seed,
            threads,
            out,
            only,
        } => validate(
            chainsim::validate::ValidateOptions {
                replications: reps,
                seed,
                only,
            },
            threads,
            &output_dir(out, PathBuf::from("output").join("validation"), force)?,
        ),
    }
}

fn sweep(
    file: &Path,
    reps: Option<u32>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    shard: Shard,
    force: bool,
) -> Result<(), Failure> {
    use chainsim::sweep::Sweep;
    if let Some(r) = reps {
        if r < 2 {
            return Err(Failure::Input(format!(
                "--reps: expected at least 2 (replication noise needs two), found {r}"
            )));
        }
        at_most("reps", r, chainsim::sweep::MAX_REPLICATIONS_PER_POINT)?;
    }
    let threads = positive("threads", threads)?.unwrap_or(0);
    let sweep = Sweep::load(file).map_err(|e| Failure::Input(e.to_string()))?;
    runner::check_memory(&sweep.heaviest(), threads, runner::available_memory_bytes())
        .map_err(Failure::Input)?;
    let out = output_dir(out, chainsim::sweep::default_out(&sweep), force)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start worker threads: {e}")))?;
    eprintln!(
        "chainsim sweep: {} ({}), {:?}, seed {}",
        sweep.file.name,
        file.display(),
        sweep.file.design,
        sweep.seed()
    );
    let interrupt = catch_ctrl_c();
    let result = pool
        .install(|| sweep.run_shard(reps, shard, &out, interrupt))
        .map_err(|e| match e {
            chainsim::sweep::SweepError::Write(w) => Failure::Runtime(w.to_string()),
            other => Failure::Input(other.to_string()),
        })?;
    if let Some(planned) = result.interrupted_at {
        return Err(Failure::Interrupted(if shard == Shard::WHOLE {
            format!(
                "interrupted: wrote the {} of {planned} points completed to {} (sweep.csv; manifest.json says \"complete\": false; no indices or charts: they need the whole design)",
                result.points.len(),
                out.join("sweep.csv").display()
            )
        } else {
            format!(
                "interrupted: sweep shard {}/{} stopped before its end, so nothing was written (merge needs whole shards); run it again",
                shard.index, shard.count
            )
        }));
    }
    if shard != Shard::WHOLE {
        println!(
            "sweep shard {}/{}: {} points, {} simulations in {:.1} s; wrote {} (combine the shards with `chainsim merge`)",
            shard.index,
            shard.count,
            result.points.len(),
            result.simulations,
            result.wall_seconds,
            out.join(chainsim::sweep::SWEEP_PARTIAL_FILE).display()
        );
        return Ok(());
    }
    print!("{}", chainsim::sweep::summary(&result));
    println!("wrote {}", out.display());
    Ok(())
}

fn validate(
    options: chainsim::validate::ValidateOptions,
    threads: Option<usize>,
    out: &Path,
) -> Result<(), Failure> {
    let (reps, seed) = (options.replications, options.seed);
    if reps < 2 {
        return Err(Failure::Input(format!(
            "--reps: expected at least 2 (intervals need two replications), found {reps}"
        )));
    }
    at_most("reps", reps, MAX_REPLICATIONS)?;
    for name in options.only.iter().flatten() {
        if !chainsim::validate::EXPERIMENTS.contains(&name.as_str()) {
            return Err(Failure::Input(format!(
                "--only: expected experiments from {}, found `{name}`",
                chainsim::validate::EXPERIMENTS.join(", ")
            )));
        }
    }
    let threads = positive("threads", threads)?.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start worker threads: {e}")))?;
    eprintln!("chainsim validate: {reps} replications per arm, seed {seed}");
    let started = std::time::Instant::now();
    create_out(out)?;
    let v = pool.install(|| chainsim::validate::validate(&options));
    print!("{}", chainsim::validate::table(&v));
    chainsim::validate::write(&v, out).map_err(|e| Failure::Runtime(e.to_string()))?;
    println!(
        "wrote {} (validation.csv, validation.txt, charts, report.html) in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    let failing = v.failing();
    if failing.is_empty() {
        Ok(())
    } else {
        Err(Failure::Runtime(format!(
            "{} check(s) failed: {}",
            failing.len(),
            failing.join(", ")
        )))
    }
}

fn explain(
    path: Option<&Path>,
    arm: Option<String>,
    site: Option<usize>,
    seed: Option<u64>,
    replication: u64,
    weeks: Option<u32>,
) -> Result<(), Failure> {
    let (scenario, _) = load(path).map_err(|e| Failure::Input(e.to_string()))?;
    let arm = match arm {
        None => scenario.baseline_index(),
        Some(name) => scenario
            .arms
            .iter()
            .position(|a| a.name == name)
            .ok_or_else(|| {
                Failure::Input(format!(
                    "--arm: expected one of the scenario's arms ({}), found `{name}`",
                    scenario
                        .arms
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
    };
    if let Some(i) = site
        && i >= scenario.sites.count as usize
    {
        return Err(Failure::Input(format!(
            "--site: expected a site from 0 to {}, found {i}",
            scenario.sites.count - 1
        )));
    }
    let weeks = match positive("weeks", weeks)? {
        Some(w) => at_most("weeks", w, chainsim::scenario::MAX_WEEKS)?,
        None => scenario.weeks,
    };
    let mut sized = scenario.clone();
    sized.weeks = weeks;
    runner::check_memory(&sized, 1, runner::available_memory_bytes()).map_err(Failure::Input)?;
    let options = chainsim::explain::ExplainOptions {
        arm,
        site,
        seed: seed.unwrap_or(scenario.seed),
        replication,
        weeks,
    };
    print!("{}", chainsim::explain::explain(&scenario, &options).text);
    Ok(())
}

fn check(files: &[PathBuf]) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for f in files {
        match Scenario::load(f) {
            Ok(s) => println!(
                "{}: ok ({}, {} arm{})",
                f.display(),
                s.name,
                s.arms.len(),
                if s.arms.len() == 1 { "" } else { "s" }
            ),
            Err(e) => failed.push(e.to_string()),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(failed.join("\n")))
    }
}

fn load(path: Option<&Path>) -> Result<(Scenario, Provenance), ScenarioError> {
    match path {
        Some(p) => {
            let file = p.display().to_string();
            let text = chainsim::scenario::read_text(p).map_err(|source| ScenarioError::Read {
                file: file.clone(),
                source,
            })?;
            Ok((Scenario::parse(&text, &file)?, Provenance::of(&file, &text)))
        }
        None => Ok((
            Scenario::built_in(),
            Provenance::of(DEFAULT_SCENARIO_LABEL, DEFAULT_SCENARIO_RON),
        )),
    }
}

/// `value` of `--flag` if it is at most `max`; an input error saying both otherwise.
fn at_most(flag: &str, value: u32, max: u32) -> Result<u32, Failure> {
    if value > max {
        return Err(Failure::Input(format!(
            "--{flag}: expected at most {max}, found {value}"
        )));
    }
    Ok(value)
}

fn positive<T: PartialEq + Default + std::fmt::Display>(
    flag: &str,
    v: Option<T>,
) -> Result<Option<T>, Failure> {
    match v {
        Some(x) if x == T::default() => Err(Failure::Input(format!(
            "--{flag}: expected a number of at least 1, found {x}"
        ))),
        v => Ok(v),
    }
}

/// Creates the output directory before any long work, so an unwritable `--out` (under a
/// regular file, on a read-only disk) fails at once rather than after the simulation.
fn create_out(out: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::Runtime(format!("cannot write '{}': {e}", out.display())))
}

/// Whether `path` is a directory with something in it.
fn holds_files(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some())
}

/// Where a command writes: an `--out` that already holds files is refused unless `force`; the
/// default directory, when it holds an earlier run's results, gives way to the first fresh
/// `<default>-N`, which is named on stdout. Nothing is ever silently overwritten.
fn output_dir(given: Option<PathBuf>, default: PathBuf, force: bool) -> Result<PathBuf, Failure> {
    if let Some(out) = given {
        if holds_files(&out) && !force {
            return Err(Failure::Input(format!(
                "{}: the output directory already holds files (an earlier run's results?); pass --force to replace them, or choose another --out",
                out.display()
            )));
        }
        return Ok(out);
    }
    if force || !holds_files(&default) {
        return Ok(default);
    }
    let name = default
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let fresh = (2..)
        .map(|n| default.with_file_name(format!("{name}-{n}")))
        .find(|p| !holds_files(p))
        .expect("some numbered directory is free");
    println!(
        "{} holds an earlier run's results; writing to {} (--force replaces them instead)",
        default.display(),
        fresh.display()
    );
    Ok(fresh)
}

fn run(args: RunArgs, force: bool) -> Result<(), Failure> {
    let (scenario, provenance) =
        load(args.scenario.as_deref()).map_err(|e| Failure::Input(e.to_string()))?;
    let mut options = RunOptions::from_scenario(&scenario);
    options.progress = true;
    if let Some(r) = positive("reps", args.reps)? {
        options.replications = at_most("reps", r, MAX_REPLICATIONS)?;
    }
    if let Some(w) = positive("weeks", args.weeks)? {
        if w > chainsim::scenario::MAX_WEEKS {
            return Err(Failure::Input(format!(
                "--weeks: expected at most {} (50 years), found {w}",
                chainsim::scenario::MAX_WEEKS
            )));
        }
        options.weeks = w;
    }
    if let Some(t) = positive("threads", args.threads)? {
        options.threads = t;
    }
    if let Some(s) = args.seed {
        options.seed = s;
    }
    let out = output_dir(
        args.out,
        PathBuf::from("output").join(&scenario.name),
        force,
    )?;
    eprintln!(
        "chainsim: {} ({}), {} arm(s) x {} replications x {} weeks, seed {}",
        scenario.name,
        provenance.file,
        scenario.arms.len(),
        options.replications,
        options.weeks,
        options.seed
    );
    if let Some(shard) = args.shard {
        options.shard = shard;
    }
    let mut sized = scenario.clone();
    sized.weeks = options.weeks;
    runner::check_memory(&sized, options.threads, runner::available_memory_bytes())
        .map_err(Failure::Input)?;
    if let Some(p) = args.precision {
        if !(p.is_finite() && p > 0.0) {
            return Err(Failure::Input(format!(
                "--precision: expected an amount greater than 0, found {p}"
            )));
        }
        if scenario.arms.len() < 2 {
            return Err(Failure::Input(
                "--precision: expected a scenario with at least two arms to compare, found one"
                    .into(),
            ));
        }
        if args.shard.is_some() {
            return Err(Failure::Input(
                "--precision cannot be combined with --shard: shards need a fixed --reps".into(),
            ));
        }
        at_most("max-reps", args.max_reps, MAX_REPLICATIONS)?;
    }
    create_out(&out)?;
    options.interrupt = catch_ctrl_c();
    let mut partial = match args.precision {
        None => runner::run_partial(&scenario, &options, &provenance.file, &provenance.sha256)
            .map_err(|e| Failure::Runtime(e.to_string()))?,
        Some(p) => {
            let (partial, reached) = runner::run_to_precision(
                &scenario,
                &options,
                &provenance.file,
                &provenance.sha256,
                p,
                args.max_reps.max(2),
            )
            .map_err(|e| Failure::Runtime(e.to_string()))?;
            if reached {
                eprintln!(
                    "precision reached: every ΔNPV half-width <= {p} after {} replications",
                    partial.replications
                );
            } else if partial.interrupted_at.is_none() {
                eprintln!(
                    "precision NOT reached: stopped at --max-reps {} with a ΔNPV half-width above {p}; raise --max-reps",
                    partial.replications
                );
            }
            partial
        }
    };
    partial.scenario_text = provenance.text.clone();
    if options.shard != Shard::WHOLE {
        if partial.interrupted_at.is_some() {
            // A shard merges only whole; its replications are not a shorter run's.
            return Err(Failure::Interrupted(format!(
                "interrupted: shard {}/{} stopped before its end, so nothing was written (merge needs whole shards); run it again",
                options.shard.index, options.shard.count
            )));
        }
        let path =
            report::write_partial(&partial, &out).map_err(|e| Failure::Runtime(e.to_string()))?;
        println!(
            "shard {}/{}: {} encounters in {:.2} s; wrote {} (combine the shards with `chainsim merge`)",
            options.shard.index,
            options.shard.count,
            partial.encounters,
            partial.wall_seconds.iter().sum::<f64>(),
            path.display()
        );
        return Ok(());
    }
    let result = partial.finish();
    write_and_summarise(&result, &provenance, &out)?;
    match result.interrupted_at {
        None => Ok(()),
        Some(requested) => Err(Failure::Interrupted(format!(
            "interrupted: wrote {} of {requested} replications to {} (each file as a run of {0} replications would write it; manifest.json says \"complete\": false)",
            result.options.replications,
            out.display()
        ))),
    }
}

fn write_and_summarise(
    result: &RunResult,
    provenance: &Provenance,
    out: &Path,
) -> Result<(), Failure> {
    let written =
        report::write_all(result, provenance, out).map_err(|e| Failure::Runtime(e.to_string()))?;
    print_summary(result, &written);
    Ok(())
}

fn merge(dirs: &[PathBuf], out: &Path) -> Result<(), Failure> {
    if dirs
        .first()
        .is_some_and(|d| d.join(chainsim::sweep::SWEEP_PARTIAL_FILE).is_file())
    {
        return merge_sweeps(dirs, out);
    }
    let mut parts = Vec::new();
    for d in dirs {
        let path = d.join(report::PARTIAL_FILE);
        let label = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::Input(format!("{label}: cannot read partial result: {e}")))?;
        let p: Partial = serde_json::from_str(&text).map_err(|e| {
            Failure::Input(format!(
                "{label}:{}:{}: not a chainsim partial result: {e}",
                e.line(),
                e.column()
            ))
        })?;
        parts.push((label, p));
    }
    let whole = Partial::merge(parts).map_err(|e| Failure::Input(e.to_string()))?;
    let provenance = Provenance {
        file: whole.scenario_file.clone(),
        sha256: whole.scenario_sha256.clone(),
        text: whole.scenario_text.clone(),
    };
    write_and_summarise(&whole.finish(), &provenance, out)
}

fn merge_sweeps(dirs: &[PathBuf], out: &Path) -> Result<(), Failure> {
    let mut parts = Vec::new();
    for d in dirs {
        let path = d.join(chainsim::sweep::SWEEP_PARTIAL_FILE);
        let label = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::Input(format!("{label}: cannot read partial sweep result: {e}"))
        })?;
        let p: chainsim::sweep::SweepPartial = serde_json::from_str(&text).map_err(|e| {
            Failure::Input(format!(
                "{label}:{}:{}: not a chainsim partial sweep result: {e}",
                e.line(),
                e.column()
            ))
        })?;
        parts.push((label, p));
    }
    let result = chainsim::sweep::merge(parts, out).map_err(|e| match e {
        chainsim::sweep::SweepError::Write(w) => Failure::Runtime(w.to_string()),
        other => Failure::Input(other.to_string()),
    })?;
    print!("{}", chainsim::sweep::summary(&result));
    println!("wrote {}", out.display());
    Ok(())
}

fn print_summary(r: &RunResult, written: &[PathBuf]) {
    let mut o = std::io::stdout().lock();
    let rate = r.encounters as f64 / r.wall_seconds.max(1e-9);
    let _ = writeln!(
        o,
        "simulated {} encounters in {:.2} s on {} thread(s): {:.2} million encounters/s",
        r.encounters,
        r.wall_seconds,
        r.threads,
        rate / 1e6
    );
    let last = r.options.weeks as usize - 1;
    for arm in &r.arms {
        let at_end = |m: Metric| arm.weekly[r.cell(r.sites, last, r.metric_index(m))];
        let profit = at_end(Metric::CumulativeProfit);
        let _ = writeln!(o, "arm {}:", arm.name);
        let _ = writeln!(
            o,
            "  cumulative profit after {} weeks: median {:.0} (90% of replications in {:.0} .. {:.0})",
            r.options.weeks,
            profit.median(),
            profit.p[0],
            profit.p[4]
        );
        let mut npv: Vec<f64> = arm.replications.iter().map(|x| x.npv).collect();
        let npv = chainsim::stats::Summary::of(&mut npv);
        let _ = writeln!(
            o,
            "  NPV: median {:.0} (90%: {:.0} .. {:.0})",
            npv.median(),
            npv.p[0],
            npv.p[4]
        );
        for (label, m, scale) in [
            ("ISQ", Metric::Isq, 1.0),
            ("morale", Metric::Morale, 1.0),
            ("staff turnover %/yr", Metric::TurnoverAnnualised, 100.0),
            ("satisfaction", Metric::Satisfaction, 1.0),
            ("top-box share %", Metric::TopBoxShare, 100.0),
            ("active customers", Metric::ActiveCustomers, 1.0),
            ("weekly revenue", Metric::Money(Line::Revenue), 1.0),
        ] {
            let s = at_end(m);
            let _ = writeln!(
                o,
                "  {label} in the last week: median {:.1} (90%: {:.1} .. {:.1})",
                s.median() * scale,
                s.p[0] * scale,
                s.p[4] * scale
            );
        }
    }
    if r.arms.len() > 1 {
        let _ = writeln!(o, "{}", comparison_table(r));
    }
    let _ = writeln!(o, "wrote:");
    for p in written {
        let _ = writeln!(o, "  {}", p.display());
    }
}

/// The comparison as a plain-text table (95% intervals, paired by replication).
fn comparison_table(r: &RunResult) -> String {
    let base = r.scenario.baseline_index();
    let mut t = format!(
        "\ncomparison with {} ({} replications, common random numbers, 95% intervals)\n",
        r.arms[base].name, r.options.replications
    );
    t.push_str(&format!(
        "{:<22} {:>26} {:>14} {:>28} {:>8} {:>22} {:>16} {:>7}\n",
        "arm", "NPV", "investment", "ΔNPV vs baseline", "P(beat)", "ROI", "payback week", "P(best)"
    ));
    let k = |x: f64| {
        if x.is_finite() {
            format!("{:.0}k", x / 1000.0)
        } else {
            "n/a".into()
        }
    };
    let ci = |i: &chainsim::stats::compare::Interval| {
        format!("{} [{}, {}]", k(i.mean), k(i.lo), k(i.hi))
    };
    let pct = |x: f64| {
        if x.is_finite() {
            format!("{:.0}%", 100.0 * x)
        } else {
            "-".into()
        }
    };
    for (a, c) in report::comparisons(r).iter().enumerate() {
        let roi = if c.roi.mean.is_finite() {
            format!("{:.2} [{:.2}, {:.2}]", c.roi.mean, c.roi.lo, c.roi.hi)
        } else {
            "n/a".into()
        };
        let payback = if a == base {
            "-".into()
        } else if c.payback_week[0].is_finite() {
            format!("{:.0} ({} paid)", c.payback_week[0], pct(c.paid_back_share))
        } else {
            "never".into()
        };
        let delta = if a == base {
            "-".into()
        } else {
            ci(&c.delta_npv)
        };
        t.push_str(&format!(
            "{:<22} {:>26} {:>14} {:>28} {:>8} {:>22} {:>16} {:>7}\n",
            c.arm,
            ci(&c.npv),
            k(c.investment.mean),
            delta,
            pct(c.p_beats_baseline),
            roi,
            payback,
            pct(c.p_best)
        ));
    }
    t
}
