//! Sweep files against their definition: grid order, zip, the Latin hypercube's strata, seeds,
//! units and ranges, keys that do not exist, and a fuzzer over sweep files.

use dwmtj_sweep::spec::{Mode, RawSweep, Sweep};
use dwmtj_sweep::table::{table, PointState};
use proptest::prelude::*;

const WALL: &str = "version = 1\ncurrent_density = \"1e11 A/m^2\"\npulse = \"2 ns\"\n";

fn sweep(text: &str) -> Result<Sweep, dwmtj_core::ConfigError> {
    let raw = RawSweep::from_toml(&format!("version = 1\nbase = \"wall.toml\"\n{text}"), "s.toml")?;
    Sweep::new(&raw, "s", "/nowhere/wall.toml".into(), WALL.into())
}

fn values(s: &Sweep, point: usize) -> Vec<String> {
    s.points[point].values.iter().map(|v| v.to_string()).collect()
}

#[test]
fn grids_are_row_major_with_exact_range_ends() {
    let s = sweep(
        "[[axis]]\nkey = \"hz\"\nvalues = [\"-1 Oe\", \"1 Oe\"]\n\
         [[axis]]\nkey = \"pulse\"\nrange = { from = \"1 ns\", to = \"3 ns\", points = 3 }\n",
    )
    .unwrap();
    assert_eq!(s.mode, Mode::Grid);
    assert_eq!(s.points.len(), 6);
    assert_eq!(values(&s, 0), ["\"-1 Oe\"", "\"1.0 ns\""]);
    assert_eq!(values(&s, 1), ["\"-1 Oe\"", "\"2.0 ns\""]);
    assert_eq!(values(&s, 5), ["\"1 Oe\"", "\"3.0 ns\""]);
    // A log range: from and to exactly, geometric in between.
    let s =
        sweep("[[axis]]\nkey = \"current_density\"\nrange = { from = \"1e10 A/m^2\", to = \"1e12 A/m^2\", points = 3, scale = \"log\" }\n")
            .unwrap();
    let x: Vec<f64> = s.points.iter().map(|p| s.axes[0].number(&p.values[0]).unwrap()).collect();
    assert_eq!(x[0].to_bits(), 1e10f64.to_bits(), "the ends are exact");
    assert_eq!(x[2].to_bits(), 1e12f64.to_bits());
    assert!((x[1] / 1e11 - 1.0).abs() < 1e-12, "{x:?}");
    // Another unit of the same dimension converts into the first's.
    let s = sweep("[[axis]]\nkey = \"hz\"\nrange = { from = \"0 A/m\", to = \"2 kA/m\", points = 2 }\n").unwrap();
    assert_eq!(s.axes[0].number(&s.points[1].values[0]), Some(2000.0));
    assert_eq!(s.axes[0].column(), "hz [A/m]");
    // Integer ranges give integers (rounded), and refuse to repeat one.
    let s = sweep("[[axis]]\nkey = \"trials\"\nrange = { from = 1, to = 10, points = 3 }\n").unwrap();
    assert_eq!(
        (values(&s, 0), values(&s, 1), values(&s, 2)),
        (vec!["1".to_string()], vec!["6".to_string()], vec!["10".to_string()])
    );
    let s = sweep("[[axis]]\nkey = \"trials\"\nrange = { from = 1, to = 1000, points = 4, scale = \"log\" }\n").unwrap();
    assert_eq!(values(&s, 2), ["100"]);
    let e = sweep("[[axis]]\nkey = \"trials\"\nrange = { from = 1, to = 3, points = 5 }\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("distinct integers"), "{e}");
    // The same field written twice is one key.
    let e = sweep("[[axis]]\nkey = \"material_overrides.dmi\"\nvalues = [1]\n[[axis]]\nkey = \"material_overrides.dmi\"\nvalues = [2]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("already an axis"), "{e}");
}

#[test]
fn zip_pairs_values_and_seeds_follow_the_point_index() {
    let s = sweep(
        "mode = \"zip\"\nseed = 3\n[[axis]]\nkey = \"hz\"\nvalues = [1, 2, 3]\n\
         [[axis]]\nkey = \"pulse\"\nvalues = [\"1 ns\", \"2 ns\", \"3 ns\"]\n",
    )
    .unwrap();
    assert_eq!(s.points.len(), 3);
    assert_eq!(values(&s, 2), ["3", "\"3 ns\""]);
    let seeds: Vec<u64> = s.points.iter().map(|p| p.seed.unwrap()).collect();
    assert!(seeds[0] != seeds[1] && seeds[1] != seeds[2]);
    assert!(seeds.iter().all(|&x| x <= i64::MAX as u64));
    // The same seed and index give the same seed, whatever the other points.
    let t = sweep("mode = \"zip\"\nseed = 3\n[[axis]]\nkey = \"hz\"\nvalues = [7, 8]\n").unwrap();
    assert_eq!(t.points[1].seed, s.points[1].seed);
    // Shared seeds; an axis over the seed key itself wins.
    let u = sweep("seeds = \"shared\"\nseed = 9\n[[axis]]\nkey = \"hz\"\nvalues = [7, 8]\n").unwrap();
    assert!(u.points.iter().all(|p| p.seed == Some(9)));
    let v = sweep("[[axis]]\nkey = \"seed\"\nvalues = [1, 2]\n").unwrap();
    assert!(v.points.iter().all(|p| p.seed.is_none()));
    assert!(v.point_text(&v.points[1]).unwrap().contains("seed = 2"));
}

#[test]
fn point_texts_set_the_keys_and_the_runs_validate() {
    let s = sweep("seed = 1\n[[axis]]\nkey = \"material_overrides.dmi\"\nvalues = [\"0.1 mJ/m^2\", \"0.5 mJ/m^2\"]\n").unwrap();
    let text = s.point_text(&s.points[1]).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(doc["material_overrides"]["dmi"].as_str(), Some("0.5 mJ/m^2"));
    assert_eq!(doc["pulse"].as_str(), Some("2 ns"));
    assert_eq!(doc["seed"].as_integer(), s.points[1].seed.map(|x| x as i64));
    dwmtj_sweep::check(&s).unwrap();
    // A stronger DMI moves the wall faster: the runs see the values.
    let states: Vec<PointState> = (0..2)
        .map(|k| PointState::Done(dwmtj_sweep::run_point(&s, k, &|| {}).unwrap().1))
        .collect();
    let t = table(&s, &states);
    let c = t.columns.iter().position(|c| c == "displacement_m").unwrap();
    let x: Vec<f64> = t.numbers(c).into_iter().map(|x| x.unwrap().abs()).collect();
    assert!(x[1] > x[0], "{x:?}");
    // Keys that are not in the file's schema fail at validation, naming the point and key.
    let bad = sweep("[[axis]]\nkey = \"pulse_width\"\nvalues = [\"1 ns\"]\n").unwrap();
    let (k, e) = dwmtj_sweep::check(&bad).unwrap_err();
    assert_eq!(k, 0);
    assert!(e.to_string().contains("pulse_width"), "{e}");
    let bad = sweep("[[axis]]\nkey = \"pulse\"\nvalues = [\"1 ns\", \"3 Oe\"]\n").unwrap();
    let (k, e) = dwmtj_sweep::check(&bad).unwrap_err();
    assert_eq!(k, 1);
    assert!(e.to_string().contains("pulse") && e.to_string().contains("3 Oe"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(dwmtj_core::fuzz::cases(64)))]

    /// A Latin hypercube uses each of the N strata of every axis exactly once, within the
    /// range, and the same seed gives the same points.
    #[test]
    fn latin_hypercubes_fill_every_stratum_once(n in 1usize..60, seed in 0u64..1000, log in any::<bool>()) {
        let scale = if log { "log" } else { "linear" };
        let text = format!(
            "mode = \"random\"\npoints = {n}\nseed = {seed}\n\
             [[axis]]\nkey = \"current_density\"\nrange = {{ from = \"1e10 A/m^2\", to = \"1e12 A/m^2\", scale = \"{scale}\" }}\n\
             [[axis]]\nkey = \"hz\"\nrange = {{ from = \"-10 Oe\", to = \"30 Oe\" }}\n"
        );
        let s = sweep(&text).unwrap();
        prop_assert_eq!(s.points.len(), n);
        for (j, (lo, hi, log)) in [(1e10f64, 1e12f64, log), (-10.0, 30.0, false)].into_iter().enumerate() {
            let mut strata: Vec<usize> = s
                .points
                .iter()
                .map(|p| {
                    let x = s.axes[j].number(&p.values[j]).unwrap();
                    prop_assert!(x >= lo * (1.0 - 1e-12) - 1e-12 && x <= hi * (1.0 + 1e-12) + 1e-12, "{x} outside [{lo}, {hi}]");
                    let u = if log { (x / lo).ln() / (hi / lo).ln() } else { (x - lo) / (hi - lo) };
                    Ok(((u * n as f64) as usize).min(n - 1))
                })
                .collect::<Result<_, TestCaseError>>()?;
            strata.sort_unstable();
            prop_assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        let again = sweep(&text).unwrap();
        prop_assert!(s.points.iter().zip(&again.points).all(|(a, b)| a.values == b.values && a.seed == b.seed));
    }

    /// Any edit of a sweep file gives a sweep or an error naming a field, never a panic.
    #[test]
    fn sweep_files_with_any_value_validate_or_name_the_field(slot in 0usize..64, v in 0usize..dwmtj_core::fuzz::NASTY_VALUES.len()) {
        let text = "version = 1\nbase = \"wall.toml\"\nmode = \"grid\"\nseed = 1\nseeds = \"per-point\"\n\
                    [[axis]]\nkey = \"hz\"\nrange = { from = \"-10 Oe\", to = \"10 Oe\", points = 3, scale = \"linear\" }\n\
                    [[axis]]\nkey = \"pulse\"\nvalues = [\"1 ns\", \"2 ns\"]\n";
        let n = dwmtj_core::fuzz::value_slots(text);
        let edited = dwmtj_core::fuzz::replace_value(text, slot % n, dwmtj_core::fuzz::NASTY_VALUES[v]).unwrap();
        let raw = RawSweep::from_toml(&edited, "s.toml");
        if let Ok(raw) = raw {
            match Sweep::new(&raw, "s", "/nowhere/wall.toml".into(), WALL.into()) {
                Ok(s) => { let _ = dwmtj_sweep::check(&s); }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}
