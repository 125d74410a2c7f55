//! `account_import_id` (fixture-nk's `nk_account_call`): what Nakama
//! 3.40.0 reads from an export (Go's JSON shape, not the protobuf JSON
//! `account_export_id` gives), a new account under the export's id with
//! its ways to log in, an import onto an existing user (metadata, wallet,
//! storage replaced), and the refusals, with the codes both hosts give.

use serde_json::{json, Value};

use crate::accounts::{nk, refusal};
use crate::http::request;
use crate::realtime::User;

type Answer = Result<Value, (i64, String)>;

fn import(port: u16, data: &Value, user_id: Option<&str>) -> Answer {
    let data = match data {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    nk(
        port,
        json!({"call": "import", "data": data, "user_id": user_id}),
    )
}

fn export(port: u16, user_id: &str) -> Value {
    nk(port, json!({"call": "export", "user_id": user_id})).expect("export")
}

/// Logs in with a custom id without creating an account: the user id
/// and the session token.
fn login_custom(port: u16, id: &str) -> Option<(String, String)> {
    let r = request(
        port,
        "POST",
        "/v2/account/authenticate/custom?create=false",
        &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
        Some(json!({ "id": id }).to_string().as_bytes()),
    )
    .expect("authenticate");
    (r.status == 200).then(|| {
        let token = r.json()["token"].as_str().unwrap().to_string();
        let a = request(
            port,
            "GET",
            "/v2/account",
            &[("Authorization", &format!("Bearer {token}"))],
            None,
        )
        .expect("account");
        (a.json()["user"]["id"].as_str().unwrap().to_string(), token)
    })
}

/// A version 4 uuid made from `seed`, the same on every run with it.
fn uuid_from(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let s = format!("{h:016x}{:016x}", h.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15);
    format!(
        "{}-{}-4{}-a{}-{}",
        &s[0..8],
        &s[8..12],
        &s[13..16],
        &s[17..20],
        &s[20..32]
    )
}

const NIL: &str = "00000000-0000-0000-0000-000000000000";
const FORMAT: &str = "expects data to be a valid account export format";

/// `account_import_id` on the host on `port`.
pub fn check_nk_account_import(port: u16) {
    let suffix = crate::run_suffix();
    let gus = User::new(
        port,
        &format!("imp-gus-{suffix}"),
        &format!("impgus{suffix}"),
    );
    let new_id = uuid_from(&suffix);
    // An export in Go's JSON shape: timestamps as seconds and nanos.
    let data = json!({
        "account": {
            "user": {
                "id": new_id, "username": format!("impnew{suffix}"), "display_name": " Imp ",
                "lang_tag": "fr", "metadata": "{\"level\":3,\"bag\":[1,2]}",
                "create_time": {"seconds": 1_700_000_000, "nanos": 5},
                "steam_id": format!("imp-steam-{suffix}"), "apple_id": format!("imp-apple-{suffix}"),
            },
            "verify_time": {"seconds": 1_700_000_001},
            "wallet": "{\"gold\":5}", "email": format!("imp{suffix}@example.com"),
            "devices": [{"id": format!("imp-device-{suffix}")}],
            "custom_id": format!("imp-custom-{suffix}"),
        },
        "objects": [{"collection": "imported", "key": "k1", "value": "{\"v\":1}", "version": "ver1",
            "permission_read": 2, "permission_write": 1, "create_time": {"seconds": 1_700_000_002}}],
        "friends": [{"user": {"id": gus.user_id}, "state": {"value": 0}}],
    });

    // Refusals, in Nakama's order: data, its shape, the user id. An export
    // without account.user is the hosts' own refusal (Nakama 3.40.0 does
    // not check, and its Go runtime panics).
    let no_user = refusal(3, "expects data to hold an account with its user");
    assert_eq!(
        import(port, &json!(""), None),
        refusal(3, "expects data to be present")
    );
    assert_eq!(import(port, &json!("nope"), None), refusal(3, FORMAT));
    assert_eq!(
        import(port, &json!({}), Some("bad")),
        refusal(3, "expects user ID to be a valid identifier")
    );
    assert_eq!(import(port, &json!({}), None), no_user);
    assert_eq!(
        import(
            port,
            &json!({"account": {"user": null}}),
            Some(&gus.user_id)
        ),
        no_user
    );
    // Go's JSON: a timestamp is not RFC 3339 text, an int64 not a string,
    // a wrapped int32 an object; a bad entry in any list spoils it all.
    let mut bad = data.clone();
    bad["account"]["user"]["create_time"] = json!("2024-01-01T00:00:00Z");
    assert_eq!(import(port, &bad, None), refusal(3, FORMAT));
    let mut bad = data.clone();
    bad["friends"][0]["state"] = json!(0);
    assert_eq!(import(port, &bad, None), refusal(3, FORMAT));
    let mut bad = data.clone();
    bad["objects"][0]["permission_read"] = json!(2.5);
    assert_eq!(import(port, &bad, None), refusal(3, FORMAT));
    // So the protobuf JSON that account_export_id gives is refused.
    assert_eq!(
        import(port, &export(port, &gus.user_id), Some(&gus.user_id)),
        refusal(3, FORMAT)
    );

    // A new account under the export's id. Nakama answers with the id it
    // was given (none: the nil id), trims the profile's text, keeps JSON
    // as its jsonb columns do, and reads absent times as the Unix epoch.
    let got = import(port, &data, None).expect("new account");
    let want = json!({
        "user": {"id": NIL, "username": format!("impnew{suffix}"), "display_name": "Imp",
            "lang_tag": "fr", "metadata": "{\"bag\": [1, 2], \"level\": 3}",
            "steam_id": format!("imp-steam-{suffix}"), "apple_id": format!("imp-apple-{suffix}"),
            "create_time": "2023-11-14T22:13:20Z", "update_time": "1970-01-01T00:00:00Z"},
        "verify_time": "2023-11-14T22:13:21Z",
        "wallet": "{\"gold\": 5}", "email": format!("imp{suffix}@example.com"),
        "devices": [{"id": format!("imp-device-{suffix}")}],
        "custom_id": format!("imp-custom-{suffix}"),
    });
    assert_eq!(got, want);
    assert_eq!(
        login_custom(port, &format!("imp-custom-{suffix}")).map(|(id, _)| id),
        Some(new_id.clone())
    );
    // An account with a Facebook id, which the client finds it by.
    let fb_id = uuid_from(&format!("{suffix}-fb"));
    let fb = json!({"account": {"user": {"id": fb_id, "username": format!("impfb{suffix}"),
        "facebook_id": format!("imp-fb-{suffix}")}}});
    assert!(import(port, &fb, None).is_ok());
    // (By its JSON name too, as grpc-gateway reads a query.)
    let path = format!("/v2/user?facebookIds=imp-fb-{suffix}&facebookIds=nobody-{suffix}");
    let bearer = format!("Bearer {}", gus.token);
    let found = request(port, "GET", &path, &[("Authorization", &bearer)], None).unwrap();
    let found = found.json();
    assert_eq!(found["users"][0]["id"], json!(fb_id), "{found}");
    assert_eq!(found["users"].as_array().map(Vec::len), Some(1), "{found}");
    let x = export(port, &new_id);
    assert_eq!(
        x["objects"],
        json!([{"collection": "imported", "key": "k1", "user_id": new_id, "value": "{\"v\": 1}",
            "version": "ver1", "permission_read": 2, "permission_write": 1,
            "create_time": "2023-11-14T22:13:22Z", "update_time": "1970-01-01T00:00:00Z"}]),
        "{x}"
    );
    // Friends are not imported.
    assert_eq!(x.get("friends"), None, "{x}");

    // The same id, username, email, custom id or device again.
    assert_eq!(
        import(port, &data, None),
        refusal(
            6,
            "error importing account: User identifier already exists."
        )
    );
    let mut again = data.clone();
    again["account"]["user"]["id"] = json!(uuid_from(&format!("{suffix}-2")));
    assert_eq!(
        import(port, &again, None),
        refusal(6, "error importing account: Username already in use.")
    );
    // Then the other unique keys, in Nakama's order of them.
    let dup = |key: &str| {
        refusal(6, &format!("error importing account: ERROR: duplicate key value violates unique constraint \"{key}\" (SQLSTATE 23505)"))
    };
    again["account"]["user"]["username"] = json!(format!("impnew2{suffix}"));
    assert_eq!(import(port, &again, None), dup("users_email_key"));
    again["account"]["email"] = json!("");
    assert_eq!(import(port, &again, None), dup("users_steam_id_key"));
    again["account"]["user"]["steam_id"] = json!(" ");
    assert_eq!(import(port, &again, None), dup("users_custom_id_key"));
    again["account"]["custom_id"] = json!(format!("imp-custom2-{suffix}"));
    assert_eq!(import(port, &again, None), dup("users_apple_id_key"));
    again["account"]["user"]["apple_id"] = json!("");
    assert_eq!(import(port, &again, None), dup("user_device_pkey"));
    // Nothing of a refused import stays.
    assert_eq!(login_custom(port, &format!("imp-custom2-{suffix}")), None);
    again["account"]["devices"] = json!([]);
    again["account"]["user"]["username"] = json!("u".repeat(129));
    assert_eq!(
        import(port, &again, None),
        refusal(3, "error importing account: ERROR: value too long for type character varying(128) (SQLSTATE 22001)")
    );
    again["account"]["user"]["id"] = json!("zzz");
    assert_eq!(
        import(port, &again, None),
        refusal(3, "error importing account: ERROR: invalid input syntax for type uuid: \"zzz\" (SQLSTATE 22P02)")
    );

    // The imported ways in count as ways in, and unlinks clear them: with
    // the Steam and Apple ids left, the device, email and custom id go;
    // then Steam (no token: nothing to verify); Apple is the last.
    let token = login_custom(port, &format!("imp-custom-{suffix}")).expect("login");
    let unlink =
        |call: &str, id: String| nk(port, json!({"call": call, "user_id": new_id, "id": id}));
    assert_eq!(
        unlink("unlink_device", format!("imp-device-{suffix}")),
        Ok(Value::Null)
    );
    assert_eq!(
        unlink("unlink_email", format!("imp{suffix}@example.com")),
        Ok(Value::Null)
    );
    assert_eq!(
        unlink("unlink_custom", format!("imp-custom-{suffix}")),
        Ok(Value::Null)
    );
    let post = |path: &str| {
        let r = request(
            port,
            "POST",
            path,
            &[("Authorization", &format!("Bearer {}", token.1))],
            Some(b"{}"),
        )
        .expect(path);
        (r.status, r.json())
    };
    assert_eq!(post("/v2/account/unlink/steam"), (200, json!({})));
    let (status, last) = post("/v2/account/unlink/apple");
    assert_eq!((status, &last["code"]), (403, &json!(7)), "{last}");
    let user = &export(port, &new_id)["account"]["user"];
    assert_eq!(
        (user.get("steam_id"), &user["apple_id"]),
        (None, &json!(format!("imp-apple-{suffix}"))),
        "{user}"
    );

    // Onto gus: his metadata and wallet, taken as they are, and his
    // storage replaced; his name and ways to log in stay.
    let mut onto = data.clone();
    onto["account"]["user"]["metadata"] = json!("[true]");
    onto["account"]["wallet"] = json!("{\"gems\":1,\"gold\":2}");
    let got = import(port, &onto, Some(&gus.user_id)).expect("onto gus");
    assert_eq!(got["user"]["id"], json!(gus.user_id), "{got}");
    assert_eq!(
        got["user"]["username"],
        json!(format!("impgus{suffix}")),
        "{got}"
    );
    assert_eq!(got["user"]["metadata"], json!("[true]"), "{got}");
    assert_eq!(got["wallet"], json!("{\"gems\": 1, \"gold\": 2}"), "{got}");
    assert_eq!(
        got["custom_id"],
        json!(format!("imp-gus-{suffix}")),
        "{got}"
    );
    let y = export(port, &gus.user_id);
    assert_eq!(y["objects"][0]["user_id"], json!(gus.user_id), "{y}");
    assert_eq!(y["objects"].as_array().map(Vec::len), Some(1), "{y}");
    // With no objects, his storage is emptied.
    onto["objects"] = json!([]);
    import(port, &onto, Some(&gus.user_id)).expect("onto gus, no objects");
    assert_eq!(export(port, &gus.user_id).get("objects"), None);
    // Storage PostgreSQL refuses: the import changes nothing then.
    let mut twice = onto.clone();
    let object = data["objects"][0].clone();
    twice["objects"] = json!([object, object]);
    twice["account"]["user"]["metadata"] = json!("{\"lost\":true}");
    assert_eq!(
        import(port, &twice, Some(&gus.user_id)),
        refusal(6, "error importing account: ERROR: duplicate key value violates unique constraint \"storage_pkey\" (SQLSTATE 23505)")
    );
    let mut negative = twice.clone();
    negative["objects"] = json!([object]);
    negative["objects"][0]["permission_write"] = json!(-1);
    assert_eq!(
        import(port, &negative, Some(&gus.user_id)),
        refusal(3, "error importing account: ERROR: new row for relation \"storage\" violates check constraint \"storage_write_check\" (SQLSTATE 23514)")
    );
    negative["objects"][0]["permission_write"] = json!(1);
    negative["objects"][0]["version"] = json!("v".repeat(33));
    assert_eq!(
        import(port, &negative, Some(&gus.user_id)),
        refusal(3, "error importing account: ERROR: value too long for type character varying(32) (SQLSTATE 22001)")
    );
    let z = export(port, &gus.user_id);
    assert_eq!(z["account"]["user"]["metadata"], json!("[true]"), "{z}");
    assert_eq!(z.get("objects"), None, "{z}");
    // Metadata PostgreSQL cannot read, an unknown user.
    onto["account"]["user"]["metadata"] = json!("");
    assert_eq!(
        import(port, &onto, Some(&gus.user_id)),
        refusal(
            3,
            "error importing account: ERROR: invalid input syntax for type json (SQLSTATE 22P02)"
        )
    );
    onto["account"]["user"]["metadata"] = json!("{}");
    assert_eq!(
        import(port, &onto, Some("5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11")),
        refusal(
            5,
            "error importing account: Error updating user account during import."
        )
    );
}
