//! The layers a network is built from, their shapes, and the data movement of convolution and
//! pooling (docs/nn.md 5): a convolution is a tile applied to every input patch (im2col, as
//! aihwkit's `AnalogConv2d`), pooling is digital.
//!
//! Activations are stored per sample channel-first, (C, H, W) row-major, as PyTorch does.
//!
//! * Convolution, C_in -> C_out channels, k x k kernel, zero padding p, stride 1: output
//!   H' = H + 2p - k + 1. im2col puts each output position's patch in a row, ordered
//!   (c, ky, kx), so the tile's weights (C_out x C_in k k) are PyTorch's `Conv2d.weight`
//!   (C_out, C_in, k, k) flattened. Forward: the tile reads B H' W' rows; backward: the tile's
//!   transpose read of the output gradients, scattered back by col2im (adding overlaps); the
//!   update sums the outer products over positions (SGD of the mean loss over samples).
//! * Max or average pooling over s x s windows, stride s (H' = floor(H/s)): max pooling passes
//!   the gradient to the window's largest input (the first one on ties), average pooling spreads
//!   it evenly.

use rayon::prelude::*;

/// One stage of a network, input to output; the last dense layer (10 classes) is implied.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LayerSpec {
    /// A fully connected layer of `units` outputs on a tile.
    Dense {
        /// Outputs (1-100000).
        units: usize,
    },
    /// A convolution on a tile: `channels` output channels, `kernel` x `kernel`, zero
    /// `padding`, stride 1.
    Conv {
        /// Output channels (1-4096).
        channels: usize,
        /// Kernel size (1-15).
        kernel: usize,
        /// Zero padding on every side (0 to kernel - 1; default 0).
        #[serde(default)]
        padding: usize,
    },
    /// Max pooling over `size` x `size` windows, stride `size`.
    MaxPool {
        /// Window (2-8).
        size: usize,
    },
    /// Average pooling over `size` x `size` windows, stride `size`.
    AvgPool {
        /// Window (2-8).
        size: usize,
    },
}

impl LayerSpec {
    /// Whether the stage holds a tile (dense or convolution).
    pub fn has_tile(&self) -> bool {
        matches!(self, LayerSpec::Dense { .. } | LayerSpec::Conv { .. })
    }

    /// The stage's key in files and messages: `dense`, `conv`, `max-pool`, `avg-pool`.
    pub fn kind(&self) -> &'static str {
        match self {
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Conv { .. } => "conv",
            LayerSpec::MaxPool { .. } => "max-pool",
            LayerSpec::AvgPool { .. } => "avg-pool",
        }
    }
}

/// An activation's shape: channels, height, width (a dense layer's output is (units, 1, 1)).
pub type Shape = [usize; 3];

/// The geometry of a convolution stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConvGeom {
    /// Input shape.
    pub input: Shape,
    /// Output channels.
    pub channels: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Zero padding.
    pub padding: usize,
    /// Output height and width.
    pub out_hw: [usize; 2],
}

impl ConvGeom {
    /// Output positions per sample.
    pub fn positions(&self) -> usize {
        self.out_hw[0] * self.out_hw[1]
    }

    /// Length of one patch (the tile's inputs), C_in k k.
    pub fn patch(&self) -> usize {
        self.input[0] * self.kernel * self.kernel
    }

    /// The in-image runs of output position (oy, ox)'s patch: for each channel and kernel row
    /// that lies inside the image, `f(patch offset, image offset, length)` of the contiguous
    /// kernel columns whose input columns ox + kx - padding are inside it (the rest is padding).
    fn patch_runs(&self, oy: usize, ox: usize, mut f: impl FnMut(usize, usize, usize)) {
        let [c_in, h, w] = self.input;
        let (k, p) = (self.kernel as isize, self.padding as isize);
        let x0 = ox as isize - p;
        let lo = (-x0).clamp(0, k);
        let hi = (w as isize - x0).clamp(lo, k);
        if lo == hi {
            return;
        }
        let x_first = (x0 + lo) as usize;
        for c in 0..c_in {
            for ky in 0..k {
                let y = oy as isize + ky - p;
                if y < 0 || y as usize >= h {
                    continue;
                }
                f(
                    ((c as isize * k + ky) * k + lo) as usize,
                    (c * h + y as usize) * w + x_first,
                    (hi - lo) as usize,
                );
            }
        }
    }

