//! `dwmtj sweep`: tables, point folders equal to their single runs, resuming, failures,
//! thread-count independence, interrupts, every run kind, and a real single-node Slurm.

use super::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

const WALL: &str = include_str!("../../../../configs/wall/ta-cofeb-dmi.toml");

/// A 3 x 3 grid over hz and the current density of the example wall run.
fn wall_study(dir: &Path) -> PathBuf {
    write(dir, "wall.toml", WALL);
    write(
        dir,
        "s.toml",
        "version = 1\nbase = \"wall.toml\"\nseed = 5\n[[axis]]\nkey = \"hz\"\nvalues = [\"-50 Oe\", \"0 Oe\", \"50 Oe\"]\n\
         [[axis]]\nkey = \"current_density\"\nrange = { from = \"0.5e11 A/m^2\", to = \"1.5e11 A/m^2\", points = 3 }\n",
    )
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run dwmtj")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn csv_rows(p: &Path) -> Vec<Vec<String>> {
    read(p).lines().map(|l| l.split(',').map(String::from).collect()).collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let c = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[c].clone()).collect()
}

#[test]
fn wall_sweep_tables_single_runs_resume_failures_and_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    wall_study(d);
    let o = run_in(d, &["sweep", "s.toml", "--out", "a", "--jobs", "1", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((summary["points"].as_u64(), summary["done"].as_u64()), (Some(9), Some(9)));
    let rows = csv_rows(&d.join("a/sweep.csv"));
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[0][..5], ["point", "hz [Oe]", "current_density [A/m^2]", "seed", "status"]);
    // Row-major: the last axis fastest.
    assert_eq!(column(&rows, "hz [Oe]")[..4], ["-50.0", "-50.0", "-50.0", "0.0"]);
    assert_eq!(
        column(&rows, "current_density [A/m^2]")[..3],
        ["50000000000.0", "100000000000.0", "150000000000.0"]
    );
    assert!(column(&rows, "status").iter().all(|s| s == "done"));
    // Each point is the base with its values and seed: the run reports them back, in SI.
    let hz = column(&rows, "hz_a_per_m");
    assert!((hz[0].parse::<f64>().unwrap() + 50.0 * 1e3 / (4.0 * std::f64::consts::PI)).abs() < 1e-9);
    let seeds = column(&rows, "seed");
    assert!(seeds.iter().collect::<std::collections::HashSet<_>>().len() == 9, "{seeds:?}");
    // Walls go further at higher current (zero field).
    let x: Vec<f64> = column(&rows, "displacement_m")[3..6]
        .iter()
        .map(|s| s.parse::<f64>().unwrap().abs())
        .collect();
    assert!(x[0] < x[1] && x[1] < x[2], "{x:?}");
    assert!(d.join("a/plots/displacement_m.png").exists() && d.join("a/plots/final_velocity_m_per_s.svg").exists());
    assert!(d.join("a/sweep.json").exists() && d.join("a/manifest.json").exists() && d.join("a/study.json").exists());

    // Point 4 is exactly what `dwmtj dw` writes for its values and seed.
    let seed = &seeds[4];
    let single = run_in(
        d,
        &[
            "dw",
            "--material",
            "ta-cofeb-mgo",
            "--set",
            "dmi=0.3 mJ/m^2",
            "--current-density",
            "100000000000.0 A/m^2",
            "--pulse",
            "8 ns",
            "--rise",
            "0.5 ns",
            "--hz",
            "0 Oe",
            "--seed",
            seed,
            "--out",
            "single",
        ],
    );
    assert!(single.status.success(), "{}", stderr(&single));
    let files = |p: &Path| {
        let mut f: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        f.sort();
        f
    };
    let point = d.join("a/points/0004");
    assert_eq!(files(&point), files(&d.join("single")));
    for f in files(&point)
        .iter()
        .filter(|f| f.ends_with(".csv") || f.ends_with(".json") && *f != "manifest.json")
    {
        assert_eq!(read(&point.join(f)), read(&d.join("single").join(f)), "{f}");
    }

    // The same table on two threads.
    let o = run_in(d, &["sweep", "s.toml", "--out", "b", "--jobs", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = read(&d.join("a/sweep.csv"));
    assert_eq!(read(&d.join("b/sweep.csv")), table);

    // Resume: only the missing point runs again, to the same table.
    std::fs::remove_dir_all(d.join("a/points/0004")).unwrap();
    let stamp = |k: &str| {
        std::fs::metadata(d.join(format!("a/points/{k}/manifest.json")))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before = stamp("0003");
    let o = run_in(d, &["sweep", "s.toml", "--out", "a"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stamp("0003"), before, "a completed point ran again");
    assert_eq!(read(&d.join("a/sweep.csv")), table);

    // A point that cannot be written fails alone, is recorded, and is retried on request.
    std::fs::remove_dir_all(d.join("a/points/0002")).unwrap();
    std::fs::create_dir_all(d.join("a/points/0002")).unwrap();
    std::fs::write(d.join("a/points/0002/mine.txt"), "a user's file").unwrap();
    let o = run_in(d, &["sweep", "s.toml", "--out", "a"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 of 9 points failed"), "{}", stderr(&o));
    let rows = csv_rows(&d.join("a/sweep.csv"));
    assert_eq!(column(&rows, "status")[2], "failed");
    assert!(read(&d.join("a/sweep.csv")).contains("0002"), "the error names the point folder");
    assert_eq!(column(&rows, "status").iter().filter(|s| *s == "done").count(), 8);
    assert_eq!(read(&d.join("a/points/0002/mine.txt")), "a user's file");
    let o = run_in(d, &["sweep", "status", "a", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((status["done"].as_u64(), status["failed"].as_u64()), (Some(8), Some(1)));
    std::fs::remove_dir_all(d.join("a/points/0002")).unwrap();
    let o = run_in(d, &["sweep", "s.toml", "--out", "a"]);
    assert_eq!(o.status.code(), Some(1), "failed points stay failed without --retry-failed");
    let o = run_in(d, &["sweep", "s.toml", "--out", "a", "--retry-failed"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&d.join("a/sweep.csv")), table);
    assert!(!d.join("a/failed/0002.txt").exists());

    // --dry-run writes the job scripts and submits nothing.
    let o = run_in(
        d,
        &[
            "sweep",
            "s.toml",
            "--out",
            "dry",
            "--slurm",
            "--dry-run",
            "--chunk",
            "4",
            "--partition",
            "debug",
            "--time",
            "10",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("sbatch --parsable"));
    let script = read(&d.join("dry/slurm/array.sbatch"));
    for line in [
        "#SBATCH --array=0-2\n",
        "#SBATCH --partition=debug\n",
        "#SBATCH --time=10\n",
        "sweep task",
        "--chunk 4 ",
    ] {
        assert!(script.contains(line), "{line:?} not in {script}");
    }
    assert!(read(&d.join("dry/slurm/collect.sbatch")).contains("sweep collect"));
    assert!(!d.join("dry/slurm/jobs.json").exists() && !d.join("dry/sweep.csv").exists());
    // The job array's task runs its chunk: points 4..7.
    let o = run_in(d, &["sweep", "task", "dry", "--task", "1", "--jobs", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_in(d, &["sweep", "status", "dry", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((status["done"].as_u64(), status["pending"].as_u64()), (Some(4), Some(5)));
    assert!(d.join("dry/points/0004").exists() && d.join("dry/points/0007").exists() && !d.join("dry/points/0008").exists());
    let o = run_in(d, &["sweep", "collect", "dry"]);
    assert_eq!(o.status.code(), Some(1), "collect of an incomplete study exits 1");
    assert_eq!(
        column(&csv_rows(&d.join("dry/sweep.csv")), "status")[3..9],
        ["pending", "done", "done", "done", "done", "pending"]
    );

    // Another sweep into the same folder needs --force, which starts over.
    write(d, "s.toml", &read(&d.join("s.toml")).replace("seed = 5", "seed = 6"));
    let o = run_in(d, &["sweep", "s.toml", "--out", "a"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds another sweep"), "{}", stderr(&o));
    let o = run_in(d, &["sweep", "s.toml", "--out", "a", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(read(&d.join("a/sweep.csv")), table);
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn zip_random_and_every_run_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Device: the point folder is what `dwmtj simulate` writes for the point's file.
    std::fs::copy(repo().join("configs/fig3f.toml"), d.join("fig3f.toml")).unwrap();
    write(
        d,
        "dev.toml",
        "version = 1\nbase = \"fig3f.toml\"\nmode = \"zip\"\n[[axis]]\nkey = \"bias.hz\"\nvalues = [\"-480 Oe\", \"-300 Oe\"]\n\
         [[axis]]\nkey = \"program.cycles\"\nvalues = [1, 2]\n",
    );
    let o = run_in(d, &["sweep", "dev.toml", "--out", "dev"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&d.join("dev/sweep.csv"));
    assert_eq!(rows.len(), 3);
    assert_eq!(column(&rows, "program.cycles"), ["1", "2"]);
    assert_eq!(column(&rows, "cycles"), ["1", "2"]);
    assert!(rows[0].contains(&"levels.positive".to_string()) && rows[0].contains(&"r_all_ap_ohm".to_string()));
    let point = read(&d.join("fig3f.toml")).replacen("hz = \"-480 Oe\"", "hz = \"-300 Oe\"", 1);
    write(d, "point1.toml", &point);
    let seed = &column(&rows, "seed")[1];
    let o = run_in(d, &["simulate", "point1.toml", "--cycles", "2", "--seed", seed, "--out", "single"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["transfer.csv", "summary.json"] {
        assert_eq!(read(&d.join("dev/points/0001").join(f)), read(&d.join("single").join(f)), "{f}");
    }

    // Design: a random (Latin hypercube) study of the tanh target's centre.
    std::fs::copy(repo().join("configs/targets/tanh-9.toml"), d.join("tanh.toml")).unwrap();
    write(
        d,
        "design.toml",
        "version = 1\nbase = \"tanh.toml\"\nmode = \"random\"\npoints = 3\nseed = 2\n\
         [[axis]]\nkey = \"target.center\"\nrange = { from = \"300 uA\", to = \"400 uA\" }\n\
         [[axis]]\nkey = \"design.mtjs\"\nrange = { from = 5, to = 9 }\n",
    );
    let o = run_in(d, &["sweep", "design.toml", "--out", "design"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&d.join("design/sweep.csv"));
    let centre: Vec<f64> = column(&rows, "target.center [uA]").iter().map(|s| s.parse().unwrap()).collect();
    let mut strata: Vec<usize> = centre.iter().map(|c| ((c - 300.0) / 100.0 * 3.0) as usize).collect();
    strata.sort_unstable();
    assert_eq!(strata, [0, 1, 2], "one centre in each third of the range: {centre:?}");
    assert!(column(&rows, "design.mtjs")
        .iter()
        .all(|m| ["5", "6", "7", "8", "9"].contains(&m.as_str())));
    assert!(column(&rows, "mtjs").iter().zip(column(&rows, "design.mtjs")).all(|(a, b)| *a == b));
    assert!(column(&rows, "rms_error").iter().all(|e| e.parse::<f64>().unwrap() < 0.2));

    // Micromagnetics: a short run over the SOT current.
    let mm = read(&repo().join("configs/micromag/sot-wall.toml"));
    write(d, "mm-base.toml", &mm);
    write(
        d,
        "mm.toml",
        "version = 1\nbase = \"mm-base.toml\"\n[[axis]]\nkey = \"run.duration\"\nvalues = [\"0.02 ns\", \"0.04 ns\"]\n",
    );
    let o = run_in(d, &["sweep", "mm.toml", "--out", "mm", "--jobs", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&d.join("mm/sweep.csv"));
    assert_eq!(column(&rows, "status"), ["done", "done"]);
    assert!(d.join("mm/points/0001/table.csv").exists() && d.join("mm/points/0001/config.toml").exists());

    // Training: two learning rates on a small subset.
    let data = repo().join("data/mnist");
    write(
        d,
        "nn-base.toml",
        &format!(
            "name = \"tiny\"\n[data]\ndir = \"{}\"\ntrain_limit = 300\ntest_limit = 100\n[network]\nhidden = [16]\n[training]\nepochs = 1\nbatch = 8\nlr = 0.1\ndevice = \"float\"\n",
            data.display()
        ),
    );
    write(
        d,
        "nn.toml",
        "version = 1\nbase = \"nn-base.toml\"\n[[axis]]\nkey = \"training.lr\"\nvalues = [0.05, 0.2]\n",
    );
    let o = run_in(d, &["sweep", "nn.toml", "--out", "nn"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&d.join("nn/sweep.csv"));
    // Above chance (0.1) after one epoch on 300 images; the faster rate learns more.
    let acc: Vec<f64> = column(&rows, "test_accuracy").iter().map(|a| a.parse().unwrap()).collect();
    assert!(acc[0] > 0.15 && acc[1] > acc[0], "{acc:?}");
    assert!(
        !rows[0].iter().any(|c| c.contains("wall_time") || c.ends_with("samples_per_s")),
        "wall-clock times stay out of the table"
    );
}

#[test]
fn an_interrupted_sweep_keeps_its_points_and_continues() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::copy(repo().join("configs/fig3f.toml"), d.join("fig3f.toml")).unwrap();
    write(
        d,
        "s.toml",
        "version = 1\nbase = \"fig3f.toml\"\n[[axis]]\nkey = \"bias.hz\"\nrange = { from = \"-500 Oe\", to = \"-460 Oe\", points = 12 }\n\
         [[axis]]\nkey = \"program.cycles\"\nvalues = [3]\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args(["sweep", "s.toml", "--out", "o", "--jobs", "1"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let done = || {
        std::fs::read_dir(d.join("o/points"))
            .map(|r| r.flatten().filter(|e| !e.file_name().to_string_lossy().starts_with('.')).count())
            .unwrap_or(0)
    };
    while done() < 2 {
        assert!(t0.elapsed() < Duration::from_secs(120), "no points done");
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended before it was interrupted");
        std::thread::sleep(Duration::from_millis(5));
    }
    // While it runs, nothing else may run the same study.
    let second = run_in(d, &["sweep", "s.toml", "--out", "o"]);
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains("being run by another dwmtj process"),
        "{}",
        stderr(&second)
    );
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("run the same command again"), "{err}");
    let kept = done();
    assert!((2..12).contains(&kept), "{kept} points kept");
    let hidden: Vec<_> = std::fs::read_dir(d.join("o/points"))
        .unwrap()
        .chain(std::fs::read_dir(d).unwrap())
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    assert!(hidden.is_empty(), "partial output left: {hidden:?}");
    let o = run_in(d, &["sweep", "s.toml", "--out", "o", "--jobs", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_in(d, &["sweep", "s.toml", "--out", "whole"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = read(&d.join("whole/sweep.csv"));
    assert_eq!(read(&d.join("o/sweep.csv")), table);

    // Another study replacing it with --force and interrupted: the earlier study comes back.
    write(d, "s2.toml", &read(&d.join("s.toml")).replace("points = 12", "points = 13"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args(["sweep", "s2.toml", "--out", "whole", "--force", "--jobs", "1"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let started = || {
        std::fs::read_to_string(d.join("whole/study.json")).is_ok_and(|s| s.contains("points = 13"))
            && std::fs::read_dir(d.join("whole/points"))
                .is_ok_and(|mut r| r.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.'))))
    };
    while !started() {
        assert!(t0.elapsed() < Duration::from_secs(120), "the replacing study did not start");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the replacing study ended before it was interrupted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read(&d.join("whole/sweep.csv")), table, "the replaced study is back");
    assert!(!read(&d.join("whole/study.json")).contains("points = 13"));
    let hidden: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// Every example sweep in configs/sweeps runs, every point done, with its plots.
#[test]
fn example_sweeps_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(repo().join("configs/sweeps")).unwrap() {
        let path = e.unwrap().path();
        let out = tmp.path().join(path.file_stem().unwrap());
        let o = dwmtj(&[
            "sweep",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
            "--json",
        ]);
        assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(s["done"], s["points"], "{}: {s}", path.display());
        assert!(!s["plots"].as_array().unwrap().is_empty(), "{}: no plots", path.display());
        n += 1;
    }
    assert!(n >= 5, "{n} example sweeps");
}

/// Stops the Slurm daemons a test started.
struct Slurm(PathBuf);

impl Drop for Slurm {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/slurm-single-node.sh"))
            .args(["stop", self.0.to_str().unwrap()])
            .status();
    }
}

/// A real single-node Slurm (slurmctld, slurmd, munge) runs the sweep as a job array of
/// chunks; the dependent collect job's table equals the local run's byte for byte.
#[test]
#[cfg_attr(not(dwmtj_has_slurm), ignore = "Slurm is not installed (.ci/run installs slurm-wlm and munge)")]
fn slurm_job_array_gives_the_local_table() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    wall_study(d);
    let state = d.join("slurm-state");
    let up = Command::new("bash")
        .arg(repo().join("scripts/slurm-single-node.sh"))
        .args(["start", state.to_str().unwrap()])
        .output()
        .unwrap();
    let _daemons = Slurm(state.clone());
    assert!(
        up.status.success(),
        "slurm did not start: {}{}",
        String::from_utf8_lossy(&up.stdout),
        stderr(&up)
    );
    let conf = state.join("slurm.conf");
    let env = [("SLURM_CONF", conf.to_str().unwrap())];
    let o = Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args([
            "sweep",
            "s.toml",
            "--out",
            "cluster",
            "--slurm",
            "--chunk",
            "2",
            "--max-parallel",
            "3",
            "--time",
            "00:05:00",
        ])
        .current_dir(d)
        .envs(env)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("submitted array job") && out.contains("5 tasks of 2 points"), "{out}");
    let script = read(&d.join("cluster/slurm/array.sbatch"));
    assert!(
        script.contains("#SBATCH --array=0-4%3") && script.contains("sweep task"),
        "{script}"
    );
    let t0 = Instant::now();
    let table = d.join("cluster/sweep.csv");
    loop {
        let q = Command::new("squeue").args(["-h", "-o", "%i %T"]).envs(env).output().unwrap();
        let queue = String::from_utf8_lossy(&q.stdout).trim().to_string();
        if queue.is_empty() && table.exists() {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(240),
            "jobs still queued after 4 minutes: {queue}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = Command::new(env!("CARGO_BIN_EXE_dwmtj"))
        .args(["sweep", "status", "cluster", "--json"])
        .current_dir(d)
        .output()
        .unwrap();
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!((s["done"].as_u64(), s["failed"].as_u64()), (Some(9), Some(0)), "{s}");
    assert!(s["slurm"]["array"].is_string());
    let o = run_in(d, &["sweep", "s.toml", "--out", "local"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&table), read(&d.join("local/sweep.csv")), "Slurm and local tables differ");
    let logs = std::fs::read_dir(d.join("cluster/slurm/logs")).unwrap().count();
    assert_eq!(logs, 6, "five task logs and the collect job's");
}
