//! The raw serde structures of a device file: quantities as unit strings (or bare SI numbers),
//! unknown keys rejected.

use crate::quantity::RawQuantity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

type Q = RawQuantity;

/// A device file as written: `[wire]`, MTJs, bias, switching, variation, readout and an optional
/// `[program]`, quantities as unit strings or bare SI numbers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDevice {
    /// File format version; must be 1.
    pub version: u32,
    /// Device name (default "device").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Built-in material name, or a path (relative to this file) to a material TOML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// Material parameters overriding the material's, by parameter key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub material_overrides: BTreeMap<String, Q>,
    /// The wire: length, width profile, breakdown limit.
    pub wire: RawWire,
    /// Defaults for every MTJ.
    #[serde(default)]
    pub mtj_defaults: RawMtjDefaults,
    /// Evenly spaced identical MTJs (instead of `[[mtj]]` tables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtj_array: Option<RawMtjArray>,
    /// MTJs one by one (instead of `[mtj_array]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mtj: Vec<RawMtj>,
    /// Bias field.
    #[serde(default)]
    pub bias: RawBias,
    /// The switching model.
    pub switching: RawSwitching,
    /// Threshold variation.
    #[serde(default)]
    pub variation: RawVariation,
    /// The read operation.
    #[serde(default)]
    pub readout: RawReadout,
    /// Field-driven reversal of the footprints, the bare wire and the reference layer, for
    /// `[program] kind = "field-sweep"` (every key optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<RawField>,
    /// The pulse program, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<RawProgram>,
}

/// The `[field]` table: how regions reverse under a swept field (docs/physics.md 11, field-driven
/// reversal). Unset values follow from the threshold model of the same file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// Athermal switching field H_k of every footprint (default: the threshold model's
    /// zero-current critical force F_c of each MTJ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switching_field: Option<Q>,
    /// Zero-field reversal barrier U_0 of a footprint (default: E_0 / (1 - H_bias/F_c)^n, the
    /// barrier the threshold model has at the device's bias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barrier_energy: Option<Q>,
    /// Athermal switching field of the bare wire (default 40 Oe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_switching_field: Option<Q>,
    /// Zero-field reversal barrier of the bare wire (default 0.23 aJ, about 56 kB T at 300 K: a 10 Oe/s sweep then reverses it near 20 Oe, the film value of the device paper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_barrier_energy: Option<Q>,
    /// Relative fabrication spread of the footprints' switching fields, 0 to 0.5 (default:
    /// variation.d2d).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Q>,
    /// Field that reverses the reference layer (default 1500 Oe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_switching_field: Option<Q>,
    /// Anomalous-Hall resistance of a saturated region (default 1 Ohm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall_resistance: Option<Q>,
}

/// The `[wire]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWire {
    /// Wire length.
    pub length: Q,
    /// Width profile.
    pub width: RawWidth,
    /// Heavy-metal current density at which the narrowest part of the wire breaks down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown_current_density: Option<Q>,
}

/// The wire's width profile, by `kind`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawWidth {
    /// A uniform wire.
    Constant {
        /// The width.
        value: Q,
    },
    /// A linear taper from x = 0 to the wire's end.
    Linear {
        /// Width at x = 0.
        start: Q,
        /// Width at the wire's end.
        end: Q,
    },
    /// A piecewise-linear table of (x, w) nodes from x = 0 to the wire length.
    Table {
        /// Node positions, strictly increasing, from 0 to the wire length.
        x: Vec<Q>,
        /// Widths at the nodes, > 0.
        w: Vec<Q>,
    },
}

/// The `[mtj_defaults]` table: values for MTJs that do not set their own.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMtjDefaults {
    /// Footprint length along the wire (default 200 nm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Q>,
    /// Footprint width (default 400 nm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<Q>,
    /// Resistance-area product of the P state (default 20 Ohm*um^2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ra: Option<Q>,
    /// Zero-bias TMR ratio (default 0.44).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmr: Option<Q>,
    /// Bias at which the TMR halves (default 0.5 V).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmr_half_voltage: Option<Q>,
    /// Reference-layer stray field at the free layer (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stray_field: Option<Q>,
    /// "up" or "down": the reference-layer direction (P state of the free layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The `[mtj_array]` table: `count` MTJs evenly spaced from `first` to `last`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMtjArray {
    /// Number of MTJs, 1 to 10000.
    pub count: u32,
    /// Centre of the first MTJ.
    pub first: Q,
    /// Centre of the last MTJ.
    pub last: Q,
}

