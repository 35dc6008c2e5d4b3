//! OVF 2.0 vector fields (the OOMMF format also written by mumax3): a text header, then data
//! as "Binary 4" (little-endian f32, preceded by the check value 1234567.0), "Binary 8"
//! (little-endian f64, check value 123456789012345.0) or "Text". Values run x fastest, then y,
//! then z, three per node. Reference: OOMMF user guide, "OVF 2.0 format"; mumax3 oommf/ovf2.go.

use std::fmt::Write as _;

/// How the data block of an OVF 2.0 file is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OvfFormat {
    /// "Binary 4": little-endian f32 after the check value 1234567.0.
    Binary4,
    /// "Binary 8": little-endian f64 after the check value 123456789012345.0.
    Binary8,
    /// "Text": decimal numbers, one node (three values) per line.
    Text,
}

/// A 3-component field on a rectangular grid.
#[derive(Clone, Debug, PartialEq)]
pub struct OvfField {
    /// Nodes along x, y and z.
    pub nodes: [usize; 3],
    /// Node spacing along x, y and z, m.
    pub step: [f64; 3],
    /// The title (the `# Title:` header line).
    pub title: String,
    /// Node values, x fastest: index = (k * ny + j) * nx + i.
    pub values: Vec<[f64; 3]>,
}

/// An OVF file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum OvfError {
    /// The file is not valid OVF 2.0 as read here (what is wrong).
    #[error("OVF: {0}")]
    Format(String),
}

/// Serialise a field (`desc` becomes a `# Desc:` line, e.g. the simulation time).
pub fn write(field: &OvfField, format: OvfFormat, desc: &str) -> Vec<u8> {
    let [nx, ny, nz] = field.nodes;
    let [dx, dy, dz] = field.step;
    let mut h = String::new();
    let _ = writeln!(h, "# OOMMF OVF 2.0");
    let _ = writeln!(h, "# Segment count: 1");
    let _ = writeln!(h, "# Begin: Segment");
    let _ = writeln!(h, "# Begin: Header");
    let _ = writeln!(h, "# Title: {}", field.title);
    let _ = writeln!(h, "# meshtype: rectangular");
    let _ = writeln!(h, "# meshunit: m");
    let _ = writeln!(h, "# xmin: 0\n# ymin: 0\n# zmin: 0");
    let _ = writeln!(
        h,
        "# xmax: {:e}\n# ymax: {:e}\n# zmax: {:e}",
        nx as f64 * dx,
        ny as f64 * dy,
        nz as f64 * dz
    );
    let _ = writeln!(h, "# valuedim: 3");
    let _ = writeln!(h, "# valuelabels: {0}_x {0}_y {0}_z", field.title);
    let _ = writeln!(h, "# valueunits: 1 1 1");
    if !desc.is_empty() {
        let _ = writeln!(h, "# Desc: {desc}");
    }
    let _ = writeln!(h, "# xbase: {:e}\n# ybase: {:e}\n# zbase: {:e}", dx / 2.0, dy / 2.0, dz / 2.0);
    let _ = writeln!(h, "# xnodes: {nx}\n# ynodes: {ny}\n# znodes: {nz}");
    let _ = writeln!(h, "# xstepsize: {dx:e}\n# ystepsize: {dy:e}\n# zstepsize: {dz:e}");
    let _ = writeln!(h, "# End: Header");
    let tag = match format {
        OvfFormat::Binary4 => "Binary 4",
        OvfFormat::Binary8 => "Binary 8",
        OvfFormat::Text => "Text",
    };
    let _ = writeln!(h, "# Begin: Data {tag}");
    let mut out = h.into_bytes();
    match format {
        OvfFormat::Binary4 => {
            out.extend(1_234_567.0f32.to_le_bytes());
            for v in &field.values {
                for c in v {
                    out.extend((*c as f32).to_le_bytes());
                }
            }
            out.push(b'\n');
        }
        OvfFormat::Binary8 => {
            out.extend(123_456_789_012_345.0f64.to_le_bytes());
            for v in &field.values {
                for c in v {
                    out.extend(c.to_le_bytes());
                }
            }
            out.push(b'\n');
        }
        OvfFormat::Text => {
            let mut t = String::new();
            for v in &field.values {
                let _ = writeln!(t, "{:e} {:e} {:e}", v[0], v[1], v[2]);
            }
            out.extend(t.into_bytes());
        }
    }
    out.extend(format!("# End: Data {tag}\n# End: Segment\n").into_bytes());
    out
}

