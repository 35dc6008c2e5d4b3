//! The config fixture suite: every good file validates; every bad file fails with the message
//! written beside it (its first line, `# expect: ...`).

use dwmtj_core::config::{load_device, parse_device, resolve};
use std::path::{Path, PathBuf};

/// The .toml files directly in `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn files(sub: &str) -> Vec<PathBuf> {
    toml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(sub))
}

fn configs() -> Vec<PathBuf> {
    toml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs"))
}

#[test]
fn good_fixtures_validate() {
    let good = files("good");
    assert!(good.len() >= 3);
    for f in good {
        load_device(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

#[test]
fn bad_fixtures_fail_with_their_message() {
    let bad = files("bad");
    assert!(bad.len() >= 20, "{} bad fixtures", bad.len());
    for f in bad {
        let text = std::fs::read_to_string(&f).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks '# expect:'", f.display()));
        match load_device(&f) {
            Ok(_) => panic!("{} validated but should fail with: {expect}", f.display()),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(expect), "{}:\n  got:    {msg}\n  expect: {expect}", f.display());
            }
        }
    }
}

#[test]
fn example_configs_validate() {
    let c = configs();
    assert!(c.len() >= 4);
    for f in c {
        load_device(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

/// The resolved form (every value SI and explicit) parses back to the same model.
#[test]
fn resolved_configs_round_trip() {
    let mut all = files("good");
    all.extend(configs());
    for f in all {
        let (_, dev, prog) = load_device(&f).unwrap();
        let text = toml::to_string(&resolve(&dev, prog.as_ref())).unwrap();
        let (_, dev2, prog2) = parse_device(&text, "resolved", None).unwrap_or_else(|e| panic!("{}: {e}\n{text}", f.display()));
        let mut a = dev.clone();
        // The resolved file names its built-in base; a file-defined material keeps its values.
        a.material.name = dev2.material.name.clone();
        a.material.description = dev2.material.description.clone();
        a.material.sources = dev2.material.sources.clone();
        // Unit conversions (e.g. a field per 1e11 A/m^2) may round in the last bit.
        approx_eq(
            &serde_json::to_value(&a).unwrap(),
            &serde_json::to_value(&dev2).unwrap(),
            &f.display().to_string(),
        );
        approx_eq(
            &serde_json::to_value(&prog).unwrap(),
            &serde_json::to_value(&prog2).unwrap(),
            &f.display().to_string(),
        );
    }
}

fn approx_eq(a: &serde_json::Value, b: &serde_json::Value, ctx: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * x.abs().max(y.abs()), "{ctx}: {x} != {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{ctx}");
            for (p, q) in x.iter().zip(y) {
                approx_eq(p, q, ctx);
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{ctx}");
            for (k, v) in x {
                approx_eq(v, &y[k], &format!("{ctx}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{ctx}"),
    }
}
