//! Layout of a device for fabrication: GDSII (via the gds21 crate) and an SVG preview.
//!
//! One cell per device, coordinates in nm (GDS database unit 1 nm, user unit 1 um). Layers:
//!
//! | layer/datatype | content |
//! |---|---|
//! | 1/0 | heavy-metal / free-layer wire: the outline of the width profile w(x), centred on y = 0 |
//! | 2/0 | MTJ pillars (reference layer stack), one rectangle per MTJ |
//! | 3/0 | wire contacts and pads at both ends (the write-current terminals) |
//! | 4/0 | top electrode joining all MTJ pillars in parallel, with its read pad |
//! | 5/0 | analog devices: the constant-width magnetic wire on the shaped heavy metal (layer 1) |

use dwmtj_core::device::Device;
use gds21::{GdsBoundary, GdsElement, GdsLibrary, GdsPoint, GdsStruct, GdsUnits};

/// GDS layer of the heavy-metal / free-layer wire outline.
pub const LAYER_WIRE: i16 = 1;
/// GDS layer of the MTJ pillars.
pub const LAYER_MTJ: i16 = 2;
/// GDS layer of the wire contacts and pads (the write-current terminals).
pub const LAYER_CONTACT: i16 = 3;
/// GDS layer of the top electrode joining the MTJ pillars, with its read pad.
pub const LAYER_TOP: i16 = 4;
/// Analog devices: the constant-width magnetic (CoTb) wire over the shaped heavy metal.
pub const LAYER_MAGNET: i16 = 5;

/// A closed polygon on a layer, vertices in nm (not repeating the first).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Polygon {
    /// GDS layer (datatype 0).
    pub layer: i16,
    /// Vertices (x, y) in nm.
    pub points: Vec<(i64, i64)>,
}

/// The layout of one device: one cell of polygons.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Layout {
    /// Cell name: the device name with characters other than [A-Za-z0-9_] replaced by _, at most 32
    /// characters (DEVICE if empty).
    pub cell: String,
    /// The polygons, on the layers of the module docs.
    pub polygons: Vec<Polygon>,
}

fn nm(v: f64) -> i64 {
    (v * 1e9).round() as i64
}

fn rect(layer: i16, x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon {
    Polygon {
        layer,
        points: vec![(nm(x0), nm(y0)), (nm(x1), nm(y0)), (nm(x1), nm(y1)), (nm(x0), nm(y1))],
    }
}

/// Sanitised cell name (GDS allows [A-Za-z0-9_?$]).
fn cell_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if s.is_empty() {
        "DEVICE".into()
    } else {
        s.chars().take(32).collect()
    }
}

/// The layout of a device.
pub fn layout(device: &Device) -> Layout {
    let profile = &device.wire.profile;
    let nodes: Vec<(f64, f64)> = profile.nodes().collect();
    let mut wire: Vec<(i64, i64)> = nodes.iter().map(|&(x, w)| (nm(x), nm(-w / 2.0))).collect();
    wire.extend(nodes.iter().rev().map(|&(x, w)| (nm(x), nm(w / 2.0))));
    wire.dedup();
    let mut polygons = vec![Polygon {
        layer: LAYER_WIRE,
        points: wire,
    }];
    for m in &device.mtjs {
        polygons.push(rect(
            LAYER_MTJ,
            m.position - m.length / 2.0,
            -m.width / 2.0,
            m.position + m.length / 2.0,
            m.width / 2.0,
        ));
    }
    // Write-current contacts: 2 um pads overlapping each wire end by 300 nm.
    let (l, w0, w1) = (profile.length(), nodes[0].1, nodes[nodes.len() - 1].1);
    let pad = 2e-6f64;
    polygons.push(rect(LAYER_CONTACT, -pad + 300e-9, -(pad.max(w0)) / 2.0, 300e-9, pad.max(w0) / 2.0));
    polygons.push(rect(
        LAYER_CONTACT,
        l - 300e-9,
        -(pad.max(w1)) / 2.0,
        l + pad - 300e-9,
        pad.max(w1) / 2.0,
    ));
    // Top electrode: a strip over every pillar, led off to a read pad above the wire.
    let wmax = profile.max_width();
    if let (Some(first), Some(last)) = (device.mtjs.first(), device.mtjs.last()) {
        let y_top = wmax / 2.0 + 1e-6;
        let x0 = first.position - first.length / 2.0;
        let x1 = last.position + last.length / 2.0;
        for m in &device.mtjs {
            polygons.push(rect(
                LAYER_TOP,
                m.position - m.length / 2.0,
                0.0,
                m.position + m.length / 2.0,
                y_top,
            ));
        }
        polygons.push(rect(LAYER_TOP, x0, y_top, x1, y_top + 300e-9));
        polygons.push(rect(
            LAYER_TOP,
            0.5 * (x0 + x1) - pad / 2.0,
            y_top + 300e-9,
            0.5 * (x0 + x1) + pad / 2.0,
            y_top + 300e-9 + pad,
        ));
    }
    Layout {
        cell: cell_name(&device.name),
        polygons,
    }
}

