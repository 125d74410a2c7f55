//! The matchmaker: tickets that realtime sockets add (`matchmaker_add`),
//! grouped every `matchmaker.interval_sec` as Nakama's default matchmaker
//! groups them, and the groups announced (`matchmaker_matched`) with the
//! id of a match the modules' matched hook made for them, or else a token
//! for a relayed match.
//!
//! What it keeps of Nakama's process (server/matchmaker.go,
//! server/matchmaker_process.go), per pass, in ticket age order:
//! - only *active* tickets look for others: a ticket is active for
//!   `matchmaker.max_intervals` passes (one pass when its min and max
//!   counts are equal), then waits in the pool to be found by newer ones;
//! - a ticket finds the tickets its query matches (the query language of
//!   [`crate::query`], against `properties.*`), whose min count is at least
//!   its own and whose max count at most its own, best score first, then
//!   oldest first;
//! - a group forms once it reaches the ticket's max count, or, on the
//!   ticket's last active pass, as large as the candidates allow within
//!   its min and max; a count multiple trims the oldest candidates (as
//!   Nakama does); every member's own min, max and multiple must accept
//!   the group's size.
//!
//! A party's ticket (`party_matchmaker_add`, [`crate::parties`]) holds
//! every member: it counts as that many users, never finds the party's
//! other tickets, nor any ticket sharing a session with it.
//!
//! A module's matchmaker override (`RegisterMatchmakerOverride`) gets, in
//! place of the groups above, every candidate group Nakama's
//! processOverride would propose ([`Matchmaker::process`]) and answers
//! those to form; a processor (`RegisterMatchmakerProcessor`) replaces the
//! grouping and gets every entry in the pool. Either answer forms in
//! order, each group unless one of its tickets is gone; the rest stay.
//!
//! With `matchmaker.rev_precision` (off by default, as in Nakama), tickets
//! group only with those whose queries find them back: a hit's query must
//! find the active ticket, and each two tickets of a group each other's.
//! As in Nakama, a pass stops checking once it has run for
//! `interval_sec` × `rev_threshold` seconds (`rev_threshold` 0: never).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nakama_runtime_host::abi::matches::Presence;
use nakama_runtime_host::abi::matchmaker::{resolve_groups, MatchmakerEntry};
use nakama_runtime_host::abi::{api, mode, ContextData};
use nakama_runtime_host::Modules;

use crate::log::Logger;
use crate::online::{Matched, MatchedId, Online, Outbound};
use crate::query::{Document, Query};

/// The `matchmaker.*` settings, with Nakama's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchmakerConfig {
    /// Tickets one session may hold at once.
    pub max_tickets: usize,
    /// Seconds between passes.
    pub interval_sec: u64,
    /// Passes a ticket stays active for.
    pub max_intervals: u32,
    /// Group only tickets that find each other (see the module docs).
    pub rev_precision: bool,
    /// Intervals' worth of a pass after which the checks stop (0: never).
    pub rev_threshold: i64,
}

impl Default for MatchmakerConfig {
    fn default() -> Self {
        MatchmakerConfig {
            max_tickets: 3,
            interval_sec: 15,
            max_intervals: 2,
            rev_precision: false,
            rev_threshold: 1,
        }
    }
}

impl MatchmakerConfig {
    /// When a pass that began at `start` checks that tickets find each
    /// other: with `rev_precision`, until the threshold's time is up.
    fn mutual_checks(&self, start: std::time::Instant) -> impl FnMut() -> bool + use<> {
        let (on, threshold) = (self.rev_precision, self.rev_threshold);
        let limit = Duration::from_secs(self.interval_sec.saturating_mul(threshold.max(0) as u64));
        let mut past = false;
        move || {
            if on && threshold > 0 && !past {
                past = start.elapsed() >= limit;
            }
            on && !past
        }
    }
}

/// What a `matchmaker_add` asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketRequest {
    pub min_count: i32,
    pub max_count: i32,
    /// `None`: not given (1).
    pub count_multiple: Option<i32>,
    /// Empty: `*`.
    pub query: String,
    pub string_properties: HashMap<String, String>,
    pub numeric_properties: HashMap<String, f64>,
}

impl TicketRequest {
    /// A ticket for a group of `min_count` to `max_count` users, with the
    /// query `*`.
    pub fn new(min_count: i32, max_count: i32) -> TicketRequest {
        TicketRequest {
            min_count,
            max_count,
            ..Default::default()
        }
    }

    /// Which tickets to match, in Nakama's query syntax over the other
    /// tickets' `properties.*`.
    pub fn query(mut self, query: &str) -> TicketRequest {
        self.query = query.to_string();
        self
    }

    pub fn string(mut self, name: &str, value: &str) -> TicketRequest {
        self.string_properties
            .insert(name.to_string(), value.to_string());
        self
    }

    pub fn number(mut self, name: &str, value: f64) -> TicketRequest {
        self.numeric_properties.insert(name.to_string(), value);
        self
    }

    /// The group's size must be a multiple of `n`.
    pub fn count_multiple(mut self, n: i32) -> TicketRequest {
        self.count_multiple = Some(n);
        self
    }
}

impl TicketRequest {
    /// Nakama's checks of the counts, in its order; answers the count
    /// multiple (1 when absent).
    pub fn check_counts(&self) -> Result<i32, AddError> {
        if self.min_count < 2 {
            return Err(AddError::MinCount);
        }
        if self.max_count < self.min_count {
            return Err(AddError::MaxCount);
        }
        let multiple = self.count_multiple.unwrap_or(1);
        if multiple < 1 {
            return Err(AddError::CountMultiple);
        }
        if self.min_count % multiple != 0 {
            return Err(AddError::MultipleOfMin);
        }
        if self.max_count % multiple != 0 {
            return Err(AddError::MultipleOfMax);
        }
        Ok(multiple)
    }
}

