//! A module's wallet, account and notification calls, through
//! `fixture-nk`'s `nk_raw`.

use serde_json::json;

use super::{pick, Hosts, Run};

/// `calls` random wallet, account and notification nk calls, made by a
/// module through `fixtures/fixture-nk`'s `nk_raw`: wallet updates (one
/// or two per call, the same user twice, sums that go below zero or past
/// the largest integer), ledger listings (limit 0 too), accounts and users
/// by id (an id twice), notifications sent (each kind of code) and listed.
pub fn compare_nk_wallets(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    for _ in 0..calls {
        // 3: the system user (""), 4: not a user id.
        let owner = rng.usize(..5);
        let key = *pick(&mut rng, &["gold", "gems", ""]);
        let amount: i64 = *pick(&mut rng, &[1, 5, -3, -100, 0, 1 << 62]);
        let ledger = rng.bool();
        let limit = *pick(&mut rng, &[0, 1, 2, 100, 101, -1]);
        let code = *pick(&mut rng, &[1, 0, -1, -1500]);
        let metadata = pick(&mut rng, &[json!({}), json!({"a": 1.5})]).clone();
        let what = |f: &str| {
            format!(
                "nk {f} for #{owner}: {key} {amount}, ledger {ledger}, limit {limit}, code {code}"
            )
        };
        match rng.usize(..8) {
            0 | 1 => run.compare(what("wallet_update"), |side| {
                let args = json!({"user_id": side.owner(owner), "changeset": {key: amount},
                    "metadata": metadata, "update_ledger": ledger});
                side.nk("wallet_update", args)
            }),
            2 => run.compare(what("wallets_update"), |side| {
                // The same user twice; no ledger, whose two entries of one
                // moment each host orders its own way.
                let updates = json!([
                    {"user_id": side.owner(owner), "changeset": {key: amount}, "metadata": metadata},
                    {"user_id": side.owner(0), "changeset": {"gold": 1}, "metadata": {}},
                ]);
                side.nk("wallets_update", json!({"updates": updates, "update_ledger": false}))
            }),
            3 => run.compare(what("wallet_ledger_list"), |side| {
                let args = json!({"user_id": side.owner(owner), "limit": limit, "cursor": ""});
                side.nk("wallet_ledger_list", args)
            }),
            4 => run.compare(what("accounts_get_id"), |side| {
                let ids = json!([side.owner(owner), side.owner(1), side.owner(1)]);
                let (status, mut answer) = side.nk("accounts_get_id", json!({"user_ids": ids}));
                // In the database's order, which differs between hosts.
                if let Some(accounts) = answer["ok"].as_array_mut() {
                    accounts.sort_by_key(|a| a["user"]["username"].to_string());
                }
                (status, answer)
            }),
            5 => run.compare(what("account_get_id"), |side| {
                side.nk("account_get_id", json!({"user_id": side.owner(owner)}))
            }),
            6 => run.compare(what("notifications_send"), |side| {
                let n = json!({"user_id": side.owner(owner), "subject": "s", "content": metadata,
                    "code": code, "sender_id": "", "persistent": ledger});
                side.nk("notifications_send", json!({"notifications": [n]}))
            }),
            _ => run.compare(what("notification_list"), |side| {
                let args = json!({"user_id": side.owner(owner), "limit": limit, "cursor": ""});
                side.nk("notification_list", args)
            }),
        }
    }
}
