//! The 1D (q, phi) wall model against the analytic results of docs/physics.md 2.5-2.6 and 3, the
//! energy identity of 2.3, and an independent integrator.

use crate::rel;
use dwmtj_core::device::PulseShape;
use dwmtj_core::integrate::rk4;
use dwmtj_core::material::{find_builtin, Material, GAMMA, GAMMA0, KB};
use dwmtj_core::stream::stream;
use dwmtj_core::units::MU0;
use dwmtj_core::wall::{run_deterministic, run_thermal, Drive, Pinning, RunOptions, WallModel};
use rayon::prelude::*;
use std::f64::consts::PI;

fn cofeb(dmi: f64, alpha: f64) -> Material {
    let mut m = find_builtin("ta-cofeb-mgo").unwrap();
    m.dmi = dmi;
    m.alpha = alpha;
    m.theta_sh = 0.12;
    m.fl_dl_ratio = 0.0;
    m.polarization = 0.0;
    m
}

fn drive(j: f64, pulse: f64) -> Drive {
    Drive {
        current_density: j,
        pulse: PulseShape::rectangular(pulse),
        hx: 0.0,
        hy: 0.0,
        hz: 0.0,
    }
}

fn steady_velocity(model: &WallModel, d: &Drive) -> f64 {
    let phi0 = model.equilibrium_phi(d.hx, d.hy);
    run_deterministic(model, d, 0.0, phi0, &RunOptions::default()).final_velocity_m_per_s
}

/// Steady state of (A), (B) with Q = +1 and no fields: phi solves
/// (pi/2) H_SL cos(phi) / alpha = (pi/2) H_D sin(phi) - (H_K/2) sin(2 phi); v from either.
fn analytic_sot_velocity(m: &Material, j: f64) -> f64 {
    let (hd, hk, hsl) = (m.h_d(), m.h_k(), m.chi_sl() * j);
    let g = |p: f64| PI / 2.0 * hsl * p.cos() / m.alpha - (PI / 2.0 * hd * p.sin() - hk / 2.0 * (2.0 * p).sin());
    let (mut a, mut b) = (0.0, PI / 2.0);
    for _ in 0..200 {
        let c = 0.5 * (a + b);
        if g(a).signum() == g(c).signum() {
            a = c;
        } else {
            b = c;
        }
    }
    let p = 0.5 * (a + b);
    GAMMA0 * m.wall_width() * PI / 2.0 * hsl * p.cos() / m.alpha
}

#[test]
fn sot_steady_velocity_matches_analytic() {
    // Strong DMI Neel wall, alpha 0.3 (tau_phi of a few ns): steady state within 40 ns.
    let m = cofeb(1.0e-3, 0.3);
    let model = WallModel::from_material(&m, 1e-6, 1.0);
    for j in [0.5e11, 1e11, 3e11] {
        let v = steady_velocity(&model, &drive(j, 40e-9));
        let want = analytic_sot_velocity(&m, j);
        assert!(rel(v, want) < 1e-4, "J {j:e}: {v} vs {want}");
    }
}

#[test]
fn dmi_saturation_velocity_and_jd_law() {
    // H_K -> 0: v = v_D / sqrt(1 + (J_D/J)^2), v_D = (pi/2) gamma D / Ms, J_D = alpha H_D / chi_SL.
    let mut m = cofeb(1.0e-3, 0.5);
    m.h_k = 1e-6;
    let model = WallModel::from_material(&m, 1e-6, 1.0);
    let v_d = PI / 2.0 * GAMMA * m.dmi / m.ms;
    assert!(rel(v_d, 251.5) < 2e-3, "v_D {v_d}");
    let j_d = m.alpha * m.h_d() / m.chi_sl();
    for j in [0.3 * j_d, j_d, 3.0 * j_d, 30.0 * j_d] {
        let v = steady_velocity(&model, &drive(j, 30e-9));
        let want = v_d / (1.0 + (j_d / j).powi(2)).sqrt();
        assert!(rel(v, want) < 1e-4, "J/J_D {}: {v} vs {want}", j / j_d);
    }
}