/// Why a ticket was refused, with Nakama's message
/// (server/pipeline_matchmaker.go).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddError {
    #[error("Invalid minimum count, must be >= 2")]
    MinCount,
    #[error("Invalid maximum count, must be >= minimum count")]
    MaxCount,
    #[error("Invalid count multiple, must be >= 1")]
    CountMultiple,
    #[error("Invalid count multiple for minimum count, must divide")]
    MultipleOfMin,
    #[error("Invalid count multiple for maximum count, must divide")]
    MultipleOfMax,
    /// The query does not parse, or the session holds
    /// `matchmaker.max_tickets` already: Nakama answers both with this
    /// one message (and logs the cause).
    #[error("Error adding to matchmaker")]
    Refused(String),
}

impl AddError {
    /// Checked before anything else: bad input.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, AddError::Refused(_))
    }
}

/// `matchmaker_remove` of a ticket the session does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Matchmaker ticket not found")]
pub struct TicketNotFound;

/// Why the pool refused a ticket.
enum Rejected {
    QueryInvalid(String),
    TooManyTickets,
}

/// One ticket in the pool.
struct Ticket {
    /// Its users (one, or a party's members) and what the ticket says, as
    /// the matched hook and the `matchmaker_matched` push show them.
    entries: Vec<MatchmakerEntry>,
    /// The session that added it; empty for a party's.
    owner: String,
    /// The party whose ticket it is, if any.
    party_id: String,
    create_time: i64,
    query: Query,
    min_count: usize,
    max_count: usize,
    count_multiple: usize,
    /// Its properties as queries see them (`properties.*`).
    doc: Document,
    /// Passes it has been active in.
    intervals: u32,
    /// Still looking for others (see the module docs).
    active: bool,
}

/// The matchmaker of one host.
#[derive(Clone)]
pub struct Matchmaker {
    inner: Arc<Inner>,
}

struct Inner {
    config: MatchmakerConfig,
    node: String,
    version: String,
    /// Signs relayed match tokens (the session encryption key, as Nakama).
    token_key: String,
    log: Logger,
    online: Online,
    modules: Mutex<Option<Arc<Modules>>>,
    /// The pool, oldest first.
    tickets: Mutex<Vec<Ticket>>,
    /// As of the last pass (`GET /v2/matchmaker/stats`).
    stats: Mutex<Stats>,
    /// Where each pass is recorded (Nakama's `matchmaker_*` series).
    metrics: std::sync::OnceLock<Arc<crate::metrics::Metrics>>,
}

/// What the last pass saw: the pool then, and the last tickets matched.
#[derive(Default)]
struct Stats {
    ticket_count: usize,
    oldest_create_time: Option<i64>,
    /// (created, matched), Unix nanoseconds, oldest first.
    completions: VecDeque<(i64, i64)>,
}

/// Completions kept for the stats, as Nakama keeps.
const COMPLETIONS_KEPT: usize = 10;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn unix_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default()
}

impl Ticket {
    fn id(&self) -> &str {
        self.entries.first().map_or("", |e| e.ticket.as_str())
    }

    fn has_session(&self, session_id: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.presence.session_id == session_id)
    }

    /// Whether it shares a session with `other`.
    fn overlaps(&self, other: &Ticket) -> bool {
        self.entries
            .iter()
            .any(|e| other.has_session(&e.presence.session_id))
    }

    fn count(&self) -> usize {
        self.entries.len()
    }

    /// Whether its query finds `other`.
    fn finds(&self, other: &Ticket) -> bool {
        self.query.score(&other.doc).is_some()
    }

    /// Whether each finds the other.
    fn mutual(&self, other: &Ticket) -> bool {
        self.finds(other) && other.finds(self)
    }
}

impl Matchmaker {
    pub fn new(
        config: MatchmakerConfig,
        node: &str,
        version: &str,
        token_key: &str,
        log: Logger,
        online: Online,
    ) -> Matchmaker {
        Matchmaker {
            inner: Arc::new(Inner {
                config,
                node: node.to_string(),
                version: version.to_string(),
                token_key: token_key.to_string(),
                log,
                online,
                modules: Mutex::new(None),
                tickets: Mutex::new(Vec::new()),
                stats: Mutex::new(Stats::default()),
                metrics: Default::default(),
            }),
        }
    }

    /// Where passes are recorded (the first one set stays).
    pub fn set_metrics(&self, metrics: Arc<crate::metrics::Metrics>) {
        let _ = self.inner.metrics.set(metrics);
    }

    /// The modules whose matched hook groups go to (set at startup and
    /// after a reload).
    pub fn set_modules(&self, modules: Arc<Modules>) {
        *lock(&self.inner.modules) = Some(modules);
    }

