//! Weight interchange in the safetensors format (the format PyTorch's `safetensors.torch` and
//! `safetensors.numpy` read and write): a trained network's layers out, float weights in.
//!
//! A file written here holds, for layer k (from 0), `layers.k.weight` (f32, outputs x inputs:
//! the effective weights alpha w, as a PyTorch `nn.Linear` holds them), `layers.k.bias` (f32,
//! outputs), `layers.k.device_state` (f32, outputs x inputs: each device's state w in its own
//! range) and `layers.k.alpha` (f32, one value), and metadata: `format` = "dwmtj-weights-1",
//! `device`, `sizes` ("784,256,128,10").
//!
//! Reading takes any file whose 2-D float tensors named `*.weight` form the layer chain (a
//! PyTorch `state_dict` of `nn.Sequential(nn.Linear, act, nn.Linear, ...)` saved with
//! `safetensors.torch.save_file` names them `0.weight`, `2.weight`, ...): they are ordered by
//! name with numbers compared as numbers, each must be `sizes[k+1] x sizes[k]`, and a 1-D
//! `<prefix>.bias` of the same prefix gives the biases (zeros without one). f32 and f64 are read.

use crate::network::TrainedLayer;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

/// The format tag written into the metadata.
pub const FORMAT: &str = "dwmtj-weights-1";

/// Why a weights file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// Not a safetensors file, or a damaged one.
    #[error("not a readable safetensors file: {0}")]
    Format(String),
    /// The tensors do not fit the network.
    #[error("{0}")]
    Shape(String),
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The layers as safetensors bytes, with `device` and the layer sizes in the metadata.
pub fn write(layers: &[TrainedLayer], device: &str) -> Result<Vec<u8>, WeightsError> {
    let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (k, l) in layers.iter().enumerate() {
        buffers.push((format!("layers.{k}.weight"), vec![l.outputs, l.inputs], f32_bytes(&l.weights)));
        buffers.push((format!("layers.{k}.bias"), vec![l.outputs], f32_bytes(&l.bias)));
        buffers.push((
            format!("layers.{k}.device_state"),
            vec![l.outputs, l.inputs],
            f32_bytes(&l.device_state),
        ));
        buffers.push((format!("layers.{k}.alpha"), vec![1], f32_bytes(&[l.alpha])));
    }
    let views = buffers
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| WeightsError::Format(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sizes: Vec<String> = layers.first().map(|l| vec![l.inputs.to_string()]).unwrap_or_default();
    sizes.extend(layers.iter().map(|l| l.outputs.to_string()));
    let meta = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("device".to_string(), device.to_string()),
        ("sizes".to_string(), sizes.join(",")),
    ]);
    safetensors::tensor::serialize(views, &Some(meta)).map_err(|e| WeightsError::Format(e.to_string()))
}

/// Natural order: digit runs compare as numbers ("2.weight" < "10.weight").
fn natural_key(s: &str) -> Vec<(u8, u64, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(d);
                chars.next();
            }
            out.push((0, n.parse().unwrap_or(u64::MAX), String::new()));
        } else {
            let mut t = String::new();
            while let Some(&d) = chars.peek().filter(|d| !d.is_ascii_digit()) {
                t.push(d);
                chars.next();
            }
            out.push((1, 0, t));
        }
    }
    out
}

fn floats(name: &str, v: &TensorView<'_>) -> Result<Vec<f32>, WeightsError> {
    let d = v.data();
    match v.dtype() {
        Dtype::F32 => Ok(d.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()),
        Dtype::F64 => Ok(d
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect()),
        other => Err(WeightsError::Shape(format!("tensor '{name}' is {other:?}; expected F32 or F64"))),
    }
}

