//! Plots as PNG and SVG from one description. Text uses the embedded DejaVu Sans (no system
//! fonts needed), registered once per process.

use crate::output::RunDir;
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::Once;

static FONT: Once = Once::new();
const FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn register_font() {
    FONT.call_once(|| {
        // The font is compiled in, so this cannot fail at run time except for a corrupt build.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_BYTES);
    });
}

#[derive(Clone, Copy, Debug)]
pub enum Mark {
    /// Points with vertical error bars (third value = +/- error).
    PointsWithErrors,
    Line,
    /// Dashed-look line drawn as short segments.
    Dashed,
}

#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64, f64)>,
    pub mark: Mark,
}

#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
];

fn bounds(chart: &Chart) -> (f64, f64, f64, f64) {
    let mut b = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for s in &chart.series {
        for &(x, y, e) in &s.points {
            b = (b.0.min(x), b.1.max(x), b.2.min(y - e), b.3.max(y + e));
        }
    }
    let pad = |lo: f64, hi: f64| {
        let span = if hi > lo { hi - lo } else { lo.abs().max(1e-30) };
        (lo - 0.05 * span, hi + 0.05 * span)
    };
    let (x0, x1) = pad(b.0, b.1);
    let (y0, y1) = pad(b.2, b.3);
    (x0, x1, y0, y1)
}

