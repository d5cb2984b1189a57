//! Writes a copy of an ONNX model with its int8 weights noised by ±LSB (a bad quantisation that
//! still runs at full speed), for checking that the judges catch it.
//!
//! `cargo run --release -p kokoro-bench --example noise_model -- IN.onnx OUT.onnx [LSB]`

#[path = "../tests/support/damage.rs"]
mod damage;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: noise_model IN.onnx OUT.onnx [LSB (default 2)]");
    };
    let lsb: i32 = rest.first().map_or(Ok(2), |s| s.parse())?;
    let mut bytes = std::fs::read(input)?;
    let n = damage::noise_int8_weights(&mut bytes, lsb)?;
    std::fs::write(output, &bytes)?;
    eprintln!("{n} weight bytes noised by up to ±{lsb} LSB → {output}");
    Ok(())
}
