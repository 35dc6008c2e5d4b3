//! Physics against hand calculations, analytic limits and the literature numbers of docs/physics.md.

use crate::{device_from, rel, MINIMAL};
use dwmtj_core::device::PulseShape;
use dwmtj_core::material::{find_builtin, GAMMA0, KB};
use dwmtj_core::threshold::ThresholdModel;
use dwmtj_core::units::MU0;
use std::f64::consts::PI;

#[test]
fn cofeb_derived_quantities_match_physics_md() {
    // docs/physics.md 9.1: Delta 7.07 nm, mu0 H_K 43.1 mT, D_c 0.214 mJ/m^2, mu0 H_SL 3.59 mT per
    // 1e11 A/m^2 (theta 0.12); section 4: f_Ta 0.808 and R_sq 307 Ohm.
    let m = find_builtin("ta-cofeb-mgo").unwrap();
    assert!(rel(m.wall_width(), 7.07e-9) < 1e-3);
    assert!(rel(m.h_k() * MU0, 43.1e-3) < 2e-3, "{}", m.h_k() * MU0);
    assert!(rel(m.d_c(), 0.214e-3) < 3e-3, "{}", m.d_c());
    assert!(rel(m.chi_sl().abs() * 1e11 * MU0, 3.59e-3) < 2e-3);
    assert!(rel(m.hm_current_fraction(), 0.808) < 1e-3);
    assert!(rel(m.sheet_resistance(), 307.0) < 1e-3);
    // Weak DMI: intermediate wall with cos phi_eq = pi H_D / (2 H_K).
    let c = PI * m.h_d() / (2.0 * m.h_k());
    assert!((m.cos_phi_eq() - c).abs() < 1e-12 && c < 1.0);
}

#[test]
fn neel_wall_above_dc() {
    let m = find_builtin("pt-co").unwrap();
    assert!(m.dmi > m.d_c());
    assert!((m.cos_phi_eq() - 1.0).abs() < 1e-15);
    // D_c = 4 K_D Delta / pi with K_D = mu0 H_K Ms / 2 (docs/physics.md 2.2).
    let kd = MU0 * m.h_k() * m.ms / 2.0;
    assert!(rel(m.d_c(), 4.0 * kd * m.wall_width() / PI) < 1e-12);
}

#[test]
fn walker_field_limits() {
    // No DMI: H_W = alpha H_K / 2 (Schryer-Walker).
    let mut m = find_builtin("ta-cofeb-mgo").unwrap();
    m.dmi = 0.0;
    assert!(rel(m.walker_field(), m.alpha * m.h_k() / 2.0) < 1e-12);
    // Strong DMI: H_W -> (pi/2) alpha H_D.
    m.dmi = 5e-3;
    assert!(rel(m.walker_field(), PI / 2.0 * m.alpha * m.h_d()) < 0.02);
    // Analytic maximum agrees with a dense grid for an intermediate case.
    m.dmi = 0.1e-3;
    let (a, b) = (PI / 2.0 * m.h_d(), m.h_k() / 2.0);
    let grid = (0..=200_000)
        .map(|k| PI * f64::from(k) / 200_000.0)
        .map(|p| a * p.sin() - b * (2.0 * p).sin())
        .fold(0.0, f64::max);
    assert!(rel(m.walker_field(), m.alpha * grid) < 1e-8);
}

#[test]
fn field_driven_velocity_steady_states() {
    let mut m = find_builtin("ta-cofeb-mgo").unwrap();
    m.dmi = 0.0;
    let hw = m.walker_field();
    // Below Walker: v = gamma0 Delta H / alpha (linear mobility).
    let h = 0.5 * hw;
    assert!(rel(m.field_driven_velocity(h), GAMMA0 * m.wall_width() * h / m.alpha) < 1e-12);
    // Continuous at H_W; above it the average velocity first drops (Walker breakdown).
    let below = m.field_driven_velocity(hw * (1.0 - 1e-9));
    let above = m.field_driven_velocity(hw * (1.0 + 1e-9));
    assert!(rel(above, below) < 1e-3);
    assert!(m.field_driven_velocity(1.5 * hw) < below);
    // Far above: <v> -> gamma0 Delta H alpha/(1+alpha^2) (precessional mobility).
    let h = 1e4 * hw;
    let want = GAMMA0 * m.wall_width() * h * m.alpha / (1.0 + m.alpha * m.alpha);
    assert!(rel(m.field_driven_velocity(h), want) < 1e-3);
    // Odd in H.
    assert!((m.field_driven_velocity(-h) + m.field_driven_velocity(h)).abs() < 1e-9);
}

