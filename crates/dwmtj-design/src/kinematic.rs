//! A kinematic compact model for circuit simulation (`dwmtj export spice --model kinematic`):
//! each MTJ footprint's wall position is a circuit state that the write current moves at the
//! device's wall velocity, so that pulse width and amplitude both matter (docs/physics.md 13).
//!
//! ```text
//! .subckt NAME in_p in_n out_p out_n
//!   write path: Vsense (0 V) in series with R_wire between in_p and in_n; I = i(Vsense)
//!   MTJ k: x_k in [0, 1], the switched fraction of the footprint (wall travel / crossing length),
//!          on a 1 pF capacitor fed by
//!            dx_k/dt = v(J_k - p J_c,k) / L_k   while J_k >= J_c,k or 0 < x_k (a wall already inside
//!                                               moves above the propagation threshold p J_c,k)
//!          J_k = f_HM |I| / (w_k t_HM) at the footprint's critical width, L_k its crossing length,
//!          v the device's velocity law (flow law or the 1D model's, as a PWL table); with
//!          bipolar writing negative currents move x_k back toward 0 with J_c of AP -> P
//!   read path: G = sum_k (A_k/RA) [(1 - x_k) + x_k / (1 + TMR_k(V))],  TMR(V) = TMR_0/(1 + V^2/V_h^2)
//! ```
//! These are the threshold model's equations at T = 0 (no thermal escape below J_c, no cycle
//! noise): the athermal limit of [`dwmtj_core::threshold`], integrated by the circuit simulator.

use dwmtj_core::device::{Device, Polarity, PulseShape};
use dwmtj_core::threshold::ThresholdModel;

fn spice_name(name: &str) -> String {
    crate::spice::spice_name(name).replacen("dwmtj_", "dwmtj_kin_", 1)
}

/// The velocity law as an ngspice expression of the overdrive `od` (A/m^2): exact for a flow
/// law, a 64-point PWL table of the 1D model's velocity otherwise.
fn velocity_expr(model: &ThresholdModel<'_>, od: &str, od_max: f64) -> String {
    match &model.law {
        &dwmtj_core::threshold::VelocityLaw::Flow { mobility } => format!("{mobility:.9e} * max({od}, 0)"),
        law => {
            let pts: Vec<String> = (0..64)
                .map(|k| {
                    let x = od_max * f64::from(k) / 63.0;
                    format!("{x:.6e}, {:.6e}", law.velocity(x))
                })
                .collect();
            format!("pwl(max({od}, 0), {})", pts.join(", "))
        }
    }
}

/// The threshold model's thermal escape rate from a pinned edge (docs/physics.md 4) as an ngspice
/// expression of the density `j` and edge threshold `jc`:
/// exp(-E_b (1 - J/J_c)^n / k_B T) / tau_0, the attempt rate at and above J_c.
fn escape_expr(device: &Device, j: &str, jc: &str) -> String {
    let sw = &device.switching;
    let barrier = sw.barrier_energy / (dwmtj_core::material::KB * sw.temperature);
    format!(
        "{:.9e} * exp(-{barrier:.9e} * pwr(max(1 - {j} / {jc}, 0), {:.6e}))",
        1.0 / sw.attempt_time,
        sw.barrier_exponent
    )
}

/// One Monte Carlo instance of a device in SPICE: its device-to-device threshold factors and the
/// Exp(1) hazards of its thermal escapes (toward AP, and toward P for bipolar writing).
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceDraw {
    /// Threshold factor 1 + d2d N per MTJ (the threshold model's `draw_device`).
    pub threshold_factor: Vec<f64>,
    /// Hazard at which each MTJ's wall escapes the P edge.
    pub escape_ap: Vec<f64>,
    /// Hazard at which each MTJ's wall escapes the AP edge (bipolar devices).
    pub escape_p: Vec<f64>,
}

