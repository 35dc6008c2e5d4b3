//! A resistive crossbar read with line resistance (IR drop), and its ngspice netlist
//! (docs/nn.md 5, "Crossbar with line resistance").
//!
//! Rows (word lines) are driven at their left end by V_i; columns (bit lines) end at the bottom
//! in sense amplifiers that hold them at 0 V (virtual ground) and measure the current. Between
//! neighbouring cells a word line has resistance r_w and a bit line r_b, and each line has one
//! more segment from its driver or sense amplifier to its first cell. Cell (i, j) of
//! conductance G_ij joins word-line node u_ij to bit-line node b_ij. Kirchhoff's current law at
//! every node,
//! ```text
//! (u_ij - u_i,j-1)/r_w + (u_ij - u_i,j+1)/r_w + G_ij (u_ij - b_ij) = 0      (u_i,-1 = V_i, no u_i,M)
//! (b_ij - b_i-1,j)/r_b + (b_ij - b_i+1,j)/r_b + G_ij (b_ij - u_ij) = 0      (no b_-1,j, b_N,j = 0)
//! ```
//! is a symmetric positive-definite system in the 2 N M node voltages (a conductance Laplacian
//! with the drivers and the sense nodes as fixed potentials), solved by conjugate gradients with
//! a Jacobi preconditioner to a relative residual of 1e-13. The column current is
//! I_j = b_N-1,j / r_b. Without line resistance I_j = sum_i G_ij V_i.
//!
//! A synapse is a differential pair: two such arrays, G+ and G-, read with the same inputs; the
//! output is I+ - I-.

/// Line resistances per cell segment, Ohm.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Lines {
    /// Word-line (row) resistance between neighbouring cells.
    pub row: f64,
    /// Bit-line (column) resistance between neighbouring cells.
    pub col: f64,
}

impl Lines {
    /// No line resistance.
    pub const IDEAL: Lines = Lines { row: 0.0, col: 0.0 };
}

