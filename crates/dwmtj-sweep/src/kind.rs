//! The kinds of run a sweep can vary, each through its library's one shape (raw text ->
//! validated spec -> run -> report), and the summary each writes as `summary.json` (the JSON
//! its single command prints with `--json`).

use dwmtj_core::checkpoint::NoCheckpoints;
use dwmtj_core::device::{Device, Program};
use dwmtj_core::field_sweep::{FieldLoops, FieldSweep, FieldSwitching};
use dwmtj_core::simulate::Simulation;
use dwmtj_core::wall_run::{RawWallRun, WallReport, WallRunSpec};
use dwmtj_design::config::{DesignRunSpec, RawDesignRun};
use dwmtj_design::run::DesignReport;
use dwmtj_micromag::config::RunSpec;
use dwmtj_micromag::run::RunOutput;
use dwmtj_nn::network::TrainResult;
use dwmtj_nn::run::TrainRun;
use serde::Serialize;
use std::path::Path;

/// A run type a sweep can vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A device file with a `[program]` (`dwmtj simulate`).
    Device,
    /// A wall-run file (`dwmtj dw`; its keys are the flags' names with `_`).
    Wall,
    /// A design-target file (`dwmtj design`).
    Design,
    /// A micromagnetic run file (`dwmtj micromag`).
    Micromag,
    /// A training file (`dwmtj train`).
    Train,
}

impl Kind {
    /// The names, for messages.
    pub const NAMES: &'static str = "device, wall, design, micromag, train";

    /// The kind of this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "device" => Self::Device,
            "wall" => Self::Wall,
            "design" => Self::Design,
            "micromag" => Self::Micromag,
            "train" => Self::Train,
            _ => return None,
        })
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Wall => "wall",
            Self::Design => "design",
            Self::Micromag => "micromag",
            Self::Train => "train",
        }
    }

    /// The dwmtj subcommand that runs one file of this kind.
    pub fn command(self) -> &'static str {
        match self {
            Self::Device => "simulate",
            Self::Wall => "dw",
            Self::Design => "design",
            Self::Micromag => "micromag",
            Self::Train => "train",
        }
    }

    /// Recognise a file's kind from its top-level keys.
    pub fn detect(doc: &toml::Table) -> Option<Self> {
        let has = |k: &str| doc.contains_key(k);
        if has("mesh") {
            Some(Self::Micromag)
        } else if has("wire") {
            Some(Self::Device)
        } else if has("target") {
            Some(Self::Design)
        } else if has("network") || has("training") {
            Some(Self::Train)
        } else if has("current_density") || has("pulse") {
            Some(Self::Wall)
        } else {
            None
        }
    }

    /// The key of the run's random seed, where it has one.
    pub fn seed_key(self) -> Option<&'static str> {
        match self {
            Self::Device => Some("program.seed"),
            Self::Wall => Some("seed"),
            Self::Micromag => Some("run.seed"),
            Self::Train => Some("training.seed"),
            // The design's Monte Carlo verification has a fixed seed.
            Self::Design => None,
        }
    }
}

/// Why a point could not run: its validation or its run failed (the message names the field).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PointError(pub String);

fn err(e: impl std::fmt::Display) -> PointError {
    PointError(e.to_string())
}

/// A point's validated run.
pub enum Prepared {
    /// A device and its program.
    Device(Box<(Device, Program)>),
    /// A device and its field-swept program, with the file's text.
    Field(Box<(Device, FieldSwitching, FieldSweep, String)>),
    /// A wall run.
    Wall(Box<WallRunSpec>),
    /// A design run.
    Design(Box<DesignRunSpec>),
    /// A micromagnetic run and its file's text.
    Micromag(Box<(RunSpec, String)>),
    /// A training run (its data loaded).
    Train(Box<TrainRun>),
}

/// A point's results: what the single command writes.
pub enum Outcome {
    /// `dwmtj simulate`.
    Device(Box<(Device, Program, Simulation)>),
    /// `dwmtj simulate` of a field-swept program: device, model, program, loops, file text.
    Field(Box<(Device, FieldSwitching, FieldSweep, FieldLoops, String)>),
    /// `dwmtj dw`.
    Wall(Box<(WallRunSpec, WallReport)>),
    /// `dwmtj design`.
    Design(Box<DesignReport>),
    /// `dwmtj micromag`: spec, file text, output, wall-clock seconds.
    Micromag(Box<(RunSpec, String, RunOutput, f64)>),
    /// `dwmtj train`: the run, its result, wall-clock seconds.
    Train(Box<(TrainRun, TrainResult, f64)>),
}

