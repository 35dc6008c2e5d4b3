//! `dwmtj._dwmtj`: the native module of the `dwmtj` Python package (python/dwmtj). Each function
//! takes the library's raw inputs (TOML text, or the JSON of a raw struct such as
//! `wall_run::RawWallRun`, with quantities as unit strings or SI numbers), runs the library's
//! spec -> run -> report on a worker thread with the GIL released, and returns the report as
//! JSON text plus numpy arrays for the bulk data. The Python layer turns these into objects.
//!
//! Long calls poll for signals every 50 ms: Ctrl-C sets a flag that the library's progress
//! callbacks see, the run unwinds, and KeyboardInterrupt is raised. Results do not depend on the
//! thread count (the library's streams are keyed by index, never by thread).

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

create_exception!(
    _dwmtj,
    ConfigError,
    PyValueError,
    "A bad input: `field` names it, `value` is what was given, `problem` what is expected."
);

/// A failure of a library call, turned into a Python exception at the boundary.
enum Failure {
    Config(dwmtj_core::ConfigError),
    Input(String),
    Other(String),
}

impl From<dwmtj_core::ConfigError> for Failure {
    fn from(e: dwmtj_core::ConfigError) -> Self {
        Self::Config(e)
    }
}

impl From<dwmtj_design::DesignError> for Failure {
    fn from(e: dwmtj_design::DesignError) -> Self {
        match e {
            dwmtj_design::DesignError::Input(m) => Self::Input(m),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<dwmtj_nn::run::TrainRunError> for Failure {
    fn from(e: dwmtj_nn::run::TrainRunError) -> Self {
        match e {
            dwmtj_nn::run::TrainRunError::Config(c) => Self::Config(c),
            other => Self::Input(other.to_string()),
        }
    }
}

impl From<dwmtj_core::wall_run::WallRunError> for Failure {
    fn from(e: dwmtj_core::wall_run::WallRunError) -> Self {
        Self::Other(e.to_string())
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Self::Input(e.to_string())
    }
}

fn config_error(py: Python<'_>, e: &dwmtj_core::ConfigError) -> PyErr {
    let err = ConfigError::new_err(e.to_string());
    let (field, value, problem) = match e {
        dwmtj_core::ConfigError::Field { field, value, problem } => (Some(field.clone()), value.clone(), problem.clone()),
        dwmtj_core::ConfigError::Toml { origin, message } => (None, origin.clone(), message.clone()),
        dwmtj_core::ConfigError::Io { path, message } => (None, path.clone(), message.clone()),
    };
    let v = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail.
    let _ = v.setattr("field", field);
    let _ = v.setattr("value", value);
    let _ = v.setattr("problem", problem);
    err
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Config(e) => config_error(py, &e),
            Self::Input(m) => {
                let err = ConfigError::new_err(m.clone());
                let v = err.value(py);
                let _ = v.setattr("field", py.None());
                let _ = v.setattr("value", "");
                let _ = v.setattr("problem", m);
                err
            }
            Self::Other(m) => PyRuntimeError::new_err(m),
        }
    }
}

/// The payload a cancelled run unwinds with.
struct Cancelled;

/// Shared between the worker and the thread that holds the interpreter.
#[derive(Default)]
struct Work {
    cancel: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
}

impl Work {
    /// Called from the library's progress callbacks: record the progress, stop if cancelled.
    fn tick(&self, done: u64, total: u64) {
        if self.cancel.load(Ordering::Relaxed) {
            // resume_unwind skips the panic hook: a cancelled run prints nothing.
            std::panic::resume_unwind(Box::new(Cancelled));
        }
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
}

/// Run `f` on a worker thread with the GIL released, calling `progress(done, total)` as it
/// advances and raising KeyboardInterrupt within ~50 ms of Ctrl-C (at the run's next progress
/// point).
fn run_blocking<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Work) -> Result<T, Failure> + Send,
) -> PyResult<T> {
    let work = Work::default();
    // The worker says when it is done, so a short call returns at once (no polling delay).
    let done = (std::sync::Mutex::new(false), std::sync::Condvar::new());
    let outcome = std::thread::scope(|s| {
        let handle = s.spawn(|| {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| f(&work)));
            *done.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = true;
            done.1.notify_all();
            r
        });
        let mut shown = (u64::MAX, u64::MAX);
        let stopped: Option<PyErr> = loop {
            let finished = py.detach(|| {
                let flag = done.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let (flag, _) = done
                    .1
                    .wait_timeout_while(flag, Duration::from_millis(50), |d| !*d)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *flag
            });
            let now = (work.done.load(Ordering::Relaxed), work.total.load(Ordering::Relaxed));
            if let Some(cb) = progress {
                if now != shown && now.1 > 0 {
                    shown = now;
                    if let Err(e) = cb.call1(now) {
                        break Some(e);
                    }
                }
            }
            if finished {
                break None;
            }
            if let Err(e) = py.check_signals() {
                break Some(e);
            }
        };
        if stopped.is_some() {
            // The run sees the flag at its next progress point and unwinds.
            work.cancel.store(true, Ordering::Relaxed);
        }
        let joined = py.detach(|| handle.join());
        match stopped {
            Some(e) => Err(e),
            None => Ok(joined),
        }
    })?;
    match outcome {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(failure))) => Err(failure.into_py(py)),
        Ok(Err(payload)) if payload.is::<Cancelled>() => Err(PyKeyboardInterrupt::new_err("interrupted")),
        Ok(Err(payload)) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(PyRuntimeError::new_err(format!("dwmtj: internal error: {msg}")))
        }
        Err(_) => Err(PyRuntimeError::new_err("dwmtj: the worker thread could not be joined")),
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    // Through a Value, so keys come out sorted, exactly as the CLI's --json prints them.
    Ok(serde_json::to_string(&serde_json::to_value(value)?)?)
}