/// `count` seeded instances: instance m uses the random stream (seed, m), so an instance does not
/// depend on how many are drawn.
pub fn draw_instances(device: &Device, pulse: &PulseShape, count: usize, seed: u64) -> Result<Vec<InstanceDraw>, dwmtj_core::ConfigError> {
    use rand::Rng;
    let model = ThresholdModel::new(device, Some(*pulse))?;
    Ok((0..count)
        .map(|m| {
            let mut rng = dwmtj_core::stream::stream(seed, 0x5b1ce, m as u64);
            let threshold_factor = model
                .draw_device(&mut rng)
                .iter()
                .zip(&model.nominal)
                .map(|(d, n)| if n.j_c_ap != 0.0 { d.j_c_ap / n.j_c_ap } else { 1.0 })
                .collect();
            let n = device.mtjs.len();
            let escape_ap = (0..n).map(|_| rng.sample(rand_distr::Exp1)).collect();
            let escape_p = (0..n).map(|_| rng.sample(rand_distr::Exp1)).collect();
            InstanceDraw {
                threshold_factor,
                escape_ap,
                escape_p,
            }
        })
        .collect())
}

/// Monte Carlo instances as subcircuits NAME_mc1 .. NAME_mcN wrapping the kinematic subcircuit
/// with each instance's drawn parameters (same pins). At T = 0 only the threshold factors vary.
pub fn monte_carlo_library(
    device: &Device,
    pulse: &PulseShape,
    draws: &[InstanceDraw],
) -> Result<(String, String), dwmtj_core::ConfigError> {
    let (name, mut s) = subcircuit(device, pulse)?;
    let thermal = device.switching.temperature > 0.0;
    let bipolar = device.switching.polarity == Polarity::Bipolar;
    s.push_str(&format!(
        "* {} Monte Carlo instances: device-to-device thresholds{}; cycle-to-cycle noise is not modelled\n",
        draws.len(),
        if thermal { " and thermal escape hazards" } else { "" }
    ));
    for (m, d) in draws.iter().enumerate() {
        let mut params = Vec::new();
        for k in 0..device.mtjs.len() {
            params.push(format!("jf_{k}={:.9}", d.threshold_factor[k]));
            if thermal {
                params.push(format!("e_ap_{k}={:.9}", d.escape_ap[k]));
                if bipolar {
                    params.push(format!("e_p_{k}={:.9}", d.escape_p[k]));
                }
            }
        }
        s.push_str(&format!(
            ".subckt {name}_mc{} in_p in_n out_p out_n\nX1 in_p in_n out_p out_n {name} {}\n.ends {name}_mc{}\n",
            m + 1,
            params.join(" "),
            m + 1
        ));
    }
    Ok((name, s))
}