/// One `[[mtj]]` table; unset values come from `[mtj_defaults]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMtj {
    /// Centre of the MTJ along the wire.
    pub position: Q,
    /// Footprint length along the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Q>,
    /// Footprint width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<Q>,
    /// Resistance-area product of the P state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ra: Option<Q>,
    /// Zero-bias TMR ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmr: Option<Q>,
    /// Reference-layer stray field at the free layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stray_field: Option<Q>,
}

/// The `[bias]` table.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBias {
    /// Perpendicular bias field H_z (positive along +z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hz: Option<Q>,
}

/// The `[switching]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSwitching {
    /// "calibrated" (from j_th at at_bias), "material" (from h_dep and the SOT efficiency), or
    /// "dynamic" (the 1D wall model for every MTJ).
    pub model: String,
    /// Period of the film pinning landscape for model = "dynamic" (default 20 nm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_period: Option<Q>,
    /// Measured 50 % switching current density (model = "calibrated" only, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub j_th: Option<Q>,
    /// Bias field at which `j_th` was measured (default: the device's bias; "calibrated" only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_bias: Option<Q>,
    /// Pulse width at which `j_th` was measured (default: the program's pulse; "calibrated" only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_pulse_width: Option<Q>,
    /// Equivalent perpendicular field of the damping-like SOT at 1e11 A/m^2 (default: material).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sot_field_per_1e11: Option<Q>,
    /// "symmetric" (either sign writes P->AP) or "bipolar" (+ writes P->AP, - writes AP->P).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polarity: Option<String>,
    /// Threshold inside a footprint as a fraction of the edge threshold, 0 to 1 (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation_fraction: Option<Q>,
    /// Flow velocity at `flow_overdrive` above threshold; with it, sets the flow mobility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_velocity: Option<Q>,
    /// Current density above threshold at which `flow_velocity` holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_overdrive: Option<Q>,
    /// Depinning barrier E_0 at zero drive (default 60 kB T at 300 K).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barrier_energy: Option<Q>,
    /// Barrier exponent n, 1 to 2 (default 1.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barrier_exponent: Option<Q>,
    /// Attempt time tau_0 (default 1 ns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_time: Option<Q>,
    /// Temperature, 0 to 1500 K (default 300 K).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<Q>,
}

/// The `[variation]` table.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariation {
    /// Relative device-to-device threshold spread, 0 to 0.5 (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d2d: Option<Q>,
    /// Relative cycle-to-cycle threshold spread, 0 to 0.5 (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c2c: Option<Q>,
}

/// The `[readout]` table.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReadout {
    /// Read current (default 100 nA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Q>,
    /// Solve the read network through the wire (default false: ideal parallel MTJs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<bool>,
    /// Read pulse duration, for read energy (default 10 ns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Q>,
}

/// The `[program]` table: the pulse currents, shape, cycles, devices and seed, or a field sweep.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgram {
    /// "ramp", "list" or "field-sweep".
    pub kind: String,
    /// First field of each loop (kind = "field-sweep").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Q>,
    /// Turning field of each loop (kind = "field-sweep").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Q>,
    /// Sweep rate |dH/dt| (kind = "field-sweep", default 10 Oe/s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Q>,
    /// Loops from -> to -> from per device instance, 1 to 100000 (kind = "field-sweep", default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loops: Option<u32>,
    /// First ramp current, >= 0 (kind = "ramp").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Q>,
    /// Last ramp current, >= start (kind = "ramp").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Q>,
    /// Ramp step, > 0 (a current for kind = "ramp", a field for kind = "field-sweep").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Q>,
    /// The currents, in order (kind = "list").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currents: Option<Vec<Q>>,
    /// Sweeps by sign, "positive" and/or "negative" (default: "positive" only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polarities: Option<Vec<String>>,
    /// "up" or "up-down".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<String>,
    /// Pulse width (FWHM); required for "ramp" and "list".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulse_width: Option<Q>,
    /// Rise time (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rise: Option<Q>,
    /// Fall time (default: the rise time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fall: Option<Q>,
    /// Cycles per device instance, 1 to 100000 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<u32>,
    /// Device instances, 1 to 100000 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<u32>,
    /// Seed of the random streams (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// "each-sweep" or "each-cycle".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<String>,
    /// How the device is reset: "field" (a large field, default) or "stt" (a write current
    /// through each MTJ whose state changes; its energy is counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_by: Option<String>,
    /// STT write current density through an MTJ for `reset_by = "stt"` and for presets
    /// (default 3e10 A/m^2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stt_current_density: Option<Q>,
    /// STT write pulse width (default 10 ns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stt_pulse: Option<Q>,
    /// MTJs (numbered from 1) written to AP after every reset, before the input: post-fabrication
    /// programming of the transfer function (`dwmtj design --retarget` chooses them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset_ap: Option<Vec<u32>>,
}