fn array<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_vec(py, v)
}

// ----- devices ---------------------------------------------------------------------------

fn parse_raw_device(text: &str, origin: &str) -> Result<dwmtj_core::config::RawDevice, Failure> {
    toml::from_str(text).map_err(|e| {
        Failure::Config(dwmtj_core::ConfigError::Toml {
            origin: origin.to_string(),
            message: e.to_string(),
        })
    })
}

type Validated = (dwmtj_core::device::Device, Option<dwmtj_core::device::Program>);

fn device(text: &str, origin: &str, base: Option<&str>, o: &dwmtj_core::config::ProgramOverrides) -> Result<Validated, Failure> {
    let mut raw = parse_raw_device(text, origin)?;
    o.apply(&mut raw)?;
    Ok(raw.validate(base.map(Path::new))?)
}

/// Validate a device file's text; returns the check report as JSON.
#[pyfunction]
#[pyo3(signature = (text, origin, base=None))]
fn device_check(py: Python<'_>, text: &str, origin: &str, base: Option<&str>) -> PyResult<String> {
    let r = (|| {
        let (d, p) = device(text, origin, base, &Default::default())?;
        json(&dwmtj_core::threshold::check(&d, p.as_ref())?)
    })();
    r.map_err(|f| f.into_py(py))
}

/// The device file with every value in SI units and defaults made explicit.
#[pyfunction]
#[pyo3(signature = (text, origin, base=None))]
fn device_resolved(py: Python<'_>, text: &str, origin: &str, base: Option<&str>) -> PyResult<String> {
    let r = (|| {
        let (d, p) = device(text, origin, base, &Default::default())?;
        toml::to_string(&dwmtj_core::config::resolve(&d, p.as_ref())).map_err(|e| Failure::Other(e.to_string()))
    })();
    r.map_err(|f| f.into_py(py))
}

/// Simulate a device's program: (summary JSON, columns of the transfer curve).
#[pyfunction]
#[pyo3(signature = (text, origin, base=None, cycles=None, devices=None, seed=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn device_simulate<'py>(
    py: Python<'py>,
    text: &str,
    origin: &str,
    base: Option<&str>,
    cycles: Option<u32>,
    devices: Option<u32>,
    seed: Option<u64>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, Bound<'py, PyDict>)> {
    let o = dwmtj_core::config::ProgramOverrides { cycles, devices, seed };
    let (summary, sim) = run_blocking(py, progress, |work| {
        let (d, p) = device(text, origin, base, &o)?;
        let p = p.ok_or_else(|| Failure::Input(format!("{origin} has no [program] table: nothing to simulate")))?;
        let total = u64::from(p.cycles) * u64::from(p.devices);
        let sim = dwmtj_core::simulate::simulate(&d, &p, &|n| work.tick(n, total))?;
        let summary = json(&dwmtj_core::simulate::summary(&d, &p, &sim))?;
        Ok((summary, sim))
    })?;
    let cols = PyDict::new(py);
    let pts = &sim.points;
    let col = |f: fn(&dwmtj_core::simulate::TransferPoint) -> f64| pts.iter().map(f).collect::<Vec<f64>>();
    cols.set_item("sweep", pts.iter().map(|p| p.sweep.clone()).collect::<Vec<_>>())?;
    cols.set_item("index", PyArray1::from_vec(py, pts.iter().map(|p| p.index as i64).collect()))?;
    for (name, f) in [
        ("current_a", (|p| p.current_a) as fn(&dwmtj_core::simulate::TransferPoint) -> f64),
        ("r_mean_ohm", |p| p.r_mean_ohm),
        ("r_std_ohm", |p| p.r_std_ohm),
        ("g_mean_s", |p| p.g_mean_s),
        ("g_std_s", |p| p.g_std_s),
        ("switched_mean", |p| p.switched_mean),
        ("switched_std", |p| p.switched_std),
        ("energy_j", |p| p.energy_j),
    ] {
        cols.set_item(name, array(py, col(f)))?;
    }
    Ok((summary, cols))
}

