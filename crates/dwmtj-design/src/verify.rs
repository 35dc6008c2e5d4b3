//! Verification: simulate the designed device back with the threshold model and compare the
//! achieved normalised response with the target (RMS and max error as fractions of full scale).

use crate::discrete::DiscreteDesign;
use crate::target::Target;
use crate::DesignError;
use dwmtj_core::config::parse_device;
use dwmtj_core::device::Device;
use dwmtj_core::simulate::{simulate, Simulation};

/// A design simulated back and compared with its target (errors are fractions of full scale).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Verification {
    /// (current A, target, achieved) on the verification ramp.
    pub curve: Vec<(f64, f64, f64)>,
    /// RMS of |achieved - target| over the ramp.
    pub rms_error: f64,
    /// Largest |achieved - target| over the ramp.
    pub max_error: f64,
    /// Resistance levels seen along the verification ramp.
    pub levels: usize,
    /// Largest per-MTJ switching energy I_c^2 R_wire t_E (J); None when no MTJ switches.
    pub energy_per_event_j: Option<f64>,
    /// Wire footprint area (m^2).
    pub footprint_m2: f64,
    /// Wire resistance (Ohm).
    pub wire_resistance_ohm: f64,
    /// Dynamic verification only: the film pinning H_dep (A/m) calibrated to the first MTJ, and
    /// whether the calibration reached the designed threshold (false when the taper back-force
    /// alone already exceeds it).
    pub calibrated_h_dep_a_per_m: Option<f64>,
    /// Dynamic verification only: whether the calibration reached the designed threshold (within 2 %).
    pub calibration_reached: Option<bool>,
    /// The simulation behind the curve.
    #[serde(skip)]
    pub simulation: Simulation,
}

/// The normalised response y = (G_allP - G) / (G_allP - G_allAP) of every simulated pulse,
/// with the target: (current, target, achieved).
fn response_curve(device: &Device, sim: &Simulation, target: &Target) -> Vec<(f64, f64, f64)> {
    let n = device.mtjs.len();
    let gp = device.read(&vec![0.0; n]).conductance;
    let gap = device.read(&vec![1.0; n]).conductance;
    sim.points
        .iter()
        .map(|p| (p.current_a, target.eval(p.current_a), (gp - p.g_mean_s) / (gp - gap)))
        .collect()
}

/// RMS and max of |achieved - target| over a curve.
fn errors(curve: &[(f64, f64, f64)]) -> (f64, f64) {
    let err: Vec<f64> = curve.iter().map(|c| (c.2 - c.1).abs()).collect();
    (
        (err.iter().map(|e| e * e).sum::<f64>() / err.len() as f64).sqrt(),
        err.iter().copied().fold(0.0, f64::max),
    )
}

fn verification(device: &Device, sim: Simulation, target: &Target, calibration: Option<(f64, bool)>) -> Verification {
    let curve = response_curve(device, &sim, target);
    let (rms_error, max_error) = errors(&curve);
    Verification {
        curve,
        rms_error,
        max_error,
        levels: sim.levels.first().map_or(0, |l| l.1),
        energy_per_event_j: sim.max_switching_energy(),
        footprint_m2: device.wire.profile.area(),
        wire_resistance_ohm: sim.wire_resistance_ohm,
        calibrated_h_dep_a_per_m: calibration.map(|c| c.0),
        calibration_reached: calibration.map(|c| c.1),
        simulation: sim,
    }
}

/// Verify with the threshold model: simulate the design's device file with its ramp program and
/// compare the normalised response with `target`.
pub fn verify(design: &DiscreteDesign, target: &Target) -> Result<Verification, DesignError> {
    let (_, device, program) = parse_device(&design.device_toml, "design.toml", None)
        .map_err(|e| DesignError::Infeasible(format!("the designed device is invalid: {e}")))?;
    let program = program.expect("designed devices carry a program");
    let sim = simulate(&device, &program, &|_| {}).map_err(|e| DesignError::Infeasible(e.to_string()))?;
    Ok(verification(&device, sim, target, None))
}