/// Column currents (A) of a `rows` x `cols` array of conductances `g` (S, row-major) read with
/// row voltages `v` (V) through lines `lines`.
pub fn column_currents(g: &[f64], rows: usize, cols: usize, v: &[f64], lines: Lines) -> Result<Vec<f64>, String> {
    if g.len() != rows * cols || v.len() != rows {
        return Err(format!(
            "{} conductances and {} inputs for a {rows} x {cols} array",
            g.len(),
            v.len()
        ));
    }
    if let Some(bad) = g.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
        return Err(format!("conductance {bad} S: must be finite and >= 0"));
    }
    if !(lines.row >= 0.0 && lines.col >= 0.0 && lines.row.is_finite() && lines.col.is_finite()) {
        return Err(format!(
            "line resistances {} and {} Ohm: must be finite and >= 0",
            lines.row, lines.col
        ));
    }
    if lines.row <= 0.0 || lines.col <= 0.0 {
        if lines.row > 0.0 || lines.col > 0.0 {
            return Err("give both line resistances, or neither".into());
        }
        return Ok((0..cols).map(|j| (0..rows).map(|i| g[i * cols + j] * v[i]).sum()).collect());
    }
    let (gw, gb) = (1.0 / lines.row, 1.0 / lines.col);
    let n = rows * cols;
    // Unknowns: u (index i*cols + j), then b (n + i*cols + j).
    let apply = |x: &[f64], y: &mut [f64]| {
        for i in 0..rows {
            for j in 0..cols {
                let k = i * cols + j;
                let (u, b) = (x[k], x[n + k]);
                // Left: the driver (fixed potential, in the right-hand side) or the previous cell.
                let mut ru = g[k] * (u - b) + if j == 0 { gw * u } else { gw * (u - x[k - 1]) };
                if j + 1 < cols {
                    ru += gw * (u - x[k + 1]);
                }
                let mut rb = g[k] * (b - u);
                rb += if i > 0 { gb * (b - x[n + k - cols]) } else { 0.0 };
                rb += gb * (b - if i + 1 < rows { x[n + k + cols] } else { 0.0 });
                y[k] = ru;
                y[n + k] = rb;
            }
        }
    };
    // Right-hand side: the drivers feed the first word-line node of each row.
    let mut rhs = vec![0.0; 2 * n];
    for i in 0..rows {
        rhs[i * cols] = gw * v[i];
    }
    let diag: Vec<f64> = (0..2 * n)
        .map(|k| {
            if k < n {
                let j = k % cols;
                g[k] + gw * (1.0 + if j + 1 < cols { 1.0 } else { 0.0 })
            } else {
                let i = (k - n) / cols;
                g[k - n] + gb * (1.0 + if i > 0 { 1.0 } else { 0.0 })
            }
        })
        .collect();
    // Preconditioned conjugate gradients from the ideal-line guess (u = V, b = 0).
    let mut x = vec![0.0; 2 * n];
    for i in 0..rows {
        for j in 0..cols {
            x[i * cols + j] = v[i];
        }
    }
    let mut ax = vec![0.0; 2 * n];
    apply(&x, &mut ax);
    let mut r: Vec<f64> = rhs.iter().zip(&ax).map(|(a, b)| a - b).collect();
    let norm_b = rhs.iter().map(|a| a * a).sum::<f64>().sqrt().max(1e-300);
    let mut z: Vec<f64> = r.iter().zip(&diag).map(|(a, d)| a / d).collect();
    let mut p = z.clone();
    let mut rz: f64 = r.iter().zip(&z).map(|(a, b)| a * b).sum();
    let mut ap = vec![0.0; 2 * n];
    let max_iter = 50 * (2 * n).max(100);
    let mut converged = false;
    for _ in 0..max_iter {
        if r.iter().map(|a| a * a).sum::<f64>().sqrt() <= 1e-13 * norm_b {
            converged = true;
            break;
        }
        apply(&p, &mut ap);
        let pap: f64 = p.iter().zip(&ap).map(|(a, b)| a * b).sum();
        if pap <= 0.0 {
            break;
        }
        let alpha = rz / pap;
        for k in 0..2 * n {
            x[k] += alpha * p[k];
            r[k] -= alpha * ap[k];
        }
        for k in 0..2 * n {
            z[k] = r[k] / diag[k];
        }
        let rz_new: f64 = r.iter().zip(&z).map(|(a, b)| a * b).sum();
        let beta = rz_new / rz;
        rz = rz_new;
        for k in 0..2 * n {
            p[k] = z[k] + beta * p[k];
        }
    }
    if !converged && r.iter().map(|a| a * a).sum::<f64>().sqrt() > 1e-9 * norm_b {
        return Err(format!("the line-resistance solve of the {rows} x {cols} array did not converge"));
    }
    Ok((0..cols).map(|j| x[n + (rows - 1) * cols + j] * gb).collect())
}

/// The factors of a tridiagonal matrix with diagonal `diag` and the constant off-diagonal
/// `-off` on both sides (Thomas algorithm): per node the reciprocal pivot and the modified
/// super-diagonal. The matrix is diagonally dominant (each node's diagonal is its line
/// conductances plus its device's), so no pivoting is needed.
fn thomas_factors(diag: &[f64], off: f64) -> Vec<(f64, f64)> {
    let mut f = Vec::with_capacity(diag.len());
    let mut upper = 0.0;
    for &d in diag {
        let inv = 1.0 / (d + off * upper);
        upper = -off * inv;
        f.push((inv, upper));
    }
    f
}

/// Solve the factored system for `rhs` in place.
fn thomas_solve(f: &[(f64, f64)], off: f64, rhs: &mut [f64]) {
    let mut prev = 0.0;
    for (r, &(inv, _)) in rhs.iter_mut().zip(f) {
        *r = (*r + off * prev) * inv;
        prev = *r;
    }
    for k in (0..rhs.len() - 1).rev() {
        rhs[k] -= f[k].1 * rhs[k + 1];
    }
}