/// Layout of an analog (single-wall) device: the shaped heavy metal (nodes (x, w)), the
/// magnetic wire of constant width on top, and the two write contacts.
pub fn analog_layout(name: &str, hm_nodes: &[(f64, f64)], magnetic_width: f64) -> Layout {
    let mut hm: Vec<(i64, i64)> = hm_nodes.iter().map(|&(x, w)| (nm(x), nm(-w / 2.0))).collect();
    hm.extend(hm_nodes.iter().rev().map(|&(x, w)| (nm(x), nm(w / 2.0))));
    hm.dedup();
    let l = hm_nodes.last().map_or(0.0, |n| n.0);
    let wmax = hm_nodes.iter().map(|n| n.1).fold(0.0, f64::max);
    let pad = 2e-6f64.max(wmax);
    Layout {
        cell: cell_name(name),
        polygons: vec![
            Polygon {
                layer: LAYER_WIRE,
                points: hm,
            },
            rect(LAYER_MAGNET, 0.0, -magnetic_width / 2.0, l, magnetic_width / 2.0),
            rect(LAYER_CONTACT, -2e-6 + 300e-9, -pad / 2.0, 300e-9, pad / 2.0),
            rect(LAYER_CONTACT, l - 300e-9, -pad / 2.0, l + 2e-6 - 300e-9, pad / 2.0),
        ],
    }
}

impl Layout {
    /// The GDSII library: one cell, database unit 1 nm.
    pub fn to_gds(&self) -> GdsLibrary {
        let mut lib = GdsLibrary::new("DWMTJ");
        lib.units = GdsUnits(1e-3, 1e-9);
        let mut cell = GdsStruct::new(self.cell.clone());
        for p in &self.polygons {
            let mut xy: Vec<GdsPoint> = p.points.iter().map(|&(x, y)| GdsPoint::new(x as i32, y as i32)).collect();
            xy.push(xy[0].clone());
            cell.elems.push(GdsElement::GdsBoundary(GdsBoundary {
                layer: p.layer,
                datatype: 0,
                xy,
                ..Default::default()
            }));
        }
        lib.structs.push(cell);
        lib
    }

    /// An SVG preview (1 px = 10 nm), layers in distinct colours, y up.
    pub fn to_svg(&self) -> String {
        let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        for p in &self.polygons {
            for &(x, y) in &p.points {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
        let pad = 200;
        let s = 0.1; // px per nm
        let (w, h) = (((x1 - x0 + 2 * pad) as f64 * s).ceil(), ((y1 - y0 + 2 * pad) as f64 * s).ceil());
        let mut out = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n<!-- dwmtj layout -->\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", self.cell);
        let style = |layer: i16| match layer {
            LAYER_WIRE => ("#4c72b0", 0.8, "wire (1/0)"),
            LAYER_MTJ => ("#dd8452", 0.9, "MTJ (2/0)"),
            LAYER_CONTACT => ("#55a868", 0.6, "contact (3/0)"),
            LAYER_MAGNET => ("#c44e52", 0.5, "magnetic wire (5/0)"),
            _ => ("#8172b3", 0.35, "top electrode (4/0)"),
        };
        for p in &self.polygons {
            let pts: Vec<String> = p
                .points
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", (x - x0 + pad) as f64 * s, (y1 - y + pad) as f64 * s))
                .collect();
            let (c, o, label) = style(p.layer);
            out.push_str(&format!("<polygon points=\"{}\" fill=\"{c}\" fill-opacity=\"{o}\" stroke=\"black\" stroke-width=\"0.3\"><title>{label}</title></polygon>\n", pts.join(" ")));
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dwmtj_core::config::parse_device;

    #[test]
    fn gds_round_trip_matches_the_design() {
        let text = include_str!("../../../configs/fig3f.toml");
        let (_, d, _) = parse_device(text, "fig3f", None).unwrap();
        let l = layout(&d);
        assert_eq!(l.polygons.iter().filter(|p| p.layer == LAYER_MTJ).count(), 9);
        let mut bytes = Vec::new();
        l.to_gds().write(&mut bytes).unwrap();
        let back = GdsLibrary::from_bytes(&bytes).unwrap();
        assert!((back.units.1 - 1e-9).abs() < 1e-21);
        let cell = &back.structs[0];
        assert_eq!(cell.elems.len(), l.polygons.len());
        // The wire outline: 2 x nodes vertices; its extent is the wire length and widths.
        if let GdsElement::GdsBoundary(b) = &cell.elems[0] {
            assert_eq!(b.layer, LAYER_WIRE);
            let xs: Vec<i32> = b.xy.iter().map(|p| p.x).collect();
            assert_eq!(*xs.iter().max().unwrap(), 14_500);
            let ys: Vec<i32> = b.xy.iter().map(|p| p.y).collect();
            assert_eq!(*ys.iter().max().unwrap(), 725);
            assert_eq!(*ys.iter().min().unwrap(), -725);
        } else {
            panic!("first element is not a boundary");
        }
        assert!(l.to_svg().contains("<polygon"));
    }
}