#[test]
fn taper_force_matches_physics_md_example() {
    // docs/physics.md 2.4: sigma_w = 8.5e-3 J/m^2, w' = 0.077, w = 1 um gives H_geo ~ 235 A/m
    // (with Ms = 1.1e6 A/m).
    let h = 8.5e-3 * 0.077 / (2.0 * MU0 * 1.1e6 * 1e-6);
    assert!((h - 235.0).abs() < 2.0, "{h}");
    let text = MINIMAL
        .replace(
            "model = \"calibrated\"\nj_th = \"0.7e11 A/m^2\"\nat_pulse_width = \"20 ns\"",
            "model = \"material\"",
        )
        .replace(
            "width = { kind = \"constant\", value = \"1 um\" }",
            "width = { kind = \"linear\", start = \"0.923 um\", end = \"1.077 um\" }",
        );
    let (d, _) = device_from(&text);
    let m = &d.material;
    let want = m.wall_energy() * 0.077 / (2.0 * MU0 * m.ms * 1e-6);
    assert!(rel(d.taper_field(1e-6), want) < 1e-9);
}

#[test]
fn threshold_is_linear_in_bias_with_the_sot_slope() {
    // J_c(H) = (F_c - H_assist)/eps: dJ_c/dH_z = -(AP direction)/eps.
    let text = MINIMAL.replace("[[mtj]]", "[bias]\nhz = \"-100 Oe\"\n\n[[mtj]]");
    let (d1, _) = device_from(&text);
    let text2 = MINIMAL
        .replace("[[mtj]]", "[bias]\nhz = \"-150 Oe\"\n\n[[mtj]]")
        .replace("model = \"calibrated\"", "model = \"calibrated\"\nat_bias = \"-100 Oe\"");
    let (d2, _) = device_from(&text2);
    let m1 = ThresholdModel::new(&d1, None).unwrap();
    let m2 = ThresholdModel::new(&d2, None).unwrap();
    let dh = -50.0 * 1000.0 / (4.0 * PI); // -50 Oe in A/m, along -z = the AP direction (reference up)
    let slope = (m2.nominal[0].j_c_ap - m1.nominal[0].j_c_ap) / dh;
    assert!(rel(slope, 1.0 / d1.switching.efficiency) < 1e-9, "{slope}");
    // A larger assisting field lowers the threshold; the reverse write sees the opposite.
    assert!(m2.nominal[0].j_c_ap < m1.nominal[0].j_c_ap);
    assert!(m2.nominal[0].j_c_p > m1.nominal[0].j_c_p);
}

#[test]
fn calibrated_threshold_is_the_fifty_percent_point() {
    let (d, _) = device_from(MINIMAL);
    let model = ThresholdModel::new(&d, None).unwrap();
    let pulse = PulseShape::rectangular(20e-9);
    let i_th = d.current_for_density(0, 0.7e11);
    let p = model.switching_probability(0, i_th, &pulse);
    assert!((p - 0.5).abs() < 1e-6, "{p}");
    assert!(model.switching_probability(0, 0.9 * i_th, &pulse) < 0.5);
    assert!(model.switching_probability(0, 1.1 * i_th, &pulse) > 0.99);
}

#[test]
fn thermal_switching_matches_arrhenius_closed_form() {
    // With instant crossing (huge mobility, no propagation threshold) and a rectangular pulse,
    // P = 1 - exp(-(tau/tau0) exp(-E0 (1 - J/J_c)^n / kT)), docs/physics.md 5.2.
    let text = MINIMAL.replace(
        "flow_velocity = \"100 m/s\"",
        "flow_velocity = \"1e6 m/s\"\npropagation_fraction = 0",
    );
    let (d, _) = device_from(&text);
    let model = ThresholdModel::new(&d, None).unwrap();
    let s = &d.switching;
    let j_c = model.nominal[0].j_c_ap;
    let pulse = PulseShape::rectangular(20e-9);
    for frac in [0.9, 0.95, 0.98] {
        let j = frac * j_c;
        let eb = s.barrier_energy * (1.0 - frac).powf(s.barrier_exponent);
        let want = 1.0 - (-(20e-9 / s.attempt_time) * (-eb / (KB * s.temperature)).exp()).exp();
        let got = model.switching_probability(0, d.current_for_density(0, j), &pulse);
        assert!((got - want).abs() < 2e-3, "J/J_c {frac}: got {got}, want {want}");
    }
    // And the 50 % point obeys F_50 = F_c [1 - ((kT/E0) ln(tau/(tau0 ln2)))^(1/n)].
    let x = ((KB * s.temperature / s.barrier_energy) * (20e-9 / (s.attempt_time * 2f64.ln())).ln()).powf(1.0 / s.barrier_exponent);
    assert!(rel(j_c * (1.0 - x), 0.7e11) < 2e-3, "{} vs 0.7e11", j_c * (1.0 - x));
}