/// The array's transfer matrix with line resistance: K (cols x rows, row-major) such that the
/// column currents are `I_j = sum_i K_ji V_i` (the network is linear). Column i of K is the
/// solution for a unit voltage on row i alone, found by block Gauss-Seidel line relaxation:
/// every word line's node voltages solved exactly (a tridiagonal system) with the bit lines
/// held, then every bit line's with the word lines held, until the bit-line voltages change by
/// less than 1e-13 of their largest. The iteration converges for any positive conductances (the
/// system is symmetric positive definite) and fast where the devices conduct much less than the
/// lines. Rows are solved in parallel; the result does not depend on the thread count.
pub fn transfer_matrix(g: &[f64], rows: usize, cols: usize, lines: Lines) -> Result<Vec<f64>, String> {
    use rayon::prelude::*;
    if g.len() != rows * cols || rows == 0 || cols == 0 {
        return Err(format!("{} conductances for a {rows} x {cols} array", g.len()));
    }
    if let Some(bad) = g.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
        return Err(format!("conductance {bad} S: must be finite and > 0"));
    }
    if !(lines.row > 0.0 && lines.col > 0.0 && lines.row.is_finite() && lines.col.is_finite()) {
        return Err(format!(
            "line resistances {} and {} Ohm: must be finite and > 0",
            lines.row, lines.col
        ));
    }
    let (gw, gb) = (1.0 / lines.row, 1.0 / lines.col);
    // Diagonals: a word-line node has its left segment (driver or previous cell), its right one
    // (none at the far end) and its device; a bit-line node its upper segment (none at the top),
    // its lower one (next cell or the sense amplifier) and its device.
    let diag_u: Vec<f64> = (0..rows * cols)
        .map(|k| g[k] + gw * if k % cols + 1 < cols { 2.0 } else { 1.0 })
        .collect();
    let diag_b: Vec<f64> = (0..cols * rows)
        .map(|t| {
            // Column-major index t = j * rows + i.
            let (j, i) = (t / rows, t % rows);
            g[i * cols + j] + gb * if i > 0 { 2.0 } else { 1.0 }
        })
        .collect();
    // Every line's matrix is the same in every sweep and for every source: factor once.
    let factors_u: Vec<(f64, f64)> = diag_u.chunks(cols).flat_map(|d| thomas_factors(d, gw)).collect();
    let factors_b: Vec<(f64, f64)> = diag_b.chunks(rows).flat_map(|d| thomas_factors(d, gb)).collect();
    let columns: Vec<Result<Vec<f64>, String>> = (0..rows)
        .into_par_iter()
        .map(|source| {
            // u row-major (i, j); b column-major (j, i) so that each line is contiguous.
            let mut u = vec![0.0; rows * cols];
            u[source * cols..(source + 1) * cols].iter_mut().for_each(|x| *x = 1.0);
            let mut b = vec![0.0; rows * cols];
            let mut line = vec![0.0; rows.max(cols)];
            for _ in 0..100_000 {
                for i in 0..rows {
                    let rhs = &mut line[..cols];
                    for (j, r) in rhs.iter_mut().enumerate() {
                        *r = g[i * cols + j] * b[j * rows + i];
                    }
                    if i == source {
                        rhs[0] += gw;
                    }
                    thomas_solve(&factors_u[i * cols..(i + 1) * cols], gw, rhs);
                    for (old, new) in u[i * cols..(i + 1) * cols].iter_mut().zip(rhs.iter()) {
                        *old = *new;
                    }
                }
                let mut change = 0.0f64;
                let mut top = 0.0f64;
                for j in 0..cols {
                    let rhs = &mut line[..rows];
                    for (i, r) in rhs.iter_mut().enumerate() {
                        *r = g[i * cols + j] * u[i * cols + j];
                    }
                    thomas_solve(&factors_b[j * rows..(j + 1) * rows], gb, rhs);
                    for (old, new) in b[j * rows..(j + 1) * rows].iter_mut().zip(rhs.iter()) {
                        change = change.max((*old - new).abs());
                        top = top.max(new.abs());
                        *old = *new;
                    }
                }
                if change <= 1e-11 * top.max(1e-300) {
                    // The sense amplifier's current: the last bit-line node through its segment.
                    return Ok((0..cols).map(|j| b[j * rows + rows - 1] * gb).collect());
                }
            }
            Err(format!(
                "the line-resistance transfer solve of the {rows} x {cols} array did not converge"
            ))
        })
        .collect();
    let mut k = vec![0.0; cols * rows];
    for (i, col) in columns.into_iter().enumerate() {
        for (j, v) in col?.into_iter().enumerate() {
            k[j * rows + i] = v;
        }
    }
    Ok(k)
}

