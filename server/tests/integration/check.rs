//! `nakama-devhost check`: what a user runs before deploying a module.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn module(package: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    // Same folder as the loader tests, so the modules are built once.
    let target = workspace.join("target").join("test-modules");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(workspace)
        .args(["build", "--quiet", "--target-dir"])
        .arg(&target)
        .args(["-p", package])
        .status()
        .expect("cargo build");
    assert!(status.success());
    target
        .join("debug")
        .join(format!("lib{}.so", package.replace('-', "_")))
}

fn check(path: &Path) -> (Output, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nakama-devhost"))
        .arg("check")
        .arg(path)
        .output()
        .expect("run check");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn check_lists_versions_and_every_registration() {
    let (out, stdout, stderr) = check(&module("guild"));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("module guild"), "{stdout}");
    assert!(
        stdout.contains("nakama-runtime 0.1.0, ABI 1.16"),
        "{stdout}"
    );
    for line in [
        "rpc         create_guild",
        "rpc         get_guild",
        "before hook AuthenticateCustom",
        "after hook  AuthenticateCustom",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
    assert!(stdout.contains("ok: 1 module(s) accepted"), "{stdout}");
}

#[test]
fn check_exits_non_zero_on_a_refusal() {
    let (out, stdout, stderr) = check(&module("fixture-abi-major"));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("libfixture_abi_major.so"), "{stderr}");
    assert!(
        stderr.contains("module ABI 2.0 is not compatible with host ABI 1.16"),
        "{stderr}"
    );

    let (out, _, stderr) = check(&module("fixture-init-fails"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("module fixture-init-fails"), "{stderr}");
    assert!(
        stderr.contains("missing configuration: GUILD_LIMIT"),
        "{stderr}"
    );
}

#[test]
fn check_refuses_a_module_built_to_abort_on_panic() {
    let built = nakama_conformance::modules::build_with_config(
        &["fixture-abort"],
        &["profile.dev.panic=\"abort\""],
    );
    let (out, stdout, stderr) =
        check(&built.join(nakama_conformance::modules::file_name("fixture-abort")));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("libfixture_abort.so")
            && stderr.contains("it was built with panic = \"abort\""),
        "{stderr}"
    );
}

#[test]
fn check_of_a_missing_path_fails_clearly() {
    let (out, _, stderr) = check(Path::new("/nonexistent/modules"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("/nonexistent/modules"), "{stderr}");
}

#[test]
fn check_of_a_file_or_folder_without_a_module_fails() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("libjunk.so");
    std::fs::write(&junk, b"not a shared library").unwrap();
    for path in [junk.as_path(), dir.path()] {
        let (out, stdout, stderr) = check(path);
        assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
        assert!(stdout.contains("skipped"), "{stdout}");
        assert!(stdout.contains("libjunk.so"), "{stdout}");
        assert!(
            stderr.contains(&format!("error: no module in {}", path.display())),
            "{stderr}"
        );
        assert!(stderr.contains("built with nakama-runtime"), "{stderr}");
    }
}