#[test]
fn field_driven_below_and_above_walker() {
    let m = cofeb(0.0, 0.1);
    let model = WallModel::from_material(&m, 1e-6, 1.0);
    let hw = m.alpha * m.h_k() / 2.0;
    let delta = m.wall_width();
    // Below Walker: v = gamma0 Delta H / alpha.
    let h = 0.5 * hw;
    let d = Drive { hz: h, ..drive(0.0, 0.0) };
    let opts = RunOptions {
        t_end: 50e-9,
        ..RunOptions::default()
    };
    let out = run_deterministic(&model, &d, 0.0, model.equilibrium_phi(0.0, 0.0), &opts);
    assert!(rel(out.final_velocity_m_per_s, GAMMA0 * delta * h / m.alpha) < 1e-6);
    // Above Walker: the time-averaged velocity over whole precession periods.
    for ratio in [1.5, 3.0, 10.0] {
        let h = ratio * hw;
        let d = Drive { hz: h, ..drive(0.0, 0.0) };
        let want = GAMMA0 * delta / (1.0 + m.alpha.powi(2)) * (m.alpha * h + (h - (h * h - hw * hw).sqrt()) / m.alpha);
        // Precession period T = 2 pi (1 + alpha^2) / (gamma0 sqrt(H^2 - H_W^2)); average the
        // displacement over many periods after the transient.
        let period = 2.0 * PI * (1.0 + m.alpha.powi(2)) / (GAMMA0 * (h * h - hw * hw).sqrt());
        let t0 = 20.0 * period;
        let t1 = t0 + 40.0 * period;
        let run = |t: f64| {
            run_deterministic(
                &model,
                &d,
                0.0,
                0.0,
                &RunOptions {
                    t_end: t,
                    ..RunOptions::default()
                },
            )
            .displacement_m
        };
        let v_avg = (run(t1) - run(t0)) / (t1 - t0);
        assert!(rel(v_avg, want) < 1e-3, "H/H_W {ratio}: {v_avg} vs {want}");
    }
}

#[test]
fn in_plane_field_crossing_checks_dmi_sign() {
    // H_x adds to H_D for Q = +1 and subtracts for Q = -1: the SOT-driven velocity of each wall
    // vanishes at H_x = -Q H_D (docs/physics.md 2.6).
    let mut m = cofeb(0.5e-3, 0.3);
    m.h_k = 1.0; // negligible shape anisotropy, so the wall follows the in-plane field
    let hd = m.h_d();
    for q in [1.0, -1.0] {
        let model = WallModel::from_material(&m, 1e-6, q);
        let free = steady_velocity(&model, &drive(1e11, 40e-9));
        // The velocity changes sign where H_x cancels the DMI field (Emori 2013, Torrejon 2014):
        // just on either side of H_x = -Q H_D the wall moves in opposite directions, and the side
        // where H_D + Q H_x > 0 moves the same way as at H_x = 0.
        let v_at = |hx: f64| steady_velocity(&model, &Drive { hx, ..drive(1e11, 40e-9) });
        let (below, above) = (v_at(-q * hd - 0.3 * hd), v_at(-q * hd + 0.3 * hd));
        assert!(below * above < 0.0, "Q {q}: v = {below} and {above} on either side of the crossing");
        let same_side_as_zero = if q > 0.0 { above } else { below };
        assert!(same_side_as_zero * free > 0.0, "Q {q}: {same_side_as_zero} vs {free}");
        // Positive D: the up/down wall rests at phi = 0, the down/up wall at pi.
        let phi = model.equilibrium_phi(0.0, 0.0);
        let want = if q > 0.0 { 0.0 } else { PI };
        assert!(((phi - want + PI).rem_euclid(2.0 * PI) - PI).abs() < 1e-6, "Q {q}: phi {phi}");
    }
}