/// Run a `kind = "field-sweep"` program: (summary JSON, readings columns, switching events columns).
#[pyfunction]
#[pyo3(signature = (text, origin, base=None, devices=None, seed=None, progress=None))]
#[allow(clippy::type_complexity)]
fn device_field_loops<'py>(
    py: Python<'py>,
    text: &str,
    origin: &str,
    base: Option<&str>,
    devices: Option<u32>,
    seed: Option<u64>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let o = dwmtj_core::config::ProgramOverrides {
        cycles: None,
        devices,
        seed,
    };
    let loops = run_blocking(py, progress, |work| {
        let mut raw = parse_raw_device(text, origin)?;
        o.apply(&mut raw)?;
        let (d, _) = raw.validate(base.map(Path::new))?;
        let (fs, sweep) = raw.field_sweep(&d)?.ok_or_else(|| {
            Failure::Input(format!(
                "{origin} has no [program] kind = \"field-sweep\"; use simulate() for pulse programs"
            ))
        })?;
        let total = u64::from(sweep.loops) * u64::from(sweep.devices);
        let loops = dwmtj_core::field_sweep::run(&d, &fs, &sweep, &|n| work.tick(n, total))?;
        let summary = json(&dwmtj_core::field_sweep::summary(&d, &fs, &sweep, &loops))?;
        Ok((summary, loops))
    })?;
    let (summary, loops) = loops;
    let r = &loops.readings;
    let readings = PyDict::new(py);
    readings.set_item("device", PyArray1::from_vec(py, r.iter().map(|x| i64::from(x.device)).collect()))?;
    readings.set_item("loop", PyArray1::from_vec(py, r.iter().map(|x| i64::from(x.loop_index)).collect()))?;
    readings.set_item("branch", r.iter().map(|x| x.branch.to_string()).collect::<Vec<_>>())?;
    readings.set_item("field_a_per_m", array(py, r.iter().map(|x| x.field_a_per_m).collect()))?;
    readings.set_item("resistance_ohm", array(py, r.iter().map(|x| x.resistance_ohm).collect()))?;
    readings.set_item("ap_count", PyArray1::from_vec(py, r.iter().map(|x| x.ap_count as i64).collect()))?;
    readings.set_item("m_wire", array(py, r.iter().map(|x| x.m_wire).collect()))?;
    readings.set_item("m_mtj", array(py, r.iter().map(|x| x.m_mtj).collect()))?;
    readings.set_item("m_first_mtj", array(py, r.iter().map(|x| x.m_first_mtj).collect()))?;
    let e = &loops.events;
    let events = PyDict::new(py);
    events.set_item("device", PyArray1::from_vec(py, e.iter().map(|x| i64::from(x.device)).collect()))?;
    events.set_item("loop", PyArray1::from_vec(py, e.iter().map(|x| i64::from(x.loop_index)).collect()))?;
    events.set_item(
        "region",
        e.iter()
            .map(|x| match x.region {
                dwmtj_core::field_sweep::Region::Mtj(i) => format!("mtj {i}"),
                dwmtj_core::field_sweep::Region::Wire => "wire".to_string(),
                dwmtj_core::field_sweep::Region::Reference => "reference".to_string(),
            })
            .collect::<Vec<_>>(),
    )?;
    events.set_item("to", PyArray1::from_vec(py, e.iter().map(|x| i64::from(x.to)).collect()))?;
    events.set_item("field_a_per_m", array(py, e.iter().map(|x| x.field_a_per_m).collect()))?;
    Ok((summary, readings, events))
}

/// Fit the threshold model to the dynamic 1D model: (report JSON, calibrated device TOML).
#[pyfunction]
#[pyo3(signature = (text, origin, base=None, progress=None))]
fn calibrate(
    py: Python<'_>,
    text: &str,
    origin: &str,
    base: Option<&str>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, String)> {
    run_blocking(py, progress, |_| {
        let (d, p) = device(text, origin, base, &Default::default())?;
        let p = p.ok_or_else(|| Failure::Input(format!("{origin} has no [program]: its pulse is the calibration pulse")))?;
        let limit = if d.breakdown_current().is_finite() {
            d.breakdown_current()
        } else {
            10.0 * p.max_abs_current().max(1e-6)
        };
        let cal = dwmtj_core::calibrate::calibrate(&d, &p.pulse, limit)?;
        let resolved = toml::to_string(&dwmtj_core::config::resolve(&cal.device, Some(&p))).map_err(|e| Failure::Other(e.to_string()))?;
        Ok((json(&cal)?, resolved))
    })
}

/// Fit a material to measured tables (`dwmtj calibrate --velocity/--switching`): the fit as JSON
/// and the material file text.
#[pyfunction]
#[pyo3(signature = (material, velocity=None, switching=None))]
fn fit_material(py: Python<'_>, material: &str, velocity: Option<&str>, switching: Option<&str>) -> PyResult<(String, String)> {
    use dwmtj_core::units::Dim;
    use dwmtj_design::measured::{read_table, Measurements};
    let r = (|| {
        let base = dwmtj_core::material::load_named(material, None, "material")?;
        let data = Measurements {
            velocity: match velocity {
                Some(p) => read_table(
                    std::path::Path::new(p),
                    ("current_density", Dim::CURRENT_DENSITY),
                    ("velocity", Dim::VELOCITY),
                )?,
                None => Vec::new(),
            },
            switching: match switching {
                Some(p) => read_table(
                    std::path::Path::new(p),
                    ("field", Dim::FIELD),
                    ("switching_current_density", Dim::CURRENT_DENSITY),
                )?,
                None => Vec::new(),
            },
            unpinned: false,
        };
        let fit = dwmtj_design::measured::fit_material(&base, &data)?;
        let text = dwmtj_design::measured::material_toml(&fit, &format!("{}-fitted", base.name));
        Ok::<_, Failure>((json(&fit)?, text))
    })();
    r.map_err(|e| e.into_py(py))
}