/// The kinematic subcircuit and its name. `pulse` is the one a calibrated threshold refers to.
pub fn subcircuit(device: &Device, pulse: &PulseShape) -> Result<(String, String), dwmtj_core::ConfigError> {
    let model = ThresholdModel::new(device, Some(*pulse))?;
    let name = spice_name(&device.name);
    let p = device.switching.propagation_fraction;
    let mut s = format!(
        "* dwmtj export (kinematic) of '{}': {} MTJs, wire {:.1} Ohm; wall positions as states, velocity law {}\n.subckt {name} in_p in_n out_p out_n\n",
        device.name,
        device.mtjs.len(),
        device.wire_resistance(),
        match model.law {
            dwmtj_core::threshold::VelocityLaw::Flow { .. } => "flow (mobility x overdrive)",
            _ => "1D model (PWL table)",
        }
    );
    // Each footprint's initial switched fraction is a parameter (default: the field-reset state).
    let x0: Vec<String> = model
        .nominal
        .iter()
        .enumerate()
        .map(|(k, t)| format!("x0_{k}={}", if t.j_c_ap <= 0.0 { 1 } else { 0 }))
        .collect();
    let thermal = device.switching.temperature > 0.0;
    let mut params = x0;
    for k in 0..device.mtjs.len() {
        // Device-to-device threshold factor, and (at T > 0) the Exp(1) hazards at which the
        // wall escapes its edge thermally (1e30: never, the athermal default).
        params.push(format!("jf_{k}=1"));
        if thermal {
            params.push(format!("e_ap_{k}=1e30"));
            if device.switching.polarity == Polarity::Bipolar {
                params.push(format!("e_p_{k}=1e30"));
            }
        }
    }
    s = s.replacen(
        &format!(".subckt {name} in_p in_n out_p out_n\n"),
        &format!(".subckt {name} in_p in_n out_p out_n params: {}\n", params.join(" ")),
        1,
    );
    s.push_str("Vsense in_p n_w 0\n");
    s.push_str(&format!("Rwire n_w in_n {:.6e}\n", device.wire_resistance()));
    let breakdown_j = if device.wire.breakdown_current_density.is_finite() {
        device.wire.breakdown_current_density
    } else {
        1e13
    };
    let mut g_terms = Vec::new();
    for (k, m) in device.mtjs.iter().enumerate() {
        let jc = model.nominal[k].j_c_ap;
        let jcp = model.nominal[k].j_c_p;
        let per_amp = device.hm_fraction() / (device.critical_width(k) * device.material.t_hm);
        let j = format!("({per_amp:.9e} * abs(i(Vsense)))");
        let len = device.crossing_length(k);
        let od_max = 2.0 * breakdown_j;
        s.push_str(&format!(
            "* MTJ {}: x = {:.4} um, {:.0} x {:.0} nm, J_c = {:.4e} A/m^2, crossing {:.1} nm\n",
            k + 1,
            m.position * 1e6,
            m.length * 1e9,
            m.width * 1e9,
            jc,
            len * 1e9
        ));
        let x = format!("v(x{k})");
        // Toward AP: any current for symmetric writing, positive current for bipolar.
        let sign_ap = match device.switching.polarity {
            Polarity::Symmetric => "1".to_string(),
            Polarity::Bipolar => "u(i(Vsense))".to_string(),
        };
        let jc_pos = format!("({:.6e} * {{jf_{k}}})", jc.max(0.0));
        let v_ap = velocity_expr(&model, &format!("{j} - {p:.6e} * {jc_pos}"), od_max);
        let mut gate_ap = format!("max(u({x} - 1e-9), u({j} - {jc_pos}))");
        if thermal && jc > 0.0 {
            // Thermal escape from the P edge: the hazard h = integral of the Arrhenius rate while
            // the wall waits there under AP drive; it escapes when h reaches its Exp(1) draw
            // (docs/physics.md 13), and h restarts once the footprint is fully AP.
            let rate = escape_expr(device, &j, &jc_pos);
            s.push_str(&format!(
                "Bh{k} 0 h{k} I = 1e-12 * ({sign_ap} * {rate} * u(1e-9 - {x}) - 1e12 * v(h{k}) * u({x} - 1 + 1e-9))\nCh{k} h{k} 0 1p IC=0\n"
            ));
            gate_ap = format!("max({gate_ap}, u(v(h{k}) - {{e_ap_{k}}}))");
        }
        let mut rate = format!("{:.6e} * {sign_ap} * {v_ap} * {gate_ap} * u(1 - 1e-9 - {x})", 1e-12 / len);
        if device.switching.polarity == Polarity::Bipolar {
            let jcp_pos = format!("({:.6e} * {{jf_{k}}})", jcp.max(0.0));
            let v_p = velocity_expr(&model, &format!("{j} - {p:.6e} * {jcp_pos}"), od_max);
            let mut gate_p = format!("max(u(1 - 1e-9 - {x}), u({j} - {jcp_pos}))");
            if thermal && jcp > 0.0 {
                let rate = escape_expr(device, &j, &jcp_pos);
                s.push_str(&format!(
                    "Bhp{k} 0 hp{k} I = 1e-12 * (u(-i(Vsense)) * {rate} * u({x} - 1 + 1e-9) - 1e12 * v(hp{k}) * u(1e-9 - {x}))\nChp{k} hp{k} 0 1p IC=0\n"
                ));
                gate_p = format!("max({gate_p}, u(v(hp{k}) - {{e_p_{k}}}))");
            }
            rate.push_str(&format!(
                " - {:.6e} * u(-i(Vsense)) * {v_p} * {gate_p} * u({x} - 1e-9)",
                1e-12 / len
            ));
        }
        s.push_str(&format!("Bx{k} 0 x{k} I = {rate}\n"));
        s.push_str(&format!("Cx{k} x{k} 0 1p IC={{x0_{k}}}\n"));
        let gp = m.conductance_p();
        g_terms.push(format!(
            "{gp:.6e} * ((1 - v(x{k})) + v(x{k}) / (1 + {:.6e} / (1 + (v(out_p, out_n) / {:.6e})^2)))",
            m.tmr, m.tmr_half_voltage
        ));
    }
    s.push_str(&format!("Bout out_p out_n I = v(out_p, out_n) * ({})\n", g_terms.join(" + ")));
    s.push_str(&format!(".ends {name}\n"));
    Ok((name, s))
}

