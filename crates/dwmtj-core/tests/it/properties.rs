//! Properties: monotone readout, non-negative energies, seeded reproducibility across thread
//! counts, and parser robustness.

use crate::{device_from, MINIMAL};
use dwmtj_core::config::parse_device;
use dwmtj_core::mtj::{read_parallel, Mtj};
use dwmtj_core::simulate::simulate;
use proptest::prelude::*;

fn mtj(area_scale: f64, tmr: f64) -> Mtj {
    Mtj {
        position: 0.0,
        length: 200e-9 * area_scale,
        width: 400e-9,
        ra: 20e-12,
        tmr,
        tmr_half_voltage: 0.5,
        stray_field: 0.0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(dwmtj_core::fuzz::cases(256)))]
    #[test]
    fn conductance_falls_as_more_mtjs_switch(scales in prop::collection::vec(0.2f64..3.0, 1..12), tmr in 0.05f64..3.0, i_read in 1e-9f64..1e-4) {
        let mtjs: Vec<Mtj> = scales.iter().map(|&s| mtj(s, tmr)).collect();
        let mut prev = f64::INFINITY;
        for k in 0..=mtjs.len() {
            let f: Vec<f64> = (0..mtjs.len()).map(|i| if i < k { 1.0 } else { 0.0 }).collect();
            let g = read_parallel(&mtjs, &f, i_read).conductance;
            prop_assert!(g < prev);
            prev = g;
        }
    }

    #[test]
    fn readout_is_self_consistent(f in prop::collection::vec(0.0f64..=1.0, 1..9), i_read in 1e-9f64..5e-3) {
        let mtjs: Vec<Mtj> = f.iter().map(|_| mtj(1.0, 1.0)).collect();
        let r = read_parallel(&mtjs, &f, i_read);
        let g: f64 = mtjs.iter().zip(&f).map(|(m, &fi)| m.conductance(fi, r.voltage)).sum();
        prop_assert!((g - r.conductance).abs() <= 1e-12 * g);
        prop_assert!((r.voltage * g - i_read).abs() <= 1e-9 * i_read);
    }

    /// Arbitrary text never panics the config parser; it is either a device or an error.
    #[test]
    fn device_parser_never_panics(s in "\\PC{0,200}") {
        let _ = parse_device(&s, "fuzz", None);
    }

    /// Any value in any slot of the example device files validates into a model the threshold
    /// model accepts, or is an error naming a field or the file: never a panic.
    #[test]
    fn device_files_with_any_value_validate_or_name_the_field(
        file in 0usize..3,
        slot in 0usize..80,
        nasty in 0usize..dwmtj_core::fuzz::NASTY_VALUES.len(),
        random in "[-+0-9.eE a-zA-Z%*/^()\\[\\]\",]{0,24}",
        pick_random in proptest::bool::ANY,
    ) {
        let texts = [
            include_str!("../../../../configs/fig3f.toml"),
            include_str!("../../../../configs/fig4c.toml"),
            include_str!("../../../../configs/bipolar-synapse.toml"),
        ];
        let value = if pick_random { random.clone() } else { dwmtj_core::fuzz::NASTY_VALUES[nasty].to_string() };
        let text = dwmtj_core::fuzz::replace_any_value(texts[file], slot, &value);
        match parse_device(&text, "prop.toml", None) {
            Ok((_, d, p)) => {
                prop_assert!(d.wire_resistance().is_finite() && d.wire_resistance() > 0.0);
                let _ = dwmtj_core::threshold::ThresholdModel::new(&d, p.as_ref().map(|p| p.pulse));
            }
            Err(e) => {
                let m = e.to_string();
                prop_assert!(m.contains('`') || m.contains("prop.toml") || m.contains("cannot read"), "{}", m);
            }
        }
    }

    /// Mutating one quantity of a valid file into random text yields a clean result or error.
    #[test]
    fn quantity_mutations_give_errors_not_panics(v in "[-+0-9.eE a-zA-Z%*/^()]{0,16}") {
        let text = MINIMAL.replace("\"2 um\"", &format!("{v:?}"));
        let _ = parse_device(&text, "fuzz", None);
    }
}

#[test]
fn energies_are_non_negative_and_switching_counts_bounded() {
    let (d, p) = device_from(include_str!("../fixtures/good/table_bipolar.toml"));
    let sim = simulate(&d, &p.unwrap(), &|_| {}).unwrap();
    for pt in &sim.points {
        assert!(pt.energy_j >= 0.0);
        assert!(pt.switched_mean >= 0.0 && pt.switched_mean <= d.mtjs.len() as f64);
        assert!(pt.r_std_ohm >= 0.0);
    }
    assert!(sim.read_energy_j > 0.0);
}

fn run_with_threads(n: usize) -> String {
    let text = include_str!("../../../../configs/fig4c.toml");
    let (d, p) = device_from(text);
    let mut p = p.unwrap();
    p.cycles = 12;
    p.devices = 3;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
    let sim = pool.install(|| simulate(&d, &p, &|_| {}).unwrap());
    serde_json::to_string(&sim.points).unwrap()
}

#[test]
fn seeded_results_do_not_depend_on_thread_count() {
    let one = run_with_threads(1);
    let two = run_with_threads(2);
    let three = run_with_threads(3);
    assert_eq!(one, two);
    assert_eq!(one, three);
}

#[test]
fn different_seeds_differ() {
    let (d, p) = device_from(include_str!("../../../../configs/fig4c.toml"));
    let mut p = p.unwrap();
    p.cycles = 5;
    let a = simulate(&d, &p, &|_| {}).unwrap();
    p.seed += 1;
    let b = simulate(&d, &p, &|_| {}).unwrap();
    assert_ne!(serde_json::to_string(&a.points).unwrap(), serde_json::to_string(&b.points).unwrap());
}