#[test]
fn energy_decreases_without_drive() {
    let m = cofeb(0.3e-3, 0.05);
    let mut model = WallModel::from_material(&m, 200e-9, 1.0);
    model.pinning.push(Pinning::Periodic { h_dep: 5e3, period: 30e-9 });
    let d = drive(0.0, 0.0);
    let opts = RunOptions {
        t_end: 20e-9,
        samples: 400,
        ..RunOptions::default()
    };
    let out = run_deterministic(&model, &d, 7e-9, 1.2, &opts);
    let e: Vec<f64> = out.trajectory.iter().map(|&(_, q, p)| model.energy(q, p, 0.0, 0.0, 0.0)).collect();
    assert!(e.len() > 300);
    for w in e.windows(2) {
        assert!(w[1] <= w[0] + 1e-12 * w[0].abs(), "energy rose: {} -> {}", w[0], w[1]);
    }
    assert!(e[e.len() - 1] < e[0]);
}

#[test]
fn rk45_agrees_with_independent_rk4() {
    let m = cofeb(0.3e-3, 0.02);
    let model = WallModel::from_material(&m, 1e-6, 1.0);
    let d = Drive {
        hz: 300.0,
        hx: 500.0,
        ..drive(1e11, 8e-9)
    };
    let phi0 = model.equilibrium_phi(d.hx, 0.0);
    let a = run_deterministic(
        &model,
        &d,
        0.0,
        phi0,
        &RunOptions {
            rtol: 1e-10,
            atol: [1e-20, 1e-13],
            ..RunOptions::default()
        },
    );
    let b = rk4(|t, y| model.rhs(t, y, &d), 0.0, [0.0, phi0], 8e-9, 400_000);
    assert!(rel(a.displacement_m, b[0]) < 1e-7, "{} vs {}", a.displacement_m, b[0]);
    assert!((a.phi_rad - b[1]).abs() < 1e-7);
}

#[test]
fn ferrimagnet_reduces_to_ferromagnet_and_peaks_at_compensation() {
    // Equal sublattice g and a vanishing second sublattice gives the ferromagnet.
    let mut f = find_builtin("pt-cotb").unwrap();
    f.h_k = 1e-6;
    // The closed form has damping-like SOT and DMI only.
    f.polarization = 0.0;
    f.fl_dl_ratio = 0.0;
    let model = WallModel::from_material(&f, 1e-6, 1.0);
    let (sn, st) = (model.s_net, model.s_tot);
    assert!(sn > 0.0 && st > sn);
    // K_D = 0 steady state, docs/physics.md 3: v = (pi/2) / sqrt((s_net/D)^2 + (alpha s_tot/(Delta c_J))^2).
    let j = 1e11;
    let c_j = model.c_j_per_j * j;
    let want = PI / 2.0 / ((sn / f.dmi).powi(2) + (f.alpha * st / (model.delta * c_j)).powi(2)).sqrt();
    let v = steady_velocity(&model, &drive(j, 400e-9));
    assert!(rel(v, want) < 1e-4, "{v} vs {want}");
    // At angular-momentum compensation (s_net = 0) the velocity is linear in J (no saturation).
    let mut c = f.clone();
    c.ms_re = c.ms_tm * c.g_re / c.g_tm;
    let mc = WallModel::from_material(&c, 1e-6, 1.0);
    assert!(mc.s_net.abs() < 1e-12 * mc.s_tot);
    let v1 = steady_velocity(&mc, &drive(1e11, 200e-9));
    let v2 = steady_velocity(&mc, &drive(2e11, 200e-9));
    assert!(rel(v2, 2.0 * v1) < 1e-4 && rel(v1, PI / 2.0 * mc.delta * mc.c_j_per_j * 1e11 / (c.alpha * mc.s_tot)) < 1e-4);
    // docs/physics.md 3: at 1e11 A/m^2 both are mobility-limited (about 45 and 42 m/s); at high drive
    // the uncompensated wall saturates (DMI-limited) while the compensated one stays linear.
    assert!(rel(v, 45.0) < 0.01 && rel(v1, 42.0) < 0.01, "{v} {v1}");
    let hi_unc = steady_velocity(&model, &drive(2e12, 400e-9));
    let hi_comp = steady_velocity(&mc, &drive(2e12, 400e-9));
    assert!(rel(hi_comp, 20.0 * v1) < 1e-3 && hi_comp > 1.5 * hi_unc, "{hi_comp} vs {hi_unc}");
    // A ferromagnet written as a 'ferrimagnet' with s = Ms/gamma matches the plain model.
    let fm = cofeb(0.3e-3, 0.1);
    let plain = WallModel::from_material(&fm, 1e-6, 1.0);
    assert!(rel(plain.s_net, fm.ms / GAMMA) < 1e-15);
}