/// The physical array an inference reads through (`[crossbar]`): line resistance and the
/// devices' resistance range.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CrossbarParams {
    /// Word- and bit-line resistance per cell segment, Ohm.
    pub line_resistance_ohm: f64,
    /// A device's resistance at its highest conductance g_max, Ohm.
    pub r_on_ohm: f64,
    /// A device's resistance at its lowest conductance g_min, Ohm.
    pub r_off_ohm: f64,
}

/// Most cells (inputs x outputs) of one tile read through lines: the transfer solve holds
/// three f64 arrays of this size per thread and costs about inputs x 30 sweeps x cells.
pub const MAX_LINE_CELLS: usize = 1 << 20;

/// The effective device states of a tile (`states`: outputs x inputs, in the device's range
/// [lo, hi]) read through the array of `p`: each state w is the pair
/// `G+- = g_min + s max(+-w, 0)`, `s = (g_max - g_min) / max(hi, |lo|)`, on rows = inputs and
/// columns = outputs, so that without line resistance `I+ - I- = s W V` exactly; with it,
/// `I+ - I- = (K+ - K-) V` ([`transfer_matrix`]) and the tile acts as `W_eff = (K+ - K-) / s`
/// (outputs x inputs). The periphery (DAC, ADC, noise) is applied to W_eff as to W.
pub fn effective_states(states: &[f32], inputs: usize, outputs: usize, bounds: (f64, f64), p: &CrossbarParams) -> Result<Vec<f32>, String> {
    if states.len() != inputs * outputs {
        return Err(format!("{} states for a {outputs} x {inputs} tile", states.len()));
    }
    if inputs * outputs > MAX_LINE_CELLS {
        return Err(format!(
            "a {outputs} x {inputs} tile ({} cells) read through lines: at most {MAX_LINE_CELLS} cells (split arrays are not modelled)",
            inputs * outputs
        ));
    }
    let (g_min, g_max) = (1.0 / p.r_off_ohm, 1.0 / p.r_on_ohm);
    let s = (g_max - g_min) / bounds.1.max(bounds.0.abs()).max(1e-30);
    let (mut g_plus, mut g_minus) = (vec![0.0; inputs * outputs], vec![0.0; inputs * outputs]);
    for j in 0..outputs {
        for i in 0..inputs {
            let w = f64::from(states[j * inputs + i]);
            g_plus[i * outputs + j] = g_min + s * w.max(0.0);
            g_minus[i * outputs + j] = g_min + s * (-w).max(0.0);
        }
    }
    let lines = Lines {
        row: p.line_resistance_ohm,
        col: p.line_resistance_ohm,
    };
    let k_plus = transfer_matrix(&g_plus, inputs, outputs, lines)?;
    let k_minus = transfer_matrix(&g_minus, inputs, outputs, lines)?;
    Ok(k_plus.iter().zip(&k_minus).map(|(a, b)| ((a - b) / s) as f32).collect())
}

