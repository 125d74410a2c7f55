//! `runtime.reload`: the dev host serves a changed modules folder without
//! a restart, lets calls in flight finish and matches run on the modules
//! they started with, and keeps serving when a change fails to load.

use std::time::Duration;

use crate::common::Server;
use nakama_conformance::modules::{build, file_name};

/// `check` holds within 15 s.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    nakama_conformance::eventually(what, || check().then_some(()).ok_or_else(String::new));
}

fn rpc(server: &Server, id: &str, body: &str) -> (u16, String) {
    let r = server
        .request(
            "POST",
            &format!("/v2/rpc/{id}?http_key=defaulthttpkey&unwrap"),
            &[],
            Some(body.as_bytes()),
        )
        .expect("rpc");
    (r.status, r.text())
}

#[test]
fn a_changed_module_file_is_served_without_a_restart() {
    let built = build(&["fixture-slow", "hello", "fixture-abi-major"]);
    let data = tempfile::tempdir().unwrap();
    // Copies a dev host left behind are removed at start.
    let stale = data.path().join("modules-loaded").join("7");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("libold.so"), b"left behind").unwrap();
    let server = Server::start(
        &["fixture-slow"],
        &[
            "--runtime.reload",
            "true",
            "--data_dir",
            data.path().to_str().unwrap(),
        ],
    );
    // One file of the folder, rewritten in place (as `cp` does) below.
    let file = server.modules_path().join(file_name("fixture-slow"));
    let replace_with = |package: &str| {
        std::fs::copy(built.join(file_name(package)), &file).unwrap();
    };
    assert!(!stale.exists(), "the copies of an earlier run are removed");
    assert_eq!(rpc(&server, "hello", "").0, 404);

    // A call in flight when the folder changes.
    let port = server.port;
    let napping = std::thread::spawn(move || {
        let path = "/v2/rpc/nap?http_key=defaulthttpkey&unwrap";
        let r = nakama_conformance::http::request(port, "POST", path, &[], Some(b"4000"));
        r.map(|r| (r.status, r.text())).expect("nap")
    });
    std::thread::sleep(Duration::from_millis(300));
    replace_with("hello");
    eventually("hello answers", || rpc(&server, "hello", "Rust").0 == 200);
    assert!(!napping.is_finished(), "the call was in flight at the swap");
    assert_eq!(rpc(&server, "hello", "Rust").1, "Hello, Rust!");
    assert_eq!(rpc(&server, "nap", "0").0, 404, "the old module is gone");
    let napped = napping.join().unwrap();
    assert_eq!(
        napped,
        (200, "rested".to_string()),
        "finished on its module"
    );
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains("Reloading modules when their files change"),
        "{log}"
    );
    let reloaded = log
        .lines()
        .find(|l| l.contains("\"msg\":\"Modules reloaded\""))
        .unwrap_or_else(|| panic!("no reload line: {log}"));
    assert!(reloaded.contains("\"build\":2"), "{reloaded}");
    // The module's own lines say which build wrote them: hello's init ran
    // on the second load.
    let hello = log
        .lines()
        .find(|l| l.contains("\"msg\":\"Hello World!\""))
        .unwrap_or_else(|| panic!("no line of hello's init: {log}"));
    assert!(hello.contains("\"build\":2"), "{hello}");
    assert!(hello.contains("\"runtime\":\"rust\""), "{hello}");
    // Only the served copies stay on disk.
    let kept = || {
        let dir = data.path().join("modules-loaded");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(kept(), ["2"]);

    // A change that does not load: logged, and the modules loaded before
    // keep serving.
    replace_with("fixture-abi-major");
    eventually("the failed reload is logged", || {
        std::fs::read_to_string(&server.log)
            .unwrap()
            .contains("Module reload failed")
    });
    let log = std::fs::read_to_string(&server.log).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("Module reload failed"))
        .unwrap();
    assert!(line.contains("\"level\":\"error\""), "{line}");
    assert!(line.contains(&file.display().to_string()), "{line}");
    assert!(line.contains("rebuild the module"), "{line}");
    assert_eq!(rpc(&server, "hello", "again").1, "Hello, again!");
    assert_eq!(kept(), ["2"], "the failed load's copies are gone");
}