/// `dwmtj calibrate --from-micromag` without a device: the micromagnetic run file `text` driven
/// at each of `currents` (A/m^2) and, with film pinning, on the depinning ramp; the calibration
/// as JSON and the fitted material's file text.
#[pyfunction]
#[pyo3(signature = (text, origin, currents, progress=None))]
fn calibrate_from_micromag(
    py: Python<'_>,
    text: &str,
    origin: &str,
    currents: Vec<f64>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, String)> {
    run_blocking(py, progress, |work| {
        use dwmtj_design::from_micromag::{calibrate, FromMicromagParams};
        let (_, spec) = dwmtj_micromag::config::parse(text, origin)?;
        let params = FromMicromagParams {
            currents,
            ..FromMicromagParams::default()
        };
        let pinned = spec.params.pinning_ku != 0.0 && spec.params.pinning_period > 0.0;
        let total = params.currents.len() as u64 + u64::from(pinned);
        let done = std::sync::atomic::AtomicU64::new(0);
        let cal = dwmtj_core::resources::on_worker_pool(|| {
            calibrate(&spec, &params, &|_, _, _| {
                work.tick(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            })
        })?;
        let name = format!("{}-fitted", cal.base.name);
        Ok((json(&cal)?, cal.material_toml(&name)))
    })
}

// ----- materials, energy -------------------------------------------------------------------

/// Every built-in material (and those of `file_text`, a material file) with values, units,
/// ranges, sources and derived wall quantities, as JSON.
#[pyfunction]
#[pyo3(signature = (file_text=None, origin="materials.toml"))]
fn materials(py: Python<'_>, file_text: Option<&str>, origin: &str) -> PyResult<String> {
    let r = (|| {
        let mut mats = dwmtj_core::material::builtin();
        if let Some(t) = file_text {
            mats.extend(dwmtj_core::material::parse_material_file(t, origin)?);
        }
        json(&mats.iter().map(dwmtj_core::material::describe).collect::<Vec<_>>())
    })();
    r.map_err(|f| f.into_py(py))
}

/// The scaled-device write-energy projection from a `energy::RawScaling` as JSON.
#[pyfunction]
fn energy(py: Python<'_>, raw_json: &str) -> PyResult<String> {
    let r = (|| {
        let raw: dwmtj_core::energy::RawScaling = serde_json::from_str(raw_json)?;
        json(&dwmtj_core::energy::run(&raw.validate("")?))
    })();
    r.map_err(|f| f.into_py(py))
}

// ----- the 1D wall -------------------------------------------------------------------------

fn wall_spec(raw_json: &str) -> Result<dwmtj_core::wall_run::WallRunSpec, Failure> {
    let raw: dwmtj_core::wall_run::RawWallRun = serde_json::from_str(raw_json)?;
    Ok(raw.validate("", None)?)
}

/// One wall run (`wall_run::RawWallRun` as JSON): the report as JSON, as `dwmtj dw --json`.
#[pyfunction]
fn wall(py: Python<'_>, raw_json: &str) -> PyResult<String> {
    run_blocking(py, None, |_| json(&dwmtj_core::wall_run::run(&wall_spec(raw_json)?)?))
}

/// The wall of `raw_json` under each current density of `currents` (A/m^2), deterministic runs
/// in SIMD batches (Monte Carlo per point with a temperature): columns of the sweep.
#[pyfunction]
fn wall_currents<'py>(py: Python<'py>, raw_json: &str, currents: PyReadonlyArrayDyn<'py, f64>) -> PyResult<Bound<'py, PyDict>> {
    let js: Vec<f64> = currents.as_array().iter().copied().collect();
    if let Some(bad) = js.iter().find(|j| !j.is_finite()) {
        return Err(Failure::Input(format!("current_density: {bad} is not a finite number")).into_py(py));
    }
    let shape: Vec<usize> = currents.shape().to_vec();
    let sweep = run_blocking(py, None, move |_| {
        let mut spec = wall_spec(raw_json)?;
        spec.sweep = Some(js);
        Ok(dwmtj_core::wall_run::run_sweep(&spec))
    })?;
    let d = PyDict::new(py);
    let col = |f: fn(&dwmtj_core::wall_run::SweepPoint) -> f64| -> PyResult<Bound<'py, PyAny>> {
        Ok(array(py, sweep.iter().map(f).collect()).reshape(shape.clone())?.into_any())
    };
    d.set_item("current_density_a_per_m2", col(|p| p.current_density_a_per_m2)?)?;
    d.set_item("displacement_m", col(|p| p.displacement_m)?)?;
    d.set_item("displacement_std_m", col(|p| p.displacement_std_m)?)?;
    d.set_item("final_velocity_m_per_s", col(|p| p.final_velocity_m_per_s)?)?;
    d.set_item("phi_rad", col(|p| p.phi_rad)?)?;
    Ok(d)
}

