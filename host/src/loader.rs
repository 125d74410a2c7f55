//! Finding, verifying and opening module files.

use std::path::{Path, PathBuf};

use nakama_runtime_abi::abi_stable::library::{lib_header_from_raw_library, RawLibrary};
use nakama_runtime_abi::ffi::{
    kind, ModuleHeader, ModuleInfo, ModuleRoot_Ref, MODULE_HEADER_SYMBOL, MODULE_MAGIC,
};
use nakama_runtime_abi::{check_compatible, ABI_MAJOR, ABI_MINOR};

use crate::LoadError;

/// File extensions the loader opens. `.so`/`.dylib`/`.dll` are what cargo
/// builds; `.rsmod` is the same file renamed, for folders a real Nakama also
/// scans (it opens every `*.so` as a Go plugin).
pub const EXTENSIONS: &[&str] = &["so", "dylib", "dll", "rsmod"];

/// A module file that passed every check (not yet initialised).
pub struct OpenedModule {
    pub file: PathBuf,
    /// Package name of the module crate.
    pub name: String,
    pub sdk_version: String,
    pub rustc_version: String,
    pub abi: (u32, u32),
    pub(crate) root: ModuleRoot_Ref,
}

impl OpenedModule {
    /// A module compiled into this very binary (its crate linked as a
    /// library): `root` is `nakama_runtime::__private::in_process_root()`.
    /// Goes through the same ABI functions as a loaded `.so`.
    pub fn in_process(root: ModuleRoot_Ref) -> OpenedModule {
        let info = (root.info())();
        OpenedModule {
            file: PathBuf::from("<in-process>"),
            name: info.name.to_string(),
            sdk_version: info.sdk_version.to_string(),
            rustc_version: String::new(),
            abi: (root.abi_major(), root.abi_minor()),
            root,
        }
    }

    /// The handlers declared with attributes (init may add more).
    pub fn declared(&self) -> Vec<crate::Registration> {
        crate::Registration::from_info(&self.declared_info())
    }

    pub(crate) fn declared_info(&self) -> ModuleInfo {
        (self.root.info())()
    }
}

/// What happened to one file of a folder.
pub enum Opened {
    Module(Box<OpenedModule>),
    /// Not a Nakama Rust module; the reason is worth a log line.
    Skipped {
        file: PathBuf,
        reason: String,
    },
}

