//! The adversarial suite: bad inputs across every subcommand (config files, flags, IDX files,
//! output paths, oversized settings, signals). Each case runs `dwmtj` in a fresh folder and
//! asserts the exit code, that the message names the field or path and the expected value or
//! range, and that the folder is unchanged apart from the intended output (a snapshot of every
//! file, hidden ones included, before and after).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn config(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap()
}

/// Every file and folder under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (bool, u64, Option<std::time::SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            // A folder's own time stamp changes when an entry is made and removed in it; its
            // entries are compared one by one instead.
            let (len, stamp) = if m.is_dir() { (0, None) } else { (m.len(), m.modified().ok()) };
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), (m.is_dir(), len, stamp));
            if m.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dwmtj"));
    c.args(args).current_dir(dir).stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let t0 = Instant::now();
    let o = c.output().expect("run dwmtj");
    (o, t0.elapsed())
}

/// One bad input: the files it starts from, the command, and what the message must name.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    args: Vec<&'static str>,
    env: Vec<(&'static str, &'static str)>,
    needles: Vec<&'static str>,
    /// Oversized settings must be refused at once.
    fast: bool,
}

fn case(name: &'static str, files: Vec<(&'static str, String)>, args: &[&'static str], needles: &[&'static str]) -> Case {
    Case {
        name,
        files,
        args: args.to_vec(),
        env: Vec::new(),
        needles: needles.to_vec(),
        fast: false,
    }
}

fn fast(mut c: Case) -> Case {
    c.fast = true;
    c
}

fn with_env(mut c: Case, env: &[(&'static str, &'static str)]) -> Case {
    c.env = env.to_vec();
    c
}

fn dev(from: &str, to: &str) -> Vec<(&'static str, String)> {
    let base = config("configs/fig3f.toml");
    assert!(base.contains(from), "fig3f.toml lacks {from:?}");
    vec![("dev.toml", base.replacen(from, to, 1))]
}

fn fig3f() -> Vec<(&'static str, String)> {
    vec![("dev.toml", config("configs/fig3f.toml"))]
}

fn mm(from: &str, to: &str) -> Vec<(&'static str, String)> {
    let base = config("configs/micromag/sot-wall.toml");
    assert!(base.contains(from), "sot-wall.toml lacks {from:?}");
    vec![("run.toml", base.replacen(from, to, 1))]
}

fn lenet(from: &str, to: &str) -> Vec<(&'static str, String)> {
    let base = config("configs/nn/lenet5.toml");
    assert!(base.contains(from), "lenet5.toml lacks {from:?}");
    vec![("train.toml", base.replacen(from, to, 1))]
}

fn nn(from: &str, to: &str) -> Vec<(&'static str, String)> {
    let base = config("configs/nn/mnist-mlp.toml");
    assert!(base.contains(from), "mnist-mlp.toml lacks {from:?}");
    vec![("train.toml", base.replacen(from, to, 1))]
}

/// A dwmtj run folder (its manifest) at `dir`, and a note the user keeps there.
fn dwmtj_folder(dir: &'static str) -> Vec<(&'static str, String)> {
    let manifest: &'static str = Box::leak(format!("{dir}/manifest.json").into_boxed_str());
    vec![(manifest, "{\"tool\": \"dwmtj\", \"version\": \"0.1.0\"}\n".into())]
}

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        b.extend(d.to_be_bytes());
    }
    b.extend(data);
    b
}

