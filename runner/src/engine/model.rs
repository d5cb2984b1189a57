//! The Kokoro ONNX session: options applied explicitly, input names and types read from the
//! model, one call = one chunk of ≤ 510 phoneme tokens.

use super::runtime::Runtime;
use kokoro_bench_bundle::schema::SessionOptions;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::{Tensor, TensorElementType, ValueType};
use std::path::Path;
use std::time::Instant;

/// Which execution provider a session asks for (CPU is always the fallback after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderSpec {
    /// The CPU provider only.
    Cpu,
    /// CoreML (macOS), with compute units (`ALL`, `CPUAndGPU`, `CPUOnly`, `CPUAndNeuralEngine`)
    /// and an optional model format (`MLProgram`, `NeuralNetwork`).
    CoreMl {
        /// Compute units.
        units: String,
        /// Model format.
        format: Option<String>,
    },
}

impl ProviderSpec {
    /// ONNX Runtime's name of the provider.
    pub fn ort_name(&self) -> &'static str {
        match self {
            ProviderSpec::Cpu => "CPUExecutionProvider",
            ProviderSpec::CoreMl { .. } => "CoreMLExecutionProvider",
        }
    }
}

/// Session settings chosen by the user.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionConfig {
    /// Execution provider requested.
    pub provider: ProviderSpec,
    /// Write an ONNX Runtime profile with this path prefix (for node placement).
    pub profile: Option<std::path::PathBuf>,
    /// Intra-op threads.
    pub intra_threads: usize,
    /// Inter-op threads.
    pub inter_threads: usize,
    /// `disable`, `basic`, `extended`, `all`.
    pub optimization: String,
    /// CPU memory arena.
    pub cpu_arena: bool,
    /// Memory pattern optimisation.
    pub memory_pattern: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            provider: ProviderSpec::Cpu,
            profile: None,
            intra_threads: 2,
            inter_threads: 1,
            optimization: "all".into(),
            cpu_arena: true,
            memory_pattern: true,
        }
    }
}

/// Errors of the model session.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Creating the session failed.
    #[error("cannot load the model: {message} ({path})")]
    Load {
        /// What failed.
        message: String,
        /// The model path.
        path: String,
    },
    /// The model's inputs are not Kokoro's.
    #[error("this does not look like a Kokoro model: {0}")]
    Shape(String),
    /// Inference failed.
    #[error("inference failed: {0}")]
    Run(String),
    /// The requested provider cannot run here.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
}

#[derive(Clone, Copy, Debug)]
enum SpeedKind {
    F32,
    I32,
    I64,
}

/// A loaded Kokoro model.
pub struct KokoroModel {
    session: Session,
    tokens_input: String,
    style_input: String,
    speed_input: String,
    speed_kind: SpeedKind,
    audio_output: String,
    /// Options in effect (and how long creation took).
    pub options: SessionOptions,
    /// Input/output description, e.g. `tokens: Int64 [1, -1]`.
    pub io: Vec<String>,
    /// Providers registered on the session, in order.
    pub registered: Vec<String>,
}

fn describe(name: &str, t: &ValueType) -> String {
    match t {
        ValueType::Tensor { ty, shape, .. } => {
            format!("{name}: {ty:?} {:?}", shape.iter().collect::<Vec<_>>())
        }
        other => format!("{name}: {other:?}"),
    }
}

/// The CoreML provider with compute units and model format (registration fails loudly).
fn coreml_ep(
    units: &str,
    format: Option<&str>,
) -> Result<ort::ep::ExecutionProviderDispatch, ModelError> {
    use ort::ep::coreml::{ComputeUnits, ModelFormat};
    let units = match units {
        "ALL" => ComputeUnits::All,
        "CPUAndGPU" => ComputeUnits::CPUAndGPU,
        "CPUOnly" => ComputeUnits::CPUOnly,
        "CPUAndNeuralEngine" => ComputeUnits::CPUAndNeuralEngine,
        other => {
            return Err(ModelError::Unavailable(format!(
                "unknown CoreML compute units `{other}`; choose ALL, CPUAndGPU, CPUOnly or CPUAndNeuralEngine"
            )))
        }
    };
    let mut ep = ort::ep::CoreML::default().with_compute_units(units);
    match format {
        Some("MLProgram") => ep = ep.with_model_format(ModelFormat::MLProgram),
        Some("NeuralNetwork") => ep = ep.with_model_format(ModelFormat::NeuralNetwork),
        None => {}
        Some(other) => {
            return Err(ModelError::Unavailable(format!(
                "unknown CoreML model format `{other}`; choose MLProgram or NeuralNetwork"
            )))
        }
    }
    Ok(ep.build().error_on_failure())
}