/// The files of folder `path` (not recursive) whose extension is one of
/// `extensions` (any case), in a stable (sorted) order. A single file is
/// returned as is.
pub fn candidates(path: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, LoadError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let read = std::fs::read_dir(path).map_err(|e| LoadError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Opens one file and checks it: magic, ABI version, then layout.
pub fn open(file: &Path) -> Result<Opened, LoadError> {
    open_from(file, file)
}

/// [`open`] on a copy of `file` made in folder `copies` (created if
/// missing), for a host that loads a file again after it changed: the
/// dynamic loader hands back the library it already has for a path, and a
/// module file rewritten in place while it is mapped would change code
/// that is running. Everything reported names `file`.
pub fn open_copy(file: &Path, copies: &Path) -> Result<Opened, LoadError> {
    let io = |path: &Path, e: std::io::Error| LoadError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    std::fs::create_dir_all(copies).map_err(|e| io(copies, e))?;
    let copy = copies.join(file.file_name().unwrap_or(file.as_os_str()));
    std::fs::copy(file, &copy).map_err(|e| io(file, e))?;
    open_from(&copy, file)
}

/// Opens `load`, reporting it as `file`.
fn open_from(load: &Path, file: &Path) -> Result<Opened, LoadError> {
    let skipped = |reason: String| {
        Ok(Opened::Skipped {
            file: file.to_path_buf(),
            reason,
        })
    };
    let raw = match RawLibrary::load_at(load) {
        Ok(raw) => raw,
        Err(e) => {
            return skipped(format!(
                "not a loadable shared library: {}",
                e.to_string().trim()
            ))
        }
    };
    // SAFETY: reading an exported static of a fixed, never-changing layout
    // (ModuleHeader); its magic is checked before anything else is trusted.
    let header: &ModuleHeader = unsafe {
        match raw.get::<*const ModuleHeader>(MODULE_HEADER_SYMBOL) {
            Ok(sym) => &**sym,
            Err(_) => {
                return skipped(
                    "no NAKAMA_RUST_MODULE_HEADER symbol: not built with nakama-runtime".into(),
                )
            }
        }
    };
    if header.magic != MODULE_MAGIC {
        return skipped("NAKAMA_RUST_MODULE_HEADER has a wrong magic tag".into());
    }
    // SAFETY: the magic matched, so these were built by StaticStr::new.
    let (sdk_version, rustc_version) = unsafe {
        (
            header.sdk_version.as_str().to_string(),
            header.rustc_version.as_str().to_string(),
        )
    };
    let abi = (header.abi_major, header.abi_minor);
    if let Err(mismatch) = check_compatible(abi, (ABI_MAJOR, ABI_MINOR)) {
        return Err(LoadError::Incompatible {
            file: file.to_path_buf(),
            sdk_version,
            detail: mismatch.to_string(),
        });
    }
    // SAFETY: the library is never unloaded (forgotten below).
    let root = unsafe { lib_header_from_raw_library(&raw) }
        .and_then(|h| h.check_layout::<ModuleRoot_Ref>())
        .map_err(|e| LoadError::Layout {
            file: file.to_path_buf(),
            module_abi: abi,
            sdk_version: sdk_version.clone(),
            detail: summarize_layout_error(&e.to_string()),
        })?;
    if root.panic_unwinds() == Some(false) {
        return Err(LoadError::Incompatible {
            file: file.to_path_buf(),
            sdk_version,
            detail: "it was built with panic = \"abort\": its first panic would end this process, \
                     where a module built to unwind answers INTERNAL for that call and goes on. \
                     Remove `panic = \"abort\"` from the [profile] sections of its Cargo.toml \
                     (and of its workspace's) and build it again"
                .into(),
        });
    }
    // Modules are never unloaded: handlers and statics must stay valid.
    std::mem::forget(raw);
    let info = (root.info())();
    Ok(Opened::Module(Box::new(OpenedModule {
        file: file.to_path_buf(),
        name: info.name.to_string(),
        sdk_version,
        rustc_version,
        abi,
        root,
    })))
}

/// abi_stable's layout errors print both type trees in full (well over a
/// hundred lines); keep its verdicts: each `Error:` line with the
/// `Expected:`/`Found:` values that follow it.
fn summarize_layout_error(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_verdict = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("Error:") {
            in_verdict = true;
        } else if trimmed.is_empty() {
            in_verdict = false;
        }
        if in_verdict {
            out.push(format!("    {trimmed}"));
        }
    }
    if out.is_empty() {
        text.trim().lines().take(12).collect::<Vec<_>>().join("\n")
    } else {
        out.join("\n")
    }
}

/// Human name of a registration kind.
pub fn kind_name(k: u8) -> &'static str {
    match k {
        kind::RPC => "rpc",
        kind::BEFORE_HOOK => "before hook",
        kind::AFTER_HOOK => "after hook",
        kind::MATCH => "match handler",
        kind::MATCHMAKER_MATCHED => "matchmaker matched hook",
        kind::BEFORE_RT => "realtime before hook",
        kind::AFTER_RT => "realtime after hook",
        kind::EVENT => "event handler",
        kind::EVENT_SESSION_START => "session start event handler",
        kind::EVENT_SESSION_END => "session end event handler",
        kind::TOURNAMENT_END => "tournament end callback",
        kind::TOURNAMENT_RESET => "tournament reset callback",
        kind::LEADERBOARD_RESET => "leaderboard reset callback",
        kind::HTTP => "http handler",
        kind::SHUTDOWN => "shutdown hook",
        kind::STORAGE_INDEX => "storage index",
        kind::MATCHMAKER_OVERRIDE => "matchmaker override",
        kind::MATCHMAKER_PROCESSOR => "matchmaker processor",
        kind::CONSOLE_HTTP => "console http handler",
        kind::FLEET_MANAGER => "fleet manager",
        kind::PURCHASE_NOTIFICATION_APPLE => "apple purchase notification callback",
        kind::SUBSCRIPTION_NOTIFICATION_APPLE => "apple subscription notification callback",
        kind::PURCHASE_NOTIFICATION_GOOGLE => "google purchase notification callback",
        kind::SUBSCRIPTION_NOTIFICATION_GOOGLE => "google subscription notification callback",
        _ => "unknown kind",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_sorted_and_filtered_by_extension() {
        let dir = std::env::temp_dir().join(format!("nakama-candidates-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub.so")).unwrap();
        for f in ["b.so", "a.RSMOD", "c.txt", "d.lua", "a.so"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        let names: Vec<String> = candidates(&dir, EXTENSIONS)
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(names, ["a.RSMOD", "a.so", "b.so"]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let e = candidates(Path::new("/nonexistent/modules"), EXTENSIONS).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/modules"));
    }

    #[test]
    fn layout_errors_are_summarized_to_their_verdicts() {
        let text = "\nCompared <this>:\n    --- Type Layout ---\n    type:X\n\n\
                    Error:mismatched package\nExpected:\n    nakama-runtime-abi\nFound:\n    other\n\n";
        assert_eq!(
            summarize_layout_error(text),
            "    Error:mismatched package\n    Expected:\n    nakama-runtime-abi\n    Found:\n    other"
        );
    }

    #[test]
    fn a_file_that_is_not_a_library_is_skipped() {
        let f = std::env::temp_dir().join(format!("nakama-not-elf-{}.so", std::process::id()));
        std::fs::write(&f, "hello").unwrap();
        let opened = open(&f).unwrap();
        std::fs::remove_file(&f).unwrap();
        assert!(
            matches!(opened, Opened::Skipped { reason, .. } if reason.contains("not a loadable"))
        );
    }
}
