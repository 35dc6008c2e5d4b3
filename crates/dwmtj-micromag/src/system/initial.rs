//! Initial states: uniform, a skyrmion, a Neel wall.

use super::{zeros, DemagMode, Field3, System};
use dwmtj_core::units::MU0;

impl System {
    /// A uniform state.
    pub fn uniform(&self, dir: [f64; 3]) -> Field3 {
        let r = (dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]).sqrt();
        let mut m = zeros(self.mesh.cells());
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                for a in 0..3 {
                    m[a][k] = dir[a] / r;
                }
            }
        }
        m
    }

    /// A +z core of radius r in a -z background, centred on the mesh, its edge tilted slightly
    /// outwards (5 %) so that the chirality the DMI favours can develop.
    pub fn skyrmion(&self, r: f64) -> Field3 {
        let mut m = self.uniform([0.0, 0.0, -1.0]);
        let (nx, ny) = (self.mesh.nx, self.mesh.ny);
        for k in 0..self.mesh.cells() {
            let (i, j) = (k % nx, k / nx % ny);
            let x = (i as f64 + 0.5) * self.mesh.dx - 0.5 * nx as f64 * self.mesh.dx;
            let y = (j as f64 + 0.5) * self.mesh.dy - 0.5 * ny as f64 * self.mesh.dy;
            if self.mesh.mask[k] && x.hypot(y) < r {
                let phi = y.atan2(x);
                m[0][k] = 0.05 * phi.cos();
                m[1][k] = 0.05 * phi.sin();
                m[2][k] = (1.0f64 - 0.0025).sqrt();
            }
        }
        m
    }

    /// An up/down Neel wall at x0 (phi = 0: m_x > 0 at the centre, the D > 0 ground state).
    pub fn neel_wall(&self, x0: f64, phi: f64) -> Field3 {
        let p = &self.params;
        let keff = p.ku - if p.demag == DemagMode::None { 0.0 } else { 0.5 * MU0 * p.ms * p.ms };
        let delta = (p.a_ex / keff.max(1e-30)).sqrt();
        let mut m = zeros(self.mesh.cells());
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                let x = ((k % self.mesh.nx) as f64 + 0.5) * self.mesh.dx;
                let theta = 2.0 * ((x - x0) / delta).exp().atan();
                m[0][k] = theta.sin() * phi.cos();
                m[1][k] = theta.sin() * phi.sin();
                m[2][k] = theta.cos();
            }
        }
        m
    }
}
