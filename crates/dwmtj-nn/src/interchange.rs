//! Weight interchange in the safetensors format (the format PyTorch's `safetensors.torch` and
//! `safetensors.numpy` read and write): a trained network's layers out, float weights in.
//!
//! A file written here holds, for tile layer k (from 0), `layers.k.weight` (f32: the effective
//! weights alpha w as PyTorch holds them, outputs x inputs for `nn.Linear`, (C_out, C_in, k, k)
//! for `nn.Conv2d`), `layers.k.bias` (f32, outputs), `layers.k.device_state` (f32, the same shape:
//! each device's state w in its own range) and `layers.k.alpha` (f32, one value), and metadata:
//! `format` = "dwmtj-weights-1", `device`, `sizes` (the layer chain of an MLP, "784,256,128,10")
//! and `shapes` (each tile's outputs x inputs, "6x25,16x150,...").
//!
//! Reading takes any file whose float tensors of 2 or more dimensions named `*.weight` are the
//! network's tile layers (a PyTorch `state_dict` of `nn.Sequential(nn.Conv2d, ..., nn.Linear, ...)`
//! saved with `safetensors.torch.save_file` names them `0.weight`, `3.weight`, ...): they are
//! ordered by name with numbers compared as numbers, tensor k must have the k-th tile's outputs as
//! its first dimension and its inputs as the product of the others, and a 1-D `<prefix>.bias` of
//! the same prefix gives the biases (zeros without one). f32 and f64 are read.

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
        let shape = if l.weight_shape.is_empty() {
            vec![l.outputs, l.inputs]
        } else {
            l.weight_shape.clone()
        };
        buffers.push((format!("layers.{k}.weight"), shape.clone(), f32_bytes(&l.weights)));
        buffers.push((format!("layers.{k}.bias"), vec![l.outputs], f32_bytes(&l.bias)));
        buffers.push((format!("layers.{k}.device_state"), shape, f32_bytes(&l.device_state)));
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
    let shapes: Vec<String> = layers.iter().map(|l| format!("{}x{}", l.outputs, l.inputs)).collect();
    let meta = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("device".to_string(), device.to_string()),
        ("sizes".to_string(), sizes.join(",")),
        ("shapes".to_string(), shapes.join(",")),
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