    /// Runs a pass every `matchmaker.interval_sec`, for as long as the
    /// runtime runs.
    pub fn start(&self) {
        let m = self.clone();
        let every = Duration::from_secs(self.inner.config.interval_sec.max(1));
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            // A pass slowed by a hook does not make the next ones run at once.
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                m.process().await;
            }
        });
    }

    /// `matchmaker_add`: a ticket for `presence`'s session; answers its id.
    pub fn add(&self, presence: &Presence, req: &TicketRequest) -> Result<String, AddError> {
        let multiple = req.check_counts()?;
        self.add_ticket(std::slice::from_ref(presence), "", req, multiple)
            .map_err(|e| {
                AddError::Refused(match e {
                    Rejected::QueryInvalid(why) => format!("invalid matchmaker query: {why}"),
                    Rejected::TooManyTickets => {
                        "too many matchmaker tickets for this session".into()
                    }
                })
            })
    }

    /// `party_matchmaker_add` (counts checked): one ticket for the whole
    /// party, its members in `presences`; refused with Nakama's words
    /// (`matchmaker query invalid`, `matchmaker too many tickets`).
    pub fn add_party(
        &self,
        party_id: &str,
        presences: &[Presence],
        req: &TicketRequest,
        multiple: i32,
    ) -> Result<String, String> {
        self.add_ticket(presences, party_id, req, multiple)
            .map_err(|e| match e {
                Rejected::QueryInvalid(_) => "matchmaker query invalid".into(),
                Rejected::TooManyTickets => "matchmaker too many tickets".into(),
            })
    }

    /// A ticket for `presences` (one session's, or a party's members).
    fn add_ticket(
        &self,
        presences: &[Presence],
        party_id: &str,
        req: &TicketRequest,
        multiple: i32,
    ) -> Result<String, Rejected> {
        let query_text = if req.query.is_empty() {
            "*"
        } else {
            &req.query
        };
        let query = Query::parse(query_text).map_err(|e| Rejected::QueryInvalid(e.to_string()))?;
        let ticket = uuid::Uuid::new_v4().to_string();
        let create_time = unix_nanos();
        // The fields Nakama indexes a ticket with (MapMatchmakerIndex).
        let mut doc = Document::default();
        doc.add_keyword("ticket", &ticket);
        doc.add_number("min_count", req.min_count as f64);
        doc.add_number("max_count", req.max_count as f64);
        doc.add_keyword("party_id", party_id);
        doc.add_number("created_at", create_time as f64);
        for (k, v) in &req.string_properties {
            doc.add_json(
                &format!("properties.{k}"),
                &serde_json::Value::from(v.as_str()),
            );
        }
        for (k, v) in &req.numeric_properties {
            doc.add_number(&format!("properties.{k}"), *v);
        }
        let mut tickets = lock(&self.inner.tickets);
        let max = self.inner.config.max_tickets;
        // Every member's tickets count, and the party's.
        for p in presences {
            if tickets
                .iter()
                .filter(|t| t.has_session(&p.session_id))
                .count()
                >= max
            {
                return Err(Rejected::TooManyTickets);
            }
        }
        if !party_id.is_empty() && tickets.iter().filter(|t| t.party_id == party_id).count() >= max
        {
            return Err(Rejected::TooManyTickets);
        }
        tickets.push(Ticket {
            entries: presences
                .iter()
                .map(|presence| MatchmakerEntry {
                    presence: presence.clone(),
                    ticket: ticket.clone(),
                    string_properties: req.string_properties.clone(),
                    numeric_properties: req.numeric_properties.clone(),
                    party_id: party_id.to_string(),
                    create_time,
                })
                .collect(),
            owner: if party_id.is_empty() {
                presences
                    .first()
                    .map(|p| p.session_id.clone())
                    .unwrap_or_default()
            } else {
                String::new()
            },
            party_id: party_id.to_string(),
            create_time,
            query,
            min_count: req.min_count as usize,
            max_count: req.max_count as usize,
            count_multiple: multiple as usize,
            doc,
            intervals: 0,
            active: true,
        });
        Ok(ticket)
    }

    /// `matchmaker_remove`: one of the session's own tickets (not a
    /// party's, as in Nakama).
    pub fn remove(&self, session_id: &str, ticket: &str) -> Result<(), TicketNotFound> {
        let mut tickets = lock(&self.inner.tickets);
        let at = tickets
            .iter()
            .position(|t| t.id() == ticket && t.owner == session_id && t.party_id.is_empty())
            .ok_or(TicketNotFound)?;
        tickets.remove(at);
        Ok(())
    }

    /// `party_matchmaker_remove`: one of the party's tickets.
    pub fn remove_party(&self, party_id: &str, ticket: &str) -> Result<(), TicketNotFound> {
        let mut tickets = lock(&self.inner.tickets);
        let at = tickets
            .iter()
            .position(|t| t.id() == ticket && !party_id.is_empty() && t.party_id == party_id)
            .ok_or(TicketNotFound)?;
        tickets.remove(at);
        Ok(())
    }

    /// The party's members changed, or it is gone: its tickets go.
    pub fn remove_party_all(&self, party_id: &str) {
        lock(&self.inner.tickets).retain(|t| t.party_id != party_id);
    }

    /// The session closed: its tickets go, and those of parties it is in
    /// (as Nakama's `RemoveSessionAll`).
    pub fn remove_session(&self, session_id: &str) {
        lock(&self.inner.tickets).retain(|t| !t.has_session(session_id));
    }

    /// Tickets in the pool.
    pub fn ticket_count(&self) -> usize {
        lock(&self.inner.tickets).len()
    }

    /// One pass: forms what groups it can (the default grouping, or the
    /// modules' processor or override), takes their tickets out of the
    /// pool and announces each group (after the matched hook). Answers
    /// the groups, each as its members' entries.
    pub async fn process(&self) -> Vec<Vec<MatchmakerEntry>> {
        // Recorded when the pass is done, with the pool as it started.
        let started = std::time::Instant::now();
        let pool = {
            let tickets = lock(&self.inner.tickets);
            (tickets.len(), tickets.iter().filter(|t| t.active).count())
        };
        let modules = lock(&self.inner.modules).clone();
        // A processor wins over an override, as in Nakama (Process).
        let custom = modules.as_ref().and_then(|m| {
            [mode::MATCHMAKER_PROCESSOR, mode::MATCHMAKER_OVERRIDE]
                .into_iter()
                .find(|mode| m.has_scheduled(mode))
        });
        let groups = match (modules, custom) {
            (Some(modules), Some(custom)) => self.process_custom(&modules, custom).await,
            _ => self.form_groups(),
        };
        for group in &groups {
            self.announce(group).await;
        }
        if let Some(metrics) = self.inner.metrics.get() {
            metrics.matchmaker(pool, started.elapsed());
        }
        groups
    }

    /// A pass with the modules' processor (every entry in the pool goes
    /// in) or override (the candidate groups go in): the groups it answers
    /// that can still form. The pool is not locked while the module runs;
    /// a ticket removed meanwhile keeps its group from forming, as in
    /// Nakama.
    async fn process_custom(&self, modules: &Modules, custom: &str) -> Vec<Vec<MatchmakerEntry>> {
        let processor = custom == mode::MATCHMAKER_PROCESSOR;
        let given = if processor {
            self.pool_entries()
        } else {
            self.candidates()
        };
        // Nakama calls neither without something to look at.
        let Some(first) = given.first() else {
            return Vec::new();
        };
        let ctx = self.context(custom);
        let answer = if processor {
            modules.matchmaker_groups(custom, &ctx, first).await
        } else {
            modules.matchmaker_groups(custom, &ctx, &given).await
        };
        let answer = match answer {
            None => return Vec::new(),
            Some(Ok(answer)) => answer,
            // A Go function's panic here would stop Nakama; an error or a
            // panic of a Rust module forms nothing this pass.
            Some(Err(e)) => {
                self.inner.log.error(
                    &format!(
                        "Error running Rust matchmaker {}, no groups formed.",
                        if processor { "processor" } else { "override" }
                    ),
                    &[("error", e.message.as_str().into())],
                );
                return Vec::new();
            }
        };
        let (groups, unknown) = resolve_groups(given.iter().flatten(), &answer);
        if !unknown.is_empty() {
            self.inner.log.warn(
                "Matchmaker groups with entries the matchmaker did not give are not formed.",
                &[("entries", unknown.into())],
            );
        }
        let groups = groups
            .into_iter()
            .map(|g| g.into_iter().cloned().collect())
            .collect();
        self.take(&mut lock(&self.inner.tickets), groups)
    }

    /// The processor's input: every entry in the pool (one list), none if
    /// it is empty.
    fn pool_entries(&self) -> Vec<Vec<MatchmakerEntry>> {
        let tickets = lock(&self.inner.tickets);
        self.record_pool(&tickets);
        let entries: Vec<MatchmakerEntry> = tickets
            .iter()
            .flat_map(|t| t.entries.iter().cloned())
            .collect();
        if entries.is_empty() {
            Vec::new()
        } else {
            vec![entries]
        }
    }

    /// The override's input, as Nakama's processOverride finds it: each
    /// active ticket proposes every set of the tickets it finds (query,
    /// counts, parties and sessions as the default grouping checks them)
    /// whose size its counts and theirs accept; a hit below its own max
    /// that may still wait is left out. Candidate groups list the hits'
    /// entries, then the ticket's own; a ticket may be in many. Active
    /// tickets age one pass, as in the default grouping.
    fn candidates(&self) -> Vec<Vec<MatchmakerEntry>> {
        let mut tickets = lock(&self.inner.tickets);
        self.record_pool(&tickets);
        let max_intervals = self.inner.config.max_intervals;
        let active: Vec<usize> = (0..tickets.len()).filter(|&a| tickets[a].active).collect();
        for &a in &active {
            tickets[a].intervals += 1;
        }
        let mut out = Vec::new();
        let mut mutual_checks = self.inner.config.mutual_checks(std::time::Instant::now());
        for &a in &active {
            let t = &tickets[a];
            let mutual = mutual_checks();
            let mut hits: Vec<(usize, f64)> = tickets
                .iter()
                .enumerate()
                .filter(|(h, ht)| *h != a && !ht.overlaps(t))
                .filter(|(_, h)| h.min_count >= t.min_count && h.max_count <= t.max_count)
                .filter(|(_, h)| t.party_id.is_empty() || h.party_id != t.party_id)
                .filter(|(_, h)| !mutual || h.finds(t))
                .filter_map(|(h, ht)| t.query.score(&ht.doc).map(|s| (h, s)))
                .collect();
            hits.sort_by(|x, y| y.1.total_cmp(&x.1));
            let hits: Vec<usize> = hits.into_iter().map(|(h, _)| h).collect();
            let room = (
                t.min_count.saturating_sub(t.count()),
                t.max_count.saturating_sub(t.count()),
            );
            for combo in subsets(&hits, &|h| tickets[h].count(), room) {
                let size = t.count() + combo.iter().map(|&h| tickets[h].count()).sum::<usize>();
                let fits = |x: &Ticket| {
                    x.min_count <= size && size <= x.max_count && size % x.count_multiple == 0
                };
                let accepted = fits(t)
                    && combo.iter().all(|&h| {
                        let ht = &tickets[h];
                        fits(ht) && !(size < ht.max_count && ht.intervals <= max_intervals)
                    });
                let apart = combo.iter().enumerate().all(|(n, &h)| {
                    combo[..n].iter().all(|&g| {
                        let (g, h) = (&tickets[g], &tickets[h]);
                        !g.overlaps(h) && (!mutual || g.mutual(h))
                    })
                });
                if accepted && apart {
                    out.push(
                        combo
                            .iter()
                            .chain(std::iter::once(&a))
                            .flat_map(|&m| tickets[m].entries.iter().cloned())
                            .collect(),
                    );
                }
            }
        }
        for &a in &active {
            let t = &mut tickets[a];
            if t.intervals >= max_intervals || t.min_count == t.max_count {
                t.active = false;
            }
        }
        out
    }

    /// Forms `groups` in order, each whose tickets are all still in the
    /// pool: their tickets leave it (so a later group sharing one does
    /// not form) and count as completions. Answers the groups formed.
    fn take(
        &self,
        tickets: &mut Vec<Ticket>,
        groups: Vec<Vec<MatchmakerEntry>>,
    ) -> Vec<Vec<MatchmakerEntry>> {
        let matched_at = unix_nanos();
        let mut stats = lock(&self.inner.stats);
        let mut formed = Vec::new();
        for group in groups {
            let ids: HashSet<&str> = group.iter().map(|e| e.ticket.as_str()).collect();
            if !ids.iter().all(|id| tickets.iter().any(|t| t.id() == *id)) {
                continue;
            }
            tickets.retain(|t| !ids.contains(t.id()));
            for e in &group {
                if stats.completions.len() == COMPLETIONS_KEPT {
                    stats.completions.pop_front();
                }
                stats.completions.push_back((e.create_time, matched_at));
            }
            formed.push(group);
        }
        formed
    }

    /// The pool as a pass begins, for the stats.
    fn record_pool(&self, tickets: &[Ticket]) {
        let mut stats = lock(&self.inner.stats);
        stats.ticket_count = tickets.len();
        stats.oldest_create_time = tickets.iter().map(|t| t.create_time).min();
    }

    /// The context of the matchmaker's calls into modules.
    fn context(&self, execution_mode: &str) -> ContextData {
        ContextData {
            execution_mode: execution_mode.into(),
            node: self.inner.node.clone(),
            version: self.inner.version.clone(),
            ..Default::default()
        }
    }

    /// `GetMatchmakerStats`: as of the last pass, as in Nakama (the pool
    /// when it began, the last 10 tickets matched).
    pub fn stats(&self) -> api::MatchmakerStats {
        let stats = lock(&self.inner.stats);
        api::MatchmakerStats {
            ticket_count: stats.ticket_count as i32,
            oldest_ticket_create_time: stats.oldest_create_time.map(crate::db::rfc3339_nanos),
            completions: stats
                .completions
                .iter()
                .map(|&(created, matched)| api::MatchmakerCompletionStats {
                    create_time: Some(crate::db::rfc3339_nanos(created)),
                    complete_time: Some(crate::db::rfc3339_nanos(matched)),
                })
                .collect(),
        }
    }

    /// The grouping part of a pass.
    fn form_groups(&self) -> Vec<Vec<MatchmakerEntry>> {
        let mut tickets = lock(&self.inner.tickets);
        self.record_pool(&tickets);
        let max_intervals = self.inner.config.max_intervals;
        let mut taken: HashSet<usize> = HashSet::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut mutual_checks = self.inner.config.mutual_checks(std::time::Instant::now());
        for a in 0..tickets.len() {
            if !tickets[a].active || taken.contains(&a) {
                continue;
            }
            let mutual = mutual_checks();
            tickets[a].intervals += 1;
            let t = &tickets[a];
            let last = t.intervals >= max_intervals || t.min_count == t.max_count;
            if last {
                tickets[a].active = false;
            }
            let t = &tickets[a];
            let mut hits: Vec<(usize, f64)> = tickets
                .iter()
                .enumerate()
                .filter(|(h, _)| *h != a && !taken.contains(h))
                .filter(|(_, h)| h.min_count >= t.min_count && h.max_count <= t.max_count)
                // Never the ticket's own party.
                .filter(|(_, h)| t.party_id.is_empty() || h.party_id != t.party_id)
                .filter(|(_, h)| !mutual || h.finds(t))
                .filter_map(|(h, ht)| t.query.score(&ht.doc).map(|s| (h, s)))
                .collect();
            // Best score first, then the longest waiting (the pool is in
            // age order, and the sort is stable).
            hits.sort_by(|x, y| y.1.total_cmp(&x.1));
            // Candidate groups (without `a`); a hit joins the first with room.
            let mut combos: Vec<Vec<usize>> = Vec::new();
            let last_hit = hits.len().saturating_sub(1);
            // Users in a combo (tickets count as many as they hold).
            let users = |c: &[usize]| c.iter().map(|&m| tickets[m].count()).sum::<usize>();
            for (n, &(h, _)) in hits.iter().enumerate() {
                let ht = &tickets[h];
                if ht.overlaps(t) {
                    continue;
                }
                let same_session = |c: &Vec<usize>| c.iter().any(|&m| tickets[m].overlaps(ht));
                let strangers =
                    |c: &Vec<usize>| mutual && !c.iter().all(|&m| tickets[m].mutual(ht));
                let at = match combos.iter().position(|c| {
                    users(c) + ht.count() + t.count() <= t.max_count
                        && !same_session(c)
                        && !strangers(c)
                }) {
                    Some(at) => {
                        combos[at].push(h);
                        at
                    }
                    None => {
                        combos.push(vec![h]);
                        combos.len() - 1
                    }
                };
                let size = users(&combos[at]) + t.count();
                let full = size == t.max_count;
                let settle = last && n == last_hit && size >= t.min_count && size <= t.max_count;
                if !(full || settle) {
                    continue;
                }
                let mut members = combos[at].clone();
                // A count multiple: drop tickets until it fits. Nakama
                // drops the oldest that fit in what is over (its sort puts
                // them first), so do we.
                let mut extra = size % t.count_multiple;
                members.sort_by_key(|&m| tickets[m].create_time);
                members.retain(|&m| {
                    let c = tickets[m].count();
                    if extra > 0 && c <= extra {
                        extra -= c;
                        return false;
                    }
                    true
                });
                if extra != 0 {
                    continue;
                }
                members.push(a);
                let size = users(&members);
                let accepted = members.iter().all(|&m| {
                    let mt = &tickets[m];
                    mt.min_count <= size && size <= mt.max_count && size % mt.count_multiple == 0
                });
                if !accepted {
                    continue;
                }
                combos.remove(at);
                taken.extend(members.iter().copied());
                groups.push(members);
                break;
            }
        }
        let out: Vec<Vec<MatchmakerEntry>> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .flat_map(|&m| tickets[m].entries.iter().cloned())
                    .collect()
            })
            .collect();
        self.take(&mut tickets, out)
    }

    /// Runs the matched hook for one group, then tells each member.
    async fn announce(&self, group: &[MatchmakerEntry]) {
        let modules = lock(&self.inner.modules).clone();
        let mut match_id = None;
        if let Some(modules) = modules {
            let ctx = self.context(mode::MATCHMAKER);
            match modules.matchmaker_matched(&ctx, group).await {
                None => {}
                Some(Ok(id)) => match_id = id,
                Some(Err(e)) => self.inner.log.error(
                    "Error running Matchmaker Matched hook.",
                    &[("error", e.message.as_str().into())],
                ),
            }
        }
        let id = match match_id {
            Some(id) => MatchedId::MatchId(id),
            None => MatchedId::Token(self.token()),
        };
        for (n, member) in group.iter().enumerate() {
            self.inner.online.send(
                &member.presence.user_id,
                &member.presence.session_id,
                Outbound::Matched(Matched {
                    ticket: member.ticket.clone(),
                    id: id.clone(),
                    users: group.to_vec(),
                    self_index: n,
                }),
            );
        }
    }

    /// A relayed match token, as Nakama makes them: an HS256 JWT with the
    /// match id (`mid`, a new UUID and a dot: no node) good for 30 s.
    fn token(&self) -> String {
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() + 30)
            .unwrap_or_default();
        let claims = BTreeMap::from([
            (
                "mid",
                serde_json::json!(format!("{}.", uuid::Uuid::new_v4())),
            ),
            ("exp", serde_json::json!(exp)),
        ]);
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(self.inner.token_key.as_bytes()),
        )
        .unwrap_or_default()
    }
}