// ----- design, export, reproduce -----------------------------------------------------------

/// Design and verify (`config::RawDesignRun` as JSON; `base` is where relative table paths
/// start): (summary JSON, curve (n, 3), device TOML, GDSII bytes, SVG, SPICE).
#[pyfunction]
#[pyo3(signature = (raw_json, base=None, progress=None))]
#[allow(clippy::type_complexity)]
fn design<'py>(
    py: Python<'py>,
    raw_json: &str,
    base: Option<&str>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, Bound<'py, PyAny>, String, Bound<'py, PyBytes>, String, String)> {
    let report = run_blocking(py, progress, |_| {
        let raw: dwmtj_design::config::RawDesignRun = serde_json::from_str(raw_json)?;
        let spec = raw.validate(base.map(Path::new))?;
        Ok(dwmtj_design::run::run(&spec, &|_| {})?)
    })?;
    let summary = json(&report.summary).map_err(|f| f.into_py(py))?;
    let n = report.curve.len();
    let flat: Vec<f64> = report.curve.iter().flat_map(|c| [c.0, c.1, c.2]).collect();
    let curve = array(py, flat).reshape([n, 3])?.into_any();
    let e = report.exports;
    Ok((summary, curve, e.device_toml, PyBytes::new(py, &e.gds), e.svg, e.spice))
}

/// Export a device file's text as "gds", "svg" or "spice": (bytes, description).
#[pyfunction]
#[pyo3(signature = (text, origin, format, base=None))]
fn export<'py>(py: Python<'py>, text: &str, origin: &str, format: &str, base: Option<&str>) -> PyResult<(Bound<'py, PyBytes>, String)> {
    let r = (|| {
        let format: dwmtj_design::export::Format = serde_json::from_value(serde_json::Value::String(format.to_string()))
            .map_err(|_| Failure::Input(format!("format '{format}': expected gds, svg or spice")))?;
        let (d, p) = device(text, origin, base, &Default::default())?;
        dwmtj_design::export::export(&d, p.as_ref().map(|p| &p.pulse), format).map_err(|e| Failure::Input(e.to_string()))
    })();
    let e = r.map_err(|f| f.into_py(py))?;
    Ok((PyBytes::new(py, &e.bytes), e.description))
}

/// Reproduce a figure of the paper ("fig3f", "fig4c", "fig3b", "fig5b", "energy", "fig1e",
/// "fig2cd", "field-steps", "scaling", "all"), or the model consistency ("consistency"): the
/// reproduction as JSON (figures, their data and checks).
#[pyfunction]
#[pyo3(signature = (part, progress=None))]
fn reproduce(py: Python<'_>, part: &str, progress: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let Some(part) = dwmtj_design::paper::Part::from_name(part) else {
        return Err(Failure::Input(format!(
            "'{part}': expected fig3f, fig4c, fig3b, fig5b, energy, fig1e, fig2cd, field-steps, scaling, all or consistency"
        ))
        .into_py(py));
    };
    run_blocking(py, progress, |work| {
        let r = dwmtj_design::paper::reproduce(part, &|_, done, total| work.tick(done, total))?;
        json(&r)
    })
}

// ----- micromagnetics ----------------------------------------------------------------------

/// m of a mesh as an array shaped (nz, ny, nx, 3).
fn m_array<'py>(py: Python<'py>, mesh: &dwmtj_micromag::mesh::Mesh, m: &dwmtj_micromag::system::Field3) -> PyResult<Bound<'py, PyAny>> {
    let n = mesh.cells();
    let flat: Vec<f64> = (0..n).flat_map(|k| [m[0][k], m[1][k], m[2][k]]).collect();
    Ok(array(py, flat).reshape([mesh.nz, mesh.ny, mesh.nx, 3])?.into_any())
}

