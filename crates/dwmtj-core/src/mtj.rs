//! MTJ readout (docs/physics.md section 6).
//!
//! Each MTJ i has area A_i = length x width and parallel resistance-area product RA_P. With a
//! switched (antiparallel) area fraction f_i, conduction through the P and AP parts is parallel:
//!
//! ```text
//! G_i(V) = (A_i / RA_P) * [ (1 - f_i) + f_i / (1 + TMR(V)) ],   TMR(V) = TMR0 / (1 + V^2 / V_h^2)
//! ```
//!
//! All MTJs are read in parallel at a read current I_read (100 nA in the paper): the common bias
//! V solves V * G_total(V) = I_read. V * G_total(V) is strictly increasing in V (TMR falls with
//! V, so G rises), hence bisection finds the unique root.

/// One MTJ on the wire. All SI.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Mtj {
    /// Centre along the wire (m).
    pub position: f64,
    /// Footprint extent along the wire, the distance a local wall must cross (m).
    pub length: f64,
    /// Footprint extent across the wire (m).
    pub width: f64,
    /// Parallel-state resistance-area product (Ohm m^2).
    pub ra: f64,
    /// Zero-bias TMR (R_AP - R_P) / R_P.
    pub tmr: f64,
    /// Bias at which the TMR halves (V).
    pub tmr_half_voltage: f64,
    /// Reference-layer stray field at the free layer (A/m), along the reference direction
    /// (positive favours the P state).
    pub stray_field: f64,
}

impl Mtj {
    /// Footprint area length x width, m^2.
    pub fn area(&self) -> f64 {
        self.length * self.width
    }

    /// TMR at bias `v` (V): tmr / (1 + (v / tmr_half_voltage)^2).
    pub fn tmr_at(&self, v: f64) -> f64 {
        self.tmr / (1.0 + (v / self.tmr_half_voltage).powi(2))
    }

    /// Conductance with switched fraction `f_ap` at bias `v`.
    pub fn conductance(&self, f_ap: f64, v: f64) -> f64 {
        self.area() / self.ra * ((1.0 - f_ap) + f_ap / (1.0 + self.tmr_at(v)))
    }

    /// Conductance of the all-P state at zero bias, area / RA, S.
    pub fn conductance_p(&self) -> f64 {
        self.area() / self.ra
    }
}

/// Readout of all MTJs in parallel.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Reading {
    /// Total conductance at the read current, S.
    pub conductance: f64,
    /// Resistance 1 / conductance, Ohm.
    pub resistance: f64,
    /// Voltage across the MTJs (the top electrode in the network) at the read current, V.
    pub voltage: f64,
}

