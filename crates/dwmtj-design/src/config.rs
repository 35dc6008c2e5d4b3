//! Target files for `dwmtj design TARGET.toml`: the target, the design choices and the
//! fabrication rules, quantities with units, unknown keys rejected.
//!
//! ```toml
//! version = 1
//! [target]
//! function = "sigmoid"              # or: table = "measured.csv" (columns current_a,output)
//! current_range = ["150 uA", "600 uA"]
//! center = "375 uA"                 # optional
//! scale = "55 uA"                   # optional
//! [design]
//! mtjs = 9
//! material = "ta-cofeb-mgo"
//! j_th = "0.7e11 A/m^2"
//! pulse = "8 ns"
//! tolerance = 0.05
//! [rules]                           # all optional
//! min_wire_width = "100 nm"
//! max_wire_width = "5 um"
//! min_mtj_side = "50 nm"
//! max_mtj_side = "600 nm"
//! mtj_spacing = "200 nm"
//! breakdown_current_density = "3e11 A/m^2"
//! fill = 0.8
//! max_current = "5 mA"
//! ```

use crate::discrete::{DesignSpec, FabRules};
use crate::target::Target;
use dwmtj_core::error::ConfigError;
use dwmtj_core::material::find_builtin;
use dwmtj_core::quantity::opt_si;
use dwmtj_core::units::Dim;
use dwmtj_core::RawQuantity as Q;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    target: RawTarget,
    #[serde(default)]
    design: RawDesign,
    #[serde(default)]
    rules: RawRules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    function: Option<String>,
    table: Option<String>,
    current_range: Option<[Q; 2]>,
    center: Option<Q>,
    scale: Option<Q>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDesign {
    mtjs: Option<usize>,
    material: Option<String>,
    j_th: Option<Q>,
    pulse: Option<Q>,
    tolerance: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    min_wire_width: Option<Q>,
    max_wire_width: Option<Q>,
    min_mtj_side: Option<Q>,
    max_mtj_side: Option<Q>,
    mtj_spacing: Option<Q>,
    breakdown_current_density: Option<Q>,
    fill: Option<f64>,
    max_current: Option<Q>,
}

/// A design request read from a file.
pub struct DesignRequest {
    pub spec: DesignSpec,
    pub tolerance: f64,
}

fn positive(v: f64, field: &str) -> Result<f64, ConfigError> {
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(ConfigError::field(field, format!("{v:e}"), "must be > 0"))
    }
}