/// Run a micromagnetic run file's text: (summary JSON, table columns, [(t, m (nz, ny, nx, 3))]).
#[pyfunction]
#[pyo3(signature = (text, origin, progress=None))]
#[allow(clippy::type_complexity)]
fn micromag<'py>(
    py: Python<'py>,
    text: &str,
    origin: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, Bound<'py, PyDict>, Vec<(f64, Bound<'py, PyAny>)>)> {
    let (spec, out, summary) = run_blocking(py, progress, |work| {
        let (_, spec) = dwmtj_micromag::config::parse(text, origin)?;
        let t0 = Instant::now();
        let out = dwmtj_core::resources::on_worker_pool(|| {
            dwmtj_micromag::run::run_resumable(
                &spec,
                &|f| work.tick((f * 1000.0) as u64, 1000),
                None,
                &mut dwmtj_micromag::run::NoCheckpoints,
            )
        });
        let summary = json(&out.summary(&spec, t0.elapsed().as_secs_f64()))?;
        Ok((spec, out, summary))
    })?;
    let table = PyDict::new(py);
    let rows = &out.rows;
    let col = |f: &dyn Fn(&dwmtj_micromag::run::Row) -> f64| array(py, rows.iter().map(f).collect());
    table.set_item("t_s", col(&|r| r.t))?;
    for (c, name) in ["mx", "my", "mz"].iter().enumerate() {
        table.set_item(*name, col(&|r| r.m[c]))?;
    }
    table.set_item("e_total_j", col(&|r| r.energy.total()))?;
    table.set_item("e_exchange_j", col(&|r| r.energy.exchange))?;
    table.set_item("e_anisotropy_j", col(&|r| r.energy.anisotropy))?;
    table.set_item("e_dmi_j", col(&|r| r.energy.dmi))?;
    table.set_item("e_demag_j", col(&|r| r.energy.demag))?;
    table.set_item("e_zeeman_j", col(&|r| r.energy.zeeman))?;
    table.set_item("wall_x_m", col(&|r| r.wall_position))?;
    for (k, region) in spec.regions.iter().enumerate() {
        for (c, axis) in ["mx", "my", "mz"].iter().enumerate() {
            table.set_item(format!("{axis}_{}", region.name), col(&|r| r.regions[k][c]))?;
        }
        if region.mtj.is_some() {
            table.set_item(format!("g_{}_s", region.name), col(&|r| r.conductance[k].unwrap_or(f64::NAN)))?;
        }
    }
    let snapshots = out
        .snapshots
        .iter()
        .map(|(t, m)| Ok((*t, m_array(py, &spec.mesh, m)?)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((summary, table, snapshots))
}

/// Read OVF 2.0 bytes: (m (nz, ny, nx, 3), cell size [dx, dy, dz] in m, title).
#[pyfunction]
fn ovf_read<'py>(py: Python<'py>, data: &[u8]) -> PyResult<(Bound<'py, PyAny>, [f64; 3], String)> {
    let f = dwmtj_micromag::ovf::read(data).map_err(|e| Failure::Input(e.to_string()).into_py(py))?;
    let [nx, ny, nz] = f.nodes;
    let flat: Vec<f64> = f.values.iter().flatten().copied().collect();
    Ok((array(py, flat).reshape([nz, ny, nx, 3])?.into_any(), f.step, f.title))
}

/// Write m (nz, ny, nx, 3) as OVF 2.0 ("binary4", "binary8" or "text").
#[pyfunction]
#[pyo3(signature = (m, step, format="binary4", title="m", description=""))]
fn ovf_write<'py>(
    py: Python<'py>,
    m: PyReadonlyArrayDyn<'py, f64>,
    step: [f64; 3],
    format: &str,
    title: &str,
    description: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let shape = m.shape().to_vec();
    if shape.len() != 4 || shape[3] != 3 {
        return Err(Failure::Input(format!("m: expected an array shaped (nz, ny, nx, 3), got {shape:?}")).into_py(py));
    }
    if step.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(Failure::Input(format!("step: expected three positive cell sizes in m, got {step:?}")).into_py(py));
    }
    let format = match format {
        "binary4" => dwmtj_micromag::ovf::OvfFormat::Binary4,
        "binary8" => dwmtj_micromag::ovf::OvfFormat::Binary8,
        "text" => dwmtj_micromag::ovf::OvfFormat::Text,
        other => return Err(Failure::Input(format!("format '{other}': expected binary4, binary8 or text")).into_py(py)),
    };
    let a = m.as_array();
    let values: Vec<[f64; 3]> = a
        .as_standard_layout()
        .as_slice()
        .expect("standard layout")
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let field = dwmtj_micromag::ovf::OvfField {
        nodes: [shape[2], shape[1], shape[0]],
        step,
        title: title.to_string(),
        values,
    };
    Ok(PyBytes::new(py, &dwmtj_micromag::ovf::write(&field, format, description)))
}

// ----- training ----------------------------------------------------------------------------

/// One trained layer for Python: (weights (outputs, inputs), bias).
type Layer<'py> = (Bound<'py, PyAny>, Bound<'py, PyAny>);

