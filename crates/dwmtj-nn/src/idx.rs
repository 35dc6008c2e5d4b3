//! IDX files (the MNIST format, LeCun et al.): a 4-byte magic 0x0000 TT DD (TT = 0x08 for
//! unsigned bytes, DD = number of dimensions), DD big-endian u32 sizes, then the data. Files may
//! be gzip-compressed. A dataset folder holds the standard names
//! `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
//! `t10k-labels-idx1-ubyte`, each optionally with `.gz`.

use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why an IDX file or data set folder cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum IdxError {
    /// The bytes are not a valid IDX array (or gzip stream), or the files do not fit together.
    #[error("{path}: {message}")]
    Format {
        /// The file (or folder, or built-in name).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The read error.
        source: std::io::Error,
    },
    /// A standard file is not in the folder.
    #[error("no {name} (or {name}.gz) in {dir}")]
    Missing {
        /// The standard file name.
        name: String,
        /// The folder searched.
        dir: String,
    },
}

/// An IDX array of unsigned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// Size of each dimension, outermost first.
    pub dims: Vec<usize>,
    /// The elements in row-major order (last dimension fastest).
    pub data: Vec<u8>,
}

/// Parse IDX bytes (already decompressed).
pub fn parse(bytes: &[u8], origin: &str) -> Result<IdxArray, IdxError> {
    let err = |m: String| IdxError::Format {
        path: origin.to_string(),
        message: m,
    };
    if bytes.len() < 4 {
        return Err(err("shorter than the 4-byte magic number".into()));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(err(format!(
            "bad magic {:02x}{:02x}{:02x}{:02x}: not an IDX file",
            bytes[0], bytes[1], bytes[2], bytes[3]
        )));
    }
    if bytes[2] != 0x08 {
        return Err(err(format!(
            "element type 0x{:02x}: only unsigned bytes (0x08) are supported",
            bytes[2]
        )));
    }
    let nd = usize::from(bytes[3]);
    if nd == 0 || bytes.len() < 4 + 4 * nd {
        return Err(err(format!("{nd} dimensions, or the header is truncated")));
    }
    let dims: Vec<usize> = (0..nd)
        .map(|k| u32::from_be_bytes(bytes[4 + 4 * k..8 + 4 * k].try_into().expect("4 bytes")) as usize)
        .collect();
    let count = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| err("dimensions overflow".into()))?;
    let body = &bytes[4 + 4 * nd..];
    if body.len() != count {
        return Err(err(format!(
            "dimensions {dims:?} need {count} bytes of data, the file has {}",
            body.len()
        )));
    }
    Ok(IdxArray { dims, data: body.to_vec() })
}

/// Read an IDX file, gzip or raw (detected by the gzip magic 1f 8b).
pub fn read(path: &Path) -> Result<IdxArray, IdxError> {
    let p = path.display().to_string();
    let raw = std::fs::read(path).map_err(|source| IdxError::Io { path: p.clone(), source })?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..]).read_to_end(&mut out).map_err(|e| IdxError::Format {
            path: p.clone(),
            message: format!("bad gzip data: {e}"),
        })?;
        out
    } else {
        raw
    };
    parse(&bytes, &p)
}

/// Images and labels of one split.
#[derive(Clone, Debug)]
pub struct Split {
    /// Image height (pixels).
    pub rows: usize,
    /// Image width (pixels).
    pub cols: usize,
    /// Row-major pixels, one image after another.
    pub images: Vec<u8>,
    /// Class (0-9) of each image.
    pub labels: Vec<u8>,
}

impl Split {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split has no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels of image `k` (rows x cols, row-major).
    pub fn image(&self, k: usize) -> &[u8] {
        let n = self.rows * self.cols;
        &self.images[k * n..(k + 1) * n]
    }
}

/// A train/test dataset in the standard layout.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The training split.
    pub train: Split,
    /// The test split.
    pub test: Split,
}

fn find(dir: &Path, name: &str) -> Result<PathBuf, IdxError> {
    for cand in [dir.join(name), dir.join(format!("{name}.gz"))] {
        if cand.exists() {
            return Ok(cand);
        }
    }
    Err(IdxError::Missing {
        name: name.into(),
        dir: dir.display().to_string(),
    })
}

fn split(dir: &Path, prefix: &str) -> Result<Split, IdxError> {
    let ip = find(dir, &format!("{prefix}-images-idx3-ubyte"))?;
    let lp = find(dir, &format!("{prefix}-labels-idx1-ubyte"))?;
    let images = read(&ip)?;
    let labels = read(&lp)?;
    let fmt = |p: &Path, m: String| IdxError::Format {
        path: p.display().to_string(),
        message: m,
    };
    if images.dims.len() != 3 {
        return Err(fmt(&ip, format!("images need 3 dimensions, found {:?}", images.dims)));
    }
    if labels.dims.len() != 1 || labels.dims[0] != images.dims[0] {
        return Err(fmt(&lp, format!("{:?} labels for {} images", labels.dims, images.dims[0])));
    }
    if let Some(bad) = labels.data.iter().find(|&&l| l > 9) {
        return Err(fmt(&lp, format!("label {bad} is not a digit class 0-9")));
    }
    Ok(Split {
        rows: images.dims[1],
        cols: images.dims[2],
        images: images.data,
        labels: labels.data,
    })
}