impl KokoroModel {
    /// Creates the session with explicit options.
    ///
    /// # Errors
    /// [`ModelError`] when the file cannot be loaded or its inputs are not Kokoro's.
    pub fn load(rt: &Runtime, path: &Path, cfg: &SessionConfig) -> Result<KokoroModel, ModelError> {
        let p = path.display().to_string();
        let err = |e: &dyn std::fmt::Display| ModelError::Load {
            message: e.to_string(),
            path: p.clone(),
        };
        if !path.is_file() {
            return Err(err(&"no such file"));
        }
        let level = match cfg.optimization.as_str() {
            "disable" => GraphOptimizationLevel::Disable,
            "basic" => GraphOptimizationLevel::Level1,
            "extended" => GraphOptimizationLevel::Level2,
            _ => GraphOptimizationLevel::All,
        };
        if !rt
            .available_providers
            .iter()
            .any(|p| p == cfg.provider.ort_name())
        {
            return Err(ModelError::Unavailable(format!(
                "{} is not in this ONNX Runtime build (it has: {}) ({})",
                cfg.provider.ort_name(),
                rt.available_providers.join(", "),
                rt.path.display()
            )));
        }
        let cpu = ort::ep::CPU::default()
            .with_arena_allocator(cfg.cpu_arena)
            .build();
        let eps = match &cfg.provider {
            ProviderSpec::Cpu => vec![cpu],
            ProviderSpec::CoreMl { units, format } => {
                vec![coreml_ep(units, format.as_deref())?, cpu]
            }
        };
        let registered: Vec<String> = match &cfg.provider {
            ProviderSpec::Cpu => vec!["CPUExecutionProvider".into()],
            p => vec![p.ort_name().into(), "CPUExecutionProvider".into()],
        };
        let t0 = Instant::now();
        let mut builder = Session::builder(&rt.env)
            .map_err(|e| err(&e))?
            .with_no_environment_execution_providers()
            .map_err(|e| err(&e))?
            .with_execution_providers(eps)
            .map_err(|e| err(&e))?;
        if let Some(prefix) = &cfg.profile {
            builder = builder.with_profiling(prefix).map_err(|e| err(&e))?;
        }
        let session = builder
            .with_intra_threads(cfg.intra_threads)
            .map_err(|e| err(&e))?
            .with_inter_threads(cfg.inter_threads)
            .map_err(|e| err(&e))?
            .with_optimization_level(level)
            .map_err(|e| err(&e))?
            .with_memory_pattern(cfg.memory_pattern)
            .map_err(|e| err(&e))?
            .commit_from_file(path)
            .map_err(|e| err(&e))?;
        let session_create_ms = t0.elapsed().as_secs_f64() * 1000.0;

        let io: Vec<String> = session
            .inputs()
            .iter()
            .map(|o| describe(o.name(), o.dtype()))
            .chain(
                session
                    .outputs()
                    .iter()
                    .map(|o| format!("→ {}", describe(o.name(), o.dtype()))),
            )
            .collect();
        let names: Vec<String> = session
            .inputs()
            .iter()
            .map(|i| i.name().to_string())
            .collect();
        let find = |cands: &[&str]| names.iter().find(|n| cands.contains(&n.as_str())).cloned();
        let tokens_input = find(&["tokens", "input_ids"]).ok_or_else(|| {
            ModelError::Shape(format!(
                "no `tokens`/`input_ids` input; inputs are {names:?} ({p})"
            ))
        })?;
        let style_input = find(&["style", "ref_s"]).ok_or_else(|| {
            ModelError::Shape(format!("no `style` input; inputs are {names:?} ({p})"))
        })?;
        let speed_input = find(&["speed"]).ok_or_else(|| {
            ModelError::Shape(format!("no `speed` input; inputs are {names:?} ({p})"))
        })?;
        let speed_kind = match session
            .inputs()
            .iter()
            .find(|i| i.name() == speed_input)
            .map(|i| i.dtype())
        {
            Some(ValueType::Tensor {
                ty: TensorElementType::Int32,
                ..
            }) => SpeedKind::I32,
            Some(ValueType::Tensor {
                ty: TensorElementType::Int64,
                ..
            }) => SpeedKind::I64,
            _ => SpeedKind::F32,
        };
        let outs: Vec<String> = session
            .outputs()
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        let audio_output = outs
            .iter()
            .find(|n| n.as_str() == "audio" || n.as_str() == "waveform")
            .or(outs.first())
            .cloned()
            .ok_or_else(|| ModelError::Shape(format!("the model has no outputs ({p})")))?;
        let options = SessionOptions {
            intra_op_threads: cfg.intra_threads as u32,
            inter_op_threads: cfg.inter_threads as u32,
            graph_optimization_level: cfg.optimization.clone(),
            cpu_memory_arena: cfg.cpu_arena,
            memory_pattern: cfg.memory_pattern,
            session_create_ms,
        };
        Ok(KokoroModel {
            session,
            tokens_input,
            style_input,
            speed_input,
            speed_kind,
            audio_output,
            options,
            io,
            registered,
        })
    }

