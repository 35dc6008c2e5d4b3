//! Named synaptic devices: the update model, the scheme that suits it, and what it costs.
//!
//! * `float`: software weights (no device), trained with exact SGD.
//! * `dw-linear`: the DW-MTJ synapse of a device file (default: the paper's Fig. 3f device,
//!   8 levels) as a differential pair (2n - 1 = 15 weight levels), mixed-precision update.
//! * `dw-single`: the same device against a fixed reference column (n levels).
//! * `constant-step`, `soft-bounds`, `exp-step`: aihwkit's analytic devices with their defaults
//!   (GV-2016 ConstantStep: dw_min 0.001 on +-0.6, 30 % c2c and d2d), stochastic pulsed update;
//!   priced as the GV-2016 RPU target (24 MOhm, 1 V, 1 ns).
//! * NeuroSim presets (`ag-a-si`, `taox-hfox`, `pcmo`, `alox-hfo2`, `gst-pcm`, `epiram`,
//!   `hzo-fefet`): nonlinear model on (-1, 1) with the V3.0 table's levels, NL and C2C;
//!   NeuroSim's pulse-count update; R_on, on/off and pulse from the same table, pulse energy the
//!   V^2/R_on t bound of docs/nn.md 9.

use crate::devices::{differential_levels, DeviceModel, NEUROSIM_PRESETS};
use crate::dwdevice::DwSynapse;
use crate::energy::DeviceCosts;
use crate::update::UpdateScheme;

/// A named synaptic device: its update model, the scheme that suits it, and its costs.
#[derive(Clone, Debug)]
pub struct DeviceEntry {
    /// The catalog name.
    pub name: String,
    /// How one pulse changes a weight.
    pub model: DeviceModel,
    /// The update scheme trained with.
    pub scheme: UpdateScheme,
    /// Conductance range and pulse cost; None for `float` (priced as digital operations).
    pub costs: Option<DeviceCosts>,
    /// Device-to-device spread of the step (aihwkit dtod).
    pub d2d: f32,
    /// Software weights (no device): ideal periphery, output scale 1, exact SGD.
    pub is_float: bool,
}

/// (name, R_on, on/off, pulse energy, pulse width) from docs/nn.md 4.2 and 9.
const NEUROSIM_COSTS: &[(&str, f64, f64, f64, f64)] = &[
    ("ag-a-si", 26e6, 12.5, 104e-12, 300e-6),
    ("taox-hfox", 100e3, 10.0, 1.3e-12, 50e-9),
    ("pcmo", 23e6, 6.84, 174e-12, 1e-3),
    ("alox-hfo2", 16.9e3, 4.43, 5.35e-9, 100e-6),
    ("gst-pcm", 4.71e3, 19.8, 0.43e-9, 3.06e-6),
    ("epiram", 81e3, 50.2, 1.03e-9, 5e-6),
    ("hzo-fefet", 559e3, 45.0, 0.03e-15, 75e-9),
];

/// Every name `lookup` resolves.
pub fn names() -> Vec<&'static str> {
    let mut v = vec!["float", "dw-linear", "dw-single", "constant-step", "soft-bounds", "exp-step"];
    v.extend(NEUROSIM_PRESETS.iter().map(|p| p.name));
    v
}

fn gv_costs() -> DeviceCosts {
    DeviceCosts::from_r_on(24e6, 1.0, 0.04e-15, 1e-9, "GV-2016 RPU target: 24 MOhm, 1 V, 1 ns")
}

/// Why a device name does not resolve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The name is not in the catalog.
    #[error("unknown device `{name}`; known: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A dw-* device was asked for without a DW-MTJ synapse.
    #[error("the dw-* devices need a DW-MTJ device file")]
    NoSynapse,
}

