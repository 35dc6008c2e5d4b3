//! Regions: outlines, per-region material and stray field, MTJ readouts.

/// A region's outline in the plane: x from the wire's start, y from the mesh's centre line.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Shape {
    /// The rectangle x0 <= x <= x1, y0 <= y <= y1.
    Rect {
        /// Start in x, m.
        x0: f64,
        /// End in x, m.
        x1: f64,
        /// Lower edge in y, m.
        y0: f64,
        /// Upper edge in y, m.
        y1: f64,
    },
    /// The ellipse ((x - cx)/rx)^2 + ((y - cy)/ry)^2 <= 1.
    Ellipse {
        /// Centre in x, m.
        cx: f64,
        /// Centre in y, m.
        cy: f64,
        /// Semi-axis along x, m.
        rx: f64,
        /// Semi-axis along y, m.
        ry: f64,
    },
}

impl Shape {
    /// Whether the point (x, y) (m) lies inside the outline or on it.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match *self {
            Shape::Rect { x0, x1, y0, y1 } => x >= x0 && x <= x1 && y >= y0 && y <= y1,
            Shape::Ellipse { cx, cy, rx, ry } => ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) <= 1.0,
        }
    }
}

/// Part of the mesh with its own material or an extra static field: an MTJ footprint and its
/// stray field, a notch of lower anisotropy, a damping sink. Later regions win where regions
/// overlap; the number of regions is not limited (each cell holds its own values).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Region {
    /// The region's name (it names the region's table columns in a run).
    pub name: String,
    /// The outline in the plane.
    pub shape: Shape,
    /// Saturation magnetisation in the region, A/m (None: the base material's).
    pub ms: Option<f64>,
    /// Exchange stiffness in the region, J/m (None: the base material's).
    pub a_ex: Option<f64>,
    /// Uniaxial anisotropy K_u in the region, J/m^3 (None: the base material's).
    pub ku: Option<f64>,
    /// Interfacial DMI constant in the region, J/m^2 (None: the base material's).
    pub dmi: Option<f64>,
    /// Gilbert damping in the region (None: the base material's).
    pub alpha: Option<f64>,
    /// Static field added in the region (T): the stray field of an MTJ's reference layer.
    pub b_stray: [f64; 3],
    /// Layers the region covers (first, last; 0 is the bottom, next to the heavy metal); all
    /// when None.
    pub layers: Option<(usize, usize)>,
    /// An MTJ on this footprint: its conductance is read from the top layer's m_z.
    pub mtj: Option<MtjReadout>,
}

/// The tunnel junction on a region: G(theta) = G_P (1 + cos theta)/2 + G_AP (1 - cos theta)/2 per
/// cell (Slonczewski's angular dependence), cos theta = s m_z with s = +1 for a reference layer
/// along +z, G_P = area / RA_P, G_AP = G_P / (1 + TMR); cells in parallel.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MtjReadout {
    /// Resistance-area product of the parallel state (Ohm m^2).
    pub ra: f64,
    /// TMR ratio (R_AP - R_P)/R_P (1.0 = 100 %).
    pub tmr: f64,
    /// +1: reference layer along +z; -1: along -z.
    pub reference: f64,
}

impl Region {
    /// A region that changes nothing yet.
    pub fn new(name: &str, shape: Shape) -> Self {
        Self {
            name: name.into(),
            shape,
            ms: None,
            a_ex: None,
            ku: None,
            dmi: None,
            alpha: None,
            b_stray: [0.0; 3],
            layers: None,
            mtj: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::mesh::Mesh;
    use crate::system::{Params, Region, Shape, System};

    #[test]
    fn regions_can_cover_chosen_layers() {
        let mesh = Mesh::rectangle(10, 4, 4e-9, 4e-9, 2e-9).layered(2);
        let mut bottom = Region::new(
            "bottom",
            Shape::Rect {
                x0: 0.0,
                x1: 20e-9,
                y0: -1.0,
                y1: 1.0,
            },
        );
        bottom.layers = Some((0, 0));
        bottom.dmi = Some(1e-3);
        let mut both = bottom.clone();
        both.layers = None;
        let sys = System::with_regions(mesh, Params::default(), vec![bottom, both]).unwrap();
        // Columns with centres below 20 nm: 5 of 10, in 4 rows; one layer, then two.
        assert_eq!((sys.region_cells[0].len(), sys.region_cells[1].len()), (20, 40));
        assert!(sys.region_cells[0].iter().all(|&k| k < 40));
    }
}
