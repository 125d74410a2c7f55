//! `new`: start a module crate, ready to build, test and serve.
//!
//! The files are templates in `src/new/`; the crate depends on the SDK by
//! path (it is not on crates.io), the clone this dev host was built from
//! unless `--sdk` names another.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const CARGO_TOML: &str = include_str!("new/Cargo.toml.in");
const LIB_RS: &str = include_str!("new/lib.rs.in");
const TEST_RS: &str = include_str!("new/test.rs.in");
const GITIGNORE: &str = include_str!("new/gitignore.in");

/// The clone this binary was built from (`server/`'s parent).
fn built_from() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ is in the clone")
        .to_path_buf()
}

pub fn run(path: &Path, sdk: Option<&Path>) -> ExitCode {
    match create(path, sdk) {
        Ok(name) => {
            let file = format!(
                "{}{}{}",
                std::env::consts::DLL_PREFIX,
                name.replace('-', "_"),
                std::env::consts::DLL_SUFFIX
            );
            println!(
                "Created module `{name}` in {}\n\n  cd {}\n  cargo test                 # its tests, on the test host\n  \
                 cargo build --release      # target/release/{file}\n  \
                 nakama-devhost --runtime.path target/release --runtime.reload true   # serve it, and each new build",
                path.display(),
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the crate; answers its name.
fn create(path: &Path, sdk: Option<&Path>) -> Result<String, String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{} does not end in a folder name", path.display()))?
        .to_string();
    check_name(&name)?;
    let sdk = find_sdk(sdk)?;
    if path.exists() {
        let empty = std::fs::read_dir(path)
            .map_err(|e| format!("{} exists and cannot be read: {e}", path.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "{} exists and is not empty: give a new folder",
                path.display()
            ));
        }
    }
    let ident = name.replace('-', "_");
    let sdk = sdk.to_str().ok_or_else(|| {
        format!(
            "the SDK's path {} is not UTF-8, which Cargo.toml cannot hold",
            sdk.display()
        )
    })?;
    // A TOML basic string: backslashes (Windows paths) and quotes escaped.
    let sdk = sdk.replace('\\', "\\\\").replace('"', "\\\"");
    let fill = |t: &str| {
        t.replace("__NAME__", &name)
            .replace("__IDENT__", &ident)
            .replace("__SDK__", &sdk)
    };
    let files = [
        ("Cargo.toml", fill(CARGO_TOML)),
        ("src/lib.rs", fill(LIB_RS)),
        (&format!("tests/{ident}.rs"), fill(TEST_RS)),
        (".gitignore", GITIGNORE.to_string()),
    ];
    for (file, text) in files {
        let file = path.join(file);
        let dir = file.parent().expect("a file in the crate");
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&file, text))
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(name)
}

/// Cargo's rules for a package name, and the names the crate's own
/// dependencies take.
fn check_name(name: &str) -> Result<(), String> {
    let starts_well = name.starts_with(|c: char| c.is_ascii_alphabetic());
    if !starts_well
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "`{name}` cannot name a crate: use ASCII letters, digits, `-` and `_`, starting with a letter"
        ));
    }
    let ident = name.replace('-', "_");
    const TAKEN: [&str; 9] = [
        "nakama_runtime",
        "nakama_test_host",
        "serde",
        "tokio",
        "std",
        "core",
        "alloc",
        "test",
        "proc_macro",
    ];
    if TAKEN.contains(&ident.as_str()) {
        return Err(format!(
            "`{name}` is a crate the module uses or Rust's own: choose another name"
        ));
    }
    Ok(())
}

/// The SDK clone: `--sdk`, or the one this binary was built from.
fn find_sdk(given: Option<&Path>) -> Result<PathBuf, String> {
    let dir = given.map(Path::to_path_buf).unwrap_or_else(built_from);
    if !dir.join("nakama-runtime/Cargo.toml").is_file() || !dir.join("testing/Cargo.toml").is_file()
    {
        return Err(match given {
            Some(_) => format!(
                "{} is not a nakama-rs clone (no nakama-runtime/ and testing/ in it): give the clone's folder to --sdk",
                dir.display()
            ),
            None => format!(
                "the nakama-rs clone this dev host was built from is no longer at {}: give a clone's folder with --sdk",
                dir.display()
            ),
        });
    }
    dir.canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_crate_names_itself_and_the_sdk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("space-race");
        assert_eq!(create(&path, None).unwrap(), "space-race");
        let toml = std::fs::read_to_string(path.join("Cargo.toml")).unwrap();
        let sdk = built_from().canonicalize().unwrap();
        assert!(toml.contains("name = \"space-race\""), "{toml}");
        assert!(
            toml.contains(&format!(
                "nakama-runtime = {{ path = \"{}/nakama-runtime\" }}",
                sdk.display()
            )),
            "{toml}"
        );
        let test = std::fs::read_to_string(path.join("tests/space_race.rs")).unwrap();
        assert!(test.contains("use space_race::{greet, Greet, Greeting};"));
        let lib = std::fs::read_to_string(path.join("src/lib.rs")).unwrap();
        assert!(lib.contains("ctx.logger().info(\"space-race loaded\");"));
        assert!(!lib.contains("__") && !toml.contains("__") && !test.contains("__"));
        assert_eq!(
            std::fs::read_to_string(path.join(".gitignore")).unwrap(),
            "/target\n"
        );
    }

    #[test]
    fn an_empty_folder_is_used_and_a_full_one_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duel");
        std::fs::create_dir(&path).unwrap();
        create(&path, None).unwrap();
        let e = create(&path, None).unwrap_err();
        assert!(
            e.ends_with("duel exists and is not empty: give a new folder"),
            "{e}"
        );
    }

    #[test]
    fn bad_names_and_sdks_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        for (name, says) in [
            ("1v1", "cannot name a crate: use ASCII letters"),
            ("duel.rs", "cannot name a crate"),
            ("serde", "is a crate the module uses or Rust's own"),
            ("nakama-runtime", "is a crate the module uses"),
        ] {
            let e = create(&dir.path().join(name), None).unwrap_err();
            assert!(e.contains(says), "{name}: {e}");
            assert!(!dir.path().join(name).exists());
        }
        let e = create(&dir.path().join("duel"), Some(dir.path())).unwrap_err();
        assert!(
            e.ends_with(
                "is not a nakama-rs clone (no nakama-runtime/ and testing/ in it): give the clone's folder to --sdk"
            ),
            "{e}"
        );
        assert!(!dir.path().join("duel").exists());
    }
}
