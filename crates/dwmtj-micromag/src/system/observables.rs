//! Observables of a state: wall position, averages, MTJ conductance.

use super::{Field3, System};

/// A wall's centre line fitted across the strip ([`System::wall_shape`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct WallShape {
    /// Where the fitted line crosses the strip's centre line, m.
    pub position: f64,
    /// Angle chi of the wall's normal to the wire axis, rad.
    pub tilt_rad: f64,
    /// In-plane angle of m at the wall's centre, rad (0 = along +x).
    pub phi_rad: f64,
    /// RMS distance of the rows' crossings from the fitted line (the wall's curvature), m.
    pub straightness_rms: f64,
    /// Rows with a crossing.
    pub rows: usize,
}

impl System {
    /// Average m over a region's cells (the MTJ readout), or over the mesh without regions.
    pub fn region_average(&self, m: &Field3, region: usize) -> [f64; 3] {
        let cells = &self.region_cells[region];
        let mut s = [0.0; 3];
        for &k in cells {
            for a in 0..3 {
                s[a] += m[a][k];
            }
        }
        s.map(|v| v / cells.len().max(1) as f64)
    }

    /// Conductance (S) of the MTJ on region `region`, if it has one: the region's cells in the
    /// top layer (the free layer's surface under the barrier), each a parallel channel.
    pub fn region_conductance(&self, m: &Field3, region: usize) -> Option<f64> {
        let mtj = self.regions[region].mtj?;
        let top = self.mesh.nz - 1;
        let plane = self.mesh.plane();
        let area = self.mesh.dx * self.mesh.dy;
        let (g_p, g_ap) = (area / mtj.ra, area / mtj.ra / (1.0 + mtj.tmr));
        Some(
            self.region_cells[region]
                .iter()
                .filter(|&&k| k / plane == top)
                .map(|&k| {
                    let c = mtj.reference * m[2][k];
                    g_p * (1.0 + c) / 2.0 + g_ap * (1.0 - c) / 2.0
                })
                .sum(),
        )
    }

    /// Up/down wall position from <m_z> over the magnetic cells: q = L (1 + <m_z>)/2.
    pub fn wall_position(&self, m: &Field3) -> f64 {
        let (mut s, mut n) = (0.0, 0usize);
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                s += m[2][k];
                n += 1;
            }
        }
        let l = self.mesh.nx as f64 * self.mesh.dx;
        l * (1.0 + s / n.max(1) as f64) / 2.0
    }

    /// Shape of an up/down wall in the bottom layer: where m_z crosses zero along each row (linear
    /// interpolation between cells), fitted by a straight line x = q - y tan(chi) across the strip
    /// (y from the strip's centre), and the in-plane angle phi = atan2(<m_y>, <m_x>) of m at the
    /// crossings. chi is the angle of the wall's normal (cos chi, sin chi) to the wire axis, as in
    /// the tilted 1D model of dwmtj-core (docs/physics.md 2.8). None without a crossing in at
    /// least two rows.
    pub fn wall_shape(&self, m: &Field3) -> Option<WallShape> {
        let (nx, ny) = (self.mesh.nx, self.mesh.ny);
        let (mut ys, mut xs) = (Vec::new(), Vec::new());
        let (mut mx, mut my) = (0.0, 0.0);
        for j in 0..ny {
            let crossing = (0..nx.saturating_sub(1)).find_map(|i| {
                let (a, b) = (self.mesh.idx(i, j), self.mesh.idx(i + 1, j));
                (self.mesh.mask[a] && self.mesh.mask[b] && m[2][a] > 0.0 && m[2][b] <= 0.0).then(|| {
                    let f = m[2][a] / (m[2][a] - m[2][b]);
                    let at = |c: usize| m[c][a] + f * (m[c][b] - m[c][a]);
                    ((i as f64 + 0.5 + f) * self.mesh.dx, at(0), at(1))
                })
            });
            if let Some((x, cx, cy)) = crossing {
                ys.push((j as f64 + 0.5) * self.mesh.dy - 0.5 * ny as f64 * self.mesh.dy);
                xs.push(x);
                mx += cx;
                my += cy;
            }
        }
        if ys.len() < 2 {
            return None;
        }
        let n = ys.len() as f64;
        let (ym, xm) = (ys.iter().sum::<f64>() / n, xs.iter().sum::<f64>() / n);
        let sxy: f64 = ys.iter().zip(&xs).map(|(y, x)| (y - ym) * (x - xm)).sum();
        let syy: f64 = ys.iter().map(|y| (y - ym).powi(2)).sum();
        let slope = if syy > 0.0 { sxy / syy } else { 0.0 };
        let residual = (ys.iter().zip(&xs).map(|(y, x)| (x - xm - slope * (y - ym)).powi(2)).sum::<f64>() / n).sqrt();
        Some(WallShape {
            position: xm - slope * ym,
            tilt_rad: (-slope).atan(),
            phi_rad: my.atan2(mx),
            straightness_rms: residual,
            rows: ys.len(),
        })
    }

    /// Average m over the magnetic cells.
    pub fn average(&self, m: &Field3) -> [f64; 3] {
        let mut s = [0.0; 3];
        let mut n = 0usize;
        for k in 0..self.mesh.cells() {
            if self.mesh.mask[k] {
                for a in 0..3 {
                    s[a] += m[a][k];
                }
                n += 1;
            }
        }
        s.map(|v| v / n.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use crate::mesh::Mesh;
    use crate::system::{MtjReadout, Params, Region, Shape, System};

    /// An MTJ over a footprint of 5 x 4 cells: parallel (m_z = +1 under a +z reference) gives
    /// area/RA, antiparallel that over (1 + TMR), a wall in the middle their mean.
    #[test]
    fn mtj_regions_read_the_conductance() {
        let mesh = Mesh::rectangle(10, 4, 4e-9, 4e-9, 1e-9);
        let mut r = Region::new(
            "mtj",
            Shape::Rect {
                x0: 0.0,
                x1: 20e-9,
                y0: -1.0,
                y1: 1.0,
            },
        );
        r.mtj = Some(MtjReadout {
            ra: 10e-12,
            tmr: 1.5,
            reference: 1.0,
        });
        let sys = System::with_regions(mesh, Params::default(), vec![r]).unwrap();
        let g_p = 20.0 * 16e-18 / 10e-12;
        let g = |dir: [f64; 3]| sys.region_conductance(&sys.uniform(dir), 0).unwrap();
        assert!((g([0.0, 0.0, 1.0]) / g_p - 1.0).abs() < 1e-12);
        assert!((g([0.0, 0.0, -1.0]) / (g_p / 2.5) - 1.0).abs() < 1e-12);
        assert!((g([1.0, 0.0, 0.0]) / (0.5 * (g_p + g_p / 2.5)) - 1.0).abs() < 1e-12);
    }
}
