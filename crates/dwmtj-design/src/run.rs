//! A design run as one model: [`DesignRunSpec`] ([`crate::config`]) -> [`run`] ->
//! [`DesignReport`]: the design, its verification by simulation (nominal, optionally Monte
//! Carlo over threshold spread and the dynamic 1D model), and its exports (device TOML,
//! GDSII, SVG preview, SPICE subcircuit). Plain data; the caller writes it.

use crate::analog::{design_analog, AnalogKind};
use crate::config::{DesignKind, DesignModel, DesignRunSpec, MonteCarloSpec};
use crate::discrete::{design, DiscreteDesign, FabRules};
use crate::dynamic_design::{design_dynamic, DynamicDesignInfo};
use crate::target::Target;
use crate::verify::{monte_carlo, verify, verify_dynamic, MonteCarloVerification};
use crate::DesignError;
use dwmtj_core::device::PulseShape;
use serde::Serialize;

/// The files a design exports.
#[derive(Clone, Debug, Serialize)]
pub struct Exports {
    /// The designed device as a device file (`dwmtj simulate` runs it); empty for analog designs.
    pub device_toml: String,
    /// GDSII library (nm units), its header carrying "DWMTJ".
    #[serde(skip)]
    pub gds: Vec<u8>,
    /// SVG preview of the layout (1 px = 10 nm).
    pub svg: String,
    /// ngspice subcircuit at the design pulse; empty for analog designs.
    pub spice: String,
}

/// The dynamic (1D model) verification of a discrete design.
#[derive(Clone, Debug, Serialize)]
pub struct DynamicVerification {
    /// RMS of |achieved - target| (fraction of full scale).
    pub rms_error: f64,
    /// Largest |achieved - target| (fraction of full scale).
    pub max_error: f64,
    /// Resistance levels seen along the verification ramp.
    pub levels: usize,
    /// Film pinning H_dep calibrated to the first MTJ's designed threshold (A/m).
    pub calibrated_h_dep_a_per_m: Option<f64>,
    /// Whether the calibration reached the designed threshold (within 2 %).
    pub calibration_reached: Option<bool>,
}

/// A multi-MTJ design and its verification (errors are fractions of full scale).
#[derive(Clone, Debug, Serialize)]
pub struct DiscreteSummary {
    /// The Monte Carlo verification, if asked for.
    pub monte_carlo: Option<MonteCarloVerification>,
    /// The dynamic 1D-model verification: the nominal one of a dynamic design, or the
    /// calibrated check of a threshold design when asked for.
    pub dynamic_verification: Option<DynamicVerification>,
    /// The model the design was solved against: "threshold" or "dynamic".
    pub design_model: &'static str,
    /// The model(s) that verified the design, in words.
    pub verified_by: String,
    /// What the dynamic design solved for (dynamic designs).
    pub dynamic_design: Option<DynamicDesignInfo>,
    /// With `model = "auto"`: why the dynamic design was not possible, so that the threshold
    /// design was made instead.
    pub dynamic_design_infeasible: Option<String>,
    /// The target.
    pub target: Target,
    /// Number of MTJs.
    pub mtjs: usize,
    /// The fabrication rules designed to.
    pub rules: FabRules,
    /// RMS error of the nominal (threshold-model) verification.
    pub rms_error: f64,
    /// Largest error of the nominal verification.
    pub max_error: f64,
    /// RMS error of the designed staircase itself on the design grid.
    pub model_rms_error: f64,
    /// Resistance levels seen along the verification ramp.
    pub levels: usize,
    /// Largest accepted RMS error.
    pub tolerance: f64,
    /// Whether the nominal RMS error (and the dynamic one, when run) is within `tolerance`.
    pub within_tolerance: bool,
    /// Largest per-MTJ switching energy I_c^2 R_wire t_E (J); None when no MTJ switches.
    pub energy_per_event_j: Option<f64>,
    /// Wire footprint area (m^2).
    pub footprint_m2: f64,
    /// Wire resistance (Ohm).
    pub wire_resistance_ohm: f64,
    /// Wire length (m).
    pub wire_length_m: f64,
    /// Designed switching current of each MTJ, ascending (A).
    pub thresholds_a: Vec<f64>,
    /// Each MTJ's share of the total MTJ area (sums to 1).
    pub area_fractions: Vec<f64>,
    /// Side of each (square) MTJ (m).
    pub mtj_sides_m: Vec<f64>,
    /// Centre of each MTJ along the wire (m).
    pub mtj_positions_m: Vec<f64>,
    /// Wire width profile nodes (x m, w m).
    pub wire_nodes_m: Vec<(f64, f64)>,
}

