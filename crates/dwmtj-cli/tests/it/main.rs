//! End-to-end tests of the `dwmtj` binary: reproductions, every example config, bad inputs
//! (clear message, non-zero exit, no output folder), and reproducibility across thread counts.

mod adversarial;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dwmtj(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwmtj")).args(args).output().expect("run dwmtj")
}

fn dwmtj_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dwmtj"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run dwmtj")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a run failed with a message naming `needle`, and left no folder (or partial) behind.
macro_rules! assert_rejected {
    ($out:expr, $dir:expr, $needle:expr) => {{
        let o = $out;
        assert!(!o.status.success(), "expected failure, got success; stderr: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains($needle), "stderr lacks {:?}:\n{}", $needle, err);
        assert!(!$dir.exists(), "{} was created", $dir.display());
        let parent = $dir.parent().unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(parent)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "partial output left: {:?}",
            leftovers.iter().map(|e| e.path()).collect::<Vec<_>>()
        );
    }};
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD: &str = include_str!("../../../dwmtj-core/tests/fixtures/good/minimal.toml");

fn with_program(text: &str) -> String {
    format!("{text}\n[program]\nkind = \"list\"\ncurrents = [\"100 uA\", \"200 uA\"]\npulse_width = \"8 ns\"\n")
}

fn python_with(import_line: &str) -> Option<String> {
    let candidates: Vec<String> = std::env::var("DWMTJ_PYTHON")
        .ok()
        .into_iter()
        .chain(std::iter::once("python3".to_string()))
        .collect();
    candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", import_line])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn gdstk_python() -> Option<String> {
    python_with("import gdstk")
}

mod design;
mod devices;
mod dw;
mod export;
mod micromag;
mod reproduce;
mod sweep;
mod train;