/// Load `train-*` and `t10k-*` from `dir`.
pub fn load_dataset(dir: &Path) -> Result<Dataset, IdxError> {
    let train = split(dir, "train")?;
    let test = split(dir, "t10k")?;
    if (train.rows, train.cols) != (test.rows, test.cols) {
        return Err(IdxError::Format {
            path: dir.display().to_string(),
            message: "train and test images differ in size".into(),
        });
    }
    Ok(Dataset { train, test })
}

/// The vendored MNIST subset (data/mnist: 8,000 training and 2,000 test digits), compiled into
/// the library so that an installed or moved binary trains without the repository.
pub fn vendored_dataset() -> Result<Dataset, IdxError> {
    const FILES: [(&str, &[u8]); 4] = [
        (
            "train-images-idx3-ubyte.gz",
            include_bytes!("../../../data/mnist/train-images-idx3-ubyte.gz"),
        ),
        (
            "train-labels-idx1-ubyte.gz",
            include_bytes!("../../../data/mnist/train-labels-idx1-ubyte.gz"),
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            include_bytes!("../../../data/mnist/t10k-images-idx3-ubyte.gz"),
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            include_bytes!("../../../data/mnist/t10k-labels-idx1-ubyte.gz"),
        ),
    ];
    let array = |(name, gz): (&str, &[u8])| -> Result<IdxArray, IdxError> {
        let mut out = Vec::new();
        GzDecoder::new(gz).read_to_end(&mut out).map_err(|e| IdxError::Format {
            path: format!("built-in {name}"),
            message: format!("bad gzip data: {e}"),
        })?;
        parse(&out, &format!("built-in {name}"))
    };
    let split = |images: IdxArray, labels: IdxArray| Split {
        rows: images.dims[1],
        cols: images.dims[2],
        images: images.data,
        labels: labels.data,
    };
    Ok(Dataset {
        train: split(array(FILES[0])?, array(FILES[1])?),
        test: split(array(FILES[2])?, array(FILES[3])?),
    })
}

/// Load `dir`'s data set, or the built-in subset when `dir` is None.
pub fn load_source(dir: Option<&Path>) -> Result<Dataset, IdxError> {
    match dir {
        Some(d) => load_dataset(d),
        None => vendored_dataset(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_subset_has_the_documented_shape() {
        let d = vendored_dataset().unwrap();
        let from_files = load_dataset(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist")).unwrap();
        assert_eq!(d.train.labels, from_files.train.labels);
        assert_eq!(d.test.images, from_files.test.images);
        assert_eq!((d.train.len(), d.test.len()), (8000, 2000));
        assert_eq!((d.train.rows, d.train.cols), (28, 28));
        // Every class appears in both splits, roughly 10 % each.
        for split in [&d.train, &d.test] {
            let mut counts = [0usize; 10];
            for &l in &split.labels {
                counts[usize::from(l)] += 1;
            }
            let n = split.len() as f64;
            assert!(counts.iter().all(|&c| (c as f64 / n - 0.1).abs() < 0.03), "{counts:?}");
        }
        // Images are digits: mostly dark background, some bright strokes.
        let img = d.train.image(0);
        assert!(img.iter().filter(|&&p| p == 0).count() > 400 && img.iter().any(|&p| p > 200));
    }

    #[test]
    fn raw_and_gzip_give_the_same_array_and_bad_files_are_errors() {
        let dir = std::env::temp_dir().join(format!("dwmtj-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2];
        bytes.extend(1..=8u8);
        std::fs::write(dir.join("a.idx"), &bytes).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &bytes).unwrap();
        std::fs::write(dir.join("a.idx.gz"), gz.finish().unwrap()).unwrap();
        let a = read(&dir.join("a.idx")).unwrap();
        assert_eq!(a, read(&dir.join("a.idx.gz")).unwrap());
        assert_eq!(a.dims, vec![2, 2, 2]);
        let bad_magic = parse(&[1, 2, 3, 4], "x").unwrap_err().to_string();
        assert!(bad_magic.contains("bad magic"), "{bad_magic}");
        let short = parse(&bytes[..bytes.len() - 1], "x").unwrap_err().to_string();
        assert!(short.contains("need 8 bytes"), "{short}");
        let float = parse(&[0, 0, 0x0d, 1, 0, 0, 0, 0], "x").unwrap_err().to_string();
        assert!(float.contains("only unsigned bytes"), "{float}");
        let missing = load_dataset(&dir).unwrap_err().to_string();
        assert!(missing.contains("train-images-idx3-ubyte"), "{missing}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