/// Parse a target file; `read_table` loads a CSV path (relative to the file) into a target.
pub fn parse_request(
    text: &str,
    origin: &str,
    base: Option<&Path>,
    read_table: &dyn Fn(&Path) -> Result<Target, String>,
) -> Result<DesignRequest, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::Toml {
        origin: origin.into(),
        message: e.to_string(),
    })?;
    if raw.version != 1 {
        return Err(ConfigError::field("version", raw.version.to_string(), "must be 1"));
    }
    let t = &raw.target;
    let target = match (&t.function, &t.table) {
        (Some(f), None) => {
            let r = t.current_range.as_ref().ok_or_else(|| {
                ConfigError::field(
                    "target.current_range",
                    "missing",
                    "required with target.function: [\"MIN\", \"MAX\"] currents",
                )
            })?;
            let lo = r[0].to_si(Dim::CURRENT, "target.current_range[0]")?;
            let hi = r[1].to_si(Dim::CURRENT, "target.current_range[1]")?;
            let center = t.center.as_ref().map(|c| c.to_si(Dim::CURRENT, "target.center")).transpose()?;
            let scale = t.scale.as_ref().map(|c| c.to_si(Dim::CURRENT, "target.scale")).transpose()?;
            Target::named(f, lo, hi, center, scale).map_err(|e| ConfigError::field("target.function", format!("'{f}'"), e.to_string()))?
        }
        (None, Some(path)) => {
            let p = base.map_or_else(|| Path::new(path).to_path_buf(), |b| b.join(path));
            read_table(&p).map_err(|e| ConfigError::field("target.table", format!("'{path}'"), e))?
        }
        _ => {
            return Err(ConfigError::field(
                "target",
                "",
                "give exactly one of `function` (with current_range) or `table`",
            ))
        }
    };
    let d = &raw.design;
    let material_name = d.material.clone().unwrap_or_else(|| "ta-cofeb-mgo".into());
    let material = find_builtin(&material_name)
        .ok_or_else(|| ConfigError::field("design.material", format!("'{material_name}'"), "not a built-in material"))?;
    let mtjs = d.mtjs.unwrap_or(9);
    if !(1..=64).contains(&mtjs) {
        return Err(ConfigError::field("design.mtjs", mtjs.to_string(), "must be between 1 and 64"));
    }
    let tolerance = d.tolerance.unwrap_or(0.05);
    if !(tolerance > 0.0 && tolerance < 1.0) {
        return Err(ConfigError::field(
            "design.tolerance",
            tolerance.to_string(),
            "must be between 0 and 1 (fraction of full scale)",
        ));
    }
    let def = FabRules::default();
    let r = &raw.rules;
    let rules = FabRules {
        min_wire_width: positive(
            opt_si(&r.min_wire_width, Dim::LENGTH, "rules.min_wire_width", def.min_wire_width)?,
            "rules.min_wire_width",
        )?,
        max_wire_width: positive(
            opt_si(&r.max_wire_width, Dim::LENGTH, "rules.max_wire_width", def.max_wire_width)?,
            "rules.max_wire_width",
        )?,
        min_mtj_side: positive(
            opt_si(&r.min_mtj_side, Dim::LENGTH, "rules.min_mtj_side", def.min_mtj_side)?,
            "rules.min_mtj_side",
        )?,
        max_mtj_side: positive(
            opt_si(&r.max_mtj_side, Dim::LENGTH, "rules.max_mtj_side", def.max_mtj_side)?,
            "rules.max_mtj_side",
        )?,
        mtj_spacing: positive(
            opt_si(&r.mtj_spacing, Dim::LENGTH, "rules.mtj_spacing", def.mtj_spacing)?,
            "rules.mtj_spacing",
        )?,
        breakdown_current_density: positive(
            opt_si(
                &r.breakdown_current_density,
                Dim::CURRENT_DENSITY,
                "rules.breakdown_current_density",
                def.breakdown_current_density,
            )?,
            "rules.breakdown_current_density",
        )?,
        fill: r.fill.unwrap_or(def.fill),
        max_current: positive(
            opt_si(&r.max_current, Dim::CURRENT, "rules.max_current", def.max_current)?,
            "rules.max_current",
        )?,
    };
    if !(rules.fill > 0.0 && rules.fill <= 1.0) {
        return Err(ConfigError::field("rules.fill", rules.fill.to_string(), "must be in (0, 1]"));
    }
    if rules.min_wire_width >= rules.max_wire_width {
        return Err(ConfigError::field(
            "rules.min_wire_width",
            format!("{:e} m", rules.min_wire_width),
            "must be below rules.max_wire_width",
        ));
    }
    if rules.min_mtj_side > rules.max_mtj_side {
        return Err(ConfigError::field(
            "rules.min_mtj_side",
            format!("{:e} m", rules.min_mtj_side),
            "must not exceed rules.max_mtj_side",
        ));
    }
    let spec = DesignSpec {
        target,
        mtjs,
        material,
        j_th: positive(opt_si(&d.j_th, Dim::CURRENT_DENSITY, "design.j_th", 0.7e11)?, "design.j_th")?,
        pulse_width: positive(opt_si(&d.pulse, Dim::TIME, "design.pulse", 8e-9)?, "design.pulse")?,
        ra: 20e-12,
        tmr: 0.44,
        rules,
    };
    Ok(DesignRequest { spec, tolerance })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_table(_: &Path) -> Result<Target, String> {
        Err("no tables here".into())
    }

    #[test]
    fn full_file_and_errors_name_fields() {
        let good = "version = 1\n[target]\nfunction = \"tanh\"\ncurrent_range = [\"150 uA\", \"0.6 mA\"]\n[design]\nmtjs = 7\n[rules]\nmtj_spacing = \"150 nm\"\n";
        let r = parse_request(good, "t", None, &no_table).unwrap();
        assert_eq!(r.spec.mtjs, 7);
        assert!((r.spec.target.i_max - 6e-4).abs() < 1e-15 && (r.spec.rules.mtj_spacing - 150e-9).abs() < 1e-18);
        for (text, needle) in [
            (good.replace("mtjs = 7", "mtjs = 7\ncolour = 1"), "unknown field `colour`"),
            (good.replace("\"0.6 mA\"", "\"0.6 Oe\""), "target.current_range[1]"),
            (good.replace("\"150 nm\"", "\"-150 nm\""), "rules.mtj_spacing"),
            (good.replace("tanh", "cubic"), "target.function"),
            (good.replace("mtjs = 7", "mtjs = 0"), "design.mtjs"),
        ] {
            let e = parse_request(&text, "t", None, &no_table)
                .err()
                .unwrap_or_else(|| panic!("accepted: {text}"))
                .to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