#[test]
fn zero_temperature_is_a_sharp_threshold() {
    let text = MINIMAL.replace("flow_velocity", "temperature = \"0 K\"\nflow_velocity");
    let (d, _) = device_from(&text);
    let model = ThresholdModel::new(&d, None).unwrap();
    let pulse = PulseShape::rectangular(20e-9);
    let i = d.current_for_density(0, 0.7e11);
    assert!(model.switching_probability(0, i * 0.999, &pulse) < 1e-12);
    assert!((model.switching_probability(0, i * 1.001, &pulse) - 1.0).abs() < 1e-12);
}

#[test]
fn pulse_energy_integrals() {
    let p = PulseShape {
        width: 8e-9,
        rise: 1e-9,
        fall: 2e-9,
    };
    // integral s^2 dt by dense quadrature against the closed form width - (rise + fall)/6.
    let n = 200_000;
    let dt = p.duration() / f64::from(n);
    let num: f64 = (0..n).map(|k| p.shape((f64::from(k) + 0.5) * dt).powi(2) * dt).sum();
    assert!(rel(num, p.energy_duration()) < 1e-6);
    // FWHM: s = 1/2 at t = rise/2 and at duration - fall/2, 8 ns apart.
    assert!((p.shape(0.5e-9) - 0.5).abs() < 1e-12 && (p.shape(p.duration() - 1e-9) - 0.5).abs() < 1e-12);
}

#[test]
fn breakdown_current_and_current_density() {
    let (d, _) = device_from(&MINIMAL.replace("length = \"2 um\"", "length = \"2 um\"\nbreakdown_current_density = \"2e11 A/m^2\""));
    // I_bd = J_bd w t_HM / f_HM = 2e11 * 1e-6 * 5e-9 / 0.808.
    assert!(rel(d.breakdown_current(), 2e11 * 1e-6 * 5e-9 / d.hm_fraction()) < 1e-12);
    assert!(rel(d.hm_current_density(1e-6, 1e-3), d.hm_fraction() * 1e-3 / (1e-6 * 5e-9)) < 1e-12);
}

#[test]
fn read_network_adds_the_wire_path_and_dilutes_the_tmr() {
    // docs/physics.md 6: with MTJs of 250 Ohm on a kOhm wire, the read path through the wire
    // dominates; the network readout is larger than the ideal parallel one and its relative
    // contrast between all-P and all-AP is smaller.
    let text = include_str!("../../../../configs/fig3f.toml");
    let (ideal, _) = device_from(text);
    let (net, _) = device_from(&text.replace("[readout]\ncurrent = \"100 nA\"", "[readout]\nnetwork = true\ncurrent = \"100 nA\""));
    assert!(net.readout.network);
    let n = ideal.mtjs.len();
    let (p_i, ap_i) = (ideal.read(&vec![0.0; n]).resistance, ideal.read(&vec![1.0; n]).resistance);
    let (p_n, ap_n) = (net.read(&vec![0.0; n]).resistance, net.read(&vec![1.0; n]).resistance);
    assert!(p_n > p_i && ap_n > ap_i);
    // The read current leaves through the segment to the first MTJ at least.
    let first = net.sheet_resistance() * net.wire.profile.squares_between(0.0, net.mtjs[0].position);
    assert!(p_n > first);
    assert!((ap_n - p_n) / p_n < (ap_i - p_i) / p_i);
}