fn draw<DB: DrawingBackend>(area: DrawingArea<DB, Shift>, chart: &Chart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let (x0, x1, y0, y1) = bounds(chart);
    let mut ctx = ChartBuilder::on(&area)
        .caption(&chart.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| anyhow!("{e:?}"))?;
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .x_label_formatter(&|v| short_label(*v))
        .y_label_formatter(&|v| short_label(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    for (k, s) in chart.series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let anno = match s.mark {
            Mark::PointsWithErrors => {
                ctx.draw_series(
                    s.points
                        .iter()
                        .map(|&(x, y, e)| ErrorBar::new_vertical(x, y - e, y, y + e, color.filled(), 6)),
                )
                .map_err(|e| anyhow!("{e:?}"))?;
                ctx.draw_series(s.points.iter().map(|&(x, y, _)| Circle::new((x, y), 3, color.filled())))
                    .map_err(|e| anyhow!("{e:?}"))?
            }
            Mark::Line => ctx
                .draw_series(LineSeries::new(s.points.iter().map(|&(x, y, _)| (x, y)), color.stroke_width(2)))
                .map_err(|e| anyhow!("{e:?}"))?,
            Mark::Dashed => {
                let pts: Vec<(f64, f64)> = s.points.iter().map(|&(x, y, _)| (x, y)).collect();
                let mut segs = Vec::new();
                for w in pts.windows(2) {
                    for q in 0..10 {
                        if q % 2 == 0 {
                            let (a, b) = (f64::from(q) / 10.0, f64::from(q + 1) / 10.0);
                            let p = |t: f64| (w[0].0 + t * (w[1].0 - w[0].0), w[0].1 + t * (w[1].1 - w[0].1));
                            segs.push(PathElement::new(vec![p(a), p(b)], color.stroke_width(2)));
                        }
                    }
                }
                ctx.draw_series(segs).map_err(|e| anyhow!("{e:?}"))?
            }
        };
        anno.label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    area.present().map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// Write `stem.png` and `stem.svg` into the run (`stem` may name a sub-folder).
pub fn write_chart(run: &RunDir, stem: &str, chart: &Chart) -> Result<()> {
    register_font();
    run.write_with(&format!("{stem}.png"), |p| {
        draw(BitMapBackend::new(p, (900, 600)).into_drawing_area(), chart)
    })?;
    run.write_with(&format!("{stem}.svg"), |p| {
        draw(SVGBackend::new(p, (900, 600)).into_drawing_area(), chart)
    })
}

/// A bar chart (one bar per label), optionally on a log10 axis.
pub struct Bars {
    pub title: String,
    pub y_label: String,
    pub bars: Vec<(String, f64)>,
    pub log: bool,
}

fn draw_bars<DB: DrawingBackend>(area: DrawingArea<DB, Shift>, b: &Bars) -> Result<()>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let n = b.bars.len().max(1);
    let vals: Vec<f64> = b.bars.iter().map(|(_, v)| if b.log { v.max(1e-300).log10() } else { *v }).collect();
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, c), &v| (a.min(v), c.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let base = if b.log { lo.floor() - 0.5 } else { lo.min(0.0) };
    let top = if hi > base { hi + 0.08 * (hi - base) } else { base + 1.0 };
    let labels: Vec<String> = b.bars.iter().map(|(l, _)| l.clone()).collect();
    let y_label = if b.log {
        format!("log10({})", b.y_label)
    } else {
        b.y_label.clone()
    };
    let mut ctx = ChartBuilder::on(&area)
        .caption(&b.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(20)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..n as f64, base..top)
        .map_err(|e| anyhow!("{e:?}"))?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(y_label)
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    ctx.draw_series(vals.iter().enumerate().map(|(k, &v)| {
        let color = COLORS[k % COLORS.len()];
        Rectangle::new([(k as f64 + 0.15, base), (k as f64 + 0.85, v)], color.filled())
    }))
    .map_err(|e| anyhow!("{e:?}"))?;
    ctx.draw_series(vals.iter().zip(&b.bars).enumerate().map(|(k, (&v, (_, raw)))| {
        let label = if b.log { format!("{raw:.3e}") } else { format!("{raw:.4}") };
        Text::new(label, (k as f64 + 0.2, v), ("sans-serif", 12).into_font())
    }))
    .map_err(|e| anyhow!("{e:?}"))?;
    // Names inside the bars, at their foot (every bar labelled, however many there are).
    let foot = base + 0.02 * (top - base);
    ctx.draw_series(
        labels
            .iter()
            .enumerate()
            .map(|(k, l)| Text::new(l.clone(), (k as f64 + 0.18, foot), ("sans-serif", 13).into_font().color(&WHITE))),
    )
    .map_err(|e| anyhow!("{e:?}"))?;
    area.present().map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// Write `stem.png` and `stem.svg` bar charts into the run.
pub fn write_bars(run: &RunDir, stem: &str, bars: &Bars) -> Result<()> {
    register_font();
    run.write_with(&format!("{stem}.png"), |p| {
        draw_bars(BitMapBackend::new(p, (1000, 600)).into_drawing_area(), bars)
    })?;
    run.write_with(&format!("{stem}.svg"), |p| {
        draw_bars(SVGBackend::new(p, (1000, 600)).into_drawing_area(), bars)
    })
}

/// A colour map of a scalar in [-1, 1] on an nx x ny grid (red +1, white 0, blue -1), as PNG
/// and SVG; `extent` is the physical size (x, y) in the axis unit.
pub fn write_map(run: &RunDir, stem: &str, map: &Map) -> Result<()> {
    register_font();
    let aspect = (map.extent.1 / map.extent.0).clamp(0.05, 1.0);
    let h = (120.0 + 900.0 * aspect) as u32;
    run.write_with(&format!("{stem}.png"), |p| {
        draw_map_on(BitMapBackend::new(p, (1000, h)).into_drawing_area(), map)
    })?;
    run.write_with(&format!("{stem}.svg"), |p| {
        draw_map_on(SVGBackend::new(p, (1000, h)).into_drawing_area(), map)
    })
}

/// A scalar map: `values` row-major on `nx` x `ny` cells of a physical `extent` in `unit`.
pub struct Map<'a> {
    pub title: String,
    pub nx: usize,
    pub ny: usize,
    pub values: &'a [f64],
    pub extent: (f64, f64),
    pub unit: &'a str,
}

fn draw_map_on<DB: DrawingBackend>(area: DrawingArea<DB, Shift>, map: &Map) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (title, nx, ny, values, extent, unit) = (map.title.as_str(), map.nx, map.ny, map.values, map.extent, map.unit);
    area.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let mut ctx = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..extent.0, 0.0..extent.1)
        .map_err(|e| anyhow!("{e:?}"))?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(format!("x ({unit})"))
        .y_desc(format!("y ({unit})"))
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    let (cx, cy) = (extent.0 / nx as f64, extent.1 / ny as f64);
    let color = |v: f64| {
        let v = v.clamp(-1.0, 1.0);
        if v >= 0.0 {
            let c = (255.0 * (1.0 - v)) as u8;
            RGBColor(255, c, c)
        } else {
            let c = (255.0 * (1.0 + v)) as u8;
            RGBColor(c, c, 255)
        }
    };
    ctx.draw_series((0..ny).flat_map(|j| {
        (0..nx).map(move |i| {
            let v = values[j * nx + i];
            let x0 = i as f64 * cx;
            let y0 = j as f64 * cy;
            Rectangle::new([(x0, y0), (x0 + cx, y0 + cy)], color(v).filled())
        })
    }))
    .map_err(|e| anyhow!("{e:?}"))?;
    area.present().map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// A heat map of a result over two axes: cell (i, j) at `(xs[i], ys[j])` holds `values[j * nx + i]`
/// (None: no result, drawn grey), coloured on the viridis scale between the finite minimum and
/// maximum, with a colour bar.
pub struct Heatmap<'a> {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub z_label: String,
    pub xs: &'a [f64],
    pub ys: &'a [f64],
    pub values: &'a [Option<f64>],
}