#[test]
fn equipartition_in_a_harmonic_trap() {
    // docs/physics.md 2.5: <q^2> = kT/k_q, and near a Neel minimum <dphi^2> = kT/kappa_phi with
    // kappa_phi = S (pi |D| - 4 K_D Delta). Heun, dt = 0.5 ps, alpha = 0.5, S = 100 nm x 1 nm.
    let m = cofeb(1.0e-3, 0.5);
    let mut model = WallModel::from_material(&m, 100e-9, 1.0);
    let k_q = 4.5e-3;
    model.pinning.push(Pinning::Harmonic { stiffness: k_q });
    model.temperature = 300.0;
    let d = drive(0.0, 0.0);
    let s = 100e-9 * m.t_fm;
    let kappa_phi = s * (PI * m.dmi - 4.0 * model.k_d * model.delta);
    assert!(kappa_phi > 0.0);
    let trials = 8;
    let sums: Vec<(f64, f64, usize)> = (0..trials)
        .into_par_iter()
        .map(|k| {
            let mut rng = stream(2024, k, 0);
            let opts = RunOptions {
                t_end: 60e-9,
                dt_thermal: 0.5e-12,
                samples: 6000,
                ..RunOptions::default()
            };
            let out = run_thermal(&model, &d, 0.0, 0.0, &opts, &mut rng);
            // Skip the first 5 ns.
            let pts: Vec<_> = out.trajectory.iter().filter(|p| p.0 > 5e-9).collect();
            (
                pts.iter().map(|p| p.1 * p.1).sum::<f64>(),
                pts.iter().map(|p| p.2 * p.2).sum::<f64>(),
                pts.len(),
            )
        })
        .collect();
    let n: usize = sums.iter().map(|s| s.2).sum();
    let q2 = sums.iter().map(|s| s.0).sum::<f64>() / n as f64;
    let p2 = sums.iter().map(|s| s.1).sum::<f64>() / n as f64;
    let kt = KB * 300.0;
    let rq = q2 / (kt / k_q);
    let rp = p2 / (kt / kappa_phi);
    // Statistical error about 5 % (docs/physics.md) for this sampling; allow 12 %.
    assert!((rq - 1.0).abs() < 0.12, "<q^2> ratio {rq}");
    assert!((rp - 1.0).abs() < 0.12, "<phi^2> ratio {rp}");
    let _ = MU0;
}

#[test]
fn monte_carlo_is_thread_count_independent_and_reduces_at_zero_temperature() {
    use dwmtj_core::wall::monte_carlo;
    let m = cofeb(0.3e-3, 0.05);
    let mut model = WallModel::from_material(&m, 200e-9, 1.0);
    model.temperature = 300.0;
    let d = drive(0.5e11, 4e-9);
    let opts = RunOptions {
        dt_thermal: 2e-12,
        ..RunOptions::default()
    };
    let run = |n: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
        pool.install(|| monte_carlo(&model, &d, 0.0, &opts, 12, 9, 50e-9))
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a, b);
    assert!(a.displacement_std_m > 0.0);
    // Zero temperature: every trial is the deterministic run.
    model.temperature = 0.0;
    let c = monte_carlo(&model, &d, 0.0, &opts, 4, 9, 50e-9);
    assert!(c.displacement_std_m.abs() < 1e-18);
}

