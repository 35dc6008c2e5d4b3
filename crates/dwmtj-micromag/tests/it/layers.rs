//! Several layers through the thickness: the thin limit and the energy.

use super::{assert_energy_falls, norm_error};
use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, SolverParams};
use dwmtj_micromag::system::{Params, System};

/// The thin limit: a 1 nm strip as 2 layers of 0.5 nm moves under SOT like the single layer
/// (2 nm cells, full demag; the layered run adds interlayer exchange and the 3D kernel), and a
/// damped layered run without drive only lowers the energy.
#[test]
fn a_layered_thin_strip_matches_the_single_layer() {
    let run = |layers: usize| {
        let mut mesh = Mesh::rectangle(128, 16, 2e-9, 2e-9, 1e-9);
        if layers > 1 {
            mesh = mesh.layered(layers);
        }
        let sys = System::new(
            mesh,
            Params {
                current_density: 1e11,
                ..Params::default()
            },
        )
        .unwrap();
        let m0 = sys.neel_wall(128e-9, 0.0);
        let q0 = sys.wall_position(&m0);
        let mut it = Integrator::new(m0, SolverParams::default());
        it.run_until(&sys, 0.1e-9, &|_: f64| 1.0);
        sys.wall_position(&it.m) - q0
    };
    let (one, two) = (run(1), run(2));
    eprintln!("SOT wall in 0.1 ns: 1 layer {one:e} m, 2 layers {two:e} m");
    assert!(
        one > 0.1e-9 && (two / one - 1.0).abs() < 0.02,
        "1 layer {one:e} m, 2 layers {two:e} m"
    );
    let sys = System::new(
        Mesh::rectangle(40, 10, 4e-9, 4e-9, 3e-9).layered(3),
        Params {
            dmi: 0.0,
            alpha: 0.5,
            ..Params::default()
        },
    )
    .unwrap();
    let mut m = sys.neel_wall(80e-9, 0.5);
    for k in 0..m[0].len() {
        m[1][k] += 0.2 * ((k as f64) * 0.37).sin();
        let r = (m[0][k] * m[0][k] + m[1][k] * m[1][k] + m[2][k] * m[2][k]).sqrt();
        (0..3).for_each(|a| m[a][k] /= r);
    }
    let it = assert_energy_falls(&sys, m, 100);
    assert!(norm_error(&it.m, &sys.mesh.mask) < 1e-12);
}
