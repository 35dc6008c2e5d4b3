//! A finite-difference mesh: nx x ny cells of dx x dy x dz, x along the wire, in one layer or
//! nz layers through the thickness (`Mesh::layered`), with a mask of magnetic cells (a shaped
//! wire is a mask; every layer has the same outline).

use dwmtj_core::geometry::WidthProfile;

/// A finite-difference mesh of nx x ny x nz cells of dx x dy x dz with a mask of magnetic cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    /// Cells along x (the wire).
    pub nx: usize,
    /// Cells along y (across the wire).
    pub ny: usize,
    /// Cell size along x, m.
    pub dx: f64,
    /// Cell size along y, m.
    pub dy: f64,
    /// Cell size along z (one layer's thickness), m.
    pub dz: f64,
    /// Layers through the thickness (1: the thin-film case); each is dz thick.
    pub nz: usize,
    /// true where the cell is magnetic (index = (l * ny + j) * nx + i; every layer has the
    /// same outline).
    pub mask: Vec<bool>,
    /// Periodic boundaries along y (an infinitely wide film; exchange and DMI only, no demag).
    pub periodic_y: bool,
}

impl Mesh {
    /// A full rectangle.
    pub fn rectangle(nx: usize, ny: usize, dx: f64, dy: f64, dz: f64) -> Self {
        Self {
            nx,
            ny,
            dx,
            dy,
            dz,
            mask: vec![true; nx * ny],
            periodic_y: false,
            nz: 1,
        }
    }

    /// The same mesh, periodic along y.
    pub fn periodic_in_y(mut self) -> Self {
        self.periodic_y = true;
        self
    }

    /// A wire of length `length` whose width follows `profile`, centred in y on a grid as
    /// wide as its widest point; a cell is magnetic when its centre lies inside.
    pub fn from_profile(profile: &WidthProfile, cell: f64, dz: f64) -> Self {
        let length = profile.length();
        let nx = (length / cell).round().max(1.0) as usize;
        let w_max = profile.max_width_on(0.0, length);
        let ny = (w_max / cell).round().max(1.0) as usize;
        let dx = length / nx as f64;
        let dy = w_max / ny as f64;
        let mut mask = vec![false; nx * ny];
        for i in 0..nx {
            let x = (i as f64 + 0.5) * dx;
            let half = 0.5 * profile.width(x);
            for j in 0..ny {
                let y = (j as f64 + 0.5) * dy - 0.5 * w_max;
                mask[j * nx + i] = y.abs() <= half + 1e-12 * w_max;
            }
        }
        Self {
            nx,
            ny,
            dx,
            dy,
            dz,
            mask,
            periodic_y: false,
            nz: 1,
        }
    }

    /// A disk of the given diameter on a square grid; a cell is magnetic when its centre is
    /// inside.
    pub fn disk(diameter: f64, cell: f64, dz: f64) -> Self {
        let n = (diameter / cell).round().max(1.0) as usize;
        let d = diameter / n as f64;
        let r = diameter / 2.0;
        let mut mask = vec![false; n * n];
        for j in 0..n {
            for i in 0..n {
                let (x, y) = ((i as f64 + 0.5) * d - r, (j as f64 + 0.5) * d - r);
                mask[j * n + i] = x * x + y * y <= r * r;
            }
        }
        Self {
            nx: n,
            ny: n,
            dx: d,
            dy: d,
            dz,
            mask,
            periodic_y: false,
            nz: 1,
        }
    }

    /// The thickness split into `nz` layers of dz / nz (the outline repeated in each).
    pub fn layered(mut self, nz: usize) -> Self {
        assert!(nz >= 1 && self.nz == 1, "layer a single-layer mesh into at least one layer");
        self.dz /= nz as f64;
        self.mask = self.mask.repeat(nz);
        self.nz = nz;
        self
    }

    /// Cells in all layers, magnetic or not.
    pub fn cells(&self) -> usize {
        self.nx * self.ny * self.nz
    }

    /// Cells in one layer.
    pub fn plane(&self) -> usize {
        self.nx * self.ny
    }

    /// Magnetic cells in all layers.
    pub fn magnetic_cells(&self) -> usize {
        self.mask.iter().filter(|&&m| m).count()
    }

    /// Volume of one cell, m^3.
    pub fn cell_volume(&self) -> f64 {
        self.dx * self.dy * self.dz
    }

    /// Index of cell (i, j) in the first layer.
    #[inline]
    pub fn idx(&self, i: usize, j: usize) -> usize {
        j * self.nx + i
    }

    /// Local wire width at column i (magnetic cells times dy).
    pub fn column_width(&self, i: usize) -> f64 {
        (0..self.ny).filter(|&j| self.mask[self.idx(i, j)]).count() as f64 * self.dy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tapered_profile_becomes_a_mask_of_the_right_widths() {
        let p = WidthProfile::linear(400e-9, 100e-9, 200e-9);
        let m = Mesh::from_profile(&p, 5e-9, 1e-9);
        assert_eq!((m.nx, m.ny), (80, 40));
        // Width at the ends within one cell of the profile.
        assert!((m.column_width(0) - 100e-9).abs() <= 5e-9 + 1e-15, "{}", m.column_width(0));
        assert!((m.column_width(79) - 200e-9).abs() <= 5e-9 + 1e-15);
        assert_eq!(Mesh::rectangle(4, 3, 1.0, 1.0, 1.0).magnetic_cells(), 12);
    }
}