/// Read the tile layers of `shapes` (outputs, inputs of each tile, input to output) from
/// safetensors bytes.
pub fn read(bytes: &[u8], shapes: &[(usize, usize)]) -> Result<Vec<TrainedLayer>, WeightsError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| WeightsError::Format(e.to_string()))?;
    let tensors: HashMap<String, TensorView<'_>> = st.tensors().into_iter().collect();
    let mut weights: Vec<&String> = tensors
        .iter()
        .filter(|(n, v)| n.ends_with(".weight") && v.shape().len() >= 2)
        .map(|(n, _)| n)
        .collect();
    weights.sort_by_key(|n| natural_key(n));
    let dims = |s: &[usize]| s.iter().map(usize::to_string).collect::<Vec<_>>().join(" x ");
    let want: Vec<String> = shapes.iter().map(|(m, n)| format!("{m} x {n}")).collect();
    let found: Vec<String> = weights.iter().map(|n| format!("{n} ({})", dims(tensors[*n].shape()))).collect();
    if weights.len() != shapes.len() {
        return Err(WeightsError::Shape(format!(
            "{} weight tensors (named *.weight, 2-D or more: {}); the network needs {} ({}, outputs x inputs)",
            weights.len(),
            if found.is_empty() { "none".to_string() } else { found.join(", ") },
            shapes.len(),
            want.join(", ")
        )));
    }
    let mut layers = Vec::new();
    for (k, name) in weights.iter().enumerate() {
        let v = &tensors[*name];
        let (m, n) = shapes[k];
        let shape = v.shape();
        if shape[0] != m || shape[1..].iter().product::<usize>() != n {
            return Err(WeightsError::Shape(format!(
                "tensor '{name}' is {}; layer {} needs {m} x {n} (outputs x inputs, the inputs possibly as C x k x k; the tiles: {})",
                dims(shape),
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
            weight_shape: if shape.len() > 2 { shape.to_vec() } else { Vec::new() },
        });
    }
    Ok(layers)
}

/// One tile layer's arrays as given in memory: flat row-major weights, their shape, biases.
pub type LayerArrays = (Vec<f32>, Vec<usize>, Vec<f32>);

/// Tile layers from arrays given in memory (Python's `dwmtj.infer`): for each tile of `shapes`
/// (outputs, inputs), the weights (row-major, any shape whose first dimension is the outputs and
/// whose others multiply to the inputs, as [`read`]) and the biases (empty: zeros).
pub fn from_arrays(arrays: Vec<LayerArrays>, shapes: &[(usize, usize)]) -> Result<Vec<TrainedLayer>, WeightsError> {
    if arrays.len() != shapes.len() {
        return Err(WeightsError::Shape(format!(
            "{} weight arrays; the network needs {} ({}, outputs x inputs)",
            arrays.len(),
            shapes.len(),
            shapes.iter().map(|(m, n)| format!("{m} x {n}")).collect::<Vec<_>>().join(", ")
        )));
    }
    arrays
        .into_iter()
        .zip(shapes)
        .enumerate()
        .map(|(k, ((w, shape, bias), &(m, n)))| {
            let dims = shape.iter().map(usize::to_string).collect::<Vec<_>>().join(" x ");
            if shape.len() < 2 || shape[0] != m || shape[1..].iter().product::<usize>() != n || w.len() != m * n {
                return Err(WeightsError::Shape(format!(
                    "weights {} are {dims}; layer {} needs {m} x {n}",
                    k + 1,
                    k + 1
                )));
            }
            if let Some(bad) = w.iter().chain(&bias).find(|x| !x.is_finite()) {
                return Err(WeightsError::Shape(format!("layer {} holds a non-finite value ({bad})", k + 1)));
            }
            if !bias.is_empty() && bias.len() != m {
                return Err(WeightsError::Shape(format!(
                    "biases {} have {} values; layer {} needs {m}",
                    k + 1,
                    bias.len(),
                    k + 1
                )));
            }
            Ok(TrainedLayer {
                inputs: n,
                outputs: m,
                weights: w,
                bias: if bias.is_empty() { vec![0.0; m] } else { bias },
                device_state: Vec::new(),
                alpha: 1.0,
                weight_shape: if shape.len() > 2 { shape } else { Vec::new() },
            })
        })
        .collect()
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
            weight_shape: Vec::new(),
        }
    }

    #[test]
    fn round_trip_and_natural_order() {
        // 12 layers, so that "layers.10" sorts after "layers.2".
        let sizes: Vec<usize> = (0..13).map(|k| 2 + k % 3).collect();
        let layers: Vec<TrainedLayer> = sizes.windows(2).enumerate().map(|(k, s)| layer(s[0], s[1], k as f32)).collect();
        let shapes: Vec<(usize, usize)> = sizes.windows(2).map(|s| (s[1], s[0])).collect();
        let bytes = write(&layers, "float").unwrap();
        let back = read(&bytes, &shapes).unwrap();
        for (a, b) in layers.iter().zip(&back) {
            assert_eq!((&a.weights, &a.bias), (&b.weights, &b.bias));
        }
        let meta = SafeTensors::read_metadata(&bytes).unwrap().1;
        assert_eq!(meta.metadata().as_ref().unwrap()["format"], FORMAT);
    }

    /// A convolution's weights go out as (C_out, C_in, k, k), as `nn.Conv2d` holds them, and come
    /// back as the tile's rows.
    #[test]
    fn convolution_weights_are_four_dimensional() {
        let mut conv = layer(2 * 3 * 3, 4, 1.0);
        conv.weight_shape = vec![4, 2, 3, 3];
        let bytes = write(&[conv.clone(), layer(5, 3, 2.0)], "float").unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(st.tensor("layers.0.weight").unwrap().shape(), [4, 2, 3, 3]);
        let back = read(&bytes, &[(4, 18), (3, 5)]).unwrap();
        assert_eq!(back[0].weights, conv.weights);
        assert_eq!(back[0].weight_shape, vec![4, 2, 3, 3]);
        let e = read(&bytes, &[(4, 16), (3, 5)]).unwrap_err().to_string();
        assert!(
            e.contains("layers.0.weight") && e.contains("4 x 2 x 3 x 3") && e.contains("4 x 16"),
            "{e}"
        );
    }

    #[test]
    fn wrong_shapes_name_the_tensor_and_the_chain() {
        let bytes = write(&[layer(3, 2, 0.0)], "float").unwrap();
        let e = read(&bytes, &[(2, 4)]).unwrap_err().to_string();
        assert!(e.contains("layers.0.weight") && e.contains("2 x 4"), "{e}");
        let e = read(&bytes, &[(5, 3), (2, 5)]).unwrap_err().to_string();
        assert!(e.contains("1 weight tensors") && e.contains("the network needs 2"), "{e}");
        assert!(read(b"not a file", &[(2, 3)]).unwrap_err().to_string().contains("safetensors"));
    }
}
