//! Converted judge weights: a `.npz` (a zip of little-endian float32 `.npy` arrays, written at
//! set-up by the Python converters beside this module), read by name with the expected size.

use anyhow::{anyhow, Context, Result};
use ndarray::{Array1, Array2};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Every array of one `.npz`, still encoded.
pub struct Npz {
    arrays: HashMap<String, Vec<u8>>,
    path: PathBuf,
}

impl Npz {
    /// Reads the archive.
    ///
    /// # Errors
    /// An unreadable file or one that is not a zip, with its path.
    pub fn open(path: &Path) -> Result<Npz> {
        let f =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut z =
            zip::ZipArchive::new(f).with_context(|| format!("not an .npz: {}", path.display()))?;
        let mut arrays = HashMap::new();
        for i in 0..z.len() {
            let mut e = z.by_index(i)?;
            let name = e.name().trim_end_matches(".npy").to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {name} in {}", path.display()))?;
            arrays.insert(name, bytes);
        }
        Ok(Npz {
            arrays,
            path: path.to_path_buf(),
        })
    }

    /// The named array's values, which must number `count`.
    ///
    /// # Errors
    /// A missing array or one of another size or type, naming the array and the file.
    pub fn values(&self, name: &str, count: usize) -> Result<Vec<f32>> {
        let bytes = self
            .arrays
            .get(name)
            .with_context(|| format!("{name} missing from {}", self.path.display()))?;
        crate::engine::voices::parse_npy_f32(bytes, count)
            .map_err(|e| anyhow!("{name} in {}: {e}", self.path.display()))
    }

    /// The named array as `rows × cols` (row-major).
    ///
    /// # Errors
    /// As [`Npz::values`].
    pub fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>> {
        Ok(Array2::from_shape_vec(
            (rows, cols),
            self.values(name, rows * cols)?,
        )?)
    }

    /// The named array as a vector of `len`.
    ///
    /// # Errors
    /// As [`Npz::values`].
    pub fn vector(&self, name: &str, len: usize) -> Result<Array1<f32>> {
        Ok(Array1::from(self.values(name, len)?))
    }
}
