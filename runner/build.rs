//! Records the git commit the runner was built from (written into every bundle).

fn main() {
    println!("cargo:rerun-if-env-changed=KOKORO_BENCH_GIT_COMMIT");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/refs/heads");
    if std::env::var_os("KOKORO_BENCH_GIT_COMMIT").is_some() {
        return;
    }
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(c) = commit {
        let dirty = std::process::Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no"])
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false);
        println!(
            "cargo:rustc-env=KOKORO_BENCH_GIT_COMMIT={c}{}",
            if dirty { "-dirty" } else { "" }
        );
    }
}
