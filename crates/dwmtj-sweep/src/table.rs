//! The result table of a sweep: one row per point with the axis values, the seed, the status
//! and the scalar results of the point's summary (nested keys joined by `.`, entries of short
//! arrays as `key[1]`, `key[2]`, ... numbered from 1, `[label, value]` pairs as `key.label`;
//! strings, arrays longer than [`MAX_ARRAY_COLUMNS`] and wall-clock times left out, so that a
//! table depends only on the inputs and the seed).
//!
//! The table is built from each point's `summary.json` text, so a sweep run locally, on Slurm
//! or through Python gives the same bytes.

use crate::spec::Sweep;
use serde_json::{Map, Value};

/// Arrays up to this length become columns.
pub const MAX_ARRAY_COLUMNS: usize = 32;

/// Keys of wall-clock measurements, left out of tables (they differ between identical runs):
/// these, and throughputs (`*samples_per_s`, `*steps_per_s`).
const TIMING_KEYS: &[&str] = &["wall_time_s", "wall_s", "elapsed_s", "seconds", "ns_per_cell_eval"];

fn is_timing(key: &str) -> bool {
    TIMING_KEYS.contains(&key) || key.ends_with("samples_per_s") || key.ends_with("steps_per_s")
}

/// The state of one point.
#[derive(Clone, Debug, PartialEq)]
pub enum PointState {
    /// Done: the text of its summary.json.
    Done(String),
    /// Failed, with its error.
    Failed(String),
    /// Not run yet.
    Pending,
}

impl PointState {
    /// "done", "failed" or "pending".
    pub fn status(&self) -> &'static str {
        match self {
            Self::Done(_) => "done",
            Self::Failed(_) => "failed",
            Self::Pending => "pending",
        }
    }
}

/// The scalar results of a summary, in its key order: (column, value as text).
pub fn scalars(summary: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    flatten("", summary, &mut out);
    out
}

fn number_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if is_timing(k) {
                    continue;
                }
                flatten(&key(k), x, out);
            }
        }
        Value::Array(a) if a.len() <= MAX_ARRAY_COLUMNS => {
            let labelled = |x: &Value| matches!(x.as_array().map(Vec::as_slice), Some([Value::String(_), _]));
            if a.iter().all(labelled) {
                // [[label, value], ...] (levels per sweep): one column per label.
                for x in a {
                    if let Some([Value::String(label), v]) = x.as_array().map(Vec::as_slice) {
                        flatten(&key(label), v, out);
                    }
                }
            } else {
                for (i, x) in a.iter().enumerate() {
                    flatten(&format!("{prefix}[{}]", i + 1), x, out);
                }
            }
        }
        Value::Array(_) => {}
        Value::String(_) => {}
        other => {
            if let Some(t) = number_text(other) {
                out.push((prefix.to_string(), t));
            }
        }
    }
}

/// A table of text cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one per point, each with a cell per column.
    pub rows: Vec<Vec<String>>,
    /// Number of leading columns that describe the point (point, axes, seed, status).
    pub point_columns: usize,
}

/// The cell text of an axis value: its number in the axis's unit, or the value as written.
fn axis_cell(sweep: &Sweep, axis: usize, v: &toml::Value) -> String {
    if let toml::Value::Integer(i) = v {
        return i.to_string();
    }
    match sweep.axes[axis].number(v) {
        Some(x) => ryu::Buffer::new().format(x).to_string(),
        None => match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        },
    }
}