/// Cell edges around sorted centres: midpoints, the ends extended by half a spacing.
fn edges(c: &[f64]) -> Vec<f64> {
    if c.len() == 1 {
        let h = if c[0] == 0.0 { 0.5 } else { c[0].abs() * 0.5 };
        return vec![c[0] - h, c[0] + h];
    }
    let mut e = vec![c[0] - (c[1] - c[0]) / 2.0];
    e.extend(c.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    e.push(c[c.len() - 1] + (c[c.len() - 1] - c[c.len() - 2]) / 2.0);
    e
}

fn draw_heatmap<DB: DrawingBackend>(area: DrawingArea<DB, Shift>, h: &Heatmap) -> Result<()>
where
    DB::ErrorType: 'static,
{
    use plotters::style::colors::colormaps::ViridisRGB;
    area.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let (main, bar) = area.split_horizontally(780);
    let (ex, ey) = (edges(h.xs), edges(h.ys));
    let (lo, hi) = h
        .values
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (lo.min(0.0), lo.max(0.0) + 1.0)
    };
    let span = |e: &[f64]| (e[0].min(e[e.len() - 1]), e[0].max(e[e.len() - 1]));
    let ((x0, x1), (y0, y1)) = (span(&ex), span(&ey));
    let mut ctx = ChartBuilder::on(&main)
        .caption(&h.title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| anyhow!("{e:?}"))?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(h.x_label.as_str())
        .y_desc(h.y_label.as_str())
        .x_label_formatter(&|v| short_label(*v))
        .y_label_formatter(&|v| short_label(*v))
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    let nx = h.xs.len();
    ctx.draw_series((0..h.ys.len()).flat_map(|j| {
        let (ex, ey) = (&ex, &ey);
        (0..nx).map(move |i| {
            let color = match h.values[j * nx + i] {
                Some(v) => ViridisRGB::get_color_normalized(v, lo, hi),
                None => RGBColor(200, 200, 200),
            };
            Rectangle::new([(ex[i], ey[j]), (ex[i + 1], ey[j + 1])], color.filled())
        })
    }))
    .map_err(|e| anyhow!("{e:?}"))?;
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(40)
        .margin_bottom(55)
        .margin_right(10)
        .y_label_area_size(95)
        .caption(h.z_label.as_str(), ("sans-serif", 14))
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(|e| anyhow!("{e:?}"))?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|v| short_label(*v))
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    let steps = 100;
    cb.draw_series((0..steps).map(|k| {
        let (a, b) = (
            lo + (hi - lo) * k as f64 / steps as f64,
            lo + (hi - lo) * (k + 1) as f64 / steps as f64,
        );
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            ViridisRGB::get_color_normalized((a + b) / 2.0, lo, hi).filled(),
        )
    }))
    .map_err(|e| anyhow!("{e:?}"))?;
    area.present().map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// A tick label: plain in [1e-3, 1e4), else scientific with three digits.
pub fn short_label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (1e-3..1e4).contains(&v.abs()) {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// Write `stem.png` and `stem.svg` of a heat map into the run.
pub fn write_heatmap(run: &RunDir, stem: &str, h: &Heatmap) -> Result<()> {
    register_font();
    run.write_with(&format!("{stem}.png"), |p| {
        draw_heatmap(BitMapBackend::new(p, (1000, 700)).into_drawing_area(), h)
    })?;
    run.write_with(&format!("{stem}.svg"), |p| {
        draw_heatmap(SVGBackend::new(p, (1000, 700)).into_drawing_area(), h)
    })
}