/// Validate `text` (a point's base file; `origin` names it, `base_dir` resolves its relative
/// paths) as a run of `kind`.
pub fn prepare(kind: Kind, text: &str, origin: &str, base_dir: &Path) -> Result<Prepared, PointError> {
    Ok(match kind {
        Kind::Device => {
            let (raw, device, program) = dwmtj_core::config::parse_device(text, origin, Some(base_dir)).map_err(err)?;
            if let Some((fs, sweep)) = raw.field_sweep(&device).map_err(err)? {
                return Ok(Prepared::Field(Box::new((device, fs, sweep, text.to_string()))));
            }
            let program = program.ok_or_else(|| PointError(format!("{origin} has no [program] table: nothing to simulate")))?;
            Prepared::Device(Box::new((device, program)))
        }
        Kind::Wall => {
            let spec = RawWallRun::from_toml(text, origin)
                .and_then(|r| r.validate("", Some(base_dir)))
                .map_err(err)?;
            Prepared::Wall(Box::new(spec))
        }
        Kind::Design => {
            let spec = RawDesignRun::from_toml(text, origin)
                .and_then(|r| r.validate(Some(base_dir)))
                .map_err(err)?;
            Prepared::Design(Box::new(spec))
        }
        Kind::Micromag => {
            let (_, spec) = dwmtj_micromag::config::parse(text, origin).map_err(err)?;
            Prepared::Micromag(Box::new((spec, text.to_string())))
        }
        Kind::Train => {
            let run = dwmtj_nn::run::prepare(Some((text, origin, base_dir)), &dwmtj_nn::config::Overrides::default()).map_err(err)?;
            Prepared::Train(Box::new(run))
        }
    })
}

/// Run a prepared point. `tick` is called often from inside the run (the caller may stop a
/// cancelled run from it by unwinding).
pub fn run(p: Prepared, tick: &(dyn Fn() + Sync)) -> Result<Outcome, PointError> {
    let t0 = std::time::Instant::now();
    Ok(match p {
        Prepared::Device(b) => {
            let (device, program) = *b;
            let sim = dwmtj_core::simulate::simulate(&device, &program, &|_| tick()).map_err(err)?;
            Outcome::Device(Box::new((device, program, sim)))
        }
        Prepared::Field(b) => {
            let (device, fs, sweep, text) = *b;
            let loops = dwmtj_core::field_sweep::run(&device, &fs, &sweep, &|_| tick()).map_err(err)?;
            Outcome::Field(Box::new((device, fs, sweep, loops, text)))
        }
        Prepared::Wall(spec) => {
            let report = dwmtj_core::wall_run::run(&spec).map_err(err)?;
            Outcome::Wall(Box::new((*spec, report)))
        }
        Prepared::Design(spec) => {
            let report = dwmtj_design::run::run(&spec, &|_| tick()).map_err(err)?;
            Outcome::Design(Box::new(report))
        }
        Prepared::Micromag(b) => {
            let (spec, text) = *b;
            let out = dwmtj_core::resources::on_worker_pool(|| dwmtj_micromag::run::run(&spec, &|_| tick()));
            Outcome::Micromag(Box::new((spec, text, out, t0.elapsed().as_secs_f64())))
        }
        Prepared::Train(run) => {
            let result = run.train(&run.config.device, &|_| tick(), None, &mut NoCheckpoints).map_err(err)?;
            Outcome::Train(Box::new((*run, result, t0.elapsed().as_secs_f64())))
        }
    })
}

impl Outcome {
    /// The summary the single command writes as `summary.json` and prints with `--json`.
    pub fn summary(&self) -> Result<serde_json::Value, PointError> {
        let v = match self {
            Self::Device(b) => serde_json::to_value(dwmtj_core::simulate::summary(&b.0, &b.1, &b.2)),
            Self::Field(b) => serde_json::to_value(dwmtj_core::field_sweep::summary(&b.0, &b.1, &b.2, &b.3)),
            Self::Wall(b) => serde_json::to_value(&b.1),
            Self::Design(r) => serde_json::to_value(&r.summary),
            Self::Micromag(b) => serde_json::to_value(b.2.summary(&b.0, b.3)),
            Self::Train(b) => serde_json::to_value(dwmtj_nn::run::summary(&b.1, &b.0.config, &b.0.data)).map(|mut v| {
                v["wall_time_s"] = serde_json::json!(b.2);
                v
            }),
        };
        v.map_err(err)
    }

    /// The seed the run used, for its manifest.
    pub fn seed(&self) -> Option<u64> {
        match self {
            Self::Device(b) => Some(b.1.seed),
            Self::Field(b) => Some(b.2.seed),
            Self::Wall(b) => Some(b.0.seed),
            Self::Design(r) => r.seed,
            Self::Micromag(_) => None,
            Self::Train(b) => Some(b.0.config.params.seed),
        }
    }
}
