//! Builds module crates of this workspace for loader tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Packages the loader tests load.
pub const PACKAGES: &[&str] = &[
    "hello",
    "guild",
    "fixture-panics",
    "fixture-init-fails",
    "fixture-duplicate-rpc",
    "fixture-abi-major",
    "fixture-abi-minor-newer",
    "fixture-abi-1-0",
    "fixture-layout-mismatch",
    "fixture-not-a-module",
    "fixture-nk",
    "fixture-matchmaker",
    "fixture-rt",
    "fixture-http",
    "fixture-mm-override",
    "fixture-mm-processor",
    "fixture-fleet",
    "fixture-store",
    "arena",
];

/// Builds [`PACKAGES`] (once per test binary) and answers the folder
/// holding the `.so` files.
pub fn build_modules() -> PathBuf {
    static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = built.as_ref() {
        return dir.clone();
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    // A target dir of its own: the outer `cargo test` holds the lock on the
    // main one while tests run.
    let target = workspace.join("target").join("test-modules");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        .arg("build")
        .arg("--quiet")
        .arg("--target-dir")
        .arg(&target);
    for p in PACKAGES {
        cmd.arg("-p").arg(p);
    }
    let status = cmd.status().expect("run cargo build");
    assert!(status.success(), "building the test modules failed");
    let dir = target.join("debug");
    *built = Some(dir.clone());
    dir
}

fn file_name(package: &str) -> String {
    format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        package.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

/// The built file of a package (`fixture-panics` -> `libfixture_panics.so`).
pub fn module_file(package: &str) -> PathBuf {
    build_modules().join(file_name(package))
}

/// A fresh folder holding copies of the given packages' files.
pub fn folder_with(packages: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for p in packages {
        let src = module_file(p);
        std::fs::copy(&src, dir.path().join(src.file_name().unwrap())).expect("copy module");
    }
    dir
}
