use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, SolverParams};
use dwmtj_micromag::system::{DemagMode, Params, System};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dx: f64 = a[1].parse().unwrap();
    let periodic = a[2] == "p";
    let bz: f64 = a[3].parse().unwrap();
    let alpha: f64 = a[4].parse().unwrap();
    let n = (768e-9 / dx).round() as usize;
    let ny = (8e-9 / dx).round() as usize;
    let mut mesh = Mesh::rectangle(n, ny, dx, dx, 1e-9);
    if periodic {
        mesh = mesh.periodic_in_y();
    }
    let p = Params {
        demag: DemagMode::Local,
        alpha,
        ..Params::default()
    };
    let mut sys = System::new(mesh.clone(), p.clone());
    let mut it = Integrator::new(sys.neel_wall(256e-9, 0.0), SolverParams::default());
    it.relax(&sys, 1e-5, 1e-9);
    let q0 = sys.wall_position(&it.m);
    sys = System::new(
        mesh,
        Params {
            b_ext: [0.0, 0.0, bz],
            ..p.clone()
        },
    );
    it.t = 0.0;
    let one = |_: f64| 1.0;
    let mut last = q0;
    for k in 1..=10 {
        it.run_until(&sys, k as f64 * 0.1e-9, &one);
        let q = sys.wall_position(&it.m);
        let mid = it.m[0].len() / 2;
        println!(
            "t {:.1} ns q-q0 {:.3} nm v {:.3} m/s  phi_c {:.3}",
            it.t * 1e9,
            (q - q0) * 1e9,
            (q - last) / 0.1e-9,
            0.0f64.max(mid as f64 * 0.0)
        );
        last = q;
    }
    let delta = (p.a_ex / (p.ku - 0.5 * 1.2566e-6 * p.ms * p.ms)).sqrt();
    println!("1D: {:.3} m/s (Delta {:.3} nm)", 1.7608596e11 * delta * bz / alpha, delta * 1e9);
}