    /// The patches of a batch (`x`: batch x C H W) as rows (batch x positions) x patch; samples
    /// in parallel, each kernel row one copy of its in-image run.
    pub fn im2col(&self, x: &[f32], batch: usize) -> Vec<f32> {
        let [oh, ow] = self.out_hw;
        let (n_in, patch) = (self.input.iter().product::<usize>(), self.patch());
        let mut out = vec![0.0f32; batch * oh * ow * patch];
        if out.is_empty() {
            return out;
        }
        out.par_chunks_mut(oh * ow * patch).enumerate().for_each(|(b, ob)| {
            let xb = &x[b * n_in..(b + 1) * n_in];
            for oy in 0..oh {
                for ox in 0..ow {
                    let row = &mut ob[(oy * ow + ox) * patch..][..patch];
                    self.patch_runs(oy, ox, |at, from, len| row[at..at + len].copy_from_slice(&xb[from..from + len]));
                }
            }
        });
        out
    }

    /// The transpose of [`ConvGeom::im2col`]: patch gradients (rows x patch) summed back into
    /// input gradients (batch x C H W); samples in parallel, each summed in the same order.
    pub fn col2im(&self, cols: &[f32], batch: usize) -> Vec<f32> {
        let [oh, ow] = self.out_hw;
        let (n_in, patch) = (self.input.iter().product::<usize>(), self.patch());
        let mut out = vec![0.0f32; batch * n_in];
        if out.is_empty() {
            return out;
        }
        out.par_chunks_mut(n_in).enumerate().for_each(|(b, ob)| {
            for oy in 0..oh {
                for ox in 0..ow {
                    let row = &cols[((b * oh + oy) * ow + ox) * patch..][..patch];
                    self.patch_runs(oy, ox, |at, from, len| {
                        for (d, g) in ob[from..from + len].iter_mut().zip(&row[at..at + len]) {
                            *d += g;
                        }
                    });
                }
            }
        });
        out
    }

    /// Tile outputs (rows (batch x positions) x channels) as activations (batch x channels H' W').
    pub fn rows_to_maps(&self, y: &[f32], batch: usize) -> Vec<f32> {
        let (pos, ch) = (self.positions(), self.channels);
        let mut out = vec![0.0f32; y.len()];
        for b in 0..batch {
            for q in 0..pos {
                for c in 0..ch {
                    out[(b * ch + c) * pos + q] = y[(b * pos + q) * ch + c];
                }
            }
        }
        out
    }

    /// The inverse of [`ConvGeom::rows_to_maps`].
    pub fn maps_to_rows(&self, z: &[f32], batch: usize) -> Vec<f32> {
        let (pos, ch) = (self.positions(), self.channels);
        let mut out = vec![0.0f32; z.len()];
        for b in 0..batch {
            for q in 0..pos {
                for c in 0..ch {
                    out[(b * pos + q) * ch + c] = z[(b * ch + c) * pos + q];
                }
            }
        }
        out
    }
}

/// A pooling stage's geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PoolGeom {
    /// Input shape.
    pub input: Shape,
    /// Window and stride.
    pub size: usize,
    /// Max (true) or average pooling.
    pub max: bool,
}

impl PoolGeom {
    /// Output shape.
    pub fn output(&self) -> Shape {
        [self.input[0], self.input[1] / self.size, self.input[2] / self.size]
    }

