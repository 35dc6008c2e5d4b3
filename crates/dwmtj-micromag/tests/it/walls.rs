//! Field- and SOT-driven walls against the 1D model of dwmtj-core: steady motion below the
//! Walker field, the precessional regime above it.

use dwmtj_core::material::{builtin, GAMMA};
use dwmtj_core::units::MU0;
use dwmtj_core::wall::{run_deterministic, Drive, RunOptions, WallModel};
use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, SolverParams};
use dwmtj_micromag::system::{DemagMode, Params, System};

fn strip_1d_model(p: &Params, width: f64) -> WallModel {
    let mut mat = builtin().into_iter().find(|m| m.name == "ta-cofeb-mgo").unwrap();
    mat.ms = p.ms;
    mat.a_ex = p.a_ex;
    mat.k_eff = p.ku - 0.5 * MU0 * p.ms * p.ms;
    mat.dmi = p.dmi;
    mat.alpha = p.alpha;
    mat.theta_sh = p.theta_sh;
    mat.t_fm = 1e-9;
    mat.fl_dl_ratio = 0.0;
    mat.polarization = 0.0;
    // Thin-film local demag has no Neel-Bloch shape anisotropy.
    mat.h_k = 0.0;
    WallModel::from_material(&mat, width, 1.0)
}

fn wall_run(p: &Params, j: f64, bz: f64, t_end: f64, periodic: bool) -> (f64, f64) {
    // A 768 x 8 nm strip in 2 nm cells (or a film, periodic in y), thin-film local demag, the
    // wall relaxed at 256 nm.
    let mut mesh = Mesh::rectangle(384, 4, 2e-9, 2e-9, 1e-9);
    if periodic {
        mesh = mesh.periodic_in_y();
    }
    let mut sys = System::new(
        mesh,
        Params {
            current_density: 0.0,
            b_ext: [0.0; 3],
            ..p.clone()
        },
    )
    .unwrap();
    let mut it = Integrator::new(sys.neel_wall(256e-9, 0.0), SolverParams::default());
    it.relax(&sys, 1e-5, 1e-9);
    let q0 = sys.wall_position(&it.m);
    sys = System::new(
        sys.mesh.clone(),
        Params {
            current_density: j,
            b_ext: [0.0, 0.0, bz],
            ..p.clone()
        },
    )
    .unwrap();
    let one = |_: f64| 1.0;
    it.t = 0.0;
    it.run_until(&sys, t_end, &one);
    let q1 = sys.wall_position(&it.m);
    // Velocity over the last 20 %.
    it.run_until(&sys, 1.2 * t_end, &one);
    let q2 = sys.wall_position(&it.m);
    (q1 - q0, (q2 - q1) / (0.2 * t_end))
}

#[test]
fn a_field_driven_wall_moves_at_the_1d_steady_velocity() {
    // Below Walker breakdown v = gamma Delta B_z / alpha (docs/physics.md 2.6), the same in the 1D
    // model; 2 mT against a DMI-stabilised Walker field of ~9 mT.
    let p = Params {
        demag: DemagMode::Local,
        alpha: 0.3,
        ..Params::default()
    };
    // A film (periodic in y) so that the wall stays straight, as the 1D model assumes; the
    // velocity over 2-2.4 ns, after the transient.
    let (_, v) = wall_run(&p, 0.0, 2e-3, 2e-9, true);
    let delta = (p.a_ex / (p.ku - 0.5 * MU0 * p.ms * p.ms)).sqrt();
    let v1d = GAMMA * delta * 2e-3 / p.alpha;
    // 2 nm cells for a 7.9 nm wall: discretisation slows it by ~1 %.
    assert!((v / v1d - 1.0).abs() < 0.02, "micromagnetic {v} vs 1D {v1d} m/s");
}