/// A differential-pair array: conductances of the + and - devices (S, row-major).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PairArray {
    /// Rows (inputs).
    pub rows: usize,
    /// Columns (outputs).
    pub cols: usize,
    /// Conductances of the + devices.
    pub g_plus: Vec<f64>,
    /// Conductances of the - devices.
    pub g_minus: Vec<f64>,
}

/// One point of the IR-drop study.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct IrDropPoint {
    /// Rows = columns.
    pub size: usize,
    /// Resistance of the device's lowest-resistance level, Ohm (the levels scaled to it).
    pub device_resistance_ohm: f64,
    /// Line resistance per segment (word and bit lines), Ohm.
    pub line_resistance_ohm: f64,
    /// Largest |I - I_ideal| over the columns, over the largest |I_ideal|.
    pub max_error: f64,
    /// RMS of the same.
    pub rms_error: f64,
}

/// The IR-drop error of random pair arrays of `conductance` levels (square, each of `sizes`)
/// at each line resistance, inputs in 0 .. `v_max`, for the levels as given (None) and scaled
/// so that the lowest-resistance level has each resistance of `device_resistances` (a thicker
/// tunnel barrier scales every level alike).
pub fn ir_drop_study(
    conductance: &[f64],
    sizes: &[usize],
    resistances: &[f64],
    device_resistances: &[Option<f64>],
    v_max: f64,
    seed: u64,
) -> Result<Vec<IrDropPoint>, String> {
    let g_top = conductance.iter().cloned().fold(0.0, f64::max);
    let mut out = Vec::new();
    for &target in device_resistances {
        let scale = target.map_or(1.0, |r| 1.0 / (r * g_top));
        let levels: Vec<f64> = conductance.iter().map(|g| g * scale).collect();
        for &r in resistances {
            for &n in sizes {
                let (array, v) = PairArray::random(&levels, n, n, v_max, seed);
                let ideal = array.read(&v, Lines::IDEAL)?;
                let real = array.read(&v, Lines { row: r, col: r })?;
                let full = ideal.iter().map(|i| i.abs()).fold(0.0, f64::max).max(1e-300);
                let errs: Vec<f64> = real.iter().zip(&ideal).map(|(x, y)| (x - y).abs() / full).collect();
                out.push(IrDropPoint {
                    size: n,
                    device_resistance_ohm: 1.0 / (g_top * scale),
                    line_resistance_ohm: r,
                    max_error: errs.iter().cloned().fold(0.0, f64::max),
                    rms_error: (errs.iter().map(|e| e * e).sum::<f64>() / errs.len() as f64).sqrt(),
                });
            }
        }
    }
    Ok(out)
}

impl PairArray {
    /// A rows x cols array at random levels of a synapse whose levels have `conductance` (one
    /// side of each pair at reset, the other at a random level, as the network's differential
    /// pairs), and random row voltages in 0 .. `v_max`; drawn from stream (seed, 0xC055BA55, 0).
    pub fn random(conductance: &[f64], rows: usize, cols: usize, v_max: f64, seed: u64) -> (PairArray, Vec<f64>) {
        use rand::Rng;
        let mut rng = dwmtj_core::stream::stream(seed, 0xC055_BA55, 0);
        let n = conductance.len() as i64;
        let (mut g_plus, mut g_minus) = (Vec::with_capacity(rows * cols), Vec::with_capacity(rows * cols));
        for _ in 0..rows * cols {
            let k: i64 = rng.gen_range(-(n - 1)..=(n - 1));
            g_plus.push(conductance[k.max(0) as usize]);
            g_minus.push(conductance[(-k).max(0) as usize]);
        }
        let v = (0..rows).map(|_| v_max * rng.gen::<f64>()).collect();
        (
            PairArray {
                rows,
                cols,
                g_plus,
                g_minus,
            },
            v,
        )
    }

