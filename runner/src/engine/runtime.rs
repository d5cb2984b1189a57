//! Loading ONNX Runtime's shared library and reading what it is: version and providers.

use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// ONNX Runtime allows one environment per process: it is created once and shared.
static RUNTIME: Mutex<Option<Arc<Runtime>>> = Mutex::new(None);

/// Errors loading ONNX Runtime.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The library could not be loaded.
    #[error("cannot load ONNX Runtime: {message}. Run `kokoro-bench setup` or pass --ort-lib / ORT_DYLIB_PATH ({path})")]
    Load {
        /// What failed.
        message: String,
        /// The library path.
        path: PathBuf,
    },
}

/// ONNX Runtime, loaded.
pub struct Runtime {
    /// The ort environment every session is built from.
    pub env: ort::environment::Environment,
    /// Version reported by the library.
    pub version: String,
    /// Library path.
    pub path: PathBuf,
    /// Execution providers compiled into the library.
    pub available_providers: Vec<String>,
}

impl Runtime {
    /// The process's runtime, loading the library at `path` the first time. A later call with a
    /// different library is refused (one ONNX Runtime per process).
    ///
    /// # Errors
    /// [`RuntimeError::Load`] naming the path.
    pub fn shared(path: &Path) -> Result<Arc<Runtime>, RuntimeError> {
        let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rt) = slot.as_ref() {
            if rt.path != path {
                return Err(RuntimeError::Load {
                    message: format!(
                        "this process already loaded ONNX Runtime from {}; one runtime per process",
                        rt.path.display()
                    ),
                    path: path.to_path_buf(),
                });
            }
            return Ok(rt.clone());
        }
        let rt = Arc::new(Self::load(path)?);
        *slot = Some(rt.clone());
        Ok(rt)
    }

    fn load(path: &Path) -> Result<Runtime, RuntimeError> {
        let err = |message: String| RuntimeError::Load {
            message,
            path: path.to_path_buf(),
        };
        if !path.is_file() {
            return Err(err("no such file".into()));
        }
        let version = version_string(path).map_err(err)?;
        let env = ort::init_from(path)
            .map_err(|e| err(e.to_string()))?
            .with_name("kokoro-bench")
            .build()
            .map_err(|e| err(e.to_string()))?;
        let available_providers = available_providers().map_err(err)?;
        Ok(Runtime {
            env,
            version,
            path: path.to_path_buf(),
            available_providers,
        })
    }
}

/// Asks the library itself for its version (`OrtGetApiBase()->GetVersionString()`).
fn version_string(path: &Path) -> Result<String, String> {
    // SAFETY: loading ONNX Runtime runs its (well-behaved) initialisers; the symbol has the C
    // signature `const OrtApiBase* OrtGetApiBase(void)` and the returned string is static.
    unsafe {
        let lib = libloading::Library::new(path).map_err(|e| e.to_string())?;
        let get: libloading::Symbol<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase> = lib
            .get(b"OrtGetApiBase")
            .map_err(|_| "the library does not export OrtGetApiBase".to_string())?;
        let base = get();
        if base.is_null() {
            return Err("OrtGetApiBase returned null".into());
        }
        let v = ((*base).GetVersionString)();
        let s = CStr::from_ptr(v).to_string_lossy().into_owned();
        // Keep the library loaded for the life of the process (ort loads it too).
        std::mem::forget(lib);
        Ok(s)
    }
}

fn available_providers() -> Result<Vec<String>, String> {
    let api = ort::api();
    let mut ptr: *mut *mut std::ffi::c_char = std::ptr::null_mut();
    let mut n: std::ffi::c_int = 0;
    // SAFETY: the OrtApi contract: on success `ptr` holds `n` C strings, released below.
    unsafe {
        let status = (api.GetAvailableProviders)(&mut ptr, &mut n);
        if !status.0.is_null() {
            (api.ReleaseStatus)(status.0);
            return Err("GetAvailableProviders failed".into());
        }
        let out = (0..n as usize)
            .map(|i| CStr::from_ptr(*ptr.add(i)).to_string_lossy().into_owned())
            .collect();
        let _ = (api.ReleaseAvailableProviders)(ptr, n);
        Ok(out)
    }
}
