//! The built-in device files: the paper's Fig. 3f linear synapse and Fig. 4c sigmoid generator
//! (configs/fig3f.toml, configs/fig4c.toml), compiled in so that the reproductions, the training
//! defaults and the Python package need no files.

/// The Fig. 3f linear synapse device file (configs/fig3f.toml).
pub const FIG3F_TOML: &str = include_str!("../../../configs/fig3f.toml");
/// The Fig. 4c sigmoid-generator device file (configs/fig4c.toml).
pub const FIG4C_TOML: &str = include_str!("../../../configs/fig4c.toml");

/// The single 1 um x 3 um MTJ under a swept field, Figs. 1e and 2c-d (configs/field/single-mtj.toml).
pub const SINGLE_MTJ_FIELD_TOML: &str = include_str!("../../../configs/field/single-mtj.toml");

/// The built-in device file of `id` ("fig3f", "fig4c" or "single-mtj").
pub fn device(id: &str) -> Option<&'static str> {
    match id {
        "fig3f" => Some(FIG3F_TOML),
        "fig4c" => Some(FIG4C_TOML),
        "single-mtj" | "fig1e" | "fig2cd" => Some(SINGLE_MTJ_FIELD_TOML),
        _ => None,
    }
}
