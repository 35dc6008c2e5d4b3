//! The 1D wall model as circuit states (`dwmtj export spice --model wall`): for a device in the
//! dynamic mode (`[switching] model = "dynamic"`), each MTJ footprint's wall position *and*
//! angle are circuit states integrated by the circuit simulator with the device's own (q, phi)
//! equations, so pulse width, rise and fall, wall inertia, Walker breakdown and the sliding back
//! into a pinning well after the pulse all happen in SPICE as in `dwmtj simulate`
//! (docs/physics.md 13.1).
//!
//! ```text
//! .subckt NAME in_p in_n out_p out_n
//!   write path: Vsense (0 V) in series with R_wire; I = i(Vsense)
//!   MTJ k: x_k = q_k / L_k (switched fraction) and phi_k, each on a 1 pF capacitor, with
//!     J    = s_k f_HM I / (w_k t_HM)            (|I| for symmetric writing; s_k: the sign that pushes toward AP)
//!     F_A  = a_hz H_z,k + a_jc J cos(phi) + a_j J - f_pin,k sin(2 pi L_k x_k / p)
//!     F_B  = b_sc sin(phi) cos(phi) + b_s sin(phi) + b_jc J cos(phi) + b_j J
//!     dx_k/dt = (q_a F_A + q_b F_B) / L_k,   dphi_k/dt = p_a F_A + p_b F_B
//!     x_k held in [0, 1]: a fully switched footprint holds its state until the current
//!     that writes it back (bipolar devices) flows
//!   read path: G = sum_k (A_k/RA) [(1 - x_k) + x_k / (1 + TMR_k(V))],  TMR(V) = TMR_0/(1 + V^2/V_h^2)
//! ```
//! The constants are [`dwmtj_core::dynamic::DynamicModel::local_equations`]: the same numbers the
//! dynamic device model integrates. At T = 0 only: the thermal forces of a finite-temperature
//! device are not exported (its `dwmtj simulate` runs add them).

use dwmtj_core::device::{Device, Polarity, PulseShape, ThresholdSource};
use dwmtj_core::dynamic::DynamicModel;
use dwmtj_core::ConfigError;

/// The pinning period of a dynamic-mode device, or an error naming the key to set.
pub fn pin_period(device: &Device) -> Result<f64, ConfigError> {
    match device.switching.source {
        ThresholdSource::Dynamic { pin_period } => Ok(pin_period),
        _ => Err(ConfigError::field(
            "switching.model",
            "not \"dynamic\"",
            "the wall model exports the dynamic device model: set [switching] model = \"dynamic\" (and pin_period) in the device file, or export --model kinematic",
        )),
    }
}

fn spice_name(name: &str) -> String {
    crate::spice::spice_name(name).replacen("dwmtj_", "dwmtj_wall_", 1)
}