/// A transient testbench of the kinematic subcircuit: pulses (current A, shape) separated by
/// `gap`, from the switched fractions `initial` (default: the subcircuit's), the read current,
/// `wrdata` of v(out) and v(in) to `data_file`. Returns the netlist and the sampling time after
/// each pulse.
pub fn testbench(
    device: &Device,
    calibration_pulse: &PulseShape,
    pulses: &[(f64, PulseShape)],
    gap: f64,
    initial: Option<&[f64]>,
    data_file: &str,
) -> Result<(String, Vec<f64>), dwmtj_core::ConfigError> {
    let (name, sub) = subcircuit(device, calibration_pulse)?;
    Ok(testbench_for(&name, &sub, device, pulses, gap, initial, data_file))
}

/// The testbench of [`testbench`] around any subcircuit `name` (text `sub`) with the pins
/// in_p in_n out_p out_n and the parameters x0_k: the write current as a PWL source shaped as
/// dwmtj's pulses (FWHM, rise, fall), the read current into out, samples half a gap after each
/// pulse.
pub fn testbench_for(
    name: &str,
    sub: &str,
    device: &Device,
    pulses: &[(f64, PulseShape)],
    gap: f64,
    initial: Option<&[f64]>,
    data_file: &str,
) -> (String, Vec<f64>) {
    let mut pwl = vec!["0 0".to_string()];
    let mut samples = Vec::new();
    let mut t = gap;
    let mut min_edge = f64::INFINITY;
    for &(i, p) in pulses {
        let (rise, fall) = (0.1e-9f64.max(p.rise), 0.1e-9f64.max(p.fall));
        min_edge = min_edge.min(rise.min(fall));
        let plateau = (p.width - 0.5 * (rise + fall)).max(0.0);
        pwl.push(format!("{t:.6e} 0"));
        pwl.push(format!("{:.6e} {i:.6e}", t + rise));
        pwl.push(format!("{:.6e} {i:.6e}", t + rise + plateau));
        pwl.push(format!("{:.6e} 0", t + rise + plateau + fall));
        t += rise + plateau + fall;
        samples.push(t + 0.5 * gap);
        t += gap;
    }
    let mut s = format!("* dwmtj testbench for {name}\n{sub}");
    let params: String = initial
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(k, x)| format!(" x0_{k}={x}"))
        .collect();
    s.push_str(&format!("X1 in 0 out 0 {name}{params}\n"));
    s.push_str(&format!("Iin 0 in PWL({})\n", pwl.join(" ")));
    s.push_str(&format!("Iread 0 out DC {:.6e}\n", device.readout.current));
    s.push_str(&format!(".tran {:.3e} {:.6e} uic\n", min_edge.min(1e-9) / 8.0, t));
    s.push_str(".options noacct\n.control\nset filetype=ascii\nset wr_singlescale\nrun\n");
    s.push_str(&format!("wrdata {data_file} v(out) v(in)\n.endc\n.end\n"));
    (s, samples)
}

/// Verilog-A statements setting `vel` from the overdrive `od`: the flow law exactly, else the
/// piecewise-linear table.
fn va_velocity(law: &dwmtj_core::threshold::VelocityLaw, table: &[(f64, f64)]) -> String {
    match *law {
        dwmtj_core::threshold::VelocityLaw::Flow { mobility } => format!("    vel = (od > 0.0) ? {mobility:.9e} * od : 0.0;\n"),
        _ => {
            let mut s = String::from("    if (od <= 0.0) vel = 0.0;\n");
            for w in table.windows(2) {
                let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                s.push_str(&format!(
                    "    else if (od <= {x1:.9e}) vel = {y0:.9e} + {:.9e} * (od - {x0:.9e});\n",
                    (y1 - y0) / (x1 - x0)
                ));
            }
            s.push_str(&format!("    else vel = {:.9e};\n", table[table.len() - 1].1));
            s
        }
    }
}

