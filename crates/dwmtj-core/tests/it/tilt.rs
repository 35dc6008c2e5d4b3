//! The tilted (q, phi, chi) wall model against the two-coordinate model, its energy without
//! drive and its analytic steady state (docs/physics.md 2.8).

use dwmtj_core::device::PulseShape;
use dwmtj_core::material::{builtin, Material, GAMMA};
use dwmtj_core::units::MU0;
use dwmtj_core::wall::{run_deterministic, run_tilted, tilted_energy, tilted_rhs, Drive, RunOptions, WallModel};

/// The micromagnetic benchmark strip's material (Ms 1.1e6 A/m, A 1.5e-11 J/m, K_u 1e6 J/m^3,
/// D 0.5 mJ/m^2, alpha 0.1, theta_SH 0.1, 1 nm), only the damping-like SOT and DMI, the thin-film
/// Neel-Bloch anisotropy; a 128 nm wide wire.
fn strip() -> (Material, WallModel) {
    let mut m = builtin().into_iter().find(|m| m.name == "ta-cofeb-mgo").unwrap();
    m.ms = 1.1e6;
    m.a_ex = 1.5e-11;
    m.k_eff = 1e6 - 0.5 * MU0 * m.ms * m.ms;
    m.dmi = 0.5e-3;
    m.alpha = 0.1;
    m.theta_sh = 0.1;
    m.t_fm = 1e-9;
    m.fl_dl_ratio = 0.0;
    m.polarization = 0.0;
    let model = WallModel::from_material(&m, 128e-9, 1.0);
    (m, model)
}

#[test]
fn with_the_tilt_held_at_zero_the_two_coordinate_model_is_recovered() {
    let (_, mut model) = strip();
    // Every force path: in-plane fields, field-like SOT, the Oersted field, a perpendicular field.
    model.fl_ratio = 0.4;
    model.oersted = true;
    let drive = Drive {
        hx: 2e3,
        hy: -1e3,
        hz: 500.0,
        ..Drive::current(1.5e11, PulseShape::new(3e-9, 0.3e-9, 0.3e-9).unwrap())
    };
    let opts = RunOptions {
        t_end: 4e-9,
        ..RunOptions::default()
    };
    let two = run_deterministic(&model, &drive, 0.0, 0.2, &opts);
    let three = run_tilted(&model, &drive, 0.0, 0.2, 0.0, true, &opts);
    assert!(three.completed);
    assert!(
        (three.displacement_m / two.displacement_m - 1.0).abs() < 1e-6,
        "{} vs {}",
        three.displacement_m,
        two.displacement_m
    );
    assert!((three.phi_rad - two.phi_rad).abs() < 1e-6, "{} vs {}", three.phi_rad, two.phi_rad);
    assert!(three.chi_rad.abs() < f64::MIN_POSITIVE, "{}", three.chi_rad);
}

#[test]
fn without_drive_the_tilted_wall_loses_energy_and_straightens() {
    let (_, model) = strip();
    let drive = Drive::current(0.0, PulseShape::rectangular(0.0));
    let opts = RunOptions {
        t_end: 20e-9,
        samples: 400,
        ..RunOptions::default()
    };
    let out = run_tilted(&model, &drive, 0.0, 1.0, 0.5, false, &opts);
    assert!(out.trajectory.len() > 50, "{}", out.trajectory.len());
    let e: Vec<f64> = out
        .trajectory
        .iter()
        .map(|&(_, q, p, c)| tilted_energy(&model, q, p, c, 0.0, 0.0, 0.0))
        .collect();
    for w in e.windows(2) {
        assert!(w[1] <= w[0] + 1e-12 * w[0].abs(), "energy rose: {} -> {}", w[0], w[1]);
    }
    assert!(e[e.len() - 1] < e[0]);
    // The Neel wall (phi = chi = 0 for Q D > 0) is the minimum.
    assert!(
        out.chi_rad.abs() < 1e-2 && out.phi_rad.abs() < 1e-2,
        "{} {}",
        out.chi_rad,
        out.phi_rad
    );
}

/// In steady motion phi-dot = chi-dot = 0 give v = (pi/2) gamma Delta H_SL cos(phi) / (alpha cos chi)
/// and sigma tan chi = Q pi D sin(phi - chi) - 2 K_D Delta sin 2(phi - chi) (the module docs'
/// equations with the rates set to zero).
#[test]
fn the_steady_tilted_wall_obeys_the_analytic_balance() {
    let (m, model) = strip();
    let j = 1e11;
    let drive = Drive::current(j, PulseShape::rectangular(30e-9));
    let opts = RunOptions {
        t_end: 30e-9,
        ..RunOptions::default()
    };
    let out = run_tilted(&model, &drive, 0.0, 0.0, 0.0, false, &opts);
    let (phi, chi) = (out.phi_rad, out.chi_rad);
    let rates = tilted_rhs(&model, 29e-9, &[0.0, phi, chi], &drive);
    assert!(rates[1].abs() < 1e2 && rates[2].abs() < 1e2, "not steady: {rates:?}");
    let h_sl = model.c_j_per_j * j / (MU0 * m.ms);
    let v = std::f64::consts::FRAC_PI_2 * GAMMA * MU0 * model.delta * h_sl * phi.cos() / (model.alpha * chi.cos());
    assert!(
        (out.final_velocity_m_per_s / v - 1.0).abs() < 1e-6,
        "{} vs {v}",
        out.final_velocity_m_per_s
    );
    let psi = phi - chi;
    let sigma = model.sigma0 + 2.0 * model.k_d * model.delta * psi.cos().powi(2) - std::f64::consts::PI * model.dmi * psi.cos();
    let lhs = sigma * chi.tan();
    let rhs = std::f64::consts::PI * model.dmi * psi.sin() - 2.0 * model.k_d * model.delta * (2.0 * psi).sin();
    assert!((lhs / rhs - 1.0).abs() < 1e-6, "{lhs} vs {rhs}");
    // The tilt is a few degrees and slows the wall against the straight one.
    let straight = run_deterministic(&model, &drive, 0.0, 0.0, &opts).final_velocity_m_per_s;
    eprintln!(
        "steady tilt {:.2} deg, phi {:.2} deg, v {:.2} m/s (straight {:.2} m/s)",
        chi.to_degrees(),
        phi.to_degrees(),
        out.final_velocity_m_per_s,
        straight
    );
    assert!(chi.to_degrees() > 1.0 && chi.to_degrees() < 20.0, "{}", chi.to_degrees());
    assert!(out.final_velocity_m_per_s < straight);
}