#[test]
fn a_reload_that_brings_console_handlers_opens_the_console_port() {
    let built = build(&["fixture-http"]);
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(
        &["hello"],
        &[
            "--runtime.reload",
            "true",
            "--data_dir",
            data.path().to_str().unwrap(),
        ],
    );
    let console = |path: &str| {
        nakama_conformance::http::request(server.console_port, "POST", path, &[], Some(b"x"))
    };
    assert!(console("/fixture/console/1").is_err(), "not open yet");
    let file = server.modules_path().join(file_name("fixture-http"));
    std::fs::copy(built.join(file_name("fixture-http")), file).unwrap();
    eventually("the console handler answers", || {
        console("/fixture/console/1").is_ok_and(|r| r.status == 201)
    });
}

#[test]
fn a_running_match_keeps_the_module_it_started_on() {
    use nakama_conformance::realtime::{error_of, move_to, positions_with, Socket, User};
    use serde_json::json;

    let built = build(&["arena", "hello"]);
    let server = Server::start(
        &["arena"],
        &["--runtime.reload", "true", "--logger.level", "error"],
    );
    let suffix = nakama_conformance::run_suffix();
    let ann = User::new(server.port, &format!("reload-ann-{suffix}"), "ann");
    let created = ann.rpc(server.port, "arena_create", r#"{"max_players":2}"#);
    let match_id = created["match_id"].as_str().unwrap().to_string();

    // The arena module leaves the folder: hello takes its file's place.
    let file = server.modules_path().join(file_name("arena"));
    std::fs::copy(built.join(file_name("hello")), &file).unwrap();
    eventually("hello answers", || rpc(&server, "hello", "Rust").0 == 200);
    assert_eq!(rpc(&server, "arena_create", "{}").0, 404, "arena is gone");

    // The match started before still runs the arena's code: its join
    // attempt refuses a join without a name, and its loop answers moves.
    let mut s = Socket::open(server.port, &ann);
    let r = s.call(json!({"match_join": {"match_id": match_id}}));
    assert_eq!(error_of(&r), (5, "name required".into()));
    let r = s.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "ann"}}}));
    assert_eq!(r["match"]["match_id"], match_id.as_str(), "{r}");
    s.send(&move_to(&match_id, 3, 4));
    s.wait_for("the positions the arena's loop sends", |e| {
        positions_with(e, "ann", 3, 4)
    });
    s.close();
}

#[test]
fn a_match_that_keeps_its_state_moves_to_the_new_build() {
    use nakama_conformance::modules::build_with_features;

    // The two builds of fixture-keep, each copied out before the next.
    let builds = tempfile::tempdir().unwrap();
    for (features, name) in [(&[][..], "v1.so"), (&["v2"][..], "v2.so")] {
        let built = build_with_features(&["fixture-keep"], features);
        std::fs::copy(
            built.join(file_name("fixture-keep")),
            builds.path().join(name),
        )
        .unwrap();
    }
    let server = Server::start(&["hello"], &["--runtime.reload", "true"]);
    let file = server.modules_path().join(file_name("fixture-keep"));
    std::fs::copy(builds.path().join("v1.so"), &file).unwrap();
    eventually("v1 serves", || {
        rpc(&server, "keep_create", "counter").0 == 200
    });

    let create = |name: &str| {
        let (status, id) = rpc(&server, "keep_create", name);
        assert_eq!(status, 200, "{id}");
        id
    };
    // `<build>:<ticks>`
    let ask = |id: &str| -> (String, u64) {
        let (status, reply) = rpc(&server, "keep_signal", id);
        assert_eq!(status, 200, "{reply}");
        let (build, ticks) = reply.split_once(':').expect("build:ticks");
        (build.to_string(), ticks.parse().unwrap())
    };
    let (counter, strict, plain) = (create("counter"), create("strict"), create("plain"));
    let (renamed, refused) = (create("renamed"), create("refused"));
    eventually("the counter ticks", || ask(&counter).1 >= 3);
    eventually("the renamed ticks", || ask(&renamed).1 >= 3);
    let before = ask(&counter).1;
    let renamed_before = ask(&renamed).1;
    assert_eq!(ask(&strict).0, "v1");

    std::fs::copy(builds.path().join("v2.so"), &file).unwrap();
    eventually("the counter runs v2", || ask(&counter).0 == "v2");
    let (_, after) = ask(&counter);
    assert!(
        after >= before,
        "its tick count went on: {before} then {after}"
    );
    // Each match logs where it went: read the log once all have.
    let reload_lines = |log: &str| {
        [&counter, &strict, &plain, &renamed, &refused]
            .iter()
            .all(|id| {
                log.lines().any(|l| {
                    l.contains(id.as_str())
                        && (l.contains("Match moved to the reloaded modules")
                            || l.contains("Match stays on the module build it started on"))
                })
            })
    };
    eventually("every match logs its reload", || {
        reload_lines(&std::fs::read_to_string(&server.log).unwrap())
    });
    // Same id, same match: v1's state read into v2's, a field added.
    let log = std::fs::read_to_string(&server.log).unwrap();
    let moved = log
        .lines()
        .filter(|l| l.contains("Match moved to the reloaded modules") && l.contains(&counter))
        .count();
    assert_eq!(moved, 1, "{log}");

    // v2 renamed the state's field: v1's state reads through its
    // migrate_from, and the count goes on.
    eventually("the renamed runs v2", || ask(&renamed).0 == "v2");
    let (_, renamed_after) = ask(&renamed);
    assert!(
        renamed_after >= renamed_before,
        "its tick count went on: {renamed_before} then {renamed_after}"
    );

    // v2's Strict has a field v1 never saved: the match stays on v1, and
    // the log says why; a handler registered without keep_state_on_reload
    // stays too.
    assert_eq!(ask(&strict).0, "v1");
    assert_eq!(ask(&plain).0, "v1");
    let stays = |id: &str| {
        log.lines()
            .find(|l| l.contains("Match stays on the module build it started on") && l.contains(id))
            .unwrap_or_else(|| panic!("no line for {id}: {log}"))
            .to_string()
    };
    let strict_line = stays(&strict);
    assert!(
        strict_line.contains("does not read as this build's")
            && strict_line.contains("missing field `level`"),
        "{strict_line}"
    );
    // v2's migrate_from reads v1's state and refuses it: v1 keeps it.
    assert_eq!(ask(&refused).0, "v1");
    let refused_line = stays(&refused);
    assert!(
        refused_line.contains("missing field `level`")
            && refused_line.contains("but migrate_from refused it: no level for a match"),
        "{refused_line}"
    );
    assert!(
        stays(&plain).contains(
            "does not keep its state across reloads (register it with .keep_state_on_reload())"
        ),
        "{}",
        stays(&plain)
    );
    // New matches start on v2.
    assert_eq!(ask(&create("plain")).0, "v2");
}

