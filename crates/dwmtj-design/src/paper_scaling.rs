//! The Discussion's scaled-device numbers, reproduced and checked (`reproduce scaling`; the
//! write energies themselves are [`crate::paper::energy`]):
//!
//! * the power to switch the prototypes' MTJs through the 5.2 kOhm wire, 0.15-2.0 mW, from the
//!   simulated Fig. 3f and Fig. 4c devices' switching currents;
//! * the MgO thickness that puts a 20 nm x 10 nm junction in the megaohm range crossbars need
//!   (the paper: 1.6-1.8 nm), from RA growing exponentially with thickness
//!   ([`dwmtj_core::scaled::TunnelBarrier`]);
//! * the thermal stability Delta = E_b/kB T of the scaled 20 nm x 25 nm free-layer footprint and
//!   its retention tau_0 exp(Delta) against the 10-year MRAM benchmark (the paper expects less);
//! * the energy-retention trade-off over the wire width.

use crate::paper::{check, Check, Figure};
use dwmtj_core::energy::{project, ScalingAssumptions};
use dwmtj_core::material::{find_builtin, KB};
use dwmtj_core::scaled::{delta_for, retention, Retention, TunnelBarrier, TEN_YEARS_S};

/// The switching power of one MTJ of a simulated device.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SwitchingPower {
    /// Figure id ("fig3f", "fig4c").
    pub device: String,
    /// MTJ number from 1.
    pub mtj: usize,
    /// 50 % switching current, A.
    pub current_a: f64,
    /// I^2 R_wire, W.
    pub power_w: f64,
}

/// One MgO thickness.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MgoRow {
    /// Barrier thickness, m.
    pub thickness_m: f64,
    /// RA, Ohm m^2.
    pub ra_ohm_m2: f64,
    /// P-state resistance of a 20 nm x 10 nm junction, Ohm.
    pub r_scaled_ohm: f64,
    /// P-state resistance of the prototype's 200 nm x 400 nm junction, Ohm.
    pub r_prototype_ohm: f64,
}

/// One wire width of the energy-retention trade-off.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct TradeoffRow {
    /// Wire width, m (the MTJ is 0.8 of it along the wire, as 20 nm on 25 nm).
    pub width_m: f64,
    /// Energy per event at 2x the prototype current density, J.
    pub energy_2x_j: f64,
    /// Energy per event at 4x, J.
    pub energy_4x_j: f64,
    /// Thermal stability of the footprint.
    pub delta: f64,
    /// Mean retention time, s.
    pub retention_s: f64,
}

/// The scaling reproduction.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScalingFigure {
    /// Checks against the paper.
    pub checks: Vec<Check>,
    /// Switching power per reachable MTJ of the simulated devices.
    pub powers: Vec<SwitchingPower>,
    /// The tunnel barrier model.
    pub barrier: TunnelBarrier,
    /// RA and resistance against thickness.
    pub mgo: Vec<MgoRow>,
    /// The scaled footprint's retention (20 nm MTJ on a 25 nm wire).
    pub retention: Retention,
    /// Delta that ten years need at tau_0 = 1 ns.
    pub delta_ten_years: f64,
    /// The energy-retention trade-off over the wire width.
    pub tradeoff: Vec<TradeoffRow>,
}

/// The scaled footprint: 20 nm along a 25 nm wire.
const SCALED_LENGTH: f64 = 20e-9;
const SCALED_WIDTH: f64 = 25e-9;
/// The scaled junction area the paper's MgO estimate refers to: 20 nm x 10 nm.
const SCALED_MTJ_AREA: f64 = 20e-9 * 10e-9;