/// Monte Carlo verification: `devices` instances with device-to-device and cycle-to-cycle
/// threshold spread, each simulated on its own seed; the RMS error of every instance and the
/// yield (fraction within `tolerance`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct MonteCarloVerification {
    /// Number of device instances simulated.
    pub devices: usize,
    /// Device-to-device relative threshold spread (fraction).
    pub d2d: f64,
    /// Cycle-to-cycle relative threshold spread (fraction).
    pub c2c: f64,
    /// RMS error of each instance (fraction of full scale).
    pub rms_errors: Vec<f64>,
    /// Mean of the instances' RMS errors.
    pub rms_mean: f64,
    /// Sample standard deviation of the instances' RMS errors.
    pub rms_std: f64,
    /// Largest RMS error an instance may have to count towards the yield.
    pub tolerance: f64,
    /// Fraction of instances within `tolerance` (0-1).
    pub yield_fraction: f64,
}

/// Monte Carlo verification of `design`: `devices` instances with relative threshold spreads
/// `d2d` and `c2c` (each 0-0.5), instance k simulated once on seed `seed + k`.
pub fn monte_carlo(
    design: &DiscreteDesign,
    target: &Target,
    devices: usize,
    d2d: f64,
    c2c: f64,
    tolerance: f64,
    seed: u64,
) -> Result<MonteCarloVerification, DesignError> {
    let (_, mut device, program) =
        parse_device(&design.device_toml, "design.toml", None).map_err(|e| DesignError::Infeasible(e.to_string()))?;
    if !(0.0..=0.5).contains(&d2d) || !(0.0..=0.5).contains(&c2c) {
        return Err(DesignError::Input(format!(
            "variation d2d {d2d}, c2c {c2c}: each between 0 and 0.5"
        )));
    }
    device.variation.d2d = d2d;
    device.variation.c2c = c2c;
    let mut program = program.expect("designed devices carry a program");
    program.devices = 1;
    program.cycles = 1;
    let mut rms_errors = Vec::with_capacity(devices);
    for k in 0..devices {
        program.seed = seed.wrapping_add(k as u64);
        let sim = simulate(&device, &program, &|_| {}).map_err(|e| DesignError::Infeasible(e.to_string()))?;
        rms_errors.push(errors(&response_curve(&device, &sim, target)).0);
    }
    let (rms_mean, rms_std) = dwmtj_core::fit::mean_std(&rms_errors);
    let yield_fraction = rms_errors.iter().filter(|&&e| e <= tolerance).count() as f64 / devices.max(1) as f64;
    Ok(MonteCarloVerification {
        devices,
        d2d,
        c2c,
        rms_errors,
        rms_mean,
        rms_std,
        tolerance,
        yield_fraction,
    })
}

/// Verification with the dynamic 1D model: every MTJ's wall integrated during the design pulse
/// (0 K). The film pinning H_dep is calibrated by bisection so that the first MTJ's single-pulse
/// switching current equals the designed one; the rest follows from the wall dynamics (crossing
/// time of larger footprints, the current density at each MTJ).
pub fn verify_dynamic(design: &DiscreteDesign, target: &Target) -> Result<Verification, DesignError> {
    use dwmtj_core::device::ThresholdSource;
    use dwmtj_core::dynamic::DynamicModel;
    let (_, mut device, program) =
        parse_device(&design.device_toml, "design.toml", None).map_err(|e| DesignError::Infeasible(e.to_string()))?;
    let program = program.expect("designed devices carry a program");
    device.switching.source = ThresholdSource::Dynamic { pin_period: 20e-9 };
    device.switching.temperature = 0.0;
    let limit = device.breakdown_current();
    let want = design.thresholds_a[0];
    let i_first = |h: f64, dev: &mut dwmtj_core::device::Device| -> Option<f64> {
        dev.material.h_dep = h;
        DynamicModel::new(dev, 20e-9).ok()?.switching_current(0, &program.pulse, limit)
    };
    let (mut lo, mut hi) = (1.0f64, 1e6f64);
    for _ in 0..60 {
        let mid = (lo * hi).sqrt();
        match i_first(mid, &mut device) {
            Some(i) if i < want => lo = mid,
            _ => hi = mid,
        }
    }
    let h_dep = (lo * hi).sqrt();
    let reached = i_first(h_dep, &mut device).is_some_and(|i| (i / want - 1.0).abs() < 0.02);
    device.material.h_dep = h_dep;
    let sim = simulate(&device, &program, &|_| {}).map_err(|e| DesignError::Infeasible(e.to_string()))?;
    Ok(verification(&device, sim, target, Some((h_dep, reached))))
}