/// The wall subcircuit and its name; each footprint's initial switched fraction is the
/// parameter `x0_k` (default: the field-reset state) and its initial angle the wall's rest angle.
pub fn subcircuit(device: &Device) -> Result<(String, String), ConfigError> {
    let model = DynamicModel::new(device, pin_period(device)?)?;
    let name = spice_name(&device.name);
    let n = device.mtjs.len();
    let bipolar = device.switching.polarity == Polarity::Bipolar;
    let x0: Vec<String> = (0..n)
        .map(|k| format!("x0_{k}={}", if model.field_switched(k) { 1 } else { 0 }))
        .collect();
    let mut s = format!(
        "* dwmtj export (wall) of '{}': {n} MTJs, wire {:.1} Ohm; each wall's position and angle are states of the 1D (q, phi) model at T = 0\n.subckt {name} in_p in_n out_p out_n params: {}\n",
        device.name,
        device.wire_resistance(),
        x0.join(" ")
    );
    s.push_str("Vsense in_p n_w 0\n");
    s.push_str(&format!("Rwire n_w in_n {:.6e}\n", device.wire_resistance()));
    let current = if bipolar { "i(Vsense)" } else { "abs(i(Vsense))" };
    let mut g_terms = Vec::new();
    for (k, m) in device.mtjs.iter().enumerate() {
        let eq = model.local_equations(k);
        let r = &eq.rates;
        let len = device.crossing_length(k);
        let per_amp = eq.drive_sign * device.hm_fraction() / (device.critical_width(k) * device.material.t_hm);
        s.push_str(&format!(
            "* MTJ {}: x = {:.4} um, {:.0} x {:.0} nm, crossing {:.1} nm, H_z {:.4e} A/m, pinning {:.4e} J/m^3 over {:.1} nm\n",
            k + 1,
            m.position * 1e6,
            m.length * 1e9,
            m.width * 1e9,
            len * 1e9,
            eq.hz_ap,
            eq.pin_force,
            eq.pin_period * 1e9
        ));
        let (x, phi) = (format!("v(x{k})"), format!("v(p{k})"));
        let j = format!("({per_amp:.9e} * {current})");
        s.push_str(&format!(
            "Bfa{k} fa{k} 0 V = {:.9e} + {:.9e} * {j} * cos({phi}) + {:.9e} * {j} - {:.9e} * sin({:.9e} * {x})\n",
            r.a_hz * eq.hz_ap,
            r.a_jc,
            r.a_j,
            eq.pin_force,
            2.0 * std::f64::consts::PI * len / eq.pin_period
        ));
        s.push_str(&format!(
            "Bfb{k} fb{k} 0 V = {:.9e} * sin({phi}) * cos({phi}) + {:.9e} * sin({phi}) + {:.9e} * {j} * cos({phi}) + {:.9e} * {j}\n",
            r.b_sc, r.b_s, r.b_jc, r.b_j
        ));
        let qdot = format!("({:.9e} * v(fa{k}) + {:.9e} * v(fb{k}))", r.q_a / len, r.q_b / len);
        // Hold x in [0, 1]. A fully switched footprint stays switched (symmetric writing), or
        // until a current that writes it back flows (bipolar); as in the dynamic model, a
        // footprint at the end a current writes toward does not move.
        let (up, down) = if bipolar {
            (
                format!("u(1 - 1e-9 - {x}) * max(u({x} - 1e-9), u(i(Vsense)))"),
                format!("u({x} - 1e-9) * max(u(1 - 1e-9 - {x}), u(-i(Vsense)))"),
            )
        } else {
            (format!("u(1 - 1e-9 - {x})"), format!("u({x} - 1e-9) * u(1 - 1e-9 - {x})"))
        };
        s.push_str(&format!(
            "Bx{k} 0 x{k} I = 1e-12 * {qdot} * (u({qdot}) * {up} + u(-{qdot}) * {down})\n"
        ));
        s.push_str(&format!("Cx{k} x{k} 0 1p IC={{x0_{k}}}\n"));
        s.push_str(&format!(
            "Bp{k} 0 p{k} I = 1e-12 * ({:.9e} * v(fa{k}) + {:.9e} * v(fb{k}))\n",
            r.p_a, r.p_b
        ));
        s.push_str(&format!("Cp{k} p{k} 0 1p IC={:.9e}\n", eq.phi0));
        // The read clamps x to [0, 1]: the gates above stop the state at a step's end, and a
        // step may overshoot an end by a little.
        let xr = format!("min(max({x}, 0), 1)");
        g_terms.push(format!(
            "{:.6e} * ((1 - {xr}) + {xr} / (1 + {:.6e} / (1 + (v(out_p, out_n) / {:.6e})^2)))",
            m.conductance_p(),
            m.tmr,
            m.tmr_half_voltage
        ));
    }
    s.push_str(&format!("Bout out_p out_n I = v(out_p, out_n) * ({})\n", g_terms.join(" + ")));
    s.push_str(&format!(".ends {name}\n"));
    Ok((name, s))
}

/// A transient testbench of the wall subcircuit ([`crate::kinematic::testbench_for`]).
pub fn testbench(
    device: &Device,
    pulses: &[(f64, PulseShape)],
    gap: f64,
    initial: Option<&[f64]>,
    data_file: &str,
) -> Result<(String, Vec<f64>), ConfigError> {
    let (name, sub) = subcircuit(device)?;
    Ok(crate::kinematic::testbench_for(
        &name, &sub, device, pulses, gap, initial, data_file,
    ))
}