#[test]
fn an_sot_driven_wall_in_a_narrow_strip_matches_the_1d_model() {
    // The benchmark strip's material (docs/micromag.md 6) (Ms 1.1e6, A 1.5e-11, Ku 1e6, D 0.5e-3, alpha 0.1), theta_SH 0.1,
    // J = 1e11 A/m^2 along +x, thin-film local demag; the 1D model of dwmtj-core with the same
    // constants (H_K = 0 for local demag). The sign convention: sigma = +y with sot_sign = +1
    // drives the D > 0 up/down wall forward, as in docs/physics.md 2.3.
    let p = Params {
        demag: DemagMode::Local,
        ..Params::default()
    };
    let (dq, v) = wall_run(&p, 1e11, 0.0, 1e-9, false);
    eprintln!("SOT wall: {dq} m in 1 ns, {v} m/s");
    let model = strip_1d_model(&p, 8e-9);
    let drive = Drive::current(1e11, dwmtj_core::device::PulseShape::rectangular(1.2e-9));
    let out = run_deterministic(&model, &drive, 0.0, 0.0, &RunOptions::default());
    let v1d = out.final_velocity_m_per_s;
    eprintln!("1D: {} m/s, phi {}", v1d, out.phi_rad);
    assert!(v1d > 0.0 && dq > 0.0, "both move forward: {dq} m, 1D {v1d} m/s");
    assert!((v / v1d - 1.0).abs() < 0.10, "micromagnetic {v} vs 1D {v1d} m/s");
    // Reversing the current reverses the motion.
    let (dq_rev, _) = wall_run(&p, -1e11, 0.0, 0.3e-9, false);
    assert!(dq_rev < 0.0, "{dq_rev}");
}

/// Above the Walker field the wall precesses and its average velocity collapses below the
/// linear mobility. A film (periodic in y), local demag, alpha 0.3: the DMI-stabilised Walker
/// field is alpha (pi/2) D/(Ms Delta) = 27 mT; at 2 and 3 times it the displacement after 2 ns
/// matches the 1D model of dwmtj-core integrated from the same start (within 2 %; measured
/// 0.6 %), and it is less than half
/// of gamma Delta B t / alpha.
#[test]
fn above_the_walker_field_the_wall_follows_the_1d_precessional_regime() {
    let p = Params {
        demag: DemagMode::Local,
        alpha: 0.3,
        ..Params::default()
    };
    let delta = (p.a_ex / (p.ku - 0.5 * MU0 * p.ms * p.ms)).sqrt();
    let b_walker = p.alpha * std::f64::consts::FRAC_PI_2 * p.dmi / (p.ms * delta);
    assert!((b_walker - 0.027).abs() < 0.001, "{b_walker}");
    let model = strip_1d_model(&p, 8e-9);
    for factor in [2.0, 3.0] {
        let bz = factor * b_walker;
        let (dq, _) = wall_run(&p, 0.0, bz, 2e-9, true);
        let drive = Drive {
            hz: bz / MU0,
            ..Drive::current(0.0, dwmtj_core::device::PulseShape::rectangular(2e-9))
        };
        let d1 = run_deterministic(&model, &drive, 0.0, 0.0, &RunOptions::default()).displacement_m;
        let linear = GAMMA * delta * bz * 2e-9 / p.alpha;
        eprintln!("B = {bz:.4} T: micromagnetic {dq:e} m, 1D {d1:e} m, linear {linear:e} m");
        assert!((dq / d1 - 1.0).abs() < 0.02, "B = {bz} T: micromagnetic {dq:e} m vs 1D {d1:e} m");
        assert!(dq < 0.5 * linear, "B = {bz} T: {dq:e} m against the linear {linear:e} m");
    }
}