    /// Ends profiling and returns the profile file's path (sessions created with `profile`).
    ///
    /// # Errors
    /// ONNX Runtime's message.
    pub fn end_profiling(&mut self) -> Result<String, ModelError> {
        self.session
            .end_profiling()
            .map_err(|e| ModelError::Run(e.to_string()))
    }

    /// Runs one chunk: `ids` without padding (≤ 510), one style row, speed. Returns 24 kHz samples.
    ///
    /// # Errors
    /// [`ModelError::Run`] with ONNX Runtime's message.
    pub fn infer(
        &mut self,
        ids: &[i64],
        style: &[f32],
        speed: f32,
    ) -> Result<Vec<f32>, ModelError> {
        let mut padded = Vec::with_capacity(ids.len() + 2);
        padded.push(0);
        padded.extend_from_slice(ids);
        padded.push(0);
        self.infer_padded(padded, style, speed, None)
    }

    /// [`Model::infer`] that `abort` can stop part way (ONNX Runtime's terminate flag).
    ///
    /// # Errors
    /// As [`Model::infer`]; an aborted run is [`ModelError::Run`] too (ask `abort` whether it was).
    pub fn infer_abortable(
        &mut self,
        ids: &[i64],
        style: &[f32],
        speed: f32,
        abort: &Abort,
    ) -> Result<Vec<f32>, ModelError> {
        let mut padded = Vec::with_capacity(ids.len() + 2);
        padded.push(0);
        padded.extend_from_slice(ids);
        padded.push(0);
        self.infer_padded(padded, style, speed, Some(abort))
    }

    /// Runs token ids exactly as given, pad tokens included ([`Self::infer`] puts one `0` at
    /// each end, as Kokoro was trained): for experiments on what the padding costs and says
    /// (`examples/chunk_cost.rs`).
    ///
    /// # Errors
    /// [`ModelError::Run`] with ONNX Runtime's message.
    pub fn infer_padded(
        &mut self,
        padded: Vec<i64>,
        style: &[f32],
        speed: f32,
        abort: Option<&Abort>,
    ) -> Result<Vec<f32>, ModelError> {
        let run = |e: ort::Error| ModelError::Run(e.to_string());
        let n = padded.len() as i64;
        let tokens = Tensor::from_array(([1i64, n], padded)).map_err(run)?;
        let style =
            Tensor::from_array(([1i64, style.len() as i64], style.to_vec())).map_err(run)?;
        let speed_value: ort::value::DynValue = match self.speed_kind {
            SpeedKind::F32 => Tensor::from_array(([1i64], vec![speed]))
                .map_err(run)?
                .into_dyn(),
            SpeedKind::I32 => Tensor::from_array(([1i64], vec![speed.round() as i32]))
                .map_err(run)?
                .into_dyn(),
            SpeedKind::I64 => Tensor::from_array(([1i64], vec![speed.round() as i64]))
                .map_err(run)?
                .into_dyn(),
        };
        let inputs = ort::inputs![
            self.tokens_input.as_str() => tokens,
            self.style_input.as_str() => style,
            self.speed_input.as_str() => speed_value,
        ];
        let outputs = match abort.and_then(|a| a.run.as_ref()) {
            Some(options) => self.session.run_with_options(inputs, options),
            None => self.session.run(inputs),
        }
        .map_err(run)?;
        let (_, audio) = outputs[self.audio_output.as_str()]
            .try_extract_tensor::<f32>()
            .map_err(run)?;
        Ok(audio.to_vec())
    }
}

/// Stops a request's synthesis from another thread: between chunks (the flag) and inside a
/// running inference (ONNX Runtime's terminate flag on the run's options).
pub struct Abort {
    flag: std::sync::atomic::AtomicBool,
    run: Option<ort::session::RunOptions>,
}

impl Default for Abort {
    fn default() -> Abort {
        Abort {
            flag: std::sync::atomic::AtomicBool::new(false),
            // Without run options an abort still stops between chunks.
            run: ort::session::RunOptions::new().ok(),
        }
    }
}

impl std::fmt::Debug for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Abort")
            .field("aborted", &self.aborted())
            .finish()
    }
}

impl Abort {
    /// Stops now: the running inference ends with an error, no further chunk starts.
    pub fn abort(&self) {
        self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(r) = &self.run {
            let _ = r.terminate();
        }
    }

    /// Whether [`Abort::abort`] was called.
    pub fn aborted(&self) -> bool {
        self.flag.load(std::sync::atomic::Ordering::SeqCst)
    }
}
