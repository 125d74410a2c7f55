//! Builds module crates of the workspace and lays their files out for a
//! host.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `packages` (debug) into `target/test-modules`, a target folder of
/// its own because the outer `cargo test` may hold the main one; answers
/// the folder of the built files.
pub fn build(packages: &[&str]) -> PathBuf {
    build_with_features(packages, &[])
}

/// [`build`] with these cargo features on. The files land where
/// [`build`]'s do: copy one out before building it again with others.
pub fn build_with_features(packages: &[&str], features: &[&str]) -> PathBuf {
    cargo_build(packages, features, &[])
}

/// [`build`] with these cargo `--config` settings
/// (`profile.dev.panic="abort"`). Cargo keeps dependencies built with
/// other settings apart; the files land where [`build`]'s do.
pub fn build_with_config(packages: &[&str], configs: &[&str]) -> PathBuf {
    cargo_build(packages, &[], configs)
}

fn cargo_build(packages: &[&str], features: &[&str], configs: &[&str]) -> PathBuf {
    let workspace = crate::workspace();
    let target = workspace.join("target").join("test-modules");
    // No package: nothing to build (cargo would build the whole workspace,
    // the dev host included, into this folder).
    if packages.is_empty() {
        return target.join("debug");
    }
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&workspace)
        .args(["build", "--quiet", "--target-dir"])
        .arg(&target);
    for p in packages {
        cmd.args(["-p", p]);
    }
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    for c in configs {
        cmd.args(["--config", c]);
    }
    assert!(
        cmd.status().expect("run cargo build").success(),
        "building modules {packages:?} (features {features:?}, config {configs:?}) failed"
    );
    target.join("debug")
}

/// The file cargo builds for the cdylib `package` (`lib<name>.so`).
pub fn file_name(package: &str) -> String {
    format!("lib{}.so", package.replace('-', "_"))
}

/// Builds `packages` and copies their files into a fresh folder, each as
/// `<name>.<extension>` (`extension` `"so"` keeps cargo's `lib<name>.so`).
pub fn folder(packages: &[&str], extension: &str) -> tempfile::TempDir {
    // Tests of one binary build at once: cargo takes turns, but another
    // build may replace a file between this build and its copy.
    static BUILD_AND_COPY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = BUILD_AND_COPY.lock().unwrap_or_else(|e| e.into_inner());
    let built = build(packages);
    let dir = tempfile::tempdir().expect("temporary folder");
    for p in packages {
        copy_into(&built, p, dir.path(), extension);
    }
    dir
}

/// Copies the built file of `package` from `built` into `dir`.
pub fn copy_into(built: &Path, package: &str, dir: &Path, extension: &str) {
    let name = if extension == "so" {
        file_name(package)
    } else {
        format!("{}.{extension}", package.replace('-', "_"))
    };
    std::fs::copy(built.join(file_name(package)), dir.join(&name))
        .unwrap_or_else(|e| panic!("copy {} into {}: {e}", file_name(package), dir.display()));
}