#[test]
fn a_reloaded_arena_takes_over_its_running_match_with_the_players_in_it() {
    use nakama_conformance::realtime::{move_to, positions_with, Socket, User};
    use serde_json::json;

    let built = build(&["arena"]);
    let server = Server::start(&["arena"], &["--runtime.reload", "true"]);
    let suffix = nakama_conformance::run_suffix();
    let ann = User::new(server.port, &format!("keep-ann-{suffix}"), "ann");
    let bob = User::new(server.port, &format!("keep-bob-{suffix}"), "bob");
    let created = ann.rpc(server.port, "arena_create", r#"{"max_players":2}"#);
    let match_id = created["match_id"].as_str().unwrap().to_string();
    let mut a = Socket::open(server.port, &ann);
    let r = a.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "ann"}}}));
    assert_eq!(r["match"]["match_id"], match_id.as_str(), "{r}");
    a.send(&move_to(&match_id, 3, 4));
    a.wait_for("ann at 3,4", |e| positions_with(e, "ann", 3, 4));

    // A new build of the module (here: the same code, written again).
    let file = server.modules_path().join(file_name("arena"));
    std::fs::copy(built.join(file_name("arena")), &file).unwrap();
    let moved = || {
        std::fs::read_to_string(&server.log)
            .unwrap()
            .lines()
            .any(|l| l.contains("Match moved to the reloaded modules") && l.contains(&match_id))
    };
    eventually("the arena moves to the new build", moved);

    // The new build has the old one's state: ann's seat and position, the
    // seat count (a second player fills it), and ann's socket still in it.
    let mut b = Socket::open(server.port, &bob);
    let r = b.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "bob"}}}));
    assert_eq!(r["match"]["match_id"], match_id.as_str(), "{r}");
    b.send(&move_to(&match_id, 7, 8));
    let both = a.wait_for("ann at 3,4 and bob at 7,8", |e| {
        positions_with(e, "ann", 3, 4) && positions_with(e, "bob", 7, 8)
    });
    assert_eq!(both["match_data"]["match_id"], match_id.as_str(), "{both}");
    let carol = User::new(server.port, &format!("keep-carol-{suffix}"), "carol");
    let mut c = Socket::open(server.port, &carol);
    let r = c.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "carol"}}}));
    assert_eq!(
        nakama_conformance::realtime::error_of(&r),
        (5, "arena is full".into()),
        "{r}"
    );
}
