//! Energy conservation: without drive a damped run only lowers the energy, with and without
//! regions.

use super::{assert_energy_falls, norm_error};
use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::system::{Params, System};

#[test]
fn without_drive_the_energy_falls_and_m_stays_unit() {
    // A 64 x 16 strip, 4 nm cells, full demag, a canted wall as the start: every accepted
    // step must lower the total energy (exact gradient flow without DMI boundary terms).
    let mesh = Mesh::rectangle(64, 16, 4e-9, 4e-9, 1e-9);
    let params = Params {
        dmi: 0.0,
        alpha: 0.5,
        ..Params::default()
    };
    let sys = System::new(mesh, params).unwrap();
    let mut m = sys.neel_wall(128e-9, 0.7);
    for k in 0..m[0].len() {
        m[1][k] += 0.2 * ((k as f64) * 0.37).sin();
        let r = (m[0][k] * m[0][k] + m[1][k] * m[1][k] + m[2][k] * m[2][k]).sqrt();
        (0..3).for_each(|a| m[a][k] /= r);
    }
    let it = assert_energy_falls(&sys, m, 200);
    assert!(norm_error(&it.m, &sys.mesh.mask) < 1e-12);
    assert!(it.t > 1e-12);
}

/// Regions of other Ms, A, Ku, D and alpha, and a stray field: the field stays the gradient of
/// the energy (harmonic-mean exchange and pair DMI across region borders), so a damped run
/// without drive only lowers it; the stray field's Zeeman energy is -V Ms m.b over its region.
#[test]
fn with_regions_the_energy_falls_without_drive() {
    use dwmtj_micromag::system::{Region, Shape};
    let mesh = Mesh::rectangle(50, 12, 4e-9, 4e-9, 1e-9);
    let p = Params {
        alpha: 0.5,
        ..Params::default()
    };
    let mut notch = Region::new(
        "notch",
        Shape::Rect {
            x0: 60e-9,
            x1: 90e-9,
            y0: -30e-9,
            y1: 30e-9,
        },
    );
    (notch.ku, notch.a_ex, notch.dmi, notch.ms, notch.alpha) = (Some(0.8e6), Some(1.0e-11), Some(0.2e-3), Some(0.9e6), Some(0.3));
    let mut mtj = Region::new(
        "mtj",
        Shape::Ellipse {
            cx: 150e-9,
            cy: 0.0,
            rx: 20e-9,
            ry: 15e-9,
        },
    );
    mtj.b_stray = [0.0, 0.0, -0.05];
    let sys = System::with_regions(mesh, p, vec![notch, mtj]).unwrap();
    assert!(sys.region_cells[0].len() > 50 && sys.region_cells[1].len() > 20);
    let mut m = sys.neel_wall(100e-9, 0.4);
    for k in 0..m[0].len() {
        m[1][k] += 0.3 * ((k as f64) * 0.61).sin();
        let r = (m[0][k] * m[0][k] + m[1][k] * m[1][k] + m[2][k] * m[2][k]).sqrt();
        (0..3).for_each(|a| m[a][k] /= r);
    }
    assert_energy_falls(&sys, m, 150);
    let up = sys.uniform([0.0, 0.0, 1.0]);
    let z = sys.energies(&up).zeeman;
    let want = sys.mesh.cell_volume() * sys.params.ms * 0.05 * sys.region_cells[1].len() as f64;
    assert!((z - want).abs() < 1e-12 * want, "{z} {want}");
}
