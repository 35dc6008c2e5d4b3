//! Progress bars on stderr (hidden when stderr is not a terminal, so scripts and logs stay clean).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A bar of `len` steps counted in `unit` ("runs", "batches"), labelled `what`, with an ETA.
pub fn bar(len: u64, what: &str, unit: &str) -> ProgressBar {
    styled(len, what, &format!("{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{eta}})"))
}

/// A bar of a fraction in [0, 1] of the work (a simulated time), shown as a percentage.
pub struct Fraction(ProgressBar);

impl Fraction {
    pub fn new(what: &str) -> Self {
        Self(styled(1000, what, "{msg} [{bar:40}] {percent}% ({eta})"))
    }

    pub fn set(&self, fraction: f64) {
        self.0.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn styled(len: u64, what: &str, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}