/// Read the layer chain `sizes` (inputs, hidden..., outputs) from safetensors bytes.
pub fn read(bytes: &[u8], sizes: &[usize]) -> Result<Vec<TrainedLayer>, WeightsError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| WeightsError::Format(e.to_string()))?;
    let tensors: HashMap<String, TensorView<'_>> = st.tensors().into_iter().collect();
    let mut weights: Vec<&String> = tensors
        .iter()
        .filter(|(n, v)| n.ends_with(".weight") && v.shape().len() == 2)
        .map(|(n, _)| n)
        .collect();
    weights.sort_by_key(|n| natural_key(n));
    let want: Vec<String> = sizes.windows(2).map(|s| format!("{} x {}", s[1], s[0])).collect();
    let found: Vec<String> = weights
        .iter()
        .map(|n| format!("{n} ({} x {})", tensors[*n].shape()[0], tensors[*n].shape()[1]))
        .collect();
    if weights.len() != sizes.len() - 1 {
        return Err(WeightsError::Shape(format!(
            "{} weight matrices (2-D tensors named *.weight: {}); the network needs {} ({}, outputs x inputs)",
            weights.len(),
            if found.is_empty() { "none".to_string() } else { found.join(", ") },
            sizes.len() - 1,
            want.join(", ")
        )));
    }
    let mut layers = Vec::new();
    for (k, name) in weights.iter().enumerate() {
        let v = &tensors[*name];
        let (m, n) = (sizes[k + 1], sizes[k]);
        if v.shape() != [m, n] {
            return Err(WeightsError::Shape(format!(
                "tensor '{name}' is {} x {}; layer {} needs {m} x {n} (outputs x inputs; the chain: {})",
                v.shape()[0],
                v.shape()[1],
                k + 1,
                want.join(", ")
            )));
        }
        let w = floats(name, v)?;
        if let Some(bad) = w.iter().find(|x| !x.is_finite()) {
            return Err(WeightsError::Shape(format!("tensor '{name}' holds a non-finite value ({bad})")));
        }
        let bias_name = format!("{}.bias", name.trim_end_matches(".weight"));
        let bias = match tensors.get(&bias_name) {
            Some(b) if b.shape() == [m] => floats(&bias_name, b)?,
            Some(b) => {
                return Err(WeightsError::Shape(format!(
                    "tensor '{bias_name}' has shape {:?}; layer {} needs [{m}]",
                    b.shape(),
                    k + 1
                )))
            }
            None => vec![0.0; m],
        };
        layers.push(TrainedLayer {
            inputs: n,
            outputs: m,
            device_state: Vec::new(),
            alpha: 1.0,
            weights: w,
            bias,
        });
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(n: usize, m: usize, seed: f32) -> TrainedLayer {
        TrainedLayer {
            inputs: n,
            outputs: m,
            weights: (0..n * m).map(|k| seed + k as f32 * 0.25).collect(),
            bias: (0..m).map(|k| -(k as f32)).collect(),
            device_state: (0..n * m).map(|k| k as f32).collect(),
            alpha: 0.5,
        }
    }

    #[test]
    fn round_trip_and_natural_order() {
        // 12 layers, so that "layers.10" sorts after "layers.2".
        let sizes: Vec<usize> = (0..13).map(|k| 2 + k % 3).collect();
        let layers: Vec<TrainedLayer> = sizes.windows(2).enumerate().map(|(k, s)| layer(s[0], s[1], k as f32)).collect();
        let bytes = write(&layers, "float").unwrap();
        let back = read(&bytes, &sizes).unwrap();
        for (a, b) in layers.iter().zip(&back) {
            assert_eq!((&a.weights, &a.bias), (&b.weights, &b.bias));
        }
        let meta = SafeTensors::read_metadata(&bytes).unwrap().1;
        assert_eq!(meta.metadata().as_ref().unwrap()["format"], FORMAT);
    }

    #[test]
    fn wrong_shapes_name_the_tensor_and_the_chain() {
        let bytes = write(&[layer(3, 2, 0.0)], "float").unwrap();
        let e = read(&bytes, &[4, 2]).unwrap_err().to_string();
        assert!(e.contains("layers.0.weight") && e.contains("2 x 4"), "{e}");
        let e = read(&bytes, &[3, 5, 2]).unwrap_err().to_string();
        assert!(e.contains("1 weight matrices") && e.contains("the network needs 2"), "{e}");
        assert!(read(b"not a file", &[3, 2]).unwrap_err().to_string().contains("safetensors"));
    }
}