/// The same model in Verilog-A (for Spectre, Xyce, or ngspice through OpenVAF/OSDI): module
/// NAME(in_p, in_n, out_p, out_n) with one internal node x_k per MTJ holding its switched
/// fraction (a 1 pF capacitance), and the velocity law as a piecewise-linear table. The header
/// lists operating points with the values dwmtj's own model gives there (`// dwmtj expects`),
/// so that any Verilog-A front end can check its evaluation.
pub fn verilog_a(device: &Device, pulse: &PulseShape) -> Result<(String, String), dwmtj_core::ConfigError> {
    let model = ThresholdModel::new(device, Some(*pulse))?;
    let name = spice_name(&device.name).replace("dwmtj_kin_", "dwmtj_va_");
    let p = device.switching.propagation_fraction;
    let n = device.mtjs.len();
    let r_wire = device.wire_resistance();
    let breakdown_j = if device.wire.breakdown_current_density.is_finite() {
        device.wire.breakdown_current_density
    } else {
        1e13
    };
    let od_max = 2.0 * breakdown_j;
    let table: Vec<(f64, f64)> = (0..64)
        .map(|k| {
            let x = od_max * f64::from(k) / 63.0;
            (x, model.law.velocity(x))
        })
        .collect();
    let vel = |od: f64| -> f64 {
        if od <= 0.0 {
            return 0.0;
        }
        match model.law {
            dwmtj_core::threshold::VelocityLaw::Flow { mobility } => mobility * od,
            _ => {
                let k = table.iter().position(|&(x, _)| x >= od).unwrap_or(63).max(1);
                let ((x0, y0), (x1, y1)) = (table[k - 1], table[k]);
                y0 + (y1 - y0) * ((od - x0) / (x1 - x0)).min(1.0)
            }
        }
    };
    let mut s = String::new();
    s.push_str(&format!(
        "// dwmtj export (verilog-a) of '{}': {n} MTJs, wire {r_wire:.1} Ohm; kinematic model, docs/physics.md 13\n",
        device.name
    ));
    // Operating points for front-end checks: the state rate and the read current.
    let per_amp: Vec<f64> = (0..n)
        .map(|k| device.hm_fraction() / (device.critical_width(k) * device.material.t_hm))
        .collect();
    for (k, &per_amp_k) in per_amp.iter().enumerate() {
        let jc = model.nominal[k].j_c_ap;
        if jc <= 0.0 {
            continue;
        }
        let i_c = jc / per_amp_k;
        for (scale, x) in [(0.5, 0.0), (1.2, 0.0), (0.8, 0.4), (1.5, 0.7)] {
            let i = scale * i_c;
            let j = per_amp_k * i;
            let moving = (j >= jc || x > 1e-9) && x < 1.0 - 1e-9;
            let rate = if moving { vel(j - p * jc) / device.crossing_length(k) } else { 0.0 };
            s.push_str(&format!(
                "// dwmtj expects rate mtj={k} V(in_p,in_n)={:.9e} V(x{k})={x} dxdt={rate:.9e}\n",
                i * r_wire
            ));
        }
        // Bipolar reset: negative currents carry the wall back toward P (x -> 0).
        let jcp = model.nominal[k].j_c_p;
        if device.switching.polarity == Polarity::Bipolar && jcp > 0.0 {
            let i_cp = jcp / per_amp_k;
            for (scale, x) in [(0.5, 1.0), (1.2, 1.0), (0.8, 0.6), (1.5, 0.3), (1.5, 0.0)] {
                let i = -scale * i_cp;
                let j = per_amp_k * i.abs();
                let moving = (j >= jcp || x < 1.0 - 1e-9) && x > 1e-9;
                let rate = if moving {
                    -vel(j - p * jcp) / device.crossing_length(k)
                } else {
                    0.0
                };
                s.push_str(&format!(
                    "// dwmtj expects rate mtj={k} V(in_p,in_n)={:.9e} V(x{k})={x} dxdt={rate:.9e}\n",
                    i * r_wire
                ));
            }
        }
    }
    for (v, x) in [(1e-3, 0.0), (0.2, 0.5), (0.5, 1.0)] {
        let g: f64 = device.mtjs.iter().map(|m| m.conductance(x, v)).sum();
        s.push_str(&format!("// dwmtj expects read V(out_p,out_n)={v} x={x} I={:.9e}\n", v * g));
    }
    s.push_str("`include \"disciplines.vams\"\n");
    s.push_str(&format!(
        "module {name}(in_p, in_n, out_p, out_n);\n  inout in_p, in_n, out_p, out_n;\n  electrical in_p, in_n, out_p, out_n"
    ));
    for k in 0..n {
        s.push_str(&format!(", x{k}"));
    }
    s.push_str(";\n");
    s.push_str(&format!("  parameter real r_wire = {r_wire:.9e};\n"));
    // Initial switched fraction of each footprint (the field-reset state by default): the DC
    // operating point, held by a 1 s leak (1 pS on the 1 pF state) that no transient notices.
    for k in 0..n {
        let x0 = if model.nominal[k].j_c_ap <= 0.0 { 1 } else { 0 };
        s.push_str(&format!("  parameter real x0_{k} = {x0} from [0:1];\n"));
    }
    s.push_str("  real i_w, j, od, vel, rate, g;\n  analog begin\n");
    s.push_str("    I(in_p, in_n) <+ V(in_p, in_n) / r_wire;\n    i_w = V(in_p, in_n) / r_wire;\n    g = 0.0;\n");
    for (k, m) in device.mtjs.iter().enumerate() {
        let jc = model.nominal[k].j_c_ap;
        let jc_pos = jc.max(0.0);
        s.push_str(&format!(
            "    // MTJ {}: J_c = {jc:.6e} A/m^2, crossing {:.3e} m\n",
            k + 1,
            device.crossing_length(k)
        ));
        s.push_str(&format!(
            "    j = {:.9e} * abs(i_w);\n    od = j - {:.9e};\n",
            per_amp[k],
            p * jc_pos
        ));
        s.push_str(&va_velocity(&model.law, &table));
        let toward_ap = match device.switching.polarity {
            Polarity::Symmetric => "1.0".to_string(),
            Polarity::Bipolar => "((i_w > 0.0) ? 1.0 : 0.0)".to_string(),
        };
        s.push_str(&format!(
            "    rate = ((j >= {jc_pos:.9e} || V(x{k}) > 1e-9) && V(x{k}) < 1.0 - 1e-9) ? {toward_ap} * vel / {:.9e} : 0.0;\n",
            device.crossing_length(k)
        ));
        if device.switching.polarity == Polarity::Bipolar {
            // Reset: a negative current moves the wall back toward P at AP -> P's threshold.
            let jcp_pos = model.nominal[k].j_c_p.max(0.0);
            s.push_str(&format!("    od = j - {:.9e};\n", p * jcp_pos));
            s.push_str(&va_velocity(&model.law, &table));
            s.push_str(&format!(
                "    if (i_w < 0.0 && (j >= {jcp_pos:.9e} || V(x{k}) < 1.0 - 1e-9) && V(x{k}) > 1e-9) rate = -vel / {:.9e};\n",
                device.crossing_length(k)
            ));
        }
        s.push_str(&format!(
            "    I(x{k}) <+ ddt(1e-12 * V(x{k})) - 1e-12 * rate + 1e-12 * (V(x{k}) - x0_{k});\n"
        ));
        s.push_str(&format!(
            "    g = g + {:.9e} * ((1.0 - V(x{k})) + V(x{k}) / (1.0 + {:.9e} / (1.0 + pow(V(out_p, out_n) / {:.9e}, 2))));\n",
            m.conductance_p(),
            m.tmr,
            m.tmr_half_voltage
        ));
    }
    s.push_str("    I(out_p, out_n) <+ V(out_p, out_n) * g;\n  end\nendmodule\n");
    Ok((name, s))
}