fn text(bytes: Vec<u8>) -> String {
    // The IDX bytes used here are all < 0x80, so they survive as UTF-8 text.
    String::from_utf8(bytes).unwrap()
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        // Device files: units, ranges, unit slips, consistency.
        case(
            "tmr_44",
            dev("tmr = \"44 %\"", "tmr = \"44\""),
            &["simulate", "dev.toml", "--out", "r"],
            &["mtj_defaults.tmr", "\"44 %\""],
        ),
        case(
            "bare_length",
            dev("length = \"14.5 um\"", "length = 14.5"),
            &["check", "dev.toml"],
            &["wire.length", "\"14.5 um\"", "1 mm"],
        ),
        case(
            "huge_length",
            dev("length = \"14.5 um\"", "length = \"1e300 um\""),
            &["check", "dev.toml"],
            &["wire.length", "0.01 nm to 1 mm"],
        ),
        case(
            "field_100_t",
            dev("hz = \"-480 Oe\"", "hz = \"-1e6 Oe\""),
            &["check", "dev.toml"],
            &["bias.hz", "10 T"],
        ),
        case(
            "readout_above_breakdown",
            dev("current = \"100 nA\"", "current = \"1 A\""),
            &["simulate", "dev.toml", "--out", "r"],
            &["readout.current", "breakdown current"],
        ),
        case(
            "unknown_key",
            dev("[wire]", "[wire]\nshape = \"round\""),
            &["check", "dev.toml"],
            &["unknown field `shape`"],
        ),
        case(
            "length_in_oe",
            dev("length = \"14.5 um\"", "length = \"14.5 Oe\""),
            &["check", "dev.toml"],
            &["wire.length", "length"],
        ),
        case(
            "nan_tmr",
            dev("tmr = \"44 %\"", "tmr = nan"),
            &["check", "dev.toml"],
            &["mtj_defaults.tmr", "finite"],
        ),
        case(
            "version_2",
            dev("version = 1", "version = 2"),
            &["check", "dev.toml"],
            &["version", "must be 1"],
        ),
        case(
            "unknown_material",
            dev("[wire]", "material = \"unobtainium\"\n[wire]"),
            &["check", "dev.toml"],
            &["material", "unobtainium"],
        ),
        case(
            "negative_ra",
            dev("ra = \"20 Ohm*um^2\"", "ra = \"-20 Ohm*um^2\""),
            &["check", "dev.toml"],
            &["ra", "> 0"],
        ),
        case(
            "d2d_fraction",
            dev("d2d = \"1 %\"", "d2d = \"90 %\""),
            &["check", "dev.toml"],
            &["variation.d2d", "between 0 and 0.5"],
        ),
        case(
            "toml_syntax",
            dev("version = 1", "version = = 1"),
            &["check", "dev.toml"],
            &["dev.toml"],
        ),
        case(
            "missing_file",
            vec![],
            &["simulate", "nowhere.toml", "--out", "r"],
            &["nowhere.toml"],
        ),
        case(
            "no_program",
            vec![(
                "dev.toml",
                config("configs/fig3f.toml").split("[program]").next().unwrap().to_string(),
            )],
            &["simulate", "dev.toml", "--out", "r"],
            &["[program]"],
        ),
        case(
            "zero_step",
            dev("step = \"", "step = \"0 uA\"\n# step = \""),
            &["check", "dev.toml"],
            &["program.step"],
        ),
        // Command-line overrides go through the file's limits.
        fast(case(
            "cycles_u32_max",
            fig3f(),
            &["simulate", "dev.toml", "--cycles", "4294967295", "--out", "r"],
            &["program.cycles", "100000"],
        )),
        fast(case(
            "devices_u32_max",
            fig3f(),
            &["simulate", "dev.toml", "--devices", "4294967295", "--out", "r"],
            &["program.devices", "100000"],
        )),
        case(
            "cycles_zero",
            fig3f(),
            &["simulate", "dev.toml", "--cycles", "0", "--out", "r"],
            &["program.cycles", "between 1 and 100000"],
        ),
        case(
            "devices_negative",
            fig3f(),
            &["simulate", "dev.toml", "--devices", "-3", "--out", "r"],
            &["--devices"],
        ),
        case(
            "seed_text",
            fig3f(),
            &["simulate", "dev.toml", "--seed", "lots", "--out", "r"],
            &["--seed"],
        ),
        // Output paths.
        case(
            "force_dot",
            fig3f(),
            &["simulate", "dev.toml", "--out", ".", "--force"],
            &["--out .", "current folder"],
        ),
        case(
            "force_ancestor",
            fig3f(),
            &["simulate", "dev.toml", "--out", "..", "--force"],
            &["--out ..", "ancestors"],
        ),
        case(
            "force_foreign_folder",
            [fig3f(), vec![("mine/notes.txt", "my notes\n".into())]].concat(),
            &["simulate", "dev.toml", "--out", "mine", "--force"],
            &["--out mine", "not written by dwmtj"],
        ),
        case(
            "force_onto_file",
            [fig3f(), vec![("afile", "data\n".into())]].concat(),
            &["simulate", "dev.toml", "--out", "afile", "--force"],
            &["--out afile", "not a folder"],
        ),
        case(
            "existing_run_without_force",
            [fig3f(), dwmtj_folder("old")].concat(),
            &["simulate", "dev.toml", "--out", "old"],
            &["--out old", "--force"],
        ),
        case(
            "force_onto_inputs_folder",
            [dwmtj_folder("proj"), vec![("proj/dev.toml", config("configs/fig3f.toml"))]].concat(),
            &["simulate", "proj/dev.toml", "--out", "proj", "--force"],
            &["--out proj", "input"],
        ),
        with_env(
            case(
                "force_home",
                [fig3f(), dwmtj_folder("home")].concat(),
                &["simulate", "dev.toml", "--out", "home", "--force"],
                &["--out home", "home folder"],
            ),
            &[("HOME", "__TMP__/home")],
        ),
        case(
            "calibrate_force_dot",
            fig3f(),
            &["calibrate", "dev.toml", "--out", ".", "--force"],
            &["current folder"],
        ),
        case(
            "reproduce_force_ancestor",
            vec![("sub/keep.txt", "x".into())],
            &["reproduce", "fig3b", "--out", "..", "--force"],
            &["ancestors"],
        ),
        case(
            "design_onto_file",
            vec![("afile", "data\n".into())],
            &[
                "design",
                "--function",
                "linear",
                "--current-range",
                "150 uA..600 uA",
                "--out",
                "afile",
                "--force",
            ],
            &["--out afile", "not a folder"],
        ),
        case(
            "micromag_onto_file",
            [mm("x0", "x0"), vec![("afile", "data\n".into())]].concat(),
            &["micromag", "run.toml", "--out", "afile", "--force"],
            &["--out afile"],
        ),
        case(
            "train_foreign_folder",
            vec![("mine/notes.txt", "my notes\n".into())],
            &["train", "--out", "mine", "--force"],
            &["--out mine", "not written by dwmtj"],
        ),
        case(
            "compare_force_dot",
            vec![],
            &["compare", "--out", ".", "--force"],
            &["current folder"],
        ),
        case(
            "dw_force_dot",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "1 ns", "--out", ".", "--force"],
            &["current folder"],
        ),
        case(
            "export_existing_file",
            [fig3f(), vec![("f.gds", "not a layout\n".into())]].concat(),
            &["export", "gds", "dev.toml", "--out", "f.gds"],
            &["--out f.gds", "--force"],
        ),
        case(
            "export_force_foreign_file",
            [fig3f(), vec![("notes.txt", "my notes\n".into())]].concat(),
            &["export", "gds", "dev.toml", "--out", "notes.txt", "--force"],
            &["--out notes.txt", "not written by dwmtj"],
        ),
        case(
            "export_onto_input",
            fig3f(),
            &["export", "svg", "dev.toml", "--out", "dev.toml", "--force"],
            &["--out dev.toml", "input"],
        ),
        case(
            "export_onto_folder",
            [fig3f(), vec![("d/x", "1".into())]].concat(),
            &["export", "spice", "dev.toml", "--out", "d"],
            &["--out d", "folder"],
        ),
        case(
            "export_under_a_file",
            [fig3f(), vec![("afile", "1".into())]].concat(),
            &["export", "gds", "dev.toml", "--out", "afile/x.gds"],
            &["afile", "is a file"],
        ),
        case("export_unknown_format", fig3f(), &["export", "dxf", "dev.toml"], &["dxf", "gds"]),
        // dw flags.
        case(
            "dw_negative_pulse",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "-8 ns"],
            &["--pulse", "> 0"],
        ),
        case(
            "dw_field_1e300",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "8 ns", "--hz", "1e300 Oe"],
            &["--hz", "10 T"],
        ),
        case(
            "dw_rtol_nan",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "8 ns", "--rtol", "nan"],
            &["--rtol", "(0, 0.1]"],
        ),
        case(
            "dw_tilt_thermal",
            vec![],
            &[
                "dw",
                "--current-density",
                "1e11",
                "--pulse",
                "8 ns",
                "--tilt",
                "--temperature",
                "300 K",
            ],
            &["--tilt", "deterministically", "0 K"],
        ),
        case(
            "dw_tilt_trials",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "8 ns", "--tilt", "--trials", "10"],
            &["--tilt", "trials to 1"],
        ),
        case(
            "dw_rtol_zero",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "8 ns", "--rtol", "0"],
            &["--rtol", "(0, 0.1]"],
        ),
        case(
            "dw_negative_temperature",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "8 ns", "--temperature", "-5 K"],
            &["--temperature", ">= 0"],
        ),
        case(
            "dw_zero_trials",
            vec![],
            &["dw", "--current-density", "1e11", "--pulse", "8 ns", "--trials", "0"],
            &["--trials", "at least 1"],
        ),
        fast(case(
            "dw_trials_1e12",
            vec![],
            &[
                "dw",
                "--current-density",
                "1e11",
                "--pulse",
                "8 ns",
                "--temperature",
                "300 K",
                "--trials",
                "1000000000000",
            ],
            &["--trials", "memory"],
        )),
        fast(case(
            "dw_sweep_points_1e9",
            vec![],
            &[
                "dw",
                "--current-density",
                "1e11",
                "--sweep-to",
                "2e11",
                "--sweep-points",
                "1000000000",
                "--pulse",
                "8 ns",
            ],
            &["--sweep-points", "memory"],
        )),
        case(
            "dw_one_sweep_point",
            vec![],
            &[
                "dw",
                "--current-density",
                "1e11",
                "--sweep-to",
                "2e11",
                "--sweep-points",
                "1",
                "--pulse",
                "8 ns",
            ],
            &["--sweep-points", "at least 2"],
        ),
        case(
            "dw_current_in_um",
            vec![],
            &["dw", "--current-density", "1 um", "--pulse", "8 ns"],
            &["--current-density", "current density"],
        ),
        case(
            "dw_unknown_material",
            vec![],
            &["dw", "--material", "unobtainium", "--current-density", "1e11", "--pulse", "8 ns"],
            &["unobtainium"],
        ),
        case(
            "dw_unknown_set_key",
            vec![],
            &["dw", "--set", "foo=1", "--current-density", "1e11", "--pulse", "8 ns"],
            &["--set foo", "unknown key"],
        ),
        case(
            "dw_set_wrong_unit",
            vec![],
            &["dw", "--set", "dmi=1 um", "--current-density", "1e11", "--pulse", "8 ns"],
            &["dmi"],
        ),
        case(
            "dw_zero_width",
            vec![],
            &["dw", "--width", "0 nm", "--current-density", "1e11", "--pulse", "8 ns"],
            &["--width", "> 0"],
        ),
        case(
            "dw_zero_dt",
            vec![],
            &[
                "dw",
                "--dt",
                "0 s",
                "--temperature",
                "300 K",
                "--current-density",
                "1e11",
                "--pulse",
                "8 ns",
            ],
            &["--dt"],
        ),
        case(
            "dw_wall_type",
            vec![],
            &["dw", "--wall", "sideways", "--current-density", "1e11", "--pulse", "8 ns"],
            &["sideways", "up-down"],
        ),
        // design.
        fast(case(
            "design_monte_carlo_1e12",
            vec![],
            &[
                "design",
                "--function",
                "sigmoid",
                "--current-range",
                "150 uA..600 uA",
                "--monte-carlo",
                "1000000000000",
                "--out",
                "d",
            ],
            &["--monte-carlo", "memory"],
        )),
        case(
            "design_monte_carlo_zero",
            vec![],
            &[
                "design",
                "--function",
                "sigmoid",
                "--current-range",
                "150 uA..600 uA",
                "--monte-carlo",
                "0",
                "--out",
                "d",
            ],
            &["--monte-carlo", "at least 1"],
        ),
        case(
            "design_jth_zero",
            vec![],
            &[
                "design",
                "--function",
                "sigmoid",
                "--current-range",
                "150 uA..600 uA",
                "--j-th",
                "0",
                "--out",
                "d",
            ],
            &["--j-th", "> 0"],
        ),
        case(
            "design_model_unknown",
            vec![],
            &["design", "--function", "sigmoid", "--current-range", "150 uA..600 uA", "--model", "fast", "--out", "d"],
            &["--model", "fast", "threshold", "dynamic", "auto"],
        ),
        case(
            "design_model_in_file_unknown",
            vec![(
                "t.toml",
                "version = 1\n[target]\nfunction = \"sigmoid\"\ncurrent_range = [\"150 uA\", \"600 uA\"]\n[design]\nmodel = \"micromagnetic\"\n".into(),
            )],
            &["design", "t.toml", "--out", "d"],
            &["design.model", "--model", "micromagnetic", "threshold, dynamic or auto"],
        ),
        case(
            "design_model_analog",
            vec![],
            &["design", "--function", "sigmoid", "--current-range", "1 mA..3 mA", "--analog", "static", "--model", "dynamic", "--out", "d"],
            &["design.model", "discrete designs only"],
        ),
        case(
            "design_model_dynamic_infeasible",
            vec![],
            &["design", "--function", "sigmoid", "--current-range", "300 uA..600 uA", "--mtjs", "5", "--pulse", "2 ns", "--model", "dynamic", "--out", "d"],
            &["infeasible", "cannot cross", "shortest pulse", "DMI"],
        ),
        case(
            "calibrate_velocity_no_unit",
            vec![("v.csv", "current_density,velocity\n1e11,30\n2e11,40\n3e11,45\n".into())],
            &["calibrate", "--velocity", "v.csv", "--out", "d"],
            &["v.csv", "current_density", "no unit", "A/m^2"],
        ),
        case(
            "calibrate_velocity_missing_column",
            vec![("v.csv", "j (A/m^2),velocity (m/s)\n1e11,30\n2e11,40\n".into())],
            &["calibrate", "--velocity", "v.csv", "--out", "d"],
            &["v.csv", "no column `current_density`", "j"],
        ),
        case(
            "calibrate_velocity_wrong_unit",
            vec![("v.csv", "current_density (A/m^2),velocity (Oe)\n1e11,30\n2e11,40\n3e11,45\n".into())],
            &["calibrate", "--velocity", "v.csv", "--out", "d"],
            &["v.csv", "velocity", "Oe"],
        ),
        case(
            "calibrate_velocity_bad_number",
            vec![("v.csv", "current_density (A/m^2),velocity (m/s)\n1e11,fast\n2e11,40\n3e11,45\n".into())],
            &["calibrate", "--velocity", "v.csv", "--out", "d"],
            &["v.csv", "row 1", "velocity"],
        ),
        case(
            "calibrate_velocity_negative_std",
            vec![("v.csv", "current_density (A/m^2),velocity (m/s),velocity_std (m/s)\n1e11,30,-1\n2e11,40,1\n3e11,45,1\n".into())],
            &["calibrate", "--velocity", "v.csv", "--out", "d"],
            &["velocity_std", "> 0"],
        ),
        case(
            "calibrate_too_few_points",
            vec![("v.csv", "current_density (A/m^2),velocity (m/s)\n1e11,30\n2e11,40\n".into())],
            &["calibrate", "--velocity", "v.csv", "--out", "d"],
            &["2 measured points", "3 parameters"],
        ),
        case(
            "calibrate_device_and_velocity",
            vec![("v.csv", "current_density (A/m^2),velocity (m/s)\n1e11,30\n".into())],
            &["calibrate", "dev.toml", "--velocity", "v.csv", "--out", "d"],
            &["--velocity", "cannot be used"],
        ),
        case(
            "calibrate_micromag_one_current",
            vec![("mm.toml", config("configs/micromag/sot-wall.toml"))],
            &["calibrate", "--from-micromag", "mm.toml", "--currents", "1e11, 2e11", "--out", "d"],
            &["--currents", "2 values", "3 to 32"],
        ),
        case(
            "calibrate_micromag_zero_current",
            vec![("mm.toml", config("configs/micromag/sot-wall.toml"))],
            &["calibrate", "--from-micromag", "mm.toml", "--currents", "0, 1e11, 2e11", "--out", "d"],
            &["--currents", "non-zero"],
        ),
        case(
            "calibrate_micromag_current_unit",
            vec![("mm.toml", config("configs/micromag/sot-wall.toml"))],
            &["calibrate", "--from-micromag", "mm.toml", "--currents", "1 mA, 2 mA", "--out", "d"],
            &["--currents", "mA", "current density"],
        ),
        case(
            "calibrate_micromag_missing_file",
            vec![],
            &["calibrate", "--from-micromag", "nope.toml", "--out", "d"],
            &["nope.toml"],
        ),
        case(
            "calibrate_nothing",
            vec![],
            &["calibrate", "--out", "d"],
            &["required"],
        ),
        case(
            "design_table_folder",
            vec![("tdir/x", "1".into())],
            &["design", "--table", "tdir", "--out", "d"],
            &["--table", "tdir", "folder"],
        ),
        case(
            "design_table_missing",
            vec![],
            &["design", "--table", "none.csv", "--out", "d"],
            &["none.csv"],
        ),
        case(
            "design_table_not_numbers",
            vec![("t.csv", "current_a,output\n1e-4,abc\n".into())],
            &["design", "--table", "t.csv", "--out", "d"],
            &["t.csv", "abc"],
        ),
        case(
            "design_unknown_function",
            vec![],
            &["design", "--function", "wiggle", "--current-range", "150 uA..600 uA", "--out", "d"],
            &["wiggle"],
        ),
        case(
            "design_no_range",
            vec![],
            &["design", "--function", "sigmoid", "--out", "d"],
            &["--current-range"],
        ),
        case(
            "design_range_syntax",
            vec![],
            &["design", "--function", "sigmoid", "--current-range", "150 uA", "--out", "d"],
            &["--current-range", "MIN..MAX"],
        ),
        case(
            "design_negative_tolerance",
            vec![],
            &[
                "design",
                "--function",
                "sigmoid",
                "--current-range",
                "150 uA..600 uA",
                "--tolerance",
                "-1",
                "--out",
                "d",
            ],
            &["--tolerance"],
        ),
        case(
            "design_unknown_material",
            vec![],
            &[
                "design",
                "--function",
                "sigmoid",
                "--current-range",
                "150 uA..600 uA",
                "--material",
                "unobtainium",
                "--out",
                "d",
            ],
            &["unobtainium"],
        ),
        case(
            "design_file_verify_zero_devices",
            vec![(
                "t.toml",
                "version = 1\n[target]\nfunction = \"sigmoid\"\ncurrent_range = [\"150 uA\", \"600 uA\"]\n[verify]\nmonte_carlo = 0\n"
                    .into(),
            )],
            &["design", "t.toml", "--out", "d"],
            &["verify.monte_carlo", "at least 1"],
        ),
        case(
            "design_file_unknown_analog_kind",
            vec![(
                "t.toml",
                "version = 1\n[target]\nfunction = \"sigmoid\"\ncurrent_range = [\"1 mA\", \"3 mA\"]\n[design]\nanalog = \"sideways\"\n"
                    .into(),
            )],
            &["design", "t.toml", "--out", "d"],
            &["design.analog", "sideways", "static or dynamic"],
        ),
        case(
            "design_flag_overrides_file_and_is_named",
            vec![(
                "t.toml",
                "version = 1\n[target]\nfunction = \"sigmoid\"\ncurrent_range = [\"150 uA\", \"600 uA\"]\n".into(),
            )],
            &["design", "t.toml", "--d2d", "70 %", "--monte-carlo", "3", "--out", "d"],
            &["--d2d", "50 %"],
        ),
        case(
            "design_target_unknown_key",
            vec![("t.toml", "[target]\nfunction = \"sigmoid\"\nwobble = 1\n".into())],
            &["design", "t.toml", "--out", "d"],
            &["wobble"],
        ),
        // energy, materials, check.
        case(
            "energy_width_in_oe",
            vec![],
            &["energy", "--width", "25 Oe"],
            &["--width", "length"],
        ),
        case("energy_zero_width", vec![], &["energy", "--width", "0 nm"], &["--width", "> 0"]),
        case(
            "energy_negative_multiplier",
            vec![],
            &["energy", "--multipliers", "-1"],
            &["--multipliers", "positive"],
        ),
        case(
            "energy_pulse_1e300",
            vec![],
            &["energy", "--pulse", "1e300 s"],
            &["--pulse", "1 fs to 10 s"],
        ),
        case("materials_unknown", vec![], &["materials", "kryptonite"], &["kryptonite", "known"]),
        case(
            "materials_missing_file",
            vec![],
            &["materials", "--file", "none.toml"],
            &["none.toml"],
        ),
        case(
            "materials_file_out_of_range",
            vec![(
                "m.toml",
                "version = 1\n[[material]]\nname = \"x\"\nbase = \"ta-cofeb-mgo\"\nalpha = 7\n".into(),
            )],
            &["materials", "x", "--file", "m.toml"],
            &["alpha", "between"],
        ),
        case(
            "calibrate_unreachable",
            fig3f(),
            &["calibrate", "dev.toml", "--out", "cal"],
            &["cannot calibrate", "h_dep", "bias"],
        ),
        // Micromagnetic run files.
        fast(case(
            "micromag_64_layers",
            mm(
                "length = \"512 nm\"\nwidth = \"32 nm\"\nthickness = \"1 nm\"\ncell = \"2 nm\"",
                "length = \"2000 nm\"\nwidth = \"1000 nm\"\nthickness = \"64 nm\"\ncell = \"1 nm\"\nlayers = 64",
            ),
            &["micromag", "run.toml", "--out", "m"],
            &["mesh.layers", "memory"],
        )),
        case(
            "micromag_unknown_base_material",
            mm("[material]", "[material]\nbase = \"kryptonite\""),
            &["micromag", "run.toml", "--out", "m"],
            &["material.base", "kryptonite", "ta-cofeb-mgo"],
        ),
        case(
            "micromag_ku_and_k_eff",
            mm("[material]", "[material]\nk_eff = \"0.3e6 J/m^3\""),
            &["micromag", "run.toml", "--out", "m"],
            &["material.k_eff", "either"],
        ),
        case(
            "micromag_missing_ms_without_base",
            mm("ms = \"1.1e6 A/m\"\n", ""),
            &["micromag", "run.toml", "--out", "m"],
            &["material.ms", "material.base"],
        ),
        case(
            "micromag_1um_cell",
            mm("cell = \"2 nm\"", "cell = \"1 um\""),
            &["micromag", "run.toml", "--out", "m"],
            &["mesh.cell", "4 cells"],
        ),
        case(
            "micromag_60nm_cell",
            mm(
                "length = \"512 nm\"\nwidth = \"32 nm\"\nthickness = \"1 nm\"\ncell = \"2 nm\"",
                "length = \"5 um\"\nwidth = \"320 nm\"\nthickness = \"1 nm\"\ncell = \"60 nm\"",
            ),
            &["micromag", "run.toml", "--out", "m"],
            &["mesh.cell", "50 nm"],
        ),
        case(
            "micromag_tiny_cell",
            mm("cell = \"2 nm\"", "cell = \"0.01 nm\""),
            &["micromag", "run.toml", "--out", "m"],
            &["mesh.cell", "4 million"],
        ),
        case(
            "micromag_region_off_mesh",
            mm(
                "[run]",
                "[[region]]\nname = \"far\"\nx = [\"2 um\", \"3 um\"]\nku = \"0.9e6 J/m^3\"\n[run]",
            ),
            &["micromag", "run.toml", "--out", "m"],
            &["region[0]", "covers no magnetic cell"],
        ),
        case(
            "micromag_wall_off_mesh",
            mm("x0 = \"200 nm\"", "x0 = \"900 nm\""),
            &["micromag", "run.toml", "--out", "m"],
            &["initial.x0", "between 0 and 512"],
        ),
        case(
            "micromag_unknown_key",
            mm("[run]", "[run]\nspeed = \"fast\""),
            &["micromag", "run.toml", "--out", "m"],
            &["speed"],
        ),
        case(
            "micromag_alpha_zero",
            mm("alpha = 0.1", "alpha = 0"),
            &["micromag", "run.toml", "--out", "m"],
            &["material.alpha", "(0, 10]"],
        ),
        case(
            "micromag_ms_in_ns",
            mm("ms = \"1.1e6 A/m\"", "ms = \"1.1 ns\""),
            &["micromag", "run.toml", "--out", "m"],
            &["material.ms"],
        ),
        case("micromag_missing", vec![], &["micromag", "none.toml", "--out", "m"], &["none.toml"]),
        case(
            "micromag_bad_format",
            mm("x0", "x0"),
            &["micromag", "run.toml", "--out", "m", "--format", "hdf5"],
            &["hdf5", "binary4"],
        ),
        // Training files, flags and data.
        fast(case(
            "train_huge_layers",
            nn("hidden = [256, 128]", "hidden = [100000, 100000]"),
            &["train", "train.toml", "--out", "t"],
            &["network.hidden", "memory"],
        )),
        case(
            "train_zero_epochs",
            vec![],
            &["train", "--epochs", "0", "--out", "t"],
            &["training.epochs", "1-100000"],
        ),
        case(
            "train_unknown_device",
            vec![],
            &["train", "--device", "flux-capacitor", "--out", "t"],
            &["flux-capacitor"],
        ),
        case(
            "train_unknown_key",
            nn("[network]", "[network]\ndropout = 0.5"),
            &["train", "train.toml", "--out", "t"],
            &["dropout"],
        ),
        case(
            "train_bad_lr",
            nn("lr = 0.1", "lr = -0.1"),
            &["train", "train.toml", "--out", "t"],
            &["training.lr"],
        ),
        case(
            "train_missing_data_dir",
            vec![],
            &["train", "--data-dir", "nodata", "--out", "t"],
            &["nodata", "train-images-idx3-ubyte"],
        ),
        case(
            "train_bad_idx_magic",
            vec![
                ("d/train-images-idx3-ubyte", "garbage!".into()),
                ("d/train-labels-idx1-ubyte", "garbage!".into()),
                ("d/t10k-images-idx3-ubyte", "garbage!".into()),
                ("d/t10k-labels-idx1-ubyte", "garbage!".into()),
            ],
            &["train", "--data-dir", "d", "--out", "t"],
            &["train-images-idx3-ubyte", "bad magic"],
        ),
        case(
            "train_zero_images",
            vec![
                ("d/train-images-idx3-ubyte", text(idx(&[0, 28, 28], &[]))),
                ("d/train-labels-idx1-ubyte", text(idx(&[0], &[]))),
                ("d/t10k-images-idx3-ubyte", text(idx(&[1, 28, 28], &[0; 784]))),
                ("d/t10k-labels-idx1-ubyte", text(idx(&[1], &[3]))),
            ],
            &["train", "--data-dir", "d", "--out", "t"],
            &["0 training", "at least one"],
        ),
        case(
            "train_label_not_digit",
            vec![
                ("d/train-images-idx3-ubyte", text(idx(&[1, 28, 28], &[0; 784]))),
                ("d/train-labels-idx1-ubyte", text(idx(&[1], &[42]))),
                ("d/t10k-images-idx3-ubyte", text(idx(&[1, 28, 28], &[0; 784]))),
                ("d/t10k-labels-idx1-ubyte", text(idx(&[1], &[3]))),
            ],
            &["train", "--data-dir", "d", "--out", "t"],
            &["train-labels-idx1-ubyte", "label 42"],
        ),
        case(
            "train_truncated_idx",
            vec![
                ("d/train-images-idx3-ubyte", text(idx(&[2, 28, 28], &[0; 100]))),
                ("d/train-labels-idx1-ubyte", text(idx(&[2], &[1, 2]))),
                ("d/t10k-images-idx3-ubyte", text(idx(&[1, 28, 28], &[0; 784]))),
                ("d/t10k-labels-idx1-ubyte", text(idx(&[1], &[3]))),
            ],
            &["train", "--data-dir", "d", "--out", "t"],
            &["train-images-idx3-ubyte"],
        ),
        case(
            "compare_unknown_device",
            vec![],
            &["compare", "--device", "flux-capacitor", "--out", "c"],
            &["flux-capacitor"],
        ),
        case("unknown_subcommand", vec![], &["levitate"], &["levitate"]),
        case(
            "micromag_samples_1e9",
            mm("samples = 20", "samples = 1000000000"),
            &["micromag", "run.toml", "--out", "m"],
            &["run.samples", "100000"],
        ),
        case(
            "micromag_snapshots_5000",
            mm("snapshots = 2", "snapshots = 5000"),
            &["micromag", "run.toml", "--out", "m"],
            &["run.snapshots", "1000"],
        ),
        fast(with_env(
            case(
                "micromag_snapshots_memory",
                mm("snapshots = 2", "snapshots = 1000"),
                &["micromag", "run.toml", "--out", "m"],
                &["run.snapshots", "memory"],
            ),
            &[("DWMTJ_MEMORY_LIMIT", "64M")],
        )),
        // Checkpoints and --resume.
        case(
            "checkpoint_every_zero",
            mm("x0", "x0"),
            &["micromag", "run.toml", "--out", "m", "--checkpoint-every", "0 s"],
            &["--checkpoint-every", "between"],
        ),
        case(
            "checkpoint_every_length",
            vec![],
            &["train", "--out", "t", "--checkpoint-every", "5 um"],
            &["--checkpoint-every", "time"],
        ),
        case(
            "resume_without_checkpoint",
            mm("x0", "x0"),
            &["micromag", "run.toml", "--out", "m", "--resume"],
            &["--resume", "m.interrupted"],
        ),
        case(
            "train_resume_without_checkpoint",
            vec![],
            &["train", "--out", "t", "--resume"],
            &["--resume", "t.interrupted"],
        ),
        case(
            "compare_resume",
            vec![],
            &["compare", "--out", "c", "--resume"],
            &["--resume", "compare"],
        ),
        case(
            "resume_other_config",
            [
                mm("x0", "x0"),
                dwmtj_folder("m.interrupted"),
                vec![
                    ("m.interrupted/fingerprint.txt", "dwmtj micromag\nsomething else".into()),
                    ("m.interrupted/checkpoint.bin", "x".into()),
                ],
            ]
            .concat(),
            &["micromag", "run.toml", "--out", "m", "--resume"],
            &["--resume", "differ"],
        ),
        case(
            "resume_foreign_interrupted_folder",
            [mm("x0", "x0"), vec![("m.interrupted/notes.txt", "mine".into())]].concat(),
            &["micromag", "run.toml", "--out", "m", "--resume"],
            &["m.interrupted", "not written by dwmtj"],
        ),
        case(
            "force_over_foreign_interrupted_folder",
            [mm("x0", "x0"), vec![("m.interrupted/notes.txt", "mine".into())]].concat(),
            &["micromag", "run.toml", "--out", "m", "--force"],
            &["m.interrupted"],
        ),
        case(
            "fresh_run_over_interrupted",
            [mm("x0", "x0"), vec![("m.interrupted/fingerprint.txt", "x".into())]].concat(),
            &["micromag", "run.toml", "--out", "m"],
            &["m.interrupted", "--resume", "--force"],
        ),
        case(
            "resume_damaged_checkpoint",
            [
                mm("x0", "x0"),
                dwmtj_folder("m.interrupted"),
                vec![
                    (
                        "m.interrupted/fingerprint.txt",
                        format!("dwmtj micromag\nformat = binary4\n{}", config("configs/micromag/sot-wall.toml")),
                    ),
                    ("m.interrupted/checkpoint.bin", "garbage".into()),
                ],
            ]
            .concat(),
            &["micromag", "run.toml", "--out", "m", "--resume"],
            &["--resume", "damaged"],
        ),
    ];
    v.extend(sweep_cases());
    v.extend(field_cases());
    v.push(case(
        "hot_switching",
        dev("temperature = \"300 K\"", "temperature = \"5000 K\""),
        &["check", "dev.toml"],
        &["temperature"],
    ));
    v
}

