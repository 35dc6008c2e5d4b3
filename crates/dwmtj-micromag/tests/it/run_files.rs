//! Run files: any value validates or names the field; a base material takes core's values.

use dwmtj_micromag::system::System;

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(dwmtj_core::fuzz::cases(300)))]
    /// Any value put in place of one of the example run file's values either validates, with a
    /// mesh the solver can build, or is rejected with an error that names a field: never a
    /// panic. (The run file is the MTJ-readout example: mesh, material, pulses, regions.)
    #[test]
    fn run_files_with_any_value_validate_or_name_the_field(
        slot in 0usize..40,
        value in proptest::prop_oneof![
            proptest::prelude::Just("\"-3 nm\"".to_string()),
            proptest::prelude::Just("\"0 nm\"".to_string()),
            proptest::prelude::Just("\"1e9 A/m\"".to_string()),
            proptest::prelude::Just("\"nan ns\"".to_string()),
            proptest::prelude::Just("[\"1 nm\", \"2 nm\"]".to_string()),
            proptest::prelude::Just("[0, 99]".to_string()),
            proptest::prelude::Just("true".to_string()),
            "-?[0-9]{1,4}(\\.[0-9]{1,3})?(e-?[0-9]{1,2})?",
            "\"[0-9]{1,3} (nm|um|ns|mT|T|A/m|J/m\\^3|pJ/m|%|Ohm\\*um\\^2|xyz)\"",
        ],
    ) {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/micromag/mtj-readout.toml")).unwrap();
        // Replace the slot-th `key = value` line's value (slots past the last leave it valid).
        let edited = dwmtj_core::fuzz::replace_value(&text, slot, &value).unwrap_or_else(|| text.clone());
        match dwmtj_micromag::config::parse(&edited, "prop.toml") {
            Ok((_, spec)) => {
                proptest::prop_assert!(spec.mesh.cells() > 0 && spec.duration > 0.0);
                let sys = System::with_regions(spec.mesh.clone(), spec.params.clone(), spec.regions.clone()).unwrap();
                proptest::prop_assert_eq!(sys.region_cells.len(), spec.regions.len());
            }
            Err(e) => {
                let msg = e.to_string();
                proptest::prop_assert!(msg.contains('`') || msg.contains("TOML") || msg.contains("prop.toml"), "{}", msg);
            }
        }
    }
}

#[test]
#[allow(clippy::float_cmp)] // the values are copied, so they compare exactly
fn a_base_material_gives_the_values_of_core_under_the_same_names() {
    let file = |material: &str| {
        format!(
            "[mesh]\nlength = \"256 nm\"\nwidth = \"32 nm\"\nthickness = \"1 nm\"\ncell = \"4 nm\"\n[material]\n{material}\n[initial]\nstate = \"uniform\"\ndirection = [0, 0, 1]\n[run]\nduration = \"0.01 ns\"\n"
        )
    };
    let m = dwmtj_core::material::find_builtin("ta-cofeb-mgo").unwrap();
    let (_, spec) = dwmtj_micromag::config::parse(&file("base = \"ta-cofeb-mgo\""), "base.toml").unwrap();
    let p = &spec.params;
    // The material files hold K_eff; the solver computes demag, so it takes K_u = K_eff + mu0 Ms^2/2.
    let ku = m.k_eff + 0.5 * dwmtj_core::units::MU0 * m.ms * m.ms;
    assert!((p.ku - ku).abs() < 1e-9 * ku, "{} vs {ku}", p.ku);
    assert!(p.ms == m.ms && p.a_ex == m.a_ex && p.dmi == m.dmi && p.alpha == m.alpha);
    assert!(p.theta_sh == m.theta_sh && p.fl_ratio == m.fl_dl_ratio && p.t_hm == m.t_hm);
    // Explicit keys win over the base; k_eff converts the same way; fl_ratio is the old name.
    let text = file("base = \"ta-cofeb-mgo\"\nms = \"1e6 A/m\"\nk_eff = \"0.2e6 J/m^3\"\nfl_ratio = 0.3");
    let (_, spec) = dwmtj_micromag::config::parse(&text, "over.toml").unwrap();
    let want = 0.2e6 + 0.5 * dwmtj_core::units::MU0 * 1e12;
    assert!((spec.params.ku - want).abs() < 1e-9 * want && spec.params.ms == 1e6 && spec.params.fl_ratio == 0.3);
}