#[test]
fn thermal_mean_tracks_deterministic_drift_with_heun() {
    // Additive noise with a drive: the thermal mean velocity far above threshold stays close to
    // the deterministic one (Heun at 1 ps against RK45).
    let m = cofeb(1.0e-3, 0.3);
    let mut model = WallModel::from_material(&m, 1e-6, 1.0);
    let d = drive(1e11, 10e-9);
    let det = run_deterministic(&model, &d, 0.0, 0.0, &RunOptions::default()).displacement_m;
    model.temperature = 300.0;
    let mc = dwmtj_core::wall::monte_carlo(&model, &d, 0.0, &RunOptions::default(), 64, 3, 0.0);
    // The mean of 64 trials has a standard error of std/8; allow 3 standard errors plus 0.2 %
    // for the O(dt^2) Heun bias.
    let tol = 3.0 * mc.displacement_std_m / 8.0 + 0.002 * det;
    assert!(
        (mc.displacement_mean_m - det).abs() < tol,
        "{} vs {det} (tol {tol})",
        mc.displacement_mean_m
    );
    // And the zero-temperature limit of the Heun path is the RK45 solution.
    model.temperature = 1e-9;
    let cold = dwmtj_core::wall::monte_carlo(&model, &d, 0.0, &RunOptions::default(), 2, 3, 0.0);
    assert!(rel(cold.displacement_mean_m, det) < 1e-6);
}

#[test]
fn edge_roughness_pins_a_slowly_driven_wall() {
    // docs/physics.md 2.4: the wall-averaged width w~(q) of rough edges gives a force
    // -sigma_w w~'/(2 w~) (and J ~ 1/w~) that traps walls at low drive in narrow wires.
    use dwmtj_core::geometry::WidthProfile;
    use dwmtj_core::roughness::{rough_width, Roughness};
    let m = cofeb(1.0e-3, 0.3);
    let smooth = WallModel::from_material(&m, 30e-9, 1.0);
    let mut rough = smooth.clone();
    let r = Roughness {
        rms: 2e-9,
        correlation: 20e-9,
        hurst: 0.7,
    };
    let base = WidthProfile::constant(4e-6, 30e-9);
    rough.set_width(rough_width(&base, &r, smooth.delta, 1e-9, &mut stream(5, 0, 0)), 30e-9);
    // Edge force ~ sigma_w (sigma_LER/xi) / (2 w) ~ 9e3 J/m^3 against a SOT force
    // (pi/2) c_J ~ 1.9e3 J/m^3 at 0.3e11 A/m^2; local maxima of the edge force are a few
    // times its rms, so depinning takes ~1e12 A/m^2 here (edge defects set the threshold in
    // sub-30 nm wires, Dutta et al. 2015).
    let slow = drive(0.3e11, 20e-9);
    // Position at 10 ns and at 20 ns of one 20 ns pulse: a trapped wall relaxes into the nearest
    // well (within about a correlation length) and then stays; a free wall keeps moving.
    let at = |model: &WallModel, t: f64| {
        run_deterministic(
            model,
            &slow,
            2e-6,
            0.0,
            &RunOptions {
                t_end: t,
                ..RunOptions::default()
            },
        )
        .displacement_m
    };
    let free = at(&smooth, 20e-9) - at(&smooth, 10e-9);
    let pinned = at(&rough, 20e-9) - at(&rough, 10e-9);
    assert!(free > 50e-9, "smooth wire moved {free} in the last 10 ns");
    assert!(pinned.abs() < 1e-9, "rough wire moved {pinned} in the last 10 ns");
    assert!(at(&rough, 20e-9).abs() < 2.0 * r.correlation);
    let opts = RunOptions {
        t_end: 10e-9,
        ..RunOptions::default()
    };
    // A strong drive depins it.
    let fast = drive(1.2e12, 10e-9);
    let moved = run_deterministic(&rough, &fast, 2e-6, 0.0, &opts).displacement_m;
    assert!(moved > 0.5 * run_deterministic(&smooth, &fast, 2e-6, 0.0, &opts).displacement_m);
}

