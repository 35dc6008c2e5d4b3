//! dwmtj-design integration tests: the target-file parser under arbitrary edits.

mod dynamic_design;
mod measured;
mod reproduce;

use dwmtj_core::device::{Device, Program};
use dwmtj_design::config::{DesignKind, DesignRunSpec, RawDesignRun};
use std::path::Path;

/// A device file's device and program (panics with the message on an invalid file).
pub fn device_from(text: &str) -> (Device, Option<Program>) {
    let (_, d, p) = dwmtj_core::config::parse_device(text, "test", None).unwrap_or_else(|e| panic!("{e}"));
    (d, p)
}

fn parse_request(text: &str, origin: &str) -> Result<DesignRunSpec, dwmtj_core::ConfigError> {
    RawDesignRun::from_toml(text, origin)?.validate(None)
}

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/targets/tanh-9.toml")).unwrap()
}

#[test]
fn the_example_target_file_parses() {
    let req = parse_request(&example(), "tanh-9.toml").unwrap();
    let DesignKind::Discrete(spec) = &req.kind else {
        panic!("not a discrete design")
    };
    assert_eq!(spec.mtjs, 9);
    assert!((req.tolerance - 0.05).abs() < 1e-12);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(dwmtj_core::fuzz::cases(300)))]
    /// Any value in any slot of the example target file gives a design request with a target on
    /// an increasing current range, or an error naming a field or the file: never a panic.
    #[test]
    fn target_files_with_any_value_validate_or_name_the_field(
        slot in 0usize..40,
        nasty in 0usize..dwmtj_core::fuzz::NASTY_VALUES.len(),
        random in "[-+0-9.eE a-zA-Z%*/^()\\[\\]\",]{0,24}",
        pick_random in proptest::bool::ANY,
    ) {
        let base = example();
        let value = if pick_random { random.clone() } else { dwmtj_core::fuzz::NASTY_VALUES[nasty].to_string() };
        let text = dwmtj_core::fuzz::replace_any_value(&base, slot, &value);
        match parse_request(&text, "prop.toml") {
            Ok(DesignRunSpec { kind: DesignKind::Discrete(spec), tolerance, .. }) => {
                proptest::prop_assert!(spec.mtjs >= 1 && tolerance > 0.0);
                proptest::prop_assert!(spec.j_th > 0.0 && spec.pulse_width > 0.0);
            }
            Ok(DesignRunSpec { kind: DesignKind::Analog(a), tolerance, .. }) => {
                proptest::prop_assert!(a.length > 0.0 && a.pulse_width > 0.0 && tolerance > 0.0);
            }
            Err(e) => {
                let m = e.to_string();
                proptest::prop_assert!(m.contains('`') || m.contains("prop.toml") || m.contains("table"), "{}", m);
            }
        }
    }
}