#[test]
fn presets_start_each_sweep_in_ap_and_stt_resets_cost_j2_a_ra_tau() {
    // Fig. 3f with MTJs 8 and 9 (beyond breakdown) preset to AP: every sweep starts with two
    // switched MTJs and ends with nine. A field reset costs only the two preset writes per
    // sweep, (J A)^2 (RA/A) tau each; an STT reset also rewrites every AP MTJ to P.
    let text = dwmtj_core::builtin::FIG3F_TOML.replace("reset = \"each-sweep\"", "reset = \"each-sweep\"\npreset_ap = [8, 9]");
    let (_, device, program) = dwmtj_core::config::parse_device(&text, "t", None).unwrap();
    let mut program = program.unwrap();
    program.cycles = 2;
    let sim = dwmtj_core::simulate::simulate(&device, &program, &|_| {}).unwrap();
    for label in ["positive", "negative"] {
        let pts: Vec<_> = sim.sweep_points(label).collect();
        assert!((pts[0].switched_mean - 2.0).abs() < 1e-12, "{label}: {}", pts[0].switched_mean);
        assert!((pts.last().unwrap().switched_mean - 9.0).abs() < 1e-12);
    }
    let one = 3e10f64.powi(2) * device.mtjs[0].area() * device.mtjs[0].ra * 10e-9;
    // Two sweeps per cycle, two presets each.
    assert!(
        (sim.reset_energy_per_cycle_j - 4.0 * one).abs() < 1e-9 * one,
        "{}",
        sim.reset_energy_per_cycle_j
    );
    program.reset_by = dwmtj_core::device::ResetMethod::Stt;
    let stt = dwmtj_core::simulate::simulate(&device, &program, &|_| {}).unwrap();
    // Before the second sweep all nine are AP: the seven not preset are written back to P, the
    // presets are already AP; the first sweep writes the two presets.
    assert!(
        (stt.reset_energy_per_cycle_j - 9.0 * one).abs() < 1e-9 * one,
        "{}",
        stt.reset_energy_per_cycle_j
    );
    // A preset number outside the device is refused with the field named.
    let bad = dwmtj_core::builtin::FIG3F_TOML.replace("reset = \"each-sweep\"", "reset = \"each-sweep\"\npreset_ap = [10]");
    let e = dwmtj_core::config::parse_device(&bad, "t", None).unwrap_err().to_string();
    assert!(e.contains("program.preset_ap[0]") && e.contains("1 to 9"), "{e}");
}

/// The threshold model's default velocity law is the 1D model's steady SOT-driven velocity
/// (docs/physics.md 2.6): its table agrees with the law (`sot_driven_velocity`) within 1e-3 and
/// with a 1D (q, phi) run without pinning (steady state after 30 ns) within 1 %, for a Neel wall
/// (Pt/Co) and an intermediate one (Ta/CoFeB, D = 0.05 mJ/m^2), from the linear regime to
/// saturation (the law has the damping-like torque only: the run's field-like torque and STT are
/// off); and it does not break down where the field-driven law of the equivalent field does.
#[test]
fn the_default_velocity_law_is_the_steady_sot_driven_1d_wall() {
    use dwmtj_core::threshold::VelocityLaw;
    use dwmtj_core::wall::{run_deterministic, Drive, RunOptions, WallModel};
    for material in ["pt-co", "ta-cofeb-mgo"] {
        let text = MINIMAL
            .replace("version = 1\n", &format!("version = 1\nmaterial = \"{material}\"\n"))
            .replace("flow_velocity = \"100 m/s\"\nflow_overdrive = \"1e11 A/m^2\"\n", "");
        let (device, _) = device_from(&text);
        let law = VelocityLaw::for_device(&device);
        let m = &device.material;
        let mut wall = WallModel::from_material(m, 1e-6, 1.0);
        wall.pinning.clear();
        // The law is the damping-like torque's: no field-like torque, no STT.
        wall.fl_ratio = 0.0;
        wall.b_j_per_j = 0.0;
        let phi0 = wall.equilibrium_phi(0.0, 0.0);
        let sign = (m.theta_sh * phi0.cos()).signum();
        let (mut last, mut saturating) = (0.0, false);
        for j in [0.05e11, 0.2e11, 1e11, 3e11, 1e12, 4e12] {
            let v = law.velocity(j);
            let exact = m.sot_driven_velocity(j);
            assert!(rel(v, exact) < 1e-3, "{material} at {j:e}: table {v} vs law {exact}");
            let pulse = PulseShape::new(400e-9, 0.0, 0.0).unwrap();
            let opts = RunOptions {
                t_end: 300e-9,
                ..RunOptions::default()
            };
            let run = run_deterministic(&wall, &Drive::current(sign * j, pulse), 0.0, phi0, &opts);
            let v_1d = run.final_velocity_m_per_s.abs();
            assert!(rel(v, v_1d) < 0.01, "{material} at {j:e}: law {v} vs 1D {v_1d} m/s");
            assert!(v > last, "{material}: not increasing at {j:e}");
            let field_law = m.field_driven_velocity(device.switching.efficiency * j);
            saturating |= field_law < 0.8 * v;
            last = v;
        }
        // Saturation at the DMI velocity, where the equivalent-field law has broken down.
        let v_d = PI / 2.0 * GAMMA0 * m.wall_width() * m.h_d().abs();
        assert!(last < v_d && last > 0.8 * v_d, "{material}: {last} vs v_D {v_d}");
        assert!(saturating, "{material}: the field-driven law never fell below the SOT law");
    }
}
