//! A module's matchmaker override, driven by TestHost's matchmaker passes:
//! it prefers the candidate groups of the closest skills, and refuses
//! groups spread over more than 5.

use nakama_runtime::{init_module, Context, Error, Initializer, MatchmakerEntry, Nakama};
use nakama_test_host::{MatchmakerAdd, TestHost};

fn spread(group: &[MatchmakerEntry]) -> f64 {
    let skills = group
        .iter()
        .map(|e| e.numeric_properties.get("skill").copied().unwrap_or(0.0));
    skills.clone().fold(f64::MIN, f64::max) - skills.fold(f64::MAX, f64::min)
}

async fn close_skills(
    ctx: &Context,
    _nk: &Nakama,
    mut candidates: Vec<Vec<MatchmakerEntry>>,
) -> Result<Vec<Vec<MatchmakerEntry>>, Error> {
    assert_eq!(ctx.execution_mode(), "matchmaker_override");
    // The matchmaker forms the answer in order: closest first.
    candidates.retain(|g| spread(g) <= 5.0);
    candidates.sort_by(|a, b| spread(a).total_cmp(&spread(b)));
    Ok(candidates)
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_matchmaker_override(close_skills);
    Ok(())
}

#[tokio::test]
async fn the_override_chooses_which_groups_form() {
    let host = TestHost::new().await;
    let mut sockets = Vec::new();
    for name in ["ann", "ben", "cat", "dan"] {
        let user = host.user(name).await;
        sockets.push(host.connect(&user));
    }
    let ticket = |skill: f64| MatchmakerAdd::new(2, 2).number("skill", skill);
    // ann (10) would pair with ben (14), but cat (11) is closer; dan (30)
    // is too far from anyone.
    let ta = sockets[0].matchmaker_add(&ticket(10.0)).unwrap();
    sockets[1].matchmaker_add(&ticket(14.0)).unwrap();
    let tc = sockets[2].matchmaker_add(&ticket(11.0)).unwrap();
    sockets[3].matchmaker_add(&ticket(30.0)).unwrap();
    let groups = host.matchmaker_process().await;
    assert_eq!(groups.len(), 1, "{groups:?}");
    let mut tickets: Vec<&str> = groups[0].iter().map(|e| e.ticket.as_str()).collect();
    tickets.sort();
    let mut want = [ta.as_str(), tc.as_str()];
    want.sort();
    assert_eq!(tickets, want);
    assert_eq!(sockets[0].matched().len(), 1);
    assert!(sockets[1].matched().is_empty());
    // ben and dan wait in the pool; a newcomer close to ben pairs with him.
    let eve = host.user("eve").await;
    let e = host.connect(&eve);
    e.matchmaker_add(&ticket(16.0)).unwrap();
    let groups = host.matchmaker_process().await;
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(sockets[1].matched().len(), 1);
    assert!(sockets[3].matched().is_empty());
}