    /// Pool a batch: the outputs and, for max pooling, the index (within the sample) of each
    /// output's input.
    pub fn forward(&self, x: &[f32], batch: usize) -> (Vec<f32>, Vec<u32>) {
        let [c, h, w] = self.input;
        let [_, oh, ow] = self.output();
        let s = self.size;
        let (n_in, n_out) = (c * h * w, c * oh * ow);
        let mut y = vec![0.0f32; batch * n_out];
        let mut arg = if self.max { vec![0u32; batch * n_out] } else { Vec::new() };
        let inv = 1.0 / (s * s) as f32;
        for b in 0..batch {
            let xb = &x[b * n_in..(b + 1) * n_in];
            for ch in 0..c {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let o = b * n_out + (ch * oh + oy) * ow + ox;
                        let (mut best, mut at, mut sum) = (f32::NEG_INFINITY, 0usize, 0.0f32);
                        for dy in 0..s {
                            for dx in 0..s {
                                let i = (ch * h + oy * s + dy) * w + ox * s + dx;
                                if xb[i] > best {
                                    best = xb[i];
                                    at = i;
                                }
                                sum += xb[i];
                            }
                        }
                        if self.max {
                            y[o] = best;
                            arg[o] = at as u32;
                        } else {
                            y[o] = sum * inv;
                        }
                    }
                }
            }
        }
        (y, arg)
    }

    /// The input gradients of a batch from the output gradients `d` (and the max indices).
    pub fn backward(&self, d: &[f32], arg: &[u32], batch: usize) -> Vec<f32> {
        let [c, h, w] = self.input;
        let [_, oh, ow] = self.output();
        let s = self.size;
        let (n_in, n_out) = (c * h * w, c * oh * ow);
        let mut g = vec![0.0f32; batch * n_in];
        let inv = 1.0 / (s * s) as f32;
        for b in 0..batch {
            let gb = &mut g[b * n_in..(b + 1) * n_in];
            for ch in 0..c {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let o = b * n_out + (ch * oh + oy) * ow + ox;
                        if self.max {
                            gb[arg[o] as usize] += d[o];
                        } else {
                            for dy in 0..s {
                                for dx in 0..s {
                                    gb[(ch * h + oy * s + dy) * w + ox * s + dx] += d[o] * inv;
                                }
                            }
                        }
                    }
                }
            }
        }
        g
    }

    /// Comparisons (or additions) one sample's pooling takes.
    pub fn ops(&self) -> u64 {
        let [c, oh, ow] = self.output();
        (c * oh * ow * self.size * self.size) as u64
    }
}

/// One stage of a planned network.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub enum Stage {
    /// A dense layer on tile `tile` (inputs flattened).
    Dense {
        /// Index of the tile, input to output.
        tile: usize,
    },
    /// A convolution on tile `tile`.
    Conv {
        /// Index of the tile.
        tile: usize,
        /// Its geometry.
        geom: ConvGeom,
    },
    /// Pooling.
    Pool(PoolGeom),
}

/// A network's stages with their shapes, from its layer list and the input shape.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Plan {
    /// The stages, input to output (the 10-class dense layer last).
    pub stages: Vec<Stage>,
    /// The tiles' shapes (outputs, inputs), input to output.
    pub tiles: Vec<(usize, usize)>,
    /// Activation values after each stage (per sample), the input's first.
    pub sizes: Vec<usize>,
}

/// Why a layer list does not fit the input.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("layer {index} ({kind}): {problem}")]
pub struct PlanError {
    /// Layer number, from 1.
    pub index: usize,
    /// Its kind.
    pub kind: &'static str,
    /// What is wrong.
    pub problem: String,
}