/// The benchmark strip (docs/micromag.md 6: 512 x 64 cells of 2 nm, full demag, D 0.5 mJ/m^2,
/// SOT 1e11 A/m^2) for 3 ns against the tilted (q, phi, chi) 1D model of the same strip with the
/// thin-film Neel-Bloch anisotropy K_D (the straight two-coordinate wall is faster): the velocity
/// over 2.5-3 ns within 5 %, the tilt within 2 degrees and the wall angle within 8 degrees.
#[test]
fn the_tilted_1d_wall_moves_at_the_micromagnetic_velocity_of_the_benchmark_strip() {
    use dwmtj_core::wall::run_tilted;
    let p = Params {
        current_density: 1e11,
        demag_f32: true,
        ..Params::default()
    };
    let sys = System::new(Mesh::rectangle(512, 64, 2e-9, 2e-9, 1e-9), p.clone()).unwrap();
    let mut it = Integrator::new(
        sys.neel_wall(512e-9, 0.0),
        SolverParams {
            rel_err: 1e-5,
            ..SolverParams::default()
        },
    );
    let one = |_: f64| 1.0;
    let q0 = sys.wall_position(&it.m);
    it.run_until(&sys, 2.5e-9, &one);
    let q1 = sys.wall_position(&it.m);
    it.run_until(&sys, 3e-9, &one);
    let q2 = sys.wall_position(&it.m);
    let shape = sys.wall_shape(&it.m).expect("a wall");
    let v_mm = (q2 - q1) / 0.5e-9;

    let mut model = strip_1d_model(&p, 128e-9);
    // Full demag: the thin-film Neel-Bloch anisotropy H_K = t ln2 / (pi Delta) Ms.
    let delta = model.delta;
    model.k_d = 0.5 * MU0 * p.ms * p.ms * 1e-9 * std::f64::consts::LN_2 / (std::f64::consts::PI * delta);
    let drive = Drive::current(1e11, dwmtj_core::device::PulseShape::rectangular(3e-9));
    let at = |t: f64, tilt: bool| {
        let o = RunOptions {
            t_end: t,
            ..RunOptions::default()
        };
        run_tilted(&model, &drive, 0.0, 0.0, 0.0, !tilt, &o)
    };
    let (a, b) = (at(2.5e-9, true), at(3e-9, true));
    let v_tilt = (b.displacement_m - a.displacement_m) / 0.5e-9;
    let (a0, b0) = (at(2.5e-9, false), at(3e-9, false));
    let v_straight = (b0.displacement_m - a0.displacement_m) / 0.5e-9;
    eprintln!(
        "benchmark strip, 3 ns: micromagnetic {:.2} nm, v {v_mm:.2} m/s, tilt {:.2} deg, phi {:.2} deg (curvature {:.2} nm rms); tilted 1D {:.2} nm, v {v_tilt:.2} m/s, tilt {:.2} deg, phi {:.2} deg; straight 1D {:.2} nm, v {v_straight:.2} m/s, phi {:.2} deg",
        (q2 - q0) * 1e9,
        shape.tilt_rad.to_degrees(),
        shape.phi_rad.to_degrees(),
        shape.straightness_rms * 1e9,
        b.displacement_m * 1e9,
        b.chi_rad.to_degrees(),
        b.phi_rad.to_degrees(),
        b0.displacement_m * 1e9,
        b0.phi_rad.to_degrees()
    );
    assert!((v_tilt / v_mm - 1.0).abs() < 0.05, "tilted 1D {v_tilt} vs micromagnetic {v_mm} m/s");
    assert!(
        (b.chi_rad - shape.tilt_rad).abs().to_degrees() < 2.0,
        "tilt: 1D {} vs micromagnetic {} deg",
        b.chi_rad.to_degrees(),
        shape.tilt_rad.to_degrees()
    );
    assert!(
        (b.phi_rad - shape.phi_rad).abs().to_degrees() < 8.0,
        "phi: 1D {} vs micromagnetic {} deg",
        b.phi_rad.to_degrees(),
        shape.phi_rad.to_degrees()
    );
}

/// Film pinning by a modulated anisotropy (`pinning_ku`, `pinning_period`): a wall started
/// between two wall-energy minima (K_u lowest at x = 0, 40, 80 nm) relaxes into the nearer one,
/// on either side of the maximum at 60 nm, and the energy falls on the way.
#[test]
fn a_wall_relaxes_into_the_nearest_minimum_of_a_modulated_anisotropy() {
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/micromag/pinned-program.toml")).unwrap();
    for (x0, minimum) in [(52e-9, 40e-9), (68e-9, 80e-9)] {
        let text = base
            .replace("x0 = \"40 nm\"", &format!("x0 = \"{} nm\"", x0 * 1e9))
            .replace("current_density = \"1.627e11 A/m^2\"", "current_density = \"0 A/m^2\"")
            .replace("alpha = 0.1", "alpha = 1.0")
            .replace("duration = \"15 ns\"", "duration = \"3 ns\"")
            .replace("relax = true\n", "")
            .replace("samples = 3", "samples = 30");
        // Without the stray field, so the pinning alone acts.
        let text = text.split("[[region]]").next().unwrap().to_string();
        let (_, spec) = dwmtj_micromag::config::parse(&text, "pinned.toml").unwrap();
        let out = dwmtj_micromag::run::run(&spec, &|_| {});
        let end = out.rows.last().unwrap();
        assert!(
            (end.wall_position - minimum).abs() < 2e-9,
            "from {x0:e}: ended at {:e}, minimum {minimum:e}",
            end.wall_position
        );
        let e: Vec<f64> = out.rows.iter().map(|r| r.energy.total()).collect();
        assert!(e.windows(2).all(|w| w[1] <= w[0] + 1e-6 * w[0].abs()), "energy rose: {e:?}");
    }
}