/// Train (`text`: a training file, None for the built-in one): (summary JSON, per-epoch
/// metrics JSON, [(weights (outputs, inputs) float32, bias float32)] per layer).
#[pyfunction]
#[pyo3(signature = (text=None, origin="training.toml", base=None, data_dir=None, device=None, epochs=None, seed=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn train<'py>(
    py: Python<'py>,
    text: Option<&str>,
    origin: &str,
    base: Option<&str>,
    data_dir: Option<&str>,
    device: Option<String>,
    epochs: Option<usize>,
    seed: Option<u64>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, String, Vec<Layer<'py>>)> {
    let o = dwmtj_nn::config::Overrides {
        data_dir: data_dir.map(PathBuf::from),
        device,
        epochs,
        seed,
    };
    let (summary, metrics, layers) = run_blocking(py, progress, |work| {
        let base = PathBuf::from(base.unwrap_or("."));
        let run = dwmtj_nn::run::prepare(text.map(|t| (t, origin, base.as_path())), &o)?;
        let total = run.steps();
        let r = run
            .train(
                &run.config.device,
                &|n| work.tick(n, total),
                None,
                &mut dwmtj_core::checkpoint::NoCheckpoints,
            )
            .map_err(|e| Failure::Other(e.to_string()))?;
        let summary = json(&dwmtj_nn::run::summary(&r, &run.config, &run.data))?;
        Ok((summary, json(&r.epochs)?, r.layers))
    })?;
    let layers = layers
        .into_iter()
        .map(|l| {
            let w = PyArray1::from_vec(py, l.weights).reshape([l.outputs, l.inputs])?.into_any();
            Ok((w, PyArray1::from_vec(py, l.bias).into_any()))
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((summary, metrics, layers))
}

/// Program an inference network from weights and evaluate it (`dwmtj train --weights`):
/// `weights` a safetensors file's bytes, or `arrays` a list of (flat weights, shape, biases)
/// per tile layer; `over_time` adds the accuracy-against-time study. Returns the summary JSON
/// and the programmed layers as (W, b) numpy pairs.
#[pyfunction]
#[pyo3(signature = (text=None, origin="training.toml", base=None, data_dir=None, device=None, seed=None, weights=None, arrays=None, over_time=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn infer<'py>(
    py: Python<'py>,
    text: Option<&str>,
    origin: &str,
    base: Option<&str>,
    data_dir: Option<&str>,
    device: Option<String>,
    seed: Option<u64>,
    weights: Option<Vec<u8>>,
    arrays: Option<Vec<dwmtj_nn::interchange::LayerArrays>>,
    over_time: bool,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, Vec<Layer<'py>>)> {
    let o = dwmtj_nn::config::Overrides {
        data_dir: data_dir.map(PathBuf::from),
        device,
        epochs: None,
        seed,
    };
    let (summary, layers) = run_blocking(py, progress, |work| {
        let base = PathBuf::from(base.unwrap_or("."));
        let run = dwmtj_nn::run::prepare(text.map(|t| (t, origin, base.as_path())), &o)?;
        let layers = match (weights, arrays) {
            (Some(bytes), None) => dwmtj_nn::interchange::read(&bytes, &run.plan.tiles),
            (None, Some(a)) => dwmtj_nn::interchange::from_arrays(a, &run.plan.tiles),
            _ => return Err(Failure::Input("give either weights (a safetensors file) or arrays".into())),
        }
        .map_err(|e| Failure::Input(format!("weights: {e}")))?;
        let total = if over_time {
            dwmtj_nn::drift::standard_models(&run.config.device).len() as u64
        } else {
            1
        };
        let (summary, programmed) = run
            .infer(&layers, over_time, &|k| work.tick(k, total))
            .map_err(|e| Failure::Input(format!("weights: {e}")))?;
        Ok((json(&summary)?, programmed))
    })?;
    let layers = layers
        .into_iter()
        .map(|l| {
            let w = PyArray1::from_vec(py, l.weights).reshape([l.outputs, l.inputs])?.into_any();
            Ok((w, PyArray1::from_vec(py, l.bias).into_any()))
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((summary, layers))
}

// ----- sweeps ------------------------------------------------------------------------------

fn load_sweep(path: &str) -> Result<dwmtj_sweep::spec::Sweep, Failure> {
    Ok(dwmtj_sweep::spec::Sweep::load(Path::new(path))?)
}

/// A sweep file's study, validated (every point checked): JSON with name, kind, mode, seed,
/// axes (key, unit, column) and points (index, values, seed).
#[pyfunction]
fn sweep_describe(py: Python<'_>, path: &str) -> PyResult<String> {
    let r = (|| {
        let sweep = load_sweep(path)?;
        dwmtj_sweep::check(&sweep).map_err(|(k, e)| Failure::Input(format!("point {k}: {e}")))?;
        let points: Vec<serde_json::Value> = sweep
            .points
            .iter()
            .map(|p| {
                let values: Vec<serde_json::Value> = p.values.iter().map(|v| serde_json::to_value(v).unwrap_or_default()).collect();
                serde_json::json!({"index": p.index, "values": values, "seed": p.seed})
            })
            .collect();
        let axes: Vec<serde_json::Value> = sweep
            .axes
            .iter()
            .map(|a| serde_json::json!({"key": a.path.text, "unit": a.unit, "column": a.column()}))
            .collect();
        json(&serde_json::json!({
            "name": sweep.name, "kind": sweep.kind, "mode": sweep.mode, "seed": sweep.seed,
            "base": sweep.base_path.display().to_string(), "axes": axes, "points": points,
        }))
    })();
    r.map_err(|f| f.into_py(py))
}

/// Run point `index` of a sweep: the text of its summary.json (what `dwmtj sweep` writes in
/// points/NNNN/summary.json).
#[pyfunction]
#[pyo3(signature = (path, index, progress=None))]
fn sweep_point(py: Python<'_>, path: &str, index: usize, progress: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    run_blocking(py, progress, |work| {
        let sweep = load_sweep(path)?;
        if index >= sweep.points.len() {
            return Err(Failure::Input(format!(
                "point {index}: the sweep has {} points (0 to {})",
                sweep.points.len(),
                sweep.points.len() - 1
            )));
        }
        let (_, text) = dwmtj_sweep::run_point(&sweep, index, &|| work.tick(0, 1)).map_err(|e| Failure::Other(e.0))?;
        Ok(text)
    })
}