/// Every non-empty subset of `items` (in order) whose total `weight` is
/// within `room` (min, max), as Nakama's combineIndexes yields them. Only
/// subsets that fit are built: a pool with many hits for a small group
/// stays cheap.
fn subsets(
    items: &[usize],
    weight: &dyn Fn(usize) -> usize,
    room: (usize, usize),
) -> Vec<Vec<usize>> {
    fn walk(
        items: &[usize],
        weight: &dyn Fn(usize) -> usize,
        room: (usize, usize),
        picked: &mut Vec<usize>,
        total: usize,
        out: &mut Vec<Vec<usize>>,
    ) {
        for (n, &item) in items.iter().enumerate() {
            let total = total + weight(item);
            if total > room.1 {
                continue;
            }
            picked.push(item);
            if total >= room.0 {
                out.push(picked.clone());
            }
            walk(&items[n + 1..], weight, room, picked, total, out);
            picked.pop();
        }
    }
    let mut out = Vec::new();
    walk(items, weight, room, &mut Vec::new(), 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matchmaker(max_intervals: u32) -> Matchmaker {
        matchmaker_with(MatchmakerConfig {
            max_intervals,
            ..Default::default()
        })
    }

    fn matchmaker_with(config: MatchmakerConfig) -> Matchmaker {
        Matchmaker::new(
            config,
            "n",
            "v",
            "key",
            Logger::new("error", "json"),
            Online::default(),
        )
    }

    fn user(n: usize) -> Presence {
        Presence {
            user_id: format!("u{n}"),
            session_id: format!("s{n}"),
            username: format!("user{n}"),
            node: "n".into(),
            ..Presence::default()
        }
    }

    /// The usernames of each group, sorted.
    fn names(groups: &[Vec<MatchmakerEntry>]) -> Vec<Vec<String>> {
        groups
            .iter()
            .map(|g| {
                let mut v: Vec<String> = g.iter().map(|e| e.presence.username.clone()).collect();
                v.sort();
                v
            })
            .collect()
    }

    #[test]
    fn bad_tickets_are_refused_with_nakamas_messages() {
        let m = matchmaker(2);
        let cases = [
            (
                TicketRequest::new(1, 2),
                "Invalid minimum count, must be >= 2",
            ),
            (
                TicketRequest::new(3, 2),
                "Invalid maximum count, must be >= minimum count",
            ),
            (
                TicketRequest::new(2, 4).count_multiple(0),
                "Invalid count multiple, must be >= 1",
            ),
            (
                TicketRequest::new(3, 4).count_multiple(2),
                "Invalid count multiple for minimum count, must divide",
            ),
            (
                TicketRequest::new(2, 5).count_multiple(2),
                "Invalid count multiple for maximum count, must divide",
            ),
        ];
        for (req, message) in cases {
            let e = m.add(&user(1), &req).unwrap_err();
            assert!(e.is_bad_input(), "{e}");
            assert_eq!(e.to_string(), message);
        }
        let e = m
            .add(
                &user(1),
                &TicketRequest::new(2, 2).query("+properties.region:"),
            )
            .unwrap_err();
        assert!(!e.is_bad_input());
        assert_eq!(e.to_string(), "Error adding to matchmaker");
        assert_eq!(m.ticket_count(), 0);
    }

    #[test]
    fn a_session_holds_at_most_max_tickets_and_removes_only_its_own() {
        let m = matchmaker(2);
        let t: Vec<String> = (0..3)
            .map(|_| m.add(&user(1), &TicketRequest::new(2, 2)).unwrap())
            .collect();
        let e = m.add(&user(1), &TicketRequest::new(2, 2)).unwrap_err();
        assert_eq!(
            e,
            AddError::Refused("too many matchmaker tickets for this session".into())
        );
        assert_eq!(m.remove("s2", &t[0]), Err(TicketNotFound));
        m.remove("s1", &t[0]).unwrap();
        assert_eq!(m.remove("s1", &t[0]), Err(TicketNotFound));
        m.add(&user(1), &TicketRequest::new(2, 2)).unwrap();
        m.remove_session("s1");
        assert_eq!(m.ticket_count(), 0);
    }

    #[test]
    fn two_compatible_tickets_match_and_leave_the_pool() {
        let m = matchmaker(2);
        m.add(&user(1), &TicketRequest::new(2, 2).string("mode", "duel"))
            .unwrap();
        m.add(&user(2), &TicketRequest::new(2, 2)).unwrap();
        let groups = m.form_groups();
        assert_eq!(names(&groups), vec![vec!["user1", "user2"]]);
        let first = groups[0]
            .iter()
            .find(|e| e.presence.username == "user1")
            .unwrap();
        assert_eq!(first.string_properties["mode"], "duel");
        assert_eq!(m.ticket_count(), 0);
        assert!(m.form_groups().is_empty());
    }

    #[test]
    fn a_partys_ticket_counts_its_members_and_never_finds_its_party() {
        let m = matchmaker(1);
        let party = [user(1), user(2)];
        m.add_party("p.n", &party, &TicketRequest::new(3, 3), 1)
            .unwrap();
        // Another ticket of the same party, or one sharing a session,
        // is no match for it.
        m.add_party("p.n", &[user(3)], &TicketRequest::new(3, 3), 1)
            .unwrap();
        m.add(&user(1), &TicketRequest::new(3, 3)).unwrap();
        assert!(m.form_groups().is_empty());
        let m = matchmaker(1);
        m.add_party("p.n", &party, &TicketRequest::new(3, 3), 1)
            .unwrap();
        m.add(&user(3), &TicketRequest::new(3, 3)).unwrap();
        let groups = m.form_groups();
        assert_eq!(names(&groups), vec![vec!["user1", "user2", "user3"]]);
        let mut parties: Vec<&str> = groups[0].iter().map(|e| e.party_id.as_str()).collect();
        parties.sort();
        assert_eq!(parties, ["", "p.n", "p.n"]);
        // Too big for a group of 2.
        let m = matchmaker(1);
        m.add_party("p.n", &party, &TicketRequest::new(2, 2), 1)
            .unwrap();
        m.add(&user(3), &TicketRequest::new(2, 2)).unwrap();
        assert!(m.form_groups().is_empty());
        // Removed by its party only; the party's tickets go with a member.
        let m = matchmaker(1);
        let t2 = m
            .add_party("p.n", &party, &TicketRequest::new(3, 3), 1)
            .unwrap();
        assert_eq!(m.remove("s1", &t2), Err(TicketNotFound));
        assert_eq!(m.remove_party("q.n", &t2), Err(TicketNotFound));
        assert_eq!(m.remove_party("p.n", &t2), Ok(()));
        m.add_party("p.n", &party, &TicketRequest::new(3, 3), 1)
            .unwrap();
        m.remove_session("s2");
        assert_eq!(m.ticket_count(), 0);
    }

    #[test]
    fn a_party_holds_at_most_max_tickets() {
        let m = matchmaker(1);
        let party = [user(1), user(2)];
        for _ in 0..3 {
            m.add_party("p.n", &party, &TicketRequest::new(3, 3), 1)
                .unwrap();
        }
        assert_eq!(
            m.add_party("p.n", &party, &TicketRequest::new(3, 3), 1),
            Err("matchmaker too many tickets".into())
        );
        assert_eq!(
            m.add_party(
                "q.n",
                &[user(3)],
                &TicketRequest::new(3, 3).query("a:b~3 +"),
                1
            ),
            Err("matchmaker query invalid".into())
        );
    }

    #[test]
    fn one_sessions_tickets_never_match_each_other() {
        let m = matchmaker(2);
        m.add(&user(1), &TicketRequest::new(2, 2)).unwrap();
        m.add(&user(1), &TicketRequest::new(2, 2)).unwrap();
        assert!(m.form_groups().is_empty());
        assert_eq!(m.ticket_count(), 2);
    }

    #[test]
    fn queries_choose_whom_a_ticket_finds() {
        let m = matchmaker(2);
        // user1 wants Europe; user2 is in the US; user3 in Europe.
        m.add(
            &user(1),
            &TicketRequest::new(2, 2)
                .string("region", "eu")
                .query("+properties.region:eu"),
        )
        .unwrap();
        m.add(
            &user(2),
            &TicketRequest::new(2, 2)
                .string("region", "us")
                .query("+properties.region:us"),
        )
        .unwrap();
        m.add(
            &user(3),
            &TicketRequest::new(2, 2)
                .string("region", "eu")
                .query("+properties.region:eu"),
        )
        .unwrap();
        assert_eq!(names(&m.form_groups()), vec![vec!["user1", "user3"]]);
        assert_eq!(m.ticket_count(), 1);
    }

    #[test]
    fn a_better_score_wins_over_age() {
        let m = matchmaker(2);
        // user1 looks first: rank 5 or more, 9 or more much preferred.
        m.add(
            &user(1),
            &TicketRequest::new(2, 2).query("properties.rank:>=5 properties.rank:>=9^5"),
        )
        .unwrap();
        m.add(&user(2), &TicketRequest::new(2, 2).number("rank", 1.0))
            .unwrap();
        m.add(&user(3), &TicketRequest::new(2, 2).number("rank", 5.0))
            .unwrap();
        m.add(&user(4), &TicketRequest::new(2, 2).number("rank", 9.0))
            .unwrap();
        // user4 scores best for user1 though user3 waited longer; user2
        // (rank 1, matching neither clause) is left to user3.
        let groups = names(&m.form_groups());
        assert_eq!(groups, vec![vec!["user1", "user4"], vec!["user2", "user3"]]);
    }

    #[test]
    fn a_range_forms_at_max_at_once_or_within_range_on_its_last_pass() {
        let m = matchmaker(2);
        for n in 1..=3 {
            m.add(&user(n), &TicketRequest::new(2, 4)).unwrap();
        }
        // First pass: 3 of at most 4, and more may come.
        assert!(m.form_groups().is_empty());
        // Second (last active) pass: the 3 go.
        assert_eq!(
            names(&m.form_groups()),
            vec![vec!["user1", "user2", "user3"]]
        );

        for n in 4..=7 {
            m.add(&user(n), &TicketRequest::new(2, 4)).unwrap();
        }
        // Full at once.
        assert_eq!(
            names(&m.form_groups()),
            vec![vec!["user4", "user5", "user6", "user7"]]
        );
    }

    #[test]
    fn inactive_tickets_wait_to_be_found() {
        let m = matchmaker(1);
        m.add(&user(1), &TicketRequest::new(3, 3)).unwrap();
        m.add(&user(2), &TicketRequest::new(3, 3)).unwrap();
        assert!(m.form_groups().is_empty(), "only 2 of 3");
        // Both are inactive now; a third, active, finds them.
        m.add(&user(3), &TicketRequest::new(3, 3)).unwrap();
        assert_eq!(
            names(&m.form_groups()),
            vec![vec!["user1", "user2", "user3"]]
        );
    }

    #[test]
    fn tickets_whose_ranges_do_not_fit_do_not_match() {
        let m = matchmaker(2);
        m.add(&user(1), &TicketRequest::new(2, 2)).unwrap();
        m.add(&user(2), &TicketRequest::new(6, 8)).unwrap();
        for _ in 0..3 {
            assert!(m.form_groups().is_empty());
        }
    }

    #[test]
    fn a_count_multiple_trims_the_group() {
        let m = matchmaker(1);
        for n in 1..=3 {
            m.add(&user(n), &TicketRequest::new(2, 4).count_multiple(2))
                .unwrap();
        }
        // 3 found, trimmed to 2 on the last pass; the oldest candidate goes.
        let groups = names(&m.form_groups());
        assert_eq!(groups, vec![vec!["user1", "user3"]]);
        assert_eq!(m.ticket_count(), 1);
    }

    #[test]
    fn override_candidates_are_every_group_each_active_ticket_finds() {
        let m = matchmaker(2);
        for n in 1..=3 {
            m.add(&user(n), &TicketRequest::new(2, 2)).unwrap();
        }
        // Each of the 3 proposes a pair with each other: 6 candidates, a
        // ticket's own entries last.
        let candidates = m.candidates();
        assert_eq!(candidates.len(), 6);
        assert_eq!(
            names(&candidates[..2]),
            vec![vec!["user1", "user2"], vec!["user1", "user3"]]
        );
        assert_eq!(candidates[0][1].presence.username, "user1");
        // Nothing formed yet: the override answers. The first group of the
        // answer forms, a later one sharing its ticket does not; user3's
        // ticket stays (and, of min = max, is no longer active).
        let answer = vec![candidates[0].clone(), candidates[2].clone()];
        let formed = m.take(&mut lock(&m.inner.tickets), answer);
        assert_eq!(names(&formed), vec![vec!["user1", "user2"]]);
        assert_eq!(m.ticket_count(), 1);
        assert!(m.candidates().is_empty());
    }

    #[test]
    fn override_candidates_respect_counts_sessions_and_queries() {
        let m = matchmaker(2);
        // A range: groups of 2 or 3 from user1's view, and user2 and user3
        // hold the same range.
        for n in 1..=3 {
            m.add(&user(n), &TicketRequest::new(2, 3)).unwrap();
        }
        // Hits below their own max that may still wait are left out: only
        // the group of 3, once from each ticket.
        let candidates = m.candidates();
        assert_eq!(candidates.len(), 3, "{:?}", names(&candidates));
        assert!(candidates.iter().all(|c| c.len() == 3));

        let m = matchmaker(2);
        m.add(&user(1), &TicketRequest::new(2, 2)).unwrap();
        m.add(&user(1), &TicketRequest::new(2, 2)).unwrap();
        m.add(
            &user(2),
            &TicketRequest::new(2, 2).query("+properties.mode:duel"),
        )
        .unwrap();
        // user1's two tickets never pair; user2 finds neither (no mode),
        // but each of user1's finds user2.
        let candidates = m.candidates();
        assert_eq!(
            names(&candidates),
            vec![vec!["user1", "user2"], vec!["user1", "user2"]]
        );
        assert!(candidates.iter().all(|c| c[1].presence.username == "user1"));
    }

    #[test]
    fn with_rev_precision_tickets_group_only_with_those_that_find_them_back() {
        let with = |rev_precision: bool, rev_threshold: i64| {
            matchmaker_with(MatchmakerConfig {
                rev_precision,
                rev_threshold,
                ..Default::default()
            })
        };
        // user1 wants duel players; user2 plays duels but wants the US,
        // where user1 is not.
        let add_pair = |m: &Matchmaker| {
            let one = TicketRequest::new(2, 2).string("region", "eu");
            m.add(&user(1), &one.query("+properties.mode:duel"))
                .unwrap();
            let two = TicketRequest::new(2, 2).string("mode", "duel");
            m.add(&user(2), &two.query("+properties.region:us"))
                .unwrap();
        };
        let m = with(false, 1);
        add_pair(&m);
        assert_eq!(names(&m.form_groups()), vec![vec!["user1", "user2"]]);
        for threshold in [1, 0] {
            let m = with(true, threshold);
            add_pair(&m);
            assert!(m.form_groups().is_empty());
            assert!(m.form_groups().is_empty());
            // One that finds user1 and that user1 finds.
            let three = TicketRequest::new(2, 2)
                .string("mode", "duel")
                .string("region", "eu");
            m.add(&user(3), &three.query("+properties.region:eu"))
                .unwrap();
            assert_eq!(names(&m.form_groups()), vec![vec!["user1", "user3"]]);
        }
        // An override's candidates too: user2's finds nobody, user1's finds
        // user2 only without the check.
        let m = with(false, 1);
        add_pair(&m);
        assert_eq!(m.candidates().len(), 1);
        let m = with(true, 1);
        add_pair(&m);
        assert!(m.candidates().is_empty());

        // A group's members find each other two by two: user2 wants red
        // players, user3 is blue; user1 takes anyone.
        let trio = |m: &Matchmaker| {
            let red = TicketRequest::new(3, 3).string("side", "red");
            m.add(&user(1), &red).unwrap();
            m.add(&user(2), &red.clone().query("+properties.side:red"))
                .unwrap();
            m.add(&user(3), &TicketRequest::new(3, 3).string("side", "blue"))
                .unwrap();
        };
        let m = with(false, 1);
        trio(&m);
        assert_eq!(m.form_groups().len(), 1);
        let m = with(true, 1);
        trio(&m);
        assert!(m.form_groups().is_empty());
        // Candidates from a fresh pool (the pass above ended the tickets'
        // searching: their min and max counts are equal).
        let m = with(false, 1);
        trio(&m);
        assert!(!m.candidates().is_empty());
        let m = with(true, 1);
        trio(&m);
        assert!(m.candidates().is_empty());
    }

    #[test]
    fn subsets_fit_the_room() {
        let weight = |n: usize| n;
        assert_eq!(
            subsets(&[1, 2, 3], &weight, (3, 4)),
            vec![vec![1, 2], vec![1, 3], vec![3]]
        );
        assert!(subsets(&[5], &weight, (1, 4)).is_empty());
    }

    #[test]
    fn tokens_name_a_relayed_match_for_thirty_seconds() {
        let m = matchmaker(1);
        let token = m.token();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        v.required_spec_claims = Default::default();
        let claims = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &jsonwebtoken::DecodingKey::from_secret(b"key"),
            &v,
        )
        .unwrap()
        .claims;
        let mid = claims["mid"].as_str().unwrap();
        assert!(mid.ends_with('.') && uuid::Uuid::parse_str(&mid[..mid.len() - 1]).is_ok());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!((now + 29..=now + 31).contains(&claims["exp"].as_u64().unwrap()));
    }
}