/// A wall-run base and a sweep file over it, with `axes` as the sweep's `[[axis]]` tables and
/// `head` as extra top-level keys.
fn sweep(head: &str, axes: &str) -> Vec<(&'static str, String)> {
    vec![
        ("wall.toml", config("configs/wall/ta-cofeb-dmi.toml")),
        ("s.toml", format!("version = 1\nbase = \"wall.toml\"\n{head}\n{axes}\n")),
    ]
}

const HZ_AXIS: &str = "[[axis]]\nkey = \"hz\"\nvalues = [\"0 Oe\", \"50 Oe\"]\n";

fn sweep_cases() -> Vec<Case> {
    let run = ["sweep", "s.toml", "--out", "o"];
    vec![
        case("sweep_unknown_key", sweep("", "[[axis]]\nkey = \"h_z\"\nvalues = [\"1 Oe\"]"), &run, &["point 0", "h_z"]),
        case(
            "sweep_wrong_unit",
            sweep("", "[[axis]]\nkey = \"hz\"\nvalues = [\"0 Oe\", \"5 ns\"]"),
            &run,
            &["point 1", "hz", "5 ns"],
        ),
        case("sweep_no_axes", sweep("", ""), &run, &["axis", "at least one"]),
        case("sweep_missing_base", vec![("s.toml", "version = 1\nbase = \"nope.toml\"\n".into())], &run, &["base", "nope.toml"]),
        case("sweep_unknown_sweep_key", sweep("modes = \"grid\"", HZ_AXIS), &run, &["modes"]),
        case("sweep_bad_mode", sweep("mode = \"diagonal\"", HZ_AXIS), &run, &["mode", "grid, zip or random"]),
        case("sweep_bad_kind", sweep("kind = \"spice\"", HZ_AXIS), &run, &["kind", "device, wall"]),
        case(
            "sweep_zip_lengths",
            sweep(
                "mode = \"zip\"",
                &format!("{HZ_AXIS}[[axis]]\nkey = \"pulse\"\nvalues = [\"1 ns\", \"2 ns\", \"3 ns\"]\n"),
            ),
            &run,
            &["axis[2]", "same number of values"],
        ),
        case(
            "sweep_random_without_points",
            sweep("mode = \"random\"", "[[axis]]\nkey = \"hz\"\nrange = { from = \"0 Oe\", to = \"9 Oe\" }"),
            &run,
            &["points", "random"],
        ),
        case(
            "sweep_range_dimensions",
            sweep("", "[[axis]]\nkey = \"hz\"\nrange = { from = \"0 Oe\", to = \"9 ns\", points = 3 }"),
            &run,
            &["axis[1].range.to", "dimension"],
        ),
        case(
            "sweep_log_through_zero",
            sweep("", "[[axis]]\nkey = \"hz\"\nrange = { from = \"0 Oe\", to = \"9 Oe\", points = 3, scale = \"log\" }"),
            &run,
            &["axis[1].range", "log"],
        ),
        case(
            "sweep_one_point_range",
            sweep("", "[[axis]]\nkey = \"hz\"\nrange = { from = \"0 Oe\", to = \"9 Oe\", points = 1 }"),
            &run,
            &["axis[1].range.points", "2 to"],
        ),
        fast(case(
            "sweep_too_many_points",
            sweep(
                "",
                "[[axis]]\nkey = \"hz\"\nrange = { from = \"0 Oe\", to = \"9 Oe\", points = 1000 }\n[[axis]]\nkey = \"pulse\"\nrange = { from = \"1 ns\", to = \"9 ns\", points = 1001 }",
            ),
            &run,
            &["1001000 points", "at most 1000000"],
        )),
        case(
            "sweep_array_index_zero",
            sweep("", "[[axis]]\nkey = \"material_overrides[0]\"\nvalues = [1]"),
            &run,
            &["axis[1].key", "numbered from 1"],
        ),
        case(
            "sweep_duplicate_axis",
            sweep("", &format!("{HZ_AXIS}{HZ_AXIS}")),
            &run,
            &["axis[2].key", "already an axis"],
        ),
        case("sweep_seed_63_bits", sweep("seed = 18446744073709551615", HZ_AXIS), &run, &["seed"]),
        case("sweep_jobs_zero", sweep("", HZ_AXIS), &["sweep", "s.toml", "--out", "o", "--jobs", "0"], &["--jobs 0", "1 to 4096"]),
        case(
            "sweep_chunk_zero",
            sweep("", HZ_AXIS),
            &["sweep", "s.toml", "--out", "o", "--slurm", "--chunk", "0", "--dry-run"],
            &["--chunk 0"],
        ),
        case(
            "sweep_chunk_over_points",
            sweep("", HZ_AXIS),
            &["sweep", "s.toml", "--out", "o", "--slurm", "--chunk", "5", "--dry-run"],
            &["--chunk 5", "only 2 points"],
        ),
        case(
            "sweep_bad_time",
            sweep("", HZ_AXIS),
            &["sweep", "s.toml", "--out", "o", "--slurm", "--time", "an hour", "--dry-run"],
            &["--time", "01:00:00"],
        ),
        case(
            "sweep_bad_partition",
            sweep("", HZ_AXIS),
            &["sweep", "s.toml", "--out", "o", "--slurm", "--partition", "a b", "--dry-run"],
            &["--partition", "partition name"],
        ),
        case(
            "sweep_slurm_option_alone",
            sweep("", HZ_AXIS),
            &["sweep", "s.toml", "--out", "o", "--chunk", "2"],
            &["--slurm"],
        ),
        case(
            "sweep_out_not_dwmtj",
            [sweep("", HZ_AXIS), vec![("o/notes.txt", "mine".into())]].concat(),
            &["sweep", "s.toml", "--out", "o", "--force"],
            &["--out o", "not written by dwmtj"],
        ),
        case(
            "sweep_out_holds_base",
            vec![
                ("o/wall.toml", config("configs/wall/ta-cofeb-dmi.toml")),
                ("s.toml", format!("version = 1\nbase = \"o/wall.toml\"\n{HZ_AXIS}")),
            ],
            &["sweep", "s.toml", "--out", "o", "--force"],
            &["--out o", "input"],
        ),
        case("sweep_out_cwd", sweep("", HZ_AXIS), &["sweep", "s.toml", "--out", ".", "--force"], &["current folder"]),
        case("sweep_status_not_a_sweep", vec![("x/a.txt", "a".into())], &["sweep", "status", "x"], &["x", "not a dwmtj sweep folder"]),
        case("sweep_task_out_of_range", [sweep("", HZ_AXIS), vec![]].concat(), &["sweep", "task", "nowhere", "--task", "3"], &["nowhere"]),
        case(
            "sweep_slurm_out_with_space",
            sweep("", HZ_AXIS),
            &["sweep", "s.toml", "--out", "my study", "--slurm", "--dry-run"],
            &["--out my study", "spaces"],
        ),
        case(
            "sweep_integer_range_repeats",
            sweep("", "[[axis]]\nkey = \"trials\"\nrange = { from = 1, to = 3, points = 5 }"),
            &run,
            &["axis[1].range.points", "distinct integers"],
        ),
        case("sweep_task_chunk_zero", vec![("x/a.txt", "a".into())], &["sweep", "task", "x", "--task", "0", "--chunk", "0"], &["x"]),
        case(
            "sweep_wall_file_unknown_key",
            vec![
                ("wall.toml", "version = 1\ncurrent_density = \"1e11 A/m^2\"\ncurrent = 3\n".into()),
                ("s.toml", format!("version = 1\nbase = \"wall.toml\"\n{HZ_AXIS}")),
            ],
            &run,
            &["current"],
        ),
    ]
}