/// The table (sweep.csv text, sweep.json text) of a sweep from its points' results: for each
/// point its summary.json text, an error message (`failed`), or None (pending).
#[pyfunction]
fn sweep_table(py: Python<'_>, path: &str, summaries: Vec<Option<String>>, errors: Vec<Option<String>>) -> PyResult<(String, String)> {
    let r = (|| {
        let sweep = load_sweep(path)?;
        if summaries.len() != sweep.points.len() || errors.len() != sweep.points.len() {
            return Err(Failure::Input(format!(
                "the sweep has {} points; got {} results",
                sweep.points.len(),
                summaries.len()
            )));
        }
        let states: Vec<dwmtj_sweep::table::PointState> = summaries
            .into_iter()
            .zip(errors)
            .map(|(s, e)| match (s, e) {
                (Some(s), _) => dwmtj_sweep::table::PointState::Done(s),
                (None, Some(e)) => dwmtj_sweep::table::PointState::Failed(e),
                (None, None) => dwmtj_sweep::table::PointState::Pending,
            })
            .collect();
        let t = dwmtj_sweep::table::table(&sweep, &states);
        Ok((t.to_csv(), serde_json::to_string_pretty(&t.to_json(&sweep))? + "\n"))
    })();
    r.map_err(|f| f.into_py(py))
}

/// Run every point of a sweep on `jobs` threads (default: every core): (sweep.csv text,
/// sweep.json text), the same bytes as `dwmtj sweep` writes.
#[pyfunction]
#[pyo3(signature = (path, jobs=None, progress=None))]
fn sweep_run(py: Python<'_>, path: &str, jobs: Option<usize>, progress: Option<&Bound<'_, PyAny>>) -> PyResult<(String, String)> {
    use rayon::prelude::*;
    run_blocking(py, progress, |work| {
        let sweep = load_sweep(path)?;
        dwmtj_sweep::check(&sweep).map_err(|(k, e)| Failure::Input(format!("point {k}: {e}")))?;
        let jobs = match jobs {
            Some(j) if (1..=4096).contains(&j) => j,
            Some(j) => return Err(Failure::Input(format!("jobs = {j}: expected 1 to 4096 points at once"))),
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|e| Failure::Other(e.to_string()))?;
        let n = sweep.points.len() as u64;
        let finished = AtomicU64::new(0);
        let states: Vec<dwmtj_sweep::table::PointState> = pool.install(|| {
            (0..sweep.points.len())
                .into_par_iter()
                .map(|k| {
                    let tick = || work.tick(finished.load(Ordering::Relaxed), n);
                    // A panicking point is a failed row, as in `dwmtj sweep`; a cancelled run
                    // unwinds on.
                    let state = match std::panic::catch_unwind(AssertUnwindSafe(|| dwmtj_sweep::run_point(&sweep, k, &tick))) {
                        Ok(Ok((_, text))) => dwmtj_sweep::table::PointState::Done(text),
                        Ok(Err(e)) => dwmtj_sweep::table::PointState::Failed(e.0),
                        Err(p) if p.is::<Cancelled>() => std::panic::resume_unwind(p),
                        Err(p) => dwmtj_sweep::table::PointState::Failed(format!(
                            "internal error (a bug; please report it): {}",
                            p.downcast_ref::<String>()
                                .map(String::as_str)
                                .or_else(|| p.downcast_ref::<&str>().copied())
                                .unwrap_or("panic")
                        )),
                    };
                    let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                    work.tick(done, n);
                    state
                })
                .collect()
        });
        let t = dwmtj_sweep::table::table(&sweep, &states);
        Ok((t.to_csv(), serde_json::to_string_pretty(&t.to_json(&sweep))? + "\n"))
    })
}

/// The TOML text of a built-in device ("fig3f", "fig4c").
#[pyfunction]
fn builtin_device(py: Python<'_>, name: &str) -> PyResult<String> {
    dwmtj_core::builtin::device(name)
        .map(str::to_string)
        .ok_or_else(|| Failure::Input(format!("no built-in device '{name}'; known: fig3f, fig4c")).into_py(py))
}

/// The native module; `import dwmtj` is the documented front.
#[pymodule]
fn _dwmtj(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(builtin_device, m)?)?;
    m.add_function(wrap_pyfunction!(device_check, m)?)?;
    m.add_function(wrap_pyfunction!(device_resolved, m)?)?;
    m.add_function(wrap_pyfunction!(device_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(device_field_loops, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(fit_material, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate_from_micromag, m)?)?;
    m.add_function(wrap_pyfunction!(materials, m)?)?;
    m.add_function(wrap_pyfunction!(energy, m)?)?;
    m.add_function(wrap_pyfunction!(wall, m)?)?;
    m.add_function(wrap_pyfunction!(wall_currents, m)?)?;
    m.add_function(wrap_pyfunction!(design, m)?)?;
    m.add_function(wrap_pyfunction!(export, m)?)?;
    m.add_function(wrap_pyfunction!(reproduce, m)?)?;
    m.add_function(wrap_pyfunction!(micromag, m)?)?;
    m.add_function(wrap_pyfunction!(ovf_read, m)?)?;
    m.add_function(wrap_pyfunction!(ovf_write, m)?)?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(infer, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_describe, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_point, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_table, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_run, m)?)?;
    Ok(())
}
