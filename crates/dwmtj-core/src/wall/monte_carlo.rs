//! Monte Carlo statistics over independent thermal wall runs.

use super::model::{Drive, WallModel};
use super::run::{run_deterministic, run_thermal, RunOptions};

/// Monte Carlo statistics of a thermal wall run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MonteCarlo {
    /// Number of trials.
    pub trials: usize,
    /// Mean displacement q(t_end) - q0, m.
    pub displacement_mean_m: f64,
    /// Sample standard deviation of the displacement, m.
    pub displacement_std_m: f64,
    /// Mean final velocity, m/s.
    pub final_velocity_mean_m_per_s: f64,
    /// Sample standard deviation of the final velocity, m/s.
    pub final_velocity_std_m_per_s: f64,
    /// Mean final wall angle phi, rad.
    pub phi_mean_rad: f64,
    /// Sample standard deviation of phi, rad.
    pub phi_std_rad: f64,
    /// Fraction of trials whose wall moved at least `target_m` along +x.
    pub switching_probability: f64,
    /// Displacement a trial must reach to count as switched, m.
    pub target_m: f64,
    /// Every trial's (displacement, final velocity, phi).
    #[serde(skip)]
    pub outcomes: Vec<(f64, f64, f64)>,
}

/// `trials` independent thermal runs; trial k draws from stream (seed, k, 0), so the result is
/// the same on any number of threads.
pub fn monte_carlo(model: &WallModel, drive: &Drive, phi0: f64, opts: &RunOptions, trials: usize, seed: u64, target: f64) -> MonteCarlo {
    monte_carlo_from(model, drive, 0.0, phi0, opts, trials, seed, target)
}

/// [`monte_carlo`] with the wall starting at q0.
#[allow(clippy::too_many_arguments)] // mirrors monte_carlo plus the start position
pub fn monte_carlo_from(
    model: &WallModel,
    drive: &Drive,
    q0: f64,
    phi0: f64,
    opts: &RunOptions,
    trials: usize,
    seed: u64,
    target: f64,
) -> MonteCarlo {
    use rayon::prelude::*;
    let opts = RunOptions { samples: 0, ..*opts };
    let outcomes: Vec<(f64, f64, f64)> = if model.temperature > 0.0 {
        (0..trials)
            .into_par_iter()
            .map(|k| {
                let mut rng = crate::stream::stream(seed, k as u64, 0);
                let o = run_thermal(model, drive, q0, phi0, &opts, &mut rng);
                (o.displacement_m, o.final_velocity_m_per_s, o.phi_rad)
            })
            .collect()
    } else {
        // Without noise every trial is the same run.
        let o = run_deterministic(model, drive, q0, phi0, &opts);
        vec![(o.displacement_m, o.final_velocity_m_per_s, o.phi_rad); trials]
    };
    let col = |f: fn(&(f64, f64, f64)) -> f64| crate::fit::mean_std(&outcomes.iter().map(f).collect::<Vec<_>>());
    let (dm, ds) = col(|o| o.0);
    let (vm, vs) = col(|o| o.1);
    let (pm, ps) = col(|o| o.2);
    let switched = outcomes.iter().filter(|o| o.0 >= target).count();
    MonteCarlo {
        trials,
        displacement_mean_m: dm,
        displacement_std_m: ds,
        final_velocity_mean_m_per_s: vm,
        final_velocity_std_m_per_s: vs,
        phi_mean_rad: pm,
        phi_std_rad: ps,
        switching_probability: switched as f64 / trials.max(1) as f64,
        target_m: target,
        outcomes,
    }
}