/// Parse an OVF 2.0 file with a rectangular 3-component field.
pub fn read(bytes: &[u8]) -> Result<OvfField, OvfError> {
    let err = |m: &str| OvfError::Format(m.to_string());
    let mut pos = 0;
    let mut nodes = [0usize; 3];
    let mut step = [0.0f64; 3];
    let mut title = String::new();
    let mut valuedim = 3;
    let mut first = true;
    let format = loop {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| err("header ends without a data block"))?
            + pos;
        let line = std::str::from_utf8(&bytes[pos..end])
            .map_err(|_| err("header is not text"))?
            .trim()
            .to_string();
        pos = end + 1;
        if first {
            if !line.to_ascii_lowercase().starts_with("# oommf ovf 2.0") {
                return Err(err(&format!("not an OVF 2.0 file (first line {line:?})")));
            }
            first = false;
            continue;
        }
        let Some(body) = line.strip_prefix('#') else {
            continue;
        };
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
        let num = || value.parse::<f64>().map_err(|_| err(&format!("bad {key}: {value}")));
        match key.as_str() {
            "title" => title = value.to_string(),
            "xnodes" => nodes[0] = num()? as usize,
            "ynodes" => nodes[1] = num()? as usize,
            "znodes" => nodes[2] = num()? as usize,
            "xstepsize" => step[0] = num()?,
            "ystepsize" => step[1] = num()?,
            "zstepsize" => step[2] = num()?,
            "valuedim" => valuedim = num()? as usize,
            "meshtype" if value != "rectangular" => return Err(err("only rectangular meshes are supported")),
            "begin" if value.to_ascii_lowercase().starts_with("data") => {
                let f = value[4..].trim().to_ascii_lowercase();
                break match f.as_str() {
                    "binary 4" => OvfFormat::Binary4,
                    "binary 8" => OvfFormat::Binary8,
                    "text" => OvfFormat::Text,
                    _ => return Err(err(&format!("unknown data format {f:?}"))),
                };
            }
            _ => {}
        }
    };
    if valuedim != 3 {
        return Err(err(&format!("valuedim {valuedim}: only vector fields are supported")));
    }
    let n = nodes[0] * nodes[1] * nodes[2];
    if n == 0 {
        return Err(err("missing or zero xnodes/ynodes/znodes"));
    }
    let mut values = Vec::with_capacity(n);
    match format {
        OvfFormat::Binary4 => {
            let need = 4 + 12 * n;
            let d = bytes.get(pos..pos + need).ok_or_else(|| err("data block is truncated"))?;
            let f = |k: usize| f32::from_le_bytes(d[4 * k..4 * k + 4].try_into().expect("4 bytes"));
            if (f(0) - 1_234_567.0).abs() > 0.0 {
                return Err(err("bad Binary 4 check value (not little-endian OVF 2.0?)"));
            }
            for i in 0..n {
                values.push([f64::from(f(1 + 3 * i)), f64::from(f(2 + 3 * i)), f64::from(f(3 + 3 * i))]);
            }
        }
        OvfFormat::Binary8 => {
            let need = 8 + 24 * n;
            let d = bytes.get(pos..pos + need).ok_or_else(|| err("data block is truncated"))?;
            let f = |k: usize| f64::from_le_bytes(d[8 * k..8 * k + 8].try_into().expect("8 bytes"));
            if (f(0) - 123_456_789_012_345.0).abs() > 0.0 {
                return Err(err("bad Binary 8 check value"));
            }
            for i in 0..n {
                values.push([f(1 + 3 * i), f(2 + 3 * i), f(3 + 3 * i)]);
            }
        }
        OvfFormat::Text => {
            let text = std::str::from_utf8(&bytes[pos..]).map_err(|_| err("text data is not UTF-8"))?;
            let mut nums = text.lines().take_while(|l| !l.starts_with('#')).flat_map(|l| l.split_whitespace());
            for _ in 0..n {
                let mut v = [0.0; 3];
                for c in &mut v {
                    *c = nums
                        .next()
                        .ok_or_else(|| err("text data is truncated"))?
                        .parse()
                        .map_err(|_| err("bad number in text data"))?;
                }
                values.push(v);
            }
        }
    }
    Ok(OvfField {
        nodes,
        step,
        title,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_round_trips() {
        let values: Vec<[f64; 3]> = (0..12).map(|k| [k as f64 * 0.1, -0.5, (k as f64).sin()]).collect();
        let f = OvfField {
            nodes: [4, 3, 1],
            step: [2e-9, 2e-9, 1e-9],
            title: "m".into(),
            values,
        };
        for fmt in [OvfFormat::Binary4, OvfFormat::Binary8, OvfFormat::Text] {
            let back = read(&write(&f, fmt, "t = 1e-9 s")).unwrap();
            assert_eq!((back.nodes, back.title.as_str()), (f.nodes, "m"));
            let tol = if fmt == OvfFormat::Binary4 { 1e-7 } else { 1e-15 };
            for (a, b) in back.values.iter().zip(&f.values) {
                for c in 0..3 {
                    assert!((a[c] - b[c]).abs() <= tol * b[c].abs().max(1.0), "{fmt:?}");
                }
            }
            assert!((back.step[0] - 2e-9).abs() < 1e-24);
        }
        let mut bad = write(&f, OvfFormat::Binary4, "");
        let at = bad.windows(8).position(|w| w == b"Binary 4").unwrap() + 9;
        bad[at] ^= 0xff;
        assert!(read(&bad).unwrap_err().to_string().contains("check value"));
        assert!(read(b"# OOMMF OVF 1.0\n").is_err());
    }
}
