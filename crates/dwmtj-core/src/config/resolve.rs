//! The validated model written back as a raw configuration, every value SI and explicit.

use super::raw::{RawBias, RawDevice, RawMtj, RawMtjDefaults, RawProgram, RawReadout, RawSwitching, RawVariation, RawWidth, RawWire};
use crate::device::{Device, Polarity, Program, ResetPolicy, ThresholdSource};
use crate::material::find_builtin;
use crate::quantity::RawQuantity;
use std::collections::BTreeMap;

type Q = RawQuantity;

fn num(v: f64) -> Q {
    Q::Number(v)
}

/// The validated model written back as a configuration, every value SI and explicit.
pub fn resolve(device: &Device, program: Option<&Program>) -> RawDevice {
    let m = &device.material;
    let base = find_builtin(&m.name);
    let mut overrides = BTreeMap::new();
    for p in crate::material::PARAMS {
        let v = (p.get)(m);
        // Always explicit, so the resolved file does not depend on the library version; a
        // parameter that is not set (NaN) stays unset.
        if !v.is_nan() {
            overrides.insert(p.key.to_string(), num(v));
        }
    }
    let nodes: Vec<(f64, f64)> = device.wire.profile.nodes().collect();
    let s = &device.switching;
    let (model, j_th, at_bias, at_pw) = match s.source {
        ThresholdSource::Calibrated {
            j_th,
            at_bias,
            at_pulse_width,
        } => ("calibrated", Some(num(j_th)), Some(num(at_bias)), at_pulse_width.map(num)),
        ThresholdSource::Material => ("material", None, None, None),
        ThresholdSource::Dynamic { .. } => ("dynamic", None, None, None),
    };
    let pin_period = match s.source {
        ThresholdSource::Dynamic { pin_period } => Some(num(pin_period)),
        _ => None,
    };
    RawDevice {
        version: 1,
        name: Some(device.name.clone()),
        description: if device.description.is_empty() {
            None
        } else {
            Some(device.description.clone())
        },
        material: Some(if base.is_some() { m.name.clone() } else { "ta-cofeb-mgo".into() }),
        material_overrides: overrides,
        wire: RawWire {
            length: num(device.wire.profile.length()),
            width: RawWidth::Table {
                x: nodes.iter().map(|n| num(n.0)).collect(),
                w: nodes.iter().map(|n| num(n.1)).collect(),
            },
            breakdown_current_density: device
                .wire
                .breakdown_current_density
                .is_finite()
                .then(|| num(device.wire.breakdown_current_density)),
        },
        mtj_defaults: RawMtjDefaults {
            tmr_half_voltage: Some(num(device.mtjs[0].tmr_half_voltage)),
            reference: Some(if device.reference_up { "up" } else { "down" }.into()),
            ..Default::default()
        },
        mtj_array: None,
        mtj: device
            .mtjs
            .iter()
            .map(|t| RawMtj {
                position: num(t.position),
                length: Some(num(t.length)),
                width: Some(num(t.width)),
                ra: Some(num(t.ra)),
                tmr: Some(num(t.tmr)),
                stray_field: Some(num(t.stray_field)),
            })
            .collect(),
        bias: RawBias {
            hz: Some(num(device.bias_field)),
        },
        switching: RawSwitching {
            model: model.into(),
            pin_period,
            j_th,
            at_bias,
            at_pulse_width: at_pw,
            sot_field_per_1e11: Some(num(s.efficiency * 1e11)),
            polarity: Some(match s.polarity {
                Polarity::Symmetric => "symmetric".into(),
                Polarity::Bipolar => "bipolar".into(),
            }),
            propagation_fraction: Some(num(s.propagation_fraction)),
            flow_velocity: s.mobility.map(|mu| num(mu * 1e11)),
            flow_overdrive: s.mobility.map(|_| num(1e11)),
            barrier_energy: Some(num(s.barrier_energy)),
            barrier_exponent: Some(num(s.barrier_exponent)),
            attempt_time: Some(num(s.attempt_time)),
            temperature: Some(num(s.temperature)),
        },
        variation: RawVariation {
            d2d: Some(num(device.variation.d2d)),
            c2c: Some(num(device.variation.c2c)),
        },
        readout: RawReadout {
            current: Some(num(device.readout.current)),
            duration: Some(num(device.readout.duration)),
            network: Some(device.readout.network),
        },
        field: None,
        program: program.map(|p| RawProgram {
            kind: "list".into(),
            start: None,
            stop: None,
            step: None,
            currents: Some(
                p.sweeps[0]
                    .currents
                    .iter()
                    .map(|c| num(c.abs() * c.signum() * p.sweeps[0].sign()))
                    .collect(),
            ),
            polarities: Some(p.sweeps.iter().map(|s| s.label.clone()).collect()),
            sweep: Some("up".into()),
            pulse_width: Some(num(p.pulse.width)),
            from: None,
            to: None,
            rate: None,
            loops: None,
            rise: Some(num(p.pulse.rise)),
            fall: Some(num(p.pulse.fall)),
            cycles: Some(p.cycles),
            devices: Some(p.devices),
            seed: Some(p.seed),
            reset: Some(match p.reset {
                ResetPolicy::EachSweep => "each-sweep".into(),
                ResetPolicy::EachCycle => "each-cycle".into(),
            }),
            reset_by: Some(
                match p.reset_by {
                    crate::device::ResetMethod::Field => "field",
                    crate::device::ResetMethod::Stt => "stt",
                }
                .into(),
            ),
            stt_current_density: Some(num(p.stt.current_density)),
            stt_pulse: Some(num(p.stt.pulse)),
            preset_ap: Some(p.preset_ap.iter().map(|&i| i as u32 + 1).collect()),
        }),
    }
}
