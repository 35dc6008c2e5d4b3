//! A micromagnetic run's files: table.csv, OVF snapshots, the m_z map and the wall plot.

use crate::output::{Csv, Num, RunDir};
use crate::plot::{write_chart, write_map, Chart, Map, Mark, Series};
use anyhow::Result;
use dwmtj_micromag::config;
use dwmtj_micromag::ovf::{self, OvfField, OvfFormat};
use dwmtj_micromag::run::RunOutput;
use dwmtj_micromag::system::Field3;

fn to_ovf(spec: &config::RunSpec, m: &Field3) -> OvfField {
    let mesh = &spec.mesh;
    OvfField {
        nodes: [mesh.nx, mesh.ny, mesh.nz],
        step: [mesh.dx, mesh.dy, mesh.dz],
        title: "m".into(),
        values: (0..mesh.cells()).map(|k| [m[0][k], m[1][k], m[2][k]]).collect(),
    }
}

/// Write the table, the snapshots and the plots of `out` (summary.json is the caller's).
pub fn write_micromag(run: &RunDir, spec: &config::RunSpec, out: &RunOutput, format: OvfFormat) -> Result<()> {
    let mut header: Vec<String> = [
        "t_s",
        "mx",
        "my",
        "mz",
        "e_total_j",
        "e_exchange_j",
        "e_anisotropy_j",
        "e_dmi_j",
        "e_demag_j",
        "e_zeeman_j",
        "wall_x_m",
        "wall_v_m_per_s",
    ]
    .map(String::from)
    .to_vec();
    for r in &spec.regions {
        header.extend(["mx", "my", "mz"].map(|c| format!("{c}_{}", r.name)));
    }
    for r in spec.regions.iter().filter(|r| r.mtj.is_some()) {
        header.push(format!("g_{}_s", r.name));
    }
    let mut w = Csv::with_header(&header)?;
    for (k, r) in out.rows.iter().enumerate() {
        let v = if k > 0 {
            let p = &out.rows[k - 1];
            (r.wall_position - p.wall_position) / (r.t - p.t)
        } else {
            0.0
        };
        let e = &r.energy;
        let mut record: Vec<f64> = vec![
            r.t,
            r.m[0],
            r.m[1],
            r.m[2],
            e.total(),
            e.exchange,
            e.anisotropy,
            e.dmi,
            e.demag,
            e.zeeman,
            r.wall_position,
            v,
        ];
        record.extend(r.regions.iter().flatten());
        record.extend(r.conductance.iter().flatten());
        w.row(record.iter().map(|x| x.num()))?;
    }
    run.write_csv("table.csv", w)?;
    let n = out.snapshots.len();
    for (k, (t, m)) in out.snapshots.iter().enumerate() {
        let name = if k + 1 == n {
            "m_final.ovf".to_string()
        } else {
            format!("m_{k:03}.ovf")
        };
        run.write_bytes(
            &name,
            &ovf::write(&to_ovf(spec, m), format, &format!("Total simulation time: {t:e} s")),
        )?;
    }
    let (tf, mf) = out.snapshots.last().expect("final state");
    let values: Vec<f64> = (0..spec.mesh.plane())
        .map(|k| {
            let cells = (0..spec.mesh.nz).map(|l| l * spec.mesh.plane() + k);
            if spec.mesh.mask[k] {
                cells.map(|q| mf[2][q]).sum::<f64>() / spec.mesh.nz as f64
            } else {
                0.0
            }
        })
        .collect();
    let title = if spec.mesh.nz > 1 {
        format!("m_z averaged over {} layers at t = {:.3} ns", spec.mesh.nz, tf * 1e9)
    } else {
        format!("m_z at t = {:.3} ns", tf * 1e9)
    };
    let map = Map {
        title,
        nx: spec.mesh.nx,
        ny: spec.mesh.ny,
        values: &values,
        extent: (spec.mesh.nx as f64 * spec.mesh.dx * 1e9, spec.mesh.ny as f64 * spec.mesh.dy * 1e9),
        unit: "nm",
    };
    write_map(run, "mz", &map)?;
    write_chart(
        run,
        "wall",
        &Chart {
            title: "Wall position".into(),
            x_label: "t (ns)".into(),
            y_label: "x (nm)".into(),
            series: vec![Series {
                label: "<m_z> wall position".into(),
                points: out.rows.iter().map(|r| (r.t * 1e9, r.wall_position * 1e9, 0.0)).collect(),
                mark: Mark::Line,
            }],
        },
    )?;
    Ok(())
}