/// Reproduce the scaling numbers; `devices` are the simulated Fig. 3f / 4c figures.
pub fn scaling(devices: &[&Figure]) -> ScalingFigure {
    let mut checks = Vec::new();
    let mut powers = Vec::new();
    for fig in devices {
        let r = fig.simulation.wire_resistance_ohm;
        for m in &fig.simulation.mtjs {
            if let Some(i) = m.switching_current_a.filter(|&i| i > 0.0) {
                powers.push(SwitchingPower {
                    device: fig.id.clone(),
                    mtj: m.mtj,
                    current_a: i,
                    power_w: i * i * r,
                });
            }
        }
    }
    if !powers.is_empty() {
        let lo = powers.iter().map(|p| p.power_w).fold(f64::INFINITY, f64::min);
        let hi = powers.iter().map(|p| p.power_w).fold(0.0, f64::max);
        checks.push(check(
            "scaling_switching_power",
            "the power to switch the prototypes' MTJs through the 5.2 kOhm wire varies from 0.15 mW to 2.0 mW",
            format!(
                "{:.3} - {:.2} mW over the {} current-switched MTJs of the Fig. 3f and 4c devices",
                lo * 1e3,
                hi * 1e3,
                powers.len()
            ),
            (0.13e-3..=0.3e-3).contains(&lo) && (1.5e-3..=2.1e-3).contains(&hi),
        ));
    }
    let barrier = TunnelBarrier::cofeb_mgo();
    let proto_area = 200e-9 * 400e-9;
    let mgo: Vec<MgoRow> = (0..=24)
        .map(|k| {
            let t = 1.0e-9 + 0.05e-9 * f64::from(k);
            MgoRow {
                thickness_m: t,
                ra_ohm_m2: barrier.ra(t),
                r_scaled_ohm: barrier.resistance(t, SCALED_MTJ_AREA),
                r_prototype_ohm: barrier.resistance(t, proto_area),
            }
        })
        .collect();
    let (r16, r18) = (
        barrier.resistance(1.6e-9, SCALED_MTJ_AREA),
        barrier.resistance(1.8e-9, SCALED_MTJ_AREA),
    );
    let t_1m = barrier.thickness_for(1e6, SCALED_MTJ_AREA);
    checks.push(check(
        "scaling_mgo_thickness",
        "MgO of 1.6-1.8 nm puts a 20 nm x 10 nm MTJ in the megaohm range crossbars need",
        format!(
            "RA = {:.0} and {:.0} Ohm um^2 at 1.6 and 1.8 nm: R = {:.2} and {:.2} MOhm; 1 MOhm needs {:.2} nm (RA decays by e every {:.3} nm)",
            barrier.ra(1.6e-9) * 1e12,
            barrier.ra(1.8e-9) * 1e12,
            r16 / 1e6,
            r18 / 1e6,
            t_1m * 1e9,
            barrier.decay * 1e9
        ),
        (1e6..=1e7).contains(&r16) && (1e6..=1e7).contains(&r18),
    ));
    let material = find_builtin("ta-cofeb-mgo").expect("built-in material");
    let (temperature, tau0) = (300.0, 1e-9);
    let ret = retention(&material, SCALED_LENGTH, SCALED_WIDTH, temperature, tau0);
    let delta_ten_years = delta_for(TEN_YEARS_S, tau0);
    let base = ScalingAssumptions::default();
    let tradeoff: Vec<TradeoffRow> = [15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0, 80.0, 100.0]
        .iter()
        .map(|&w_nm| {
            let w = w_nm * 1e-9;
            let a = ScalingAssumptions {
                wire_width: w,
                length: base.length * w / base.wire_width,
                ..base.clone()
            };
            let e = project(&a);
            let r = retention(&material, 0.8 * w, w, temperature, tau0);
            TradeoffRow {
                width_m: w,
                energy_2x_j: e[0].energy_scaled_pulse_j,
                energy_4x_j: e[1].energy_scaled_pulse_j,
                delta: r.delta,
                retention_s: r.time_s,
            }
        })
        .collect();
    let ten_year_width = tradeoff.iter().find(|r| r.retention_s >= TEN_YEARS_S).map(|r| r.width_m);
    checks.push(check(
        "scaling_retention",
        "at such low switching energies the retention time may be less than the 10-year MRAM benchmark",
        format!(
            "20 nm x 25 nm x {:.1} nm footprint of ta-cofeb-mgo (K_eff {:.1e} J/m^3): E_b = {:.2e} J ({}), Delta = {:.1} at 300 K, retention {:.1} days against 10 years (Delta {:.1}); {}",
            material.t_fm * 1e9,
            material.k_eff,
            ret.coherent_barrier_j.min(ret.wall_barrier_j),
            if ret.coherent_barrier_j <= ret.wall_barrier_j { "coherent" } else { "through a wall" },
            ret.delta,
            ret.time_s / 86400.0,
            delta_ten_years,
            ten_year_width.map_or("no width up to 100 nm reaches 10 years".to_string(), |w| format!(
                "10 years from a {:.0} nm wire",
                w * 1e9
            ))
        ),
        !ret.ten_years && ret.delta > 0.0 && (ret.delta - ret.coherent_barrier_j.min(ret.wall_barrier_j) / (KB * temperature)).abs() < 1e-9,
    ));
    ScalingFigure {
        checks,
        powers,
        barrier,
        mgo,
        retention: ret,
        delta_ten_years,
        tradeoff,
    }
}