/// The table of `sweep` with the points' `states` (one per point, in order).
pub fn table(sweep: &Sweep, states: &[PointState]) -> Table {
    let seeded = sweep.points.iter().any(|p| p.seed.is_some());
    let mut columns: Vec<String> = vec!["point".into()];
    columns.extend(sweep.axes.iter().map(|a| a.column()));
    if seeded {
        columns.push("seed".into());
    }
    columns.push("status".into());
    let point_columns = columns.len();
    let results: Vec<Vec<(String, String)>> = states
        .iter()
        .map(|s| match s {
            PointState::Done(text) => serde_json::from_str::<Value>(text).map(|v| scalars(&v)).unwrap_or_default(),
            _ => Vec::new(),
        })
        .collect();
    let mut result_columns: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // A result named like a point column (the run's own `seed`) repeats it: left out.
    for c in &columns {
        seen.insert(c.clone());
    }
    let results: Vec<Vec<(String, String)>> = results
        .into_iter()
        .map(|r| r.into_iter().filter(|(k, _)| !columns.contains(k)).collect())
        .collect();
    for r in &results {
        for (k, _) in r {
            if seen.insert(k.clone()) {
                result_columns.push(k.clone());
            }
        }
    }
    let index: std::collections::HashMap<&str, usize> = result_columns.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    columns.extend(result_columns.iter().cloned());
    columns.push("error".into());
    let rows = sweep
        .points
        .iter()
        .zip(states)
        .zip(&results)
        .map(|((p, s), r)| {
            let mut row = vec![p.index.to_string()];
            row.extend(p.values.iter().enumerate().map(|(j, v)| axis_cell(sweep, j, v)));
            if seeded {
                row.push(p.seed.map(|s| s.to_string()).unwrap_or_default());
            }
            row.push(s.status().into());
            let mut cells = vec![String::new(); result_columns.len()];
            for (k, v) in r {
                cells[index[k.as_str()]] = v.clone();
            }
            row.extend(cells);
            row.push(match s {
                PointState::Failed(e) => e.trim_end().to_string(),
                _ => String::new(),
            });
            row
        })
        .collect();
    Table {
        columns,
        rows,
        point_columns,
    }
}

impl Table {
    /// The table as CSV text.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        w.write_record(&self.columns).expect("in memory");
        for r in &self.rows {
            w.write_record(r).expect("in memory");
        }
        String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 cells")
    }

    /// The table as JSON rows (numbers as numbers, `true`/`false` as booleans, empty cells as
    /// null), with the sweep's description.
    pub fn to_json(&self, sweep: &Sweep) -> Value {
        let cell = |t: &str| -> Value {
            if t.is_empty() {
                Value::Null
            } else if let Ok(n) = serde_json::from_str::<serde_json::Number>(t) {
                Value::Number(n)
            } else if t == "true" || t == "false" {
                Value::Bool(t == "true")
            } else {
                Value::String(t.to_string())
            }
        };
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let m: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, t)| {
                        let v = if c == "status" || c == "error" {
                            Value::String(t.clone())
                        } else {
                            cell(t)
                        };
                        (c.clone(), v)
                    })
                    .filter(|(c, v)| !(c == "error" && v.as_str() == Some("")))
                    .collect();
                Value::Object(m)
            })
            .collect();
        let count = |s: &str| self.rows.iter().filter(|r| r[self.point_columns - 1] == s).count();
        serde_json::json!({
            "name": sweep.name,
            "kind": sweep.kind,
            "mode": sweep.mode,
            "seed": sweep.seed,
            "seeds": sweep.seeds,
            "base": sweep.base_path.display().to_string(),
            "axes": sweep.axes.iter().map(|a| serde_json::json!({"key": a.path.text, "unit": a.unit, "column": a.column()})).collect::<Vec<_>>(),
            "points": self.rows.len(),
            "done": count("done"),
            "failed": count("failed"),
            "pending": count("pending"),
            "columns": self.columns,
            "rows": rows,
        })
    }

    /// The numbers of column `c` (None where a cell is not a number).
    pub fn numbers(&self, c: usize) -> Vec<Option<f64>> {
        self.rows
            .iter()
            .map(|r| r[c].parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_nested_objects_short_arrays_and_leaves_out_text_and_times() {
        let v: Value = serde_json::from_str(
            r#"{"a": 1, "b": {"c": 2.5, "wall_s": 3.0, "name": "x", "train_samples_per_s": 9.0}, "t": [1, 2], "long": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0], "ok": true, "n": null, "o": [{"x": 1}], "levels": [["up", 7], ["down", 8]]}"#,
        )
        .unwrap();
        let s: std::collections::BTreeMap<String, String> = scalars(&v).into_iter().collect();
        let keys: Vec<&str> = s.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b.c", "levels.down", "levels.up", "n", "o[1].x", "ok", "t[1]", "t[2]"]);
        assert_eq!(s["b.c"], "2.5");
        assert_eq!(s["ok"], "true");
        assert_eq!(s["n"], "");
    }
}
