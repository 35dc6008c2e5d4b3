//! SPICE export: an ngspice subcircuit of a device and a pulse-program testbench.
//!
//! ```text
//! .subckt NAME in_p in_n out_p out_n
//!   write path: Vsense (0 V) in series with the wire resistance between in_p and in_n
//!   MTJ k: state s_k in [0, 1] (0 = P, 1 = AP) on a 1 pF capacitor, charged at 1e9 /s while
//!          the write current exceeds the MTJ's switching current I_k (both signs for symmetric
//!          writing; negative current resets toward P for bipolar devices); no discharge path,
//!          so the state is kept between pulses (non-volatile)
//!   read path: a behavioural conductance between out_p and out_n,
//!          G = sum_k G_P,k (1 - s_k) + G_AP,k s_k, with G_P = A/RA and G_AP = G_P/(1 + TMR)
//! ```
//! The switching currents are the threshold model's 50 % currents for the export pulse, so the
//! subcircuit reproduces dwmtj's noise-free transfer curve for that pulse width.

use dwmtj_core::device::{Device, Polarity, PulseShape};
use dwmtj_core::threshold::ThresholdModel;

/// Rate at which a switching footprint's state rises (1/s): a full switch in about 1 ns.
const RATE: f64 = 1e9;

/// A SPICE-safe lower-case name `dwmtj_<name>` for a device.
pub(crate) fn spice_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    format!("dwmtj_{s}")
}

/// The subcircuit text and its name. Unreachable MTJs get an infinite threshold (never switch).
pub fn subcircuit(device: &Device, pulse: &PulseShape) -> Result<(String, String), dwmtj_core::ConfigError> {
    let model = ThresholdModel::new(device, Some(*pulse))?;
    let limit = if device.breakdown_current().is_finite() {
        device.breakdown_current()
    } else {
        1.0
    };
    let name = spice_name(&device.name);
    let mut s = format!(
        "* dwmtj export of '{}': {} MTJs, wire {:.1} Ohm, switching currents for a {:.3} ns pulse\n.subckt {name} in_p in_n out_p out_n\n",
        device.name,
        device.mtjs.len(),
        device.wire_resistance(),
        pulse.width * 1e9
    );
    s.push_str("Vsense in_p n_w 0\n");
    s.push_str(&format!("Rwire n_w in_n {:.6e}\n", device.wire_resistance()));
    let mut g_terms = Vec::new();
    for (k, m) in device.mtjs.iter().enumerate() {
        let i_c = model.switching_current(k, pulse, limit);
        let field_switched = model.nominal[k].j_c_ap <= 0.0;
        let ic_text = match i_c {
            Some(v) => format!("{v:.6e}"),
            None => "1e30".to_string(),
        };
        let set = match device.switching.polarity {
            Polarity::Symmetric => format!("u(abs(i(Vsense)) - {ic_text})"),
            Polarity::Bipolar => format!("u(i(Vsense) - {ic_text})"),
        };
        let reset = match device.switching.polarity {
            Polarity::Symmetric => String::new(),
            Polarity::Bipolar => {
                let to_p = if model.nominal[k].j_c_p > 0.0 {
                    device.current_for_density(k, model.nominal[k].j_c_p)
                } else {
                    0.0
                };
                format!(" - {:.6e} * u(-i(Vsense) - {to_p:.6e}) * v(s{k})", RATE * 1e-12)
            }
        };
        s.push_str(&format!(
            "* MTJ {}: x = {:.4} um, {:.0} x {:.0} nm, I_c = {ic_text} A\n",
            k + 1,
            m.position * 1e6,
            m.length * 1e9,
            m.width * 1e9
        ));
        s.push_str(&format!("Bs{k} 0 s{k} I = {:.6e} * {set} * (1 - v(s{k})){reset}\n", RATE * 1e-12));
        s.push_str(&format!("Cs{k} s{k} 0 1p IC={}\n", if field_switched { 1 } else { 0 }));
        let gp = m.conductance_p();
        let gap = gp / (1.0 + m.tmr);
        g_terms.push(format!("{gp:.6e} * (1 - v(s{k})) + {gap:.6e} * v(s{k})"));
    }
    s.push_str(&format!("Bout out_p out_n I = v(out_p, out_n) * ({})\n", g_terms.join(" + ")));
    s.push_str(&format!(".ends {name}\n"));
    Ok((name, s))
}

/// A transient testbench: trapezoidal pulses of `currents` (A) with the shape of `pulse` (its
/// FWHM, rise and fall, edges at least 0.1 ns) separated by `gap`, the device's read current,
/// and `wrdata` of the output voltage and of the write node `v(in)` (the wire's voltage, so
/// that the write energy is the integral of v(in)^2 / R_wire) to `data_file`. Returns the
/// netlist and the sampling time after each pulse (mid-gap after it).
pub fn testbench(
    device: &Device,
    pulse: &PulseShape,
    currents: &[f64],
    gap: f64,
    data_file: &str,
) -> Result<(String, Vec<f64>), dwmtj_core::ConfigError> {
    let (name, sub) = subcircuit(device, pulse)?;
    // The pulse as dwmtj shapes it: rise and fall (at least 0.1 ns, so that ngspice has an edge
    // to step on) and a plateau that keeps the full width at half maximum.
    let (rise, fall) = (0.1e-9f64.max(pulse.rise), 0.1e-9f64.max(pulse.fall));
    let plateau = (pulse.width - 0.5 * (rise + fall)).max(0.0);
    let duration = rise + plateau + fall;
    let period = duration + gap;
    let mut pwl = vec!["0 0".to_string()];
    let mut samples = Vec::new();
    for (k, &i) in currents.iter().enumerate() {
        let t0 = gap + k as f64 * period;
        pwl.push(format!("{:.6e} 0", t0));
        pwl.push(format!("{:.6e} {:.6e}", t0 + rise, i));
        pwl.push(format!("{:.6e} {:.6e}", t0 + rise + plateau, i));
        pwl.push(format!("{:.6e} 0", t0 + duration));
        samples.push(t0 + duration + 0.5 * gap);
    }
    let t_end = gap + currents.len() as f64 * period + gap;
    let edge = rise.min(fall);
    let mut s = format!("* dwmtj testbench for {name}\n{sub}");
    s.push_str(&format!("X1 in 0 out 0 {name}\n"));
    s.push_str(&format!("Iin 0 in PWL({})\n", pwl.join(" ")));
    s.push_str(&format!("Iread 0 out DC {:.6e}\n", device.readout.current));
    s.push_str(&format!(".tran {:.3e} {:.6e} uic\n", edge / 4.0, t_end));
    s.push_str(".options noacct\n.control\nset filetype=ascii\nset wr_singlescale\nrun\n");
    s.push_str(&format!("wrdata {data_file} v(out) v(in)\n.endc\n.end\n"));
    Ok((s, samples))
}