/// Every model path of the lane integrator (bare DL + DMI, applied fields with shaped pulses,
/// STT + field-like torque + Oersted field, a tapered wire with pinning and a stray region):
/// a batch run of many drives returns, bit for bit, what each drive gives alone through the
/// one-lane path and through the scalar integrator that records the trajectory.
#[test]
fn batched_runs_match_single_runs_bit_for_bit() {
    use dwmtj_core::geometry::WidthProfile;
    use dwmtj_core::wall::{run_deterministic_many, StrayRegion};
    let bare = WallModel::from_material(&cofeb(0.3e-3, 0.02), 1e-6, 1.0);
    let mut torques = cofeb(0.5e-3, 0.1);
    torques.fl_dl_ratio = 0.3;
    torques.polarization = 0.5;
    torques.beta = 0.02;
    let mut torques = WallModel::from_material(&torques, 1e-6, -1.0);
    torques.oersted = true;
    let mut tapered = WallModel::from_material(&cofeb(0.3e-3, 0.05), 200e-9, 1.0);
    tapered.set_width(WidthProfile::linear(2e-6, 200e-9, 400e-9), 200e-9);
    tapered.pinning.push(Pinning::Periodic { h_dep: 2e3, period: 40e-9 });
    tapered.stray.push(StrayRegion {
        x0: 50e-9,
        x1: 150e-9,
        h: 3e3,
    });
    for (name, model) in [("bare", &bare), ("torques", &torques), ("tapered", &tapered)] {
        let runs: Vec<(Drive, f64, f64)> = (0..21)
            .map(|k| {
                let k = f64::from(k);
                let pulse = if (k as usize).is_multiple_of(3) {
                    PulseShape::rectangular(2e-9 + 0.3e-9 * k)
                } else {
                    PulseShape {
                        width: 3e-9,
                        rise: 0.2e-9 * k,
                        fall: 0.5e-9,
                    }
                };
                let (hx, hz) = if name == "bare" {
                    (0.0, 0.0)
                } else {
                    (800.0 * k, -300.0 + 40.0 * k)
                };
                let d = Drive {
                    current_density: 0.3e11 + 0.1e11 * k,
                    pulse,
                    hx,
                    hy: 0.0,
                    hz,
                };
                (d, 1e-9 * k, model.equilibrium_phi(hx, 0.0))
            })
            .collect();
        let opts = RunOptions {
            t_end: 6e-9,
            ..RunOptions::default()
        };
        let batch = run_deterministic_many(model, &runs, &opts);
        for (k, (d, q0, phi0)) in runs.iter().enumerate() {
            let one = run_deterministic(model, d, *q0, *phi0, &opts);
            let recorded = run_deterministic(model, d, *q0, *phi0, &RunOptions { samples: 5, ..opts });
            assert!(one.completed && one.displacement_m.abs() > 1e-9, "{name} {k}: {one:?}");
            for other in [&one, &recorded] {
                assert_eq!(
                    (batch[k].displacement_m.to_bits(), batch[k].phi_rad.to_bits(), batch[k].rhs_evals),
                    (other.displacement_m.to_bits(), other.phi_rad.to_bits(), other.rhs_evals),
                    "{name} run {k}"
                );
            }
        }
    }
}