#[test]
fn bad_inputs_fail_cleanly_and_change_nothing() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("work");
        std::fs::create_dir(&root).unwrap();
        for (rel, body) in &c.files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        // Commands that look at the parent (.., ancestors) run one level down.
        let cwd = if c.name.contains("ancestor") {
            root.join("sub")
        } else {
            root.clone()
        };
        std::fs::create_dir_all(&cwd).unwrap();
        let before = snapshot(tmp.path());
        let root_text = root.display().to_string();
        let env: Vec<(&str, String)> = c.env.iter().map(|(k, v)| (*k, v.replace("__TMP__", &root_text))).collect();
        let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (o, took) = run_in(&cwd, &c.args, &env_refs);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        let after = snapshot(tmp.path());
        let mut why = Vec::new();
        match o.status.code() {
            Some(2) => {}
            other => why.push(format!("exit code {other:?}, expected 2")),
        }
        for n in &c.needles {
            if !err.contains(n) {
                why.push(format!("message lacks {n:?}"));
            }
        }
        if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
            why.push("panicked".into());
        }
        if before != after {
            let added: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
            let removed: Vec<_> = before.keys().filter(|k| !after.contains_key(*k)).collect();
            why.push(format!("file system changed: added {added:?}, removed {removed:?}"));
        }
        if c.fast && took > Duration::from_secs(1) {
            why.push(format!("refused after {took:?}, not at once"));
        }
        if !why.is_empty() {
            failures.push(format!("{}: {}\n  stderr: {}", c.name, why.join("; "), err.trim()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn check_json_reports_a_failure_as_json() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("dev.toml"),
        config("configs/fig3f.toml").replace("tmr = \"44 %\"", "tmr = \"44\""),
    )
    .unwrap();
    let (o, _) = run_in(tmp.path(), &["check", "dev.toml", "--json"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["valid"], false);
    assert!(v["error"].as_str().unwrap().contains("mtj_defaults.tmr"), "{v}");
    // The documented switch accepts what the plausibility check refuses.
    let (o, _) = run_in(tmp.path(), &["--allow-implausible", "check", "dev.toml", "--json"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn force_replaces_only_dwmtj_runs_and_only_after_the_new_one_is_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("dev.toml"), config("configs/fig3f.toml")).unwrap();
    let (o, _) = run_in(d, &["simulate", "dev.toml", "--cycles", "1", "--out", "r"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(d.join("r/old-marker"), "from the first run").unwrap();
    let (o, _) = run_in(d, &["simulate", "dev.toml", "--cycles", "2", "--out", "r", "--force"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!d.join("r/old-marker").exists() && d.join("r/transfer.csv").exists());
    // An export replaces an earlier export with --force, never anything else.
    let (o, _) = run_in(d, &["export", "gds", "dev.toml", "--out", "f.gds"], &[]);
    assert!(o.status.success());
    let (o, _) = run_in(d, &["export", "gds", "dev.toml", "--out", "f.gds", "--force"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Nothing but the outputs and the input.
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["dev.toml", "f.gds", "r"]);
    // Temporaries of dead processes are removed by the next run; other hidden files stay.
    // (Temporaries are named .NAME.partial-HOST-PID; those of other machines are never touched.)
    let host: String = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_else(|_| "localhost".into())
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dead = format!(".r.partial-{host}-999999999");
    std::fs::create_dir(d.join(&dead)).unwrap();
    std::fs::write(d.join(&dead).join(".dwmtj-partial"), "").unwrap();
    let unmarked = format!(".mine.partial-{host}-999999999");
    std::fs::create_dir(d.join(&unmarked)).unwrap();
    let other_node = ".r3.partial-othernode-999999999";
    std::fs::create_dir(d.join(other_node)).unwrap();
    std::fs::write(d.join(other_node).join(".dwmtj-partial"), "").unwrap();
    std::fs::write(d.join(".keep"), "mine").unwrap();
    // A replaced run whose process died before the new one was moved in is restored.
    std::fs::rename(d.join("r"), d.join(format!(".r.old-{host}-999999999"))).unwrap();
    let (o, _) = run_in(d, &["simulate", "dev.toml", "--cycles", "1", "--out", "r2"], &[]);
    assert!(o.status.success());
    assert!(!d.join(&dead).exists());
    assert!(d.join(&unmarked).exists() && d.join(other_node).exists() && d.join(".keep").exists());
    assert!(d.join("r/transfer.csv").exists(), "the replaced run is restored");
}

/// Start `args` in `dir`, wait until it is writing its output (a partial folder exists), send
/// `signal`, and return the exit code.
fn interrupt(dir: &Path, args: &[&str], signal: &str) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let partial = || {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".partial-"))
    };
    while !partial() {
        assert!(t0.elapsed() < Duration::from_secs(60), "{args:?} never started writing");
        assert!(child.try_wait().unwrap().is_none(), "{args:?} ended before it could be interrupted");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {signal}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("interrupted"), "{args:?}: {err}");
    out.status.code()
}

#[test]
fn signals_stop_every_long_command_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("dev.toml"), config("configs/fig3f.toml")).unwrap();
    std::fs::write(d.join("mm.toml"), config("configs/micromag/mtj-readout.toml")).unwrap();
    let runs: [&[&str]; 5] = [
        &["simulate", "dev.toml", "--cycles", "100000", "--out", "o"],
        &["train", "--out", "o"],
        &["compare", "--out", "o"],
        &["reproduce", "all", "--out", "o"],
        &["micromag", "mm.toml", "--out", "o"],
    ];
    for args in runs {
        for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
            let before = snapshot(d);
            assert_eq!(interrupt(d, args, signal), Some(code), "{args:?} {signal}");
            assert_eq!(snapshot(d), before, "{args:?} {signal} left files behind");
        }
    }
}

/// Run `args` until its first checkpoint exists, interrupt it with SIGINT, and check that the
/// checkpoint is kept as `OUT.interrupted` and nothing else is left.
fn interrupt_after_checkpoint(dir: &Path, args: &[&str], out: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let checkpointed = || {
        std::fs::read_dir(dir).unwrap().flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&format!(".{out}.partial-")) && e.path().join(".checkpoint").exists()
        })
    };
    while !checkpointed() {
        assert!(t0.elapsed() < Duration::from_secs(120), "{args:?} wrote no checkpoint");
        assert!(child.try_wait().unwrap().is_none(), "{args:?} ended before its first checkpoint");
        std::thread::sleep(Duration::from_millis(10));
    }
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains(&format!("{out}.interrupted")) && err.contains("--resume"), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.retain(|n| n == out || n.starts_with(&format!("{out}.")) || n.starts_with(&format!(".{out}.")));
    assert_eq!(names, [format!("{out}.interrupted")], "only the resumable checkpoint is left");
}