/// A single-wall (Mode S) design verified with the 1D model (errors are fractions of the track).
#[derive(Clone, Debug, Serialize)]
pub struct AnalogSummary {
    /// "analog-static" or "analog-dynamic".
    pub kind: &'static str,
    /// The target.
    pub target: Target,
    /// Material name.
    pub material: String,
    /// Track length (m).
    pub length_m: f64,
    /// Width of the magnetic wire (m).
    pub magnetic_width_m: f64,
    /// Pulse width (s).
    pub pulse_s: f64,
    /// Depinning threshold of the pinned wall (A/m^2).
    pub j_th_a_per_m2: f64,
    /// RMS travel error (fraction of the track length).
    pub rms_error: f64,
    /// Largest travel error (fraction of the track length).
    pub max_error: f64,
    /// Always none: a single wall gives a continuous response.
    pub levels: Option<usize>,
    /// Largest accepted RMS error.
    pub tolerance: f64,
    /// Whether `rms_error` is within `tolerance`.
    pub within_tolerance: bool,
    /// Heavy-metal width profile nodes (x m, w m), without the run-out.
    pub hm_width_nodes_m: Vec<(f64, f64)>,
    /// (current A, target travel m, achieved travel m).
    pub curve: Vec<(f64, f64, f64)>,
}

/// What a design run gives.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Summary {
    /// A multi-MTJ design.
    Discrete(Box<DiscreteSummary>),
    /// A single-wall design.
    Analog(Box<AnalogSummary>),
}

/// What a design run gives: its summary, verification curve and exports.
#[derive(Clone, Debug, Serialize)]
pub struct DesignReport {
    /// The design and its verification.
    pub summary: Summary,
    /// (current A, target, achieved) of the nominal verification: normalised outputs for
    /// discrete designs, travels (m) for analog ones.
    pub curve: Vec<(f64, f64, f64)>,
    /// The exported files.
    pub exports: Exports,
    /// The seed of the Monte Carlo verification (discrete designs).
    pub seed: Option<u64>,
}

impl DesignReport {
    /// The largest RMS error among the verifications that decide the pass.
    pub fn worst_rms_error(&self) -> f64 {
        match &self.summary {
            Summary::Discrete(d) => d
                .dynamic_verification
                .as_ref()
                .map_or(d.rms_error, |dv| dv.rms_error.max(d.rms_error)),
            Summary::Analog(a) => a.rms_error,
        }
    }

    /// The largest accepted RMS error of the run.
    pub fn tolerance(&self) -> f64 {
        match &self.summary {
            Summary::Discrete(d) => d.tolerance,
            Summary::Analog(a) => a.tolerance,
        }
    }
}

fn gds_bytes(layout: &crate::layout::Layout) -> Result<Vec<u8>, DesignError> {
    let mut b = Vec::new();
    layout
        .to_gds()
        .write(&mut b)
        .map_err(|e| DesignError::Infeasible(format!("GDS: {e:?}")))?;
    Ok(b)
}