    /// Differential column currents I+ - I- (A) for row voltages `v`.
    pub fn read(&self, v: &[f64], lines: Lines) -> Result<Vec<f64>, String> {
        let p = column_currents(&self.g_plus, self.rows, self.cols, v, lines)?;
        let m = column_currents(&self.g_minus, self.rows, self.cols, v, lines)?;
        Ok(p.iter().zip(&m).map(|(a, b)| a - b).collect())
    }

    /// An ngspice deck of the array with its read periphery: a DC source per row (the DAC
    /// output), word- and bit-line resistors per cell segment, one resistor per device, and a
    /// 0 V source per column line at its sense amplifier (virtual ground, its current the
    /// output). `.control` runs the operating point and prints every sense current,
    /// `i(vsp<j>)` and `i(vsm<j>)`: the current from each bit line through its sense source to ground.
    pub fn netlist(&self, v: &[f64], lines: Lines, title: &str) -> String {
        let mut s = format!(
            "* {title}\n* {} x {} differential-pair crossbar: rows driven at the left, columns sensed at the bottom (virtual ground)\n",
            self.rows, self.cols
        );
        s.push_str(&format!(
            "* line resistance per cell segment: word line {} Ohm, bit line {} Ohm\n",
            lines.row, lines.col
        ));
        let (rw, rb) = (lines.row.max(1e-6), lines.col.max(1e-6));
        for (i, vi) in v.iter().enumerate() {
            s.push_str(&format!("vin{i} in{i} 0 dc {vi:e}\n"));
        }
        for (side, g) in [("p", &self.g_plus), ("m", &self.g_minus)] {
            for i in 0..self.rows {
                for j in 0..self.cols {
                    let prev = if j == 0 {
                        format!("in{i}")
                    } else {
                        format!("w{side}{i}_{}", j - 1)
                    };
                    s.push_str(&format!("rw{side}{i}_{j} {prev} w{side}{i}_{j} {rw:e}\n"));
                    s.push_str(&format!(
                        "rc{side}{i}_{j} w{side}{i}_{j} b{side}{i}_{j} {:e}\n",
                        1.0 / g[i * self.cols + j].max(1e-30)
                    ));
                    let next = if i + 1 == self.rows {
                        format!("s{side}{j}")
                    } else {
                        format!("b{side}{}_{j}", i + 1)
                    };
                    s.push_str(&format!("rb{side}{i}_{j} b{side}{i}_{j} {next} {rb:e}\n"));
                }
            }
            for j in 0..self.cols {
                s.push_str(&format!("vs{side}{j} s{side}{j} 0 dc 0\n"));
            }
        }
        s.push_str(".options noacct\n.control\nop\n");
        for side in ["p", "m"] {
            for j in 0..self.cols {
                s.push_str(&format!("print i(vs{side}{j})\n"));
            }
        }
        s.push_str(".endc\n.end\n");
        s
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    fn dense(g: &[f64], rows: usize, cols: usize, v: &[f64], lines: Lines) -> Vec<f64> {
        // Direct Gaussian elimination of the same node equations: an independent solver.
        let n = rows * cols;
        let size = 2 * n;
        let mut a = vec![vec![0.0; size + 1]; size];
        let (gw, gb) = (1.0 / lines.row, 1.0 / lines.col);
        for i in 0..rows {
            for j in 0..cols {
                let k = i * cols + j;
                let (u, b) = (k, n + k);
                a[u][u] += g[k];
                a[u][b] -= g[k];
                a[b][b] += g[k];
                a[b][u] -= g[k];
                // Word line to the left (driver or previous cell).
                a[u][u] += gw;
                if j == 0 {
                    a[u][size] += gw * v[i];
                } else {
                    a[u][k - 1] -= gw;
                    a[k - 1][k - 1] += gw;
                    a[k - 1][u] -= gw;
                }
                // Bit line down (next cell or the sense node at 0 V).
                a[b][b] += gb;
                if i + 1 < rows {
                    a[b][n + k + cols] -= gb;
                    a[n + k + cols][n + k + cols] += gb;
                    a[n + k + cols][b] -= gb;
                }
            }
        }
        for c in 0..size {
            let piv = (c..size).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs())).unwrap();
            a.swap(c, piv);
            for r in 0..size {
                if r != c {
                    let f = a[r][c] / a[c][c];
                    if f != 0.0 {
                        for k in c..=size {
                            a[r][k] -= f * a[c][k];
                        }
                    }
                }
            }
        }
        (0..cols)
            .map(|j| a[n + (rows - 1) * cols + j][size] / a[n + (rows - 1) * cols + j][n + (rows - 1) * cols + j] * gb)
            .collect()
    }

    #[test]
    fn conjugate_gradients_match_elimination_and_the_ideal_limit() {
        let (rows, cols) = (6, 5);
        let g: Vec<f64> = (0..rows * cols).map(|k| 1e-5 * (1.0 + (k % 7) as f64)).collect();
        let v: Vec<f64> = (0..rows).map(|i| 0.1 + 0.02 * i as f64).collect();
        let lines = Lines { row: 2.5, col: 4.0 };
        let cg = column_currents(&g, rows, cols, &v, lines).unwrap();
        let direct = dense(&g, rows, cols, &v, lines);
        for (a, b) in cg.iter().zip(&direct) {
            assert!((a / b - 1.0).abs() < 1e-9, "{a} vs {b}");
        }
        // Line resistance only lowers the currents; tiny lines give the ideal sum.
        let ideal = column_currents(&g, rows, cols, &v, Lines::IDEAL).unwrap();
        assert!(cg.iter().zip(&ideal).all(|(a, b)| a < b));
        let tiny = column_currents(&g, rows, cols, &v, Lines { row: 1e-6, col: 1e-6 }).unwrap();
        for (a, b) in tiny.iter().zip(&ideal) {
            assert!((a / b - 1.0).abs() < 1e-6, "{a} vs {b}");
        }
    }

    /// The transfer matrix by line relaxation reproduces the conjugate-gradient and the dense
    /// solves for any input, with weak (1e-5 S devices) and strong (36 mS, 28 Ohm devices)
    /// coupling between the lines.
    #[test]
    fn the_transfer_matrix_reads_as_the_full_solve() {
        let (rows, cols) = (13, 7);
        for (g_scale, r) in [(1e-5, 2.5), (1e-5, 40.0), (3.6e-2, 1.0)] {
            let g: Vec<f64> = (0..rows * cols).map(|k| g_scale * (1.0 + (k % 5) as f64) / 5.0).collect();
            let lines = Lines { row: r, col: 1.5 * r };
            let k = transfer_matrix(&g, rows, cols, lines).unwrap();
            for trial in 0..3 {
                let v: Vec<f64> = (0..rows).map(|i| ((i * 7 + trial * 3) % 11) as f64 * 0.03 - 0.1).collect();
                let via: Vec<f64> = (0..cols).map(|j| (0..rows).map(|i| k[j * rows + i] * v[i]).sum()).collect();
                let cg = column_currents(&g, rows, cols, &v, lines).unwrap();
                let direct = dense(&g, rows, cols, &v, lines);
                let top = direct.iter().map(|x| x.abs()).fold(0.0, f64::max);
                for ((a, b), c) in via.iter().zip(&direct).zip(&cg) {
                    assert!((a - b).abs() < 1e-9 * top, "{g_scale} {r}: {a} vs {b}");
                    assert!((c - b).abs() < 1e-9 * top, "{g_scale} {r}: cg {c} vs {b}");
                }
            }
        }
        assert!(transfer_matrix(&[1e-5; 4], 2, 2, Lines::IDEAL).is_err());
    }
}
