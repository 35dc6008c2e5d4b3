//! The LLG right-hand side with the spin-orbit torques and the Oersted field, and the
//! thermal field's size.

use super::{Field3, System, Terms};
use dwmtj_core::material::{E_CHARGE, HBAR};
use dwmtj_core::units::MU0;
use rayon::prelude::*;

impl System {
    /// dm/dt for state m at time t and drive scale `drive` (the pulse shape times the
    /// current), into `out`.
    pub fn rhs(&self, m: &Field3, t: f64, drive: f64, b: &mut Field3, out: &mut Field3) {
        self.rhs_with(m, t, drive, None, b, out);
    }

    /// dm/dt with an extra field (the thermal field) added to B.
    pub fn rhs_with(&self, m: &Field3, t: f64, drive: f64, extra: Option<&Field3>, b: &mut Field3, out: &mut Field3) {
        self.field_terms(m, self.applied_field(t), Terms::ALL, b);
        if let Some(e) = extra {
            for (dst, src) in b.iter_mut().zip(e) {
                dst.par_iter_mut().zip(src.par_iter()).with_min_len(4096).for_each(|(x, y)| *x += y);
            }
        }
        let p = &self.params;
        let sign = p.sot_sign;
        // Oersted field of the heavy-metal sheet current at the free layer: -J t_HM / 2 along y.
        let oe = if p.oersted { -MU0 * p.t_hm / 2.0 } else { 0.0 };
        let maps = self.maps.as_ref();
        let sot_c = p.sot_sign * HBAR * p.theta_sh / (2.0 * E_CHARGE * self.t_fm);
        let [ox, oy, oz] = out;
        let (bx, by, bz) = (&b[0], &b[1], &b[2]);
        // Block by block, the per-cell material looked up once per block's path, every cell
        // computed without branches (masked cells zeroed after), so that the loop vectorises.
        const BLOCK: usize = 1024;
        ox.par_chunks_mut(BLOCK)
            .zip(oy.par_chunks_mut(BLOCK))
            .zip(oz.par_chunks_mut(BLOCK))
            .enumerate()
            .for_each(|(blk, ((ox, oy), oz))| {
                let k0 = blk * BLOCK;
                for i in 0..ox.len() {
                    let k = k0 + i;
                    let (alpha, sot_b) = match maps {
                        None => (p.alpha, self.sot_b),
                        Some(mp) => (mp.alpha[k], sot_c / self.ms[k].max(f64::MIN_POSITIVE)),
                    };
                    let g = p.gamma / (1.0 + alpha * alpha);
                    let c = [m[0][k], m[1][k], m[2][k]];
                    let j = self.jx[k] * drive;
                    // sigma = sign * y: m x sigma = sign (-m_z, 0, m_x); the field-like part along
                    // sigma; the Oersted field along y.
                    let bdl = sot_b * j * sign;
                    let h = [bx[k] - bdl * c[2], by[k] + p.fl_ratio * bdl + oe * j, bz[k] + bdl * c[0]];
                    let mxh = cross(c, h);
                    let mxmxh = cross(c, mxh);
                    let on = if self.mesh.mask[k] { 1.0 } else { 0.0 };
                    ox[i] = on * -g * (mxh[0] + alpha * mxmxh[0]);
                    oy[i] = on * -g * (mxh[1] + alpha * mxmxh[1]);
                    oz[i] = on * -g * (mxh[2] + alpha * mxmxh[2]);
                }
            });
    }

    /// The thermal field's standard deviation (T) in cell k for a step dt.
    pub fn thermal_sigma_at(&self, k: usize, dt: f64) -> f64 {
        let p = &self.params;
        if p.temperature <= 0.0 || !self.mesh.mask[k] {
            return 0.0;
        }
        let alpha = self.maps.as_ref().map_or(p.alpha, |mp| mp.alpha[k]);
        (2.0 * alpha * dwmtj_core::material::KB * p.temperature / (p.gamma * self.ms[k] * self.mesh.cell_volume() * dt)).sqrt()
    }
}

/// The cross product a x b.
#[inline]
pub fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

#[cfg(test)]
mod tests {
    use crate::mesh::Mesh;
    use crate::system::{zeros, DemagMode, Params, System};
    use dwmtj_core::units::MU0;

    /// The Oersted field of a current along +x points along -y above the heavy metal with
    /// magnitude mu0 J t_HM / 2: for m along x it turns m towards +z at the rate gamma B.
    #[test]
    fn oersted_field_has_the_sheet_current_sign_and_size() {
        let mesh = Mesh::rectangle(8, 4, 4e-9, 4e-9, 1e-9);
        let p = Params {
            ku: 0.0,
            dmi: 0.0,
            demag: DemagMode::None,
            theta_sh: 0.0,
            current_density: 2e12,
            oersted: true,
            t_hm: 5e-9,
            ..Params::default()
        };
        let sys = System::new(mesh, p.clone()).unwrap();
        let m = sys.uniform([1.0, 0.0, 0.0]);
        let n = m[0].len();
        let (mut b, mut out) = (zeros(n), zeros(n));
        sys.rhs(&m, 0.0, 1.0, &mut b, &mut out);
        let b_oe = MU0 * 2e12 * 5e-9 / 2.0;
        // dm/dt = -g [m x B + alpha m x (m x B)] with B = -b_oe y: m x B = -b_oe z.
        let g = p.gamma / (1.0 + p.alpha * p.alpha);
        for k in 0..n {
            assert!((out[2][k] - g * b_oe).abs() < 1e-9 * g * b_oe, "{}", out[2][k]);
            assert!((out[1][k] + g * p.alpha * b_oe).abs() < 1e-9 * g * b_oe, "{}", out[1][k]);
        }
    }
}