/// Read all MTJs in parallel at `read_current` with switched fractions `f_ap`.
pub fn read_parallel(mtjs: &[Mtj], f_ap: &[f64], read_current: f64) -> Reading {
    let g = |v: f64| -> f64 { mtjs.iter().zip(f_ap).map(|(m, &f)| m.conductance(f, v)).sum() };
    // Bracket: at V = I/G(0) the product is >= I because G(V) >= G(0).
    let (mut lo, mut hi) = (0.0, read_current / g(0.0));
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mid * g(mid) < read_current {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    let v = 0.5 * (lo + hi);
    let conductance = g(v);
    Reading {
        conductance,
        resistance: 1.0 / conductance,
        voltage: v,
    }
}

/// Readout through the wire (docs/physics.md 6, "read network"): the read current enters the common
/// top electrode, crosses every MTJ k (conductance G_k(V_k)) into the wire at x_k, and leaves
/// along the wire segments (resistances `segments[k]` between x_{k-1} and x_k, x_0 = the wire
/// contact, grounded). Nodal analysis: unknowns V_T and V_1..V_N,
///   sum_k G_k (V_T - V_k) = I,   G_k (V_k - V_T) + (V_k - V_{k-1})/R_k + (V_k - V_{k+1})/R_{k+1} = 0,
/// solved by Gaussian elimination, iterated for TMR(V). Returns R = V_T / I.
pub fn read_network(mtjs: &[Mtj], f_ap: &[f64], segments: &[f64], read_current: f64) -> Reading {
    let n = mtjs.len();
    let mut v_mtj = vec![0.0; n];
    let mut v_top = 0.0;
    for _ in 0..30 {
        let g: Vec<f64> = mtjs.iter().zip(f_ap).zip(&v_mtj).map(|((m, &f), &v)| m.conductance(f, v)).collect();
        // Unknowns: index 0 = V_T, 1..=n = wire nodes.
        let size = n + 1;
        let mut a = vec![vec![0.0; size + 1]; size];
        a[0][size] = read_current;
        for k in 0..n {
            a[0][0] += g[k];
            a[0][k + 1] -= g[k];
            let row = k + 1;
            a[row][row] += g[k];
            a[row][0] -= g[k];
            let left = 1.0 / segments[k];
            a[row][row] += left;
            if k > 0 {
                a[row][row - 1] -= left;
            }
            if k + 1 < n {
                let right = 1.0 / segments[k + 1];
                a[row][row] += right;
                a[row][row + 1] -= right;
            }
        }
        let x = solve(a);
        v_top = x[0];
        let new: Vec<f64> = (0..n).map(|k| x[0] - x[k + 1]).collect();
        let change = new.iter().zip(&v_mtj).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
        v_mtj = new;
        if change <= 1e-15 + 1e-12 * v_top.abs() {
            break;
        }
    }
    let resistance = v_top / read_current;
    Reading {
        conductance: 1.0 / resistance,
        resistance,
        voltage: v_top,
    }
}

/// Gaussian elimination with partial pivoting on an augmented matrix.
fn solve(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let n = a.len();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).expect("rows");
        a.swap(c, p);
        let pivot = a[c][c];
        for r in c + 1..n {
            let f = a[r][c] / pivot;
            if f.abs() > 0.0 {
                let pivot_row = a[c].clone();
                for (x, p) in a[r][c..].iter_mut().zip(&pivot_row[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (a[r][n] - s) / a[r][r];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mtj() -> Mtj {
        Mtj {
            position: 0.0,
            length: 200e-9,
            width: 400e-9,
            ra: 20e-12,
            tmr: 0.44,
            tmr_half_voltage: 0.5,
            stray_field: 0.0,
        }
    }

    #[test]
    fn hand_calculation_single_mtj() {
        // A = 0.08 um^2, RA = 20 Ohm um^2 -> R_P = 250 Ohm; R_AP = 250 * 1.44 = 360 Ohm at low bias.
        let m = mtj();
        let p = read_parallel(std::slice::from_ref(&m), &[0.0], 100e-9);
        assert!((p.resistance - 250.0).abs() < 1e-9, "{}", p.resistance);
        let ap = read_parallel(&[m], &[1.0], 100e-9);
        // At 36 uV the TMR reduction is (36e-6/0.5)^2 ~ 5e-9: negligible.
        assert!((ap.resistance - 360.0).abs() < 1e-5, "{}", ap.resistance);
    }

    #[test]
    fn bias_dependence_halves_tmr() {
        let m = mtj();
        assert!((m.tmr_at(0.5) - 0.22).abs() < 1e-15);
        // A read current large enough to put V_h across an AP junction of 250 Ohm P:
        // self-consistent V solves V = I R_AP(V) with TMR(V); check the fixed point.
        let r = read_parallel(std::slice::from_ref(&m), &[1.0], 2e-3);
        let want = 1.0 / m.conductance(1.0, r.voltage);
        assert!((r.resistance - want).abs() < 1e-9 * want);
        assert!((r.voltage - 2e-3 * r.resistance).abs() < 1e-12);
    }

    #[test]
    fn network_hand_calculations() {
        let m = mtj();
        // One MTJ: the read current crosses it and the wire segment in series.
        let r = read_network(std::slice::from_ref(&m), &[0.0], &[1000.0], 100e-9);
        assert!((r.resistance - 1250.0).abs() < 1e-6, "{}", r.resistance);
        // Two equal MTJs, segments R1 (contact-MTJ1) and R2 (MTJ1-MTJ2): R = R1 + (R_m (R_m + R2))/(2 R_m + R2).
        let (r1, r2, rm) = (500.0, 300.0, 250.0);
        let two = read_network(&[m.clone(), m.clone()], &[0.0, 0.0], &[r1, r2], 100e-9);
        let want = r1 + rm * (rm + r2) / (2.0 * rm + r2);
        assert!((two.resistance - want).abs() < 1e-6, "{} vs {want}", two.resistance);
        // Vanishing wire resistance: the ideal parallel readout.
        let p = read_parallel(&[m.clone(), m.clone(), m.clone()], &[0.0, 1.0, 0.5], 100e-9);
        let w = read_network(&[m.clone(), m.clone(), m], &[0.0, 1.0, 0.5], &[1e-9, 1e-9, 1e-9], 100e-9);
        assert!((w.resistance / p.resistance - 1.0).abs() < 1e-9);
    }

    #[test]
    fn parallel_conductances_add() {
        let m = mtj();
        let r = read_parallel(&[m.clone(), m.clone(), m], &[0.0, 0.5, 1.0], 100e-9);
        let g = 1.0 / 250.0 + 0.5 / 250.0 + 0.5 / 360.0 + 1.0 / 360.0;
        assert!((r.conductance - g).abs() < 1e-9 * g);
    }
}