/// The lines of a summary.json without the wall-clock figures.
fn without_timing(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("seconds") && !l.contains("wall_time") && !l.contains("per_s") && !l.contains("ns_per_cell"))
        .map(String::from)
        .collect()
}

#[test]
fn interrupted_micromag_and_train_runs_resume_to_the_uninterrupted_result() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mm = config("configs/micromag/mtj-readout.toml")
        .replacen("duration = \"2 ns\"", "duration = \"0.8 ns\"", 1)
        .replacen("samples = 80", "samples = 32", 1);
    std::fs::write(d.join("mm.toml"), mm).unwrap();
    let nn = config("configs/nn/mnist-mlp.toml")
        .replacen("epochs = 10", "epochs = 4", 1)
        .replacen("[network]", "[data]\ntrain_limit = 3000\ntest_limit = 500\n\n[network]", 1);
    std::fs::write(d.join("nn.toml"), nn).unwrap();
    for (args, out, table) in [
        (vec!["micromag", "mm.toml", "--checkpoint-every", "0.01 s"], "m", "table.csv"),
        (vec!["train", "nn.toml", "--checkpoint-every", "0.01 s"], "t", "metrics.csv"),
    ] {
        let reference = format!("{out}-reference");
        let (o, _) = run_in(d, &[args.clone(), vec!["--out", &reference]].concat(), &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        interrupt_after_checkpoint(d, &[args.clone(), vec!["--out", out]].concat(), out);
        // A fresh run over an interrupted one is refused: the checkpoint is not lost by accident.
        let (o, _) = run_in(d, &[args.clone(), vec!["--out", out]].concat(), &[]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
        let (o, _) = run_in(d, &[args.clone(), vec!["--out", out, "--resume"]].concat(), &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            !d.join(format!("{out}.interrupted")).exists(),
            "the checkpoint is removed once resumed"
        );
        assert_eq!(
            std::fs::read(d.join(out).join(table)).unwrap(),
            std::fs::read(d.join(&reference).join(table)).unwrap(),
            "{out}: resumed {table} differs from the uninterrupted run"
        );
        assert_eq!(
            without_timing(&d.join(out).join("summary.json")),
            without_timing(&d.join(&reference).join("summary.json"))
        );
    }
}

fn field_dev(from: &str, to: &str) -> Vec<(&'static str, String)> {
    let base = config("configs/field/single-mtj.toml");
    assert!(base.contains(from), "single-mtj.toml lacks {from:?}");
    vec![("dev.toml", base.replacen(from, to, 1))]
}

/// Field-swept programs and the [field] table.
fn field_cases() -> Vec<Case> {
    let sim: &[&'static str] = &["simulate", "dev.toml", "--out", "r"];
    vec![
        case("field_from_missing", field_dev("from = \"600 Oe\"\n", ""), sim, &["program.from", "missing", "field"]),
        case("field_from_equals_to", field_dev("to = \"-600 Oe\"", "to = \"600 Oe\""), sim, &["program.to", "must differ"]),
        case("field_step_zero", field_dev("step = \"1 Oe\"", "step = \"0 Oe\""), sim, &["program.step", "> 0"]),
        case("field_step_current", field_dev("step = \"1 Oe\"", "step = \"1 uA\""), sim, &["program.step", "magnetic field"]),
        fast(case(
            "field_step_tiny",
            field_dev("step = \"1 Oe\"", "step = \"1e-6 Oe\""),
            sim,
            &["program.step", "readings per loop", "1000000"],
        )),
        case("field_rate_unit", field_dev("rate = \"10 Oe/s\"", "rate = \"10 Oe\""), sim, &["program.rate", "field sweep rate"]),
        case("field_rate_negative", field_dev("rate = \"10 Oe/s\"", "rate = \"-10 Oe/s\""), sim, &["program.rate", "> 0"]),
        case("field_loops_zero", field_dev("loops = 10", "loops = 0"), sim, &["program.loops", "between 1 and 100000"]),
        case(
            "field_pulse_width_in_field_sweep",
            field_dev("loops = 10", "loops = 10\npulse_width = \"8 ns\""),
            sim,
            &["program.pulse_width", "not used by kind = \"field-sweep\""],
        ),
        case("field_spread_too_large", field_dev("[field]", "[field]\nspread = 0.9"), sim, &["field.spread", "between 0 and 0.5"]),
        case(
            "field_unknown_key",
            field_dev("[field]", "[field]\ncoercivity = \"20 Oe\""),
            &["check", "dev.toml"],
            &["unknown field `coercivity`"],
        ),
        case(
            "field_barrier_unit",
            field_dev("barrier_energy = \"1.5e-17 J\"", "barrier_energy = \"1.5e-17 Oe\""),
            sim,
            &["field.barrier_energy", "energy"],
        ),
        case(
            "field_table_with_pulse_program",
            dev("[program]", "[field]\nswitching_field = \"300 Oe\"\n\n[program]"),
            &["check", "dev.toml"],
            &["field", "field-sweep"],
        ),
        case(
            "retarget_without_range",
            fig3f(),
            &["design", "--retarget", "dev.toml", "--function", "sigmoid", "--out", "r"],
            &["--current-range", "MIN..MAX"],
        ),
        case(
            "retarget_bias_range_reversed",
            fig3f(),
            &["design", "--retarget", "dev.toml", "--function", "linear", "--current-range", "150 uA..550 uA", "--bias-range", "0 Oe..-100 Oe", "--out", "r"],
            &["--bias-range", "MIN"],
        ),
        case(
            "bias_range_without_retarget",
            vec![],
            &["design", "--function", "linear", "--current-range", "150 uA..550 uA", "--bias-range", "0 Oe..100 Oe", "--out", "r"],
            &["--retarget"],
        ),
        case(
            "train_weights_not_safetensors",
            vec![("w.safetensors", "not a tensor file".to_string())],
            &["train", "--weights", "w.safetensors", "--out", "r"],
            &["--weights", "w.safetensors", "safetensors"],
        ),
        case(
            "train_weights_missing",
            vec![],
            &["train", "--weights", "none.safetensors", "--out", "r"],
            &["--weights", "none.safetensors"],
        ),
        case(
            "verilog_a_over_foreign_file",
            [fig3f(), vec![("mine.va", "// my own model\n".to_string())]].concat(),
            &["export", "verilog-a", "dev.toml", "--out", "mine.va", "--force"],
            &["mine.va"],
        ),
        case("spice_model_unknown", fig3f(), &["export", "spice", "dev.toml", "--model", "verilog", "--out", "x.cir"], &["--model", "kinematic"]),
        case("spice_instances_zero", fig3f(), &["export", "spice", "dev.toml", "--model", "kinematic", "--instances", "0", "--out", "x.cir"], &["--instances 0", "1 to 10000"]),
        case("spice_instances_huge", fig3f(), &["export", "spice", "dev.toml", "--model", "kinematic", "--instances", "20000", "--out", "x.cir"], &["--instances 20000", "1 to 10000"]),
        case("spice_instances_threshold_model", fig3f(), &["export", "spice", "dev.toml", "--instances", "4", "--out", "x.cir"], &["--instances 4", "--model kinematic"]),
        case("spice_instances_not_a_number", fig3f(), &["export", "spice", "dev.toml", "--model", "kinematic", "--instances", "many", "--out", "x.cir"], &["--instances", "many"]),
        case("spice_wall_threshold_device", fig3f(), &["export", "spice", "dev.toml", "--model", "wall", "--out", "x.cir"], &["switching.model", "dynamic"]),
        case("spice_wall_instances", fig3f(), &["export", "spice", "dev.toml", "--model", "wall", "--instances", "3", "--out", "x.cir"], &["--instances 3", "--model kinematic"]),
        case("crossbar_rows_zero", fig3f(), &["export", "crossbar", "dev.toml", "--rows", "0", "--out", "x.cir"], &["--rows", "1 and 1024"]),
        case(
            "crossbar_line_resistance_unit",
            fig3f(),
            &["export", "crossbar", "dev.toml", "--line-resistance", "1 V", "--out", "x.cir"],
            &["--line-resistance", "resistance"],
        ),
        case("train_over_time_without_weights", vec![], &["train", "--over-time", "--out", "r"], &["--weights"]),
        case("lenet_kernel_too_big", lenet("kernel = 5\npadding = 2", "kernel = 40\npadding = 2"), &["train", "train.toml", "--out", "r"], &["network.layers", "kernel 40"]),
        case("lenet_crop_too_small", lenet("[network]", "[data]\ncrop = 8\n\n[network]"), &["train", "train.toml", "--out", "r"], &["network.layers", "8 x 8", "does not fit"]),
        case("lenet_unknown_layer_key", lenet("size = 2", "size = 2\nstride = 3"), &["train", "train.toml", "--out", "r"], &["stride"]),
        case("lenet_pool_size", lenet("size = 2", "size = 1"), &["train", "train.toml", "--out", "r"], &["network.layers", "size 1"]),
        case("lenet_channels", lenet("channels = 6", "channels = 0"), &["train", "train.toml", "--out", "r"], &["network.layers", "0 channels"]),
        case("lenet_huge_memory", lenet("channels = 6", "channels = 4096"), &["train", "train.toml", "--out", "r"], &["network.layers", "memory"]),
        case("train_shift", nn("seed = 1", "seed = 1\nshift = 20"), &["train", "train.toml", "--out", "r"], &["training.shift", "0-8"]),
        case("train_hidden_and_layers", nn("hidden = [256, 128]", "hidden = [256, 128]\nlayers = []"), &["train", "train.toml", "--out", "r"], &["network.layers", "network.hidden"]),
        case("train_transfer_without_scheme", nn("seed = 1", "seed = 1\ntransfer_every = 2"), &["train", "train.toml", "--out", "r"], &["training.transfer_every", "tiki-taka"]),
        case("train_transfer_every_zero", nn("seed = 1", "seed = 1\nscheme = \"ttv2\"\ntransfer_every = 0"), &["train", "train.toml", "--out", "r"], &["training.transfer_every", "1-100000"]),
        case("train_transfer_columns", nn("seed = 1", "seed = 1\nscheme = \"tiki-taka\"\ntransfer_columns = 99999"), &["train", "train.toml", "--out", "r"], &["training.transfer_columns", "1-4096"]),
        case("train_mode_unknown", nn("activation = \"relu\"", "activation = \"relu\"\nmode = \"pytorch\""), &["train", "train.toml", "--out", "r"], &["network.mode", "pytorch"]),
        case("train_neurosim_with_periphery", nn("activation = \"relu\"", "activation = \"sigmoid\"\nmode = \"neurosim\""), &["train", "train.toml", "--out", "r"], &["network.periphery", "neurosim"]),
        case("train_neurosim_relu", nn("activation = \"relu\"", "activation = \"relu\"\nmode = \"neurosim\""), &["train", "train.toml", "--out", "r"], &["network.activation", "sigmoid"]),
        case("train_layer_lr_count", nn("seed = 1", "seed = 1\nlayer_lr = [0.1, 0.2]"), &["train", "train.toml", "--out", "r"], &["training.layer_lr", "one per tile layer: 3"]),
        case("train_layer_lr_value", nn("seed = 1", "seed = 1\nlayer_lr = [0.1, -0.2, 0.1]"), &["train", "train.toml", "--out", "r"], &["training.layer_lr", "(0, 1000)"]),
        case("train_crossbar_line_unit", nn("[compare]", "[crossbar]\nline_resistance = \"2 V\"\nr_on = \"10 kOhm\"\nr_off = \"100 kOhm\"\n[compare]"), &["train", "train.toml", "--out", "r"], &["crossbar.line_resistance", "resistance"]),
        case("train_crossbar_line_range", nn("[compare]", "[crossbar]\nline_resistance = \"1 MOhm\"\nr_on = \"10 kOhm\"\nr_off = \"100 kOhm\"\n[compare]"), &["train", "train.toml", "--out", "r"], &["crossbar.line_resistance", "1e4"]),
        case("train_crossbar_r_off_below_r_on", nn("[compare]", "[crossbar]\nline_resistance = \"2 Ohm\"\nr_on = \"10 kOhm\"\nr_off = \"1 kOhm\"\n[compare]"), &["train", "train.toml", "--out", "r"], &["crossbar.r_off", "above crossbar.r_on"]),
        case("train_crossbar_missing_r_off", nn("[compare]", "[crossbar]\nline_resistance = \"2 Ohm\"\nr_on = \"10 kOhm\"\n[compare]"), &["train", "train.toml", "--out", "r"], &["r_off"]),
        case("train_crossbar_unknown_key", nn("[compare]", "[crossbar]\nline_resistance = \"2 Ohm\"\nr_on = \"10 kOhm\"\nr_off = \"100 kOhm\"\nwire = 3\n[compare]"), &["train", "train.toml", "--out", "r"], &["wire"]),
        fast(case("train_crossbar_tile_too_large", vec![("train.toml", config("configs/nn/mnist-mlp.toml").replacen("hidden = [256, 128]", "hidden = [2000]", 1).replacen("[compare]", "[crossbar]\nline_resistance = \"2 Ohm\"\nr_on = \"10 kOhm\"\nr_off = \"100 kOhm\"\n[compare]", 1))], &["train", "train.toml", "--out", "r"], &["crossbar", "2000 x 784"])),
        case("compare_unknown_scheme", nn("devices = [", "schemes = [\"default\", \"sgd\"]\ndevices = ["), &["compare", "train.toml", "--out", "r"], &["compare.schemes", "sgd"]),
        case(
            "train_weights_with_resume",
            vec![],
            &["train", "--weights", "w.safetensors", "--resume", "--out", "r"],
            &["--weights", "--resume"],
        ),
        case("field_from_in_ramp", dev("kind = \"ramp\"", "kind = \"ramp\"\nfrom = \"10 Oe\""), &["check", "dev.toml"], &["program.from", "field-sweep"]),
        case(
            "field_calibrated_without_pulse",
            dev(
                "[program]\nkind = \"ramp\"\nstart = \"200 uA\"\nstop = \"530 uA\"\nstep = \"5 uA\"\npolarities = [\"positive\", \"negative\"]\nsweep = \"up\"\npulse_width = \"8 ns\"\nrise = \"0.5 ns\"\ncycles = 10\nseed = 7\nreset = \"each-sweep\"",
                "[program]\nkind = \"field-sweep\"\nfrom = \"800 Oe\"\nto = \"-800 Oe\"\nstep = \"2 Oe\"",
            ),
            sim,
            &["switching.at_pulse_width", "field.switching_field"],
        ),
    ]
}