/// Design, verify and export; `progress` is told each stage as it starts.
pub fn run(spec: &DesignRunSpec, progress: &dyn Fn(&str)) -> Result<DesignReport, DesignError> {
    let tolerance = spec.tolerance;
    match &spec.kind {
        DesignKind::Discrete(ds) => {
            progress("design and verification");
            // Each branch verifies its design once by simulating its device file back (a dynamic
            // design's file uses the 1D model, so that is the dynamic verification).
            let verified = |d: DiscreteDesign| verify(&d, &ds.target).map(|v| (d, v));
            let ((d, v), dynamic_design, dynamic_design_infeasible) = match spec.design_model {
                DesignModel::Threshold => (verified(design(ds)?)?, None, None),
                DesignModel::Dynamic => {
                    let (d, info) = design_dynamic(ds, progress)?;
                    (verified(d)?, Some(info), None)
                }
                DesignModel::Auto => match design_dynamic(ds, progress).and_then(|(d, info)| {
                    // The dynamic design is kept only if the 1D model verifies it.
                    let (d, v) = verified(d)?;
                    if v.rms_error <= tolerance {
                        Ok(((d, v), info))
                    } else {
                        Err(DesignError::Infeasible(format!(
                            "the dynamic design verifies at {:.2} % RMS (max {:.2} %) in the 1D model, above the {:.2} % tolerance: near their depinning density the walls move erratically from pulse to pulse, so the steps fray",
                            v.rms_error * 100.0,
                            v.max_error * 100.0,
                            tolerance * 100.0
                        )))
                    }
                }) {
                    Ok((dv, info)) => (dv, Some(info), None),
                    Err(DesignError::Infeasible(why)) => match design(ds).and_then(verified) {
                        Ok(dv) => (dv, None, Some(why)),
                        Err(e) => {
                            return Err(DesignError::Infeasible(format!(
                                "neither model allows this design. Threshold model: {}. Dynamic 1D model: {why}",
                                e.to_string().trim_start_matches("infeasible: ")
                            )))
                        }
                    },
                    Err(e) => return Err(e),
                },
            };
            let is_dynamic = dynamic_design.is_some();
            let dynamic = if is_dynamic {
                Some(DynamicVerification {
                    rms_error: v.rms_error,
                    max_error: v.max_error,
                    levels: v.levels,
                    calibrated_h_dep_a_per_m: None,
                    calibration_reached: None,
                })
            } else if spec.verify_dynamic {
                progress("dynamic verification");
                let dv = verify_dynamic(&d, &ds.target)?;
                Some(DynamicVerification {
                    rms_error: dv.rms_error,
                    max_error: dv.max_error,
                    levels: dv.levels,
                    calibrated_h_dep_a_per_m: dv.calibrated_h_dep_a_per_m,
                    calibration_reached: dv.calibration_reached,
                })
            } else {
                None
            };
            let seed = 1;
            let mc = match spec.monte_carlo {
                Some(MonteCarloSpec { devices, d2d, c2c }) => {
                    progress("Monte Carlo verification");
                    Some(monte_carlo(&d, &ds.target, devices, d2d, c2c, tolerance, seed)?)
                }
                None => None,
            };
            let verified_by = if is_dynamic {
                format!(
                    "dynamic 1D model at 0 K: every MTJ's wall integrated through each {:.1} ns pulse of the ramp (the design's own model)",
                    ds.pulse_width * 1e9
                )
            } else if dynamic.is_some() {
                "threshold model, and the dynamic 1D model with H_dep calibrated to the first MTJ".to_string()
            } else {
                "threshold model".to_string()
            };
            let within_tolerance = v.rms_error <= tolerance && dynamic.as_ref().is_none_or(|dv| dv.rms_error <= tolerance);
            let (_, device, _) = dwmtj_core::config::parse_device(&d.device_toml, "design.toml", None)
                .map_err(|e| DesignError::Infeasible(format!("the designed device is invalid: {e}")))?;
            let layout = crate::layout::layout(&device);
            let (_, spice) = crate::spice::subcircuit(&device, &PulseShape::rectangular(ds.pulse_width))
                .map_err(|e| DesignError::Infeasible(e.to_string()))?;
            let exports = Exports {
                device_toml: d.device_toml.clone(),
                gds: gds_bytes(&layout)?,
                svg: layout.to_svg(),
                spice,
            };
            let summary = DiscreteSummary {
                monte_carlo: mc,
                dynamic_verification: dynamic,
                design_model: if is_dynamic { "dynamic" } else { "threshold" },
                verified_by,
                dynamic_design,
                dynamic_design_infeasible,
                target: ds.target.clone(),
                mtjs: ds.mtjs,
                rules: ds.rules.clone(),
                rms_error: v.rms_error,
                max_error: v.max_error,
                model_rms_error: d.model_rms_error,
                levels: v.levels,
                tolerance,
                within_tolerance,
                energy_per_event_j: v.energy_per_event_j,
                footprint_m2: v.footprint_m2,
                wire_resistance_ohm: v.wire_resistance_ohm,
                wire_length_m: d.wire_length_m,
                thresholds_a: d.thresholds_a,
                area_fractions: d.area_fractions,
                mtj_sides_m: d.sides_m,
                mtj_positions_m: d.positions_m,
                wire_nodes_m: d.wire_nodes,
            };
            Ok(DesignReport {
                summary: Summary::Discrete(Box::new(summary)),
                curve: v.curve,
                exports,
                seed: Some(seed),
            })
        }
        DesignKind::Analog(a) => {
            progress("analog design");
            let d = design_analog(a)?;
            let layout = crate::layout::analog_layout("analog_device", &d.hm_nodes, a.magnetic_width);
            let exports = Exports {
                device_toml: String::new(),
                gds: gds_bytes(&layout)?,
                svg: layout.to_svg(),
                spice: String::new(),
            };
            let summary = AnalogSummary {
                kind: if a.kind == AnalogKind::Static {
                    "analog-static"
                } else {
                    "analog-dynamic"
                },
                target: a.target.clone(),
                material: a.material.name.clone(),
                length_m: a.length,
                magnetic_width_m: a.magnetic_width,
                pulse_s: a.pulse_width,
                j_th_a_per_m2: d.j_th_a_per_m2,
                rms_error: d.rms_error,
                max_error: d.max_error,
                levels: None,
                tolerance,
                within_tolerance: d.rms_error <= tolerance,
                hm_width_nodes_m: d.hm_nodes.clone(),
                curve: d.curve.clone(),
            };
            Ok(DesignReport {
                summary: Summary::Analog(Box::new(summary)),
                curve: d.curve,
                exports,
                seed: None,
            })
        }
    }
}