/// Plan `layers` (then the 10-class output layer) on inputs of `shape`.
pub fn plan(layers: &[LayerSpec], shape: Shape, classes: usize) -> Result<Plan, PlanError> {
    let mut stages = Vec::new();
    let mut tiles = Vec::new();
    let mut sizes = vec![shape.iter().product()];
    let mut cur = shape;
    let all: Vec<LayerSpec> = layers.iter().cloned().chain([LayerSpec::Dense { units: classes }]).collect();
    for (k, layer) in all.iter().enumerate() {
        let fail = |problem: String| PlanError {
            index: k + 1,
            kind: layer.kind(),
            problem,
        };
        match *layer {
            LayerSpec::Dense { units } => {
                if units == 0 || units > 100_000 {
                    return Err(fail(format!("{units} units: expected 1-100000")));
                }
                tiles.push((units, cur.iter().product()));
                stages.push(Stage::Dense { tile: tiles.len() - 1 });
                cur = [units, 1, 1];
            }
            LayerSpec::Conv { channels, kernel, padding } => {
                if k > 0 && all[..k].iter().any(|l| matches!(l, LayerSpec::Dense { .. })) {
                    return Err(fail("a convolution after a dense layer: put convolutions and pooling first".into()));
                }
                if !(1..=4096).contains(&channels) {
                    return Err(fail(format!("{channels} channels: expected 1-4096")));
                }
                if !(1..=15).contains(&kernel) || padding >= kernel {
                    return Err(fail(format!(
                        "kernel {kernel}, padding {padding}: expected a kernel of 1-15 and padding below it"
                    )));
                }
                let (h, w) = (cur[1] + 2 * padding, cur[2] + 2 * padding);
                if h < kernel || w < kernel {
                    return Err(fail(format!(
                        "a {kernel} x {kernel} kernel does not fit the {} x {} input (padding {padding})",
                        cur[1], cur[2]
                    )));
                }
                let geom = ConvGeom {
                    input: cur,
                    channels,
                    kernel,
                    padding,
                    out_hw: [h - kernel + 1, w - kernel + 1],
                };
                tiles.push((channels, geom.patch()));
                stages.push(Stage::Conv {
                    tile: tiles.len() - 1,
                    geom,
                });
                cur = [channels, geom.out_hw[0], geom.out_hw[1]];
            }
            LayerSpec::MaxPool { size } | LayerSpec::AvgPool { size } => {
                if !(2..=8).contains(&size) {
                    return Err(fail(format!("size {size}: expected a window of 2-8")));
                }
                if cur[1] < size || cur[2] < size {
                    return Err(fail(format!(
                        "a {size} x {size} window does not fit the {} x {} input",
                        cur[1], cur[2]
                    )));
                }
                if k > 0 && matches!(all[k - 1], LayerSpec::Dense { .. }) {
                    return Err(fail("pooling after a dense layer: put convolutions and pooling first".into()));
                }
                let geom = PoolGeom {
                    input: cur,
                    size,
                    max: matches!(layer, LayerSpec::MaxPool { .. }),
                };
                stages.push(Stage::Pool(geom));
                cur = geom.output();
            }
        }
        sizes.push(cur.iter().product());
    }
    Ok(Plan { stages, tiles, sizes })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A convolution through im2col equals the direct sum, and col2im is im2col's transpose:
    /// <im2col(x), c> = <x, col2im(c)> for any x and c.
    #[test]
    fn im2col_convolves_and_col2im_is_its_transpose() {
        let geom = ConvGeom {
            input: [2, 5, 4],
            channels: 3,
            kernel: 3,
            padding: 1,
            out_hw: [5, 4],
        };
        let batch = 2;
        let x: Vec<f32> = (0..batch * 40).map(|i| ((i * 7919) % 13) as f32 - 6.0).collect();
        let wgt: Vec<f32> = (0..3 * geom.patch()).map(|i| ((i * 104_729) % 11) as f32 - 5.0).collect();
        let cols = geom.im2col(&x, batch);
        // Direct convolution at each output.
        for b in 0..batch {
            for o in 0..3 {
                for oy in 0..5 {
                    for ox in 0..4 {
                        let mut direct = 0.0;
                        for c in 0..2 {
                            for ky in 0..3 {
                                for kx in 0..3 {
                                    let (y, xx) = (oy as isize + ky as isize - 1, ox as isize + kx as isize - 1);
                                    if (0..5).contains(&y) && (0..4).contains(&xx) {
                                        direct += x[b * 40 + (c * 5 + y as usize) * 4 + xx as usize] * wgt[o * 18 + c * 9 + ky * 3 + kx];
                                    }
                                }
                            }
                        }
                        let row = &cols[((b * 5 + oy) * 4 + ox) * 18..][..18];
                        let via: f32 = row.iter().zip(&wgt[o * 18..(o + 1) * 18]).map(|(a, w)| a * w).sum();
                        assert!((via - direct).abs() <= 1e-3 * direct.abs().max(1.0), "{via} vs {direct}");
                    }
                }
            }
        }
        let c: Vec<f32> = (0..cols.len()).map(|i| ((i * 31) % 7) as f32 - 3.0).collect();
        let lhs: f32 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
        let rhs: f32 = x.iter().zip(&geom.col2im(&c, batch)).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() <= 1e-3 * lhs.abs().max(1.0), "{lhs} vs {rhs}");
        let z: Vec<f32> = (0..batch * 3 * 20).map(|i| i as f32).collect();
        assert_eq!(geom.rows_to_maps(&geom.maps_to_rows(&z, batch), batch), z);
    }

    /// Pooling backward is the transpose of the forward's linearisation: for average pooling
    /// <pool(x), d> = <x, back(d)>, for max pooling the gradient lands on the maxima.
    #[test]
    fn pooling_gradients_are_transposes() {
        let x: Vec<f32> = (0..2 * 3 * 4 * 6).map(|i| ((i * 37) % 17) as f32).collect();
        for max in [false, true] {
            let g = PoolGeom {
                input: [3, 4, 6],
                size: 2,
                max,
            };
            assert_eq!(g.output(), [3, 2, 3]);
            let (y, arg) = g.forward(&x, 2);
            let d: Vec<f32> = (0..y.len()).map(|i| (i % 5) as f32 - 2.0).collect();
            let back = g.backward(&d, &arg, 2);
            if max {
                for (o, &a) in arg.iter().enumerate() {
                    let b = o / 18;
                    assert_eq!(x[b * 72 + a as usize].to_bits(), y[o].to_bits());
                }
            }
            let lhs: f32 = y.iter().zip(&d).map(|(a, b)| a * b).sum();
            let rhs: f32 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
            if !max {
                assert!((lhs - rhs).abs() < 1e-3, "{lhs} vs {rhs}");
            }
            assert!((back.iter().sum::<f32>() - d.iter().sum::<f32>()).abs() < 1e-3);
        }
    }

    /// LeNet-5 plans to the textbook shapes; misfits name the layer.
    #[test]
    fn lenet_plans_and_misfits_are_named() {
        let lenet = [
            LayerSpec::Conv {
                channels: 6,
                kernel: 5,
                padding: 2,
            },
            LayerSpec::MaxPool { size: 2 },
            LayerSpec::Conv {
                channels: 16,
                kernel: 5,
                padding: 0,
            },
            LayerSpec::MaxPool { size: 2 },
            LayerSpec::Dense { units: 120 },
            LayerSpec::Dense { units: 84 },
        ];
        let p = plan(&lenet, [1, 28, 28], 10).unwrap();
        assert_eq!(p.sizes, vec![784, 4704, 1176, 1600, 400, 120, 84, 10]);
        assert_eq!(p.tiles, vec![(6, 25), (16, 150), (120, 400), (84, 120), (10, 84)]);
        let e = plan(&lenet, [1, 8, 8], 10).unwrap_err();
        assert_eq!(e.index, 3, "{e}");
        let e = plan(&[LayerSpec::Dense { units: 4 }, LayerSpec::MaxPool { size: 2 }], [1, 8, 8], 10).unwrap_err();
        assert!(e.to_string().contains("layer 2 (max-pool)"), "{e}");
    }
}