/// Look a device up by name; `dw` is the DW-MTJ synapse for the dw-* entries.
pub fn lookup(name: &str, dw: Option<&DwSynapse>) -> Result<DeviceEntry, LookupError> {
    let stochastic = UpdateScheme::stochastic_default();
    let entry = |model: DeviceModel, scheme: UpdateScheme, costs: Option<DeviceCosts>, d2d: f32| DeviceEntry {
        name: name.to_string(),
        model,
        scheme,
        costs,
        d2d,
        is_float: false,
    };
    Ok(match name {
        "float" => DeviceEntry {
            is_float: true,
            ..entry(
                DeviceModel::ConstantStep {
                    dw_min: 1e-6,
                    b_min: -1e6,
                    b_max: 1e6,
                    c2c: 0.0,
                },
                UpdateScheme::Float,
                None,
                0.0,
            )
        },
        "dw-linear" | "dw-single" => {
            let s = dw.ok_or(LookupError::NoSynapse)?;
            let levels = if name == "dw-linear" {
                differential_levels(&s.levels)
            } else {
                s.levels.clone()
            };
            let n = (levels.len() as u32).saturating_sub(1).max(1);
            let g_max = s.conductance.iter().cloned().fold(0.0, f64::max);
            let g_min = s.conductance.iter().cloned().fold(f64::INFINITY, f64::min);
            entry(
                DeviceModel::Levels {
                    levels,
                    p_switch: s.mean_probability(),
                    b_min: -1.0,
                    b_max: 1.0,
                },
                UpdateScheme::MixedPrecision { max_pulses: n },
                Some(DeviceCosts {
                    g_min,
                    g_max,
                    pulse_energy: s.mean_energy(),
                    pulse_width: s.pulse_width,
                    source: "DW-MTJ device file: I^2 R_wire t_E per level step".into(),
                }),
                0.0,
            )
        }
        "constant-step" => entry(DeviceModel::constant_step_default(), stochastic, Some(gv_costs()), 0.3),
        "soft-bounds" => entry(DeviceModel::soft_bounds(0.001, -0.6, 0.6, 0.3), stochastic, Some(gv_costs()), 0.3),
        "exp-step" => entry(DeviceModel::exp_step_default(), stochastic, Some(gv_costs()), 0.3),
        other => {
            let model = DeviceModel::neurosim(other, -1.0, 1.0).ok_or_else(|| LookupError::Unknown {
                name: other.to_string(),
                known: names().join(", "),
            })?;
            let &(_, r_on, on_off, e, t) = NEUROSIM_COSTS.iter().find(|c| c.0 == other).expect("every preset has costs");
            let p_max = match model {
                DeviceModel::NeuroSim { p_max, .. } => p_max as u32,
                _ => unreachable!(),
            };
            entry(
                model,
                UpdateScheme::PulseCount { max_pulses: p_max },
                Some(DeviceCosts::from_r_on(
                    r_on,
                    on_off,
                    e,
                    t,
                    "NeuroSim V3.0 table (docs/nn.md 4.2, 9)",
                )),
                0.0,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_resolves_and_unknown_names_list_the_known_ones() {
        let s = DwSynapse {
            levels: vec![0.0, 0.5, 1.0],
            conductance: vec![3e-3, 2e-3, 1e-3],
            step_current: vec![1e-4, 2e-4],
            step_probability: vec![1.0, 0.9],
            step_energy: vec![1e-12, 3e-12],
            pulse_width: 8e-9,
            wire_resistance: 5e3,
        };
        for n in names() {
            let e = lookup(n, Some(&s)).unwrap();
            assert_eq!(e.name, n);
        }
        let DeviceModel::Levels { levels, p_switch, .. } = lookup("dw-linear", Some(&s)).unwrap().model else {
            panic!()
        };
        assert_eq!(levels, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!((p_switch - 0.95).abs() < 1e-12);
        let err = lookup("memristor", None).unwrap_err().to_string();
        assert!(err.contains("unknown device `memristor`") && err.contains("hzo-fefet"), "{err}");
    }
}
