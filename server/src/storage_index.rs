//! Storage search indexes (Nakama's `RegisterStorageIndex`,
//! `RegisterStorageIndexFilter` and `StorageIndexList`,
//! server/storage_index.go).
//!
//! Each index the modules declare lives in memory: filled from SQLite
//! when modules load (in collection, key, owner order, through the
//! filter, up to `max_entries`), then kept up to date with every storage
//! write and delete, clients' and modules' ([`crate::db::StorageObserver`]).
//! An object enters an index as Nakama maps it: its value must be a JSON
//! object with at least one of the index's `fields`, of which only those
//! are kept, walked under `value.` as match labels are
//! ([`Document::add_json`]), beside `collection`, `key`, `user_id`,
//! `version`, `read`, `write`, `create_time` and `update_time`. Listings
//! run [`crate::query`]'s Bluge query strings on them, sort as bluge sorts
//! (sortable fields' smallest term, missing ones last, then the order the
//! objects entered), and page with a cursor of their own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use nakama_runtime_host::abi::nk::{self, StorageWriteOp};
use nakama_runtime_host::abi::storage_index::StorageIndex;
use nakama_runtime_host::abi::{api, mode, Code, ContextData};
use nakama_runtime_host::{BoxFuture, CallError, Modules};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::{self, Caller, Db, StorageChange, StorageObserver};
use crate::log::Logger;
use crate::query::{Document, Query};

/// The storage indexes; cheap to clone.
#[derive(Clone)]
pub struct StorageIndexes {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    log: Logger,
    /// The filters' context: mode `storage_index_filter`, node, version,
    /// env.
    base: ContextData,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    modules: Option<Arc<Modules>>,
    indexes: Vec<Index>,
    /// The order documents entered the indexes (bluge's natural order,
    /// its last tie-break).
    seq: u64,
}

struct Index {
    decl: StorageIndex,
    docs: HashMap<String, Doc>,
}

struct Doc {
    seq: u64,
    /// The object, its value only the indexed fields (what an
    /// `index_only` listing answers).
    object: api::StorageObject,
    update_time: i64,
    terms: Document,
    /// What bluge sorts by, for the sortable fields (`create_time`,
    /// `update_time` and the index's `sortable_fields`) the object has.
    sort: HashMap<String, Vec<u8>>,
}

impl Doc {
    fn sort_value(&self, field: &str) -> Option<&[u8]> {
        self.sort.get(field).map(Vec::as_slice)
    }
}

/// What a listing's cursor holds (Nakama's holds the same, gob-encoded).
#[derive(Serialize, Deserialize)]
struct Cursor {
    query: String,
    offset: usize,
    limit: usize,
    order: Vec<String>,
}

impl StorageIndexes {
    /// No indexes until [`StorageIndexes::set_modules`]; `init_ctx` gives
    /// the filters' node, version and env.
    pub fn new(db: Db, init_ctx: &ContextData, log: Logger) -> StorageIndexes {
        let base = ContextData {
            execution_mode: mode::STORAGE_INDEX_FILTER.into(),
            node: init_ctx.node.clone(),
            version: init_ctx.version.clone(),
            env: init_ctx.env.clone(),
            ..Default::default()
        };
        let indexes = StorageIndexes {
            inner: Arc::new(Inner {
                db: db.clone(),
                log,
                base,
                state: Mutex::default(),
            }),
        };
        db.observe_storage(Arc::new(indexes.clone()));
        indexes
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the indexes `modules` declare, filled from the database
    /// (again after a reload).
    pub async fn set_modules(&self, modules: Arc<Modules>) {
        let decls = modules.storage_indexes();
        {
            let mut state = self.state();
            state.modules = Some(modules.clone());
            state.indexes = decls
                .iter()
                .map(|decl| Index {
                    decl: decl.clone(),
                    docs: HashMap::new(),
                })
                .collect();
        }
        for decl in decls {
            let started = std::time::Instant::now();
            if let Err(e) = self.load(&modules, &decl).await {
                self.inner.log.error(
                    "Failed to load storage index",
                    &[
                        ("index_name", decl.name.clone().into()),
                        ("error", e.message.clone().into()),
                    ],
                );
            }
            self.inner.log.info(
                "Storage index loaded.",
                &[
                    ("index_name", decl.name.clone().into()),
                    (
                        "elapsed_time_ms",
                        (started.elapsed().as_millis() as u64).into(),
                    ),
                ],
            );
        }
    }

    /// Fills index `decl` from the database, as Nakama does at start.
    async fn load(&self, modules: &Modules, decl: &StorageIndex) -> Result<(), CallError> {
        let (collection, key) = (decl.collection.clone(), decl.key.clone());
        let rows = self
            .inner
            .db
            .run(move |c| {
                let mut stmt = c
                    .prepare(
                        "SELECT collection, key, user_id, value, version, read, write, create_time, update_time
                         FROM storage WHERE collection = ?1 AND (?2 = '' OR key = ?2)
                         ORDER BY collection, key, user_id",
                    )
                    .map_err(|e| CallError::new(Code::Internal, e.to_string()))?;
                let rows = stmt
                    .query_map(params![collection, key], |r| {
                        Ok(api::StorageObject {
                            collection: r.get(0)?,
                            key: r.get(1)?,
                            user_id: r.get(2)?,
                            value: r.get(3)?,
                            version: r.get(4)?,
                            permission_read: r.get(5)?,
                            permission_write: r.get(6)?,
                            create_time: Some(db::rfc3339(r.get(7)?)),
                            update_time: Some(db::rfc3339(r.get(8)?)),
                        })
                    })
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| CallError::new(Code::Internal, e.to_string()))?;
                Ok(rows)
            })
            .await?;
        let mut count = 0;
        for o in rows {
            if count >= decl.max_entries {
                break;
            }
            if !self.filter(modules, &decl.name, &o).await {
                continue;
            }
            let mut state = self.state();
            let seq = state.next_seq();
            let Some(index) = state.index_mut(&decl.name) else {
                return Ok(()); // the modules changed meanwhile
            };
            if let Some(doc) = map_doc(&self.inner.log, &index.decl, &o, seq) {
                index
                    .docs
                    .insert(doc_id(&o.collection, &o.key, &o.user_id), doc);
                count += 1;
            }
        }
        Ok(())
    }

    /// Asks index `name`'s filter about `o`: `true` without one, `false`
    /// when it failed (logged), as through the bridge, where a Go filter
    /// answers a bool and nothing else.
    async fn filter(&self, modules: &Modules, name: &str, o: &api::StorageObject) -> bool {
        let write = StorageWriteOp {
            collection: o.collection.clone(),
            key: o.key.clone(),
            user_id: o.user_id.clone(),
            value: o.value.clone(),
            version: o.version.clone(),
            permission_read: o.permission_read,
            permission_write: o.permission_write,
        };
        match modules
            .call_storage_index_filter(name, &self.inner.base, &write)
            .await
        {
            None => true,
            Some(Ok(keep)) => keep,
            Some(Err(e)) => {
                self.inner.log.error(
                    "Error invoking custom Storage Index Filter function",
                    &[
                        ("index_name", name.into()),
                        ("error", e.message.clone().into()),
                    ],
                );
                false
            }
        }
    }

    /// Applies committed writes and deletes, as Nakama's `Write` and
    /// `Delete`: a write goes through the filter of each index of its
    /// collection (and key), then in (or out, when the filter says no);
    /// a delete leaves every index of its collection. Past 110% of
    /// `max_entries`, the least recently updated go.
    async fn apply(&self, changes: Vec<StorageChange>) {
        let (modules, decls) = {
            let state = self.state();
            let decls: Vec<StorageIndex> = state.indexes.iter().map(|i| i.decl.clone()).collect();
            (state.modules.clone(), decls)
        };
        let Some(modules) = modules else { return };
        if decls.is_empty() {
            return;
        }
        let mut touched = Vec::new();
        for change in changes {
            match change {
                StorageChange::Written(o) => {
                    for decl in &decls {
                        if decl.collection != o.collection
                            || !(decl.key.is_empty() || decl.key == o.key)
                        {
                            continue;
                        }
                        let keep = self.filter(&modules, &decl.name, &o).await;
                        let mut state = self.state();
                        let seq = state.next_seq();
                        let log = &self.inner.log;
                        let Some(index) = state.index_mut(&decl.name) else {
                            continue;
                        };
                        let id = doc_id(&o.collection, &o.key, &o.user_id);
                        if !keep {
                            index.docs.remove(&id);
                        } else if let Some(doc) = map_doc(log, &index.decl, &o, seq) {
                            index.docs.insert(id, doc);
                        }
                        touched.push(decl.name.clone());
                    }
                }
                StorageChange::Deleted(collection, key, owner) => {
                    let mut state = self.state();
                    let id = doc_id(&collection, &key, &owner);
                    for index in state
                        .indexes
                        .iter_mut()
                        .filter(|i| i.decl.collection == collection)
                    {
                        index.docs.remove(&id);
                    }
                }
            }
        }
        let mut state = self.state();
        for name in touched {
            if let Some(index) = state.index_mut(&name) {
                index.evict();
            }
        }
    }

    /// Nakama's `StorageIndexList`, its arguments checked as Nakama
    /// checks them.
    pub async fn list(
        &self,
        a: nk::StorageIndexListArgs,
    ) -> Result<nk::StorageListResult, CallError> {
        let invalid = |m: &str| CallError::new(Code::InvalidArgument, m);
        if !a.caller_id.is_empty() && uuid::Uuid::parse_str(&a.caller_id).is_err() {
            return Err(invalid("expects caller id to be empty or a valid user id"));
        }
        if a.index_name.is_empty() {
            return Err(invalid("expects a non-empty indexName"));
        }
        if !(1..=10_000).contains(&a.limit) {
            return Err(invalid("limit must be 1-10000"));
        }
        let limit = a.limit as usize;
        let (page, cursor, index_only) = {
            let state = self.state();
            let index = state
                .indexes
                .iter()
                .find(|i| i.decl.name == a.index_name)
                .ok_or_else(|| {
                    CallError::new(
                        Code::NotFound,
                        format!("index {} not found", crate::gojson::string(&a.index_name)),
                    )
                })?;
            if a.limit > index.decl.max_entries {
                self.inner.log.warn(
                    "Attempted to list more index entries than configured maximum index size",
                    &[
                        ("index_name", a.index_name.clone().into()),
                        ("limit", a.limit.into()),
                        ("max_entries", index.decl.max_entries.into()),
                    ],
                );
            }
            let query = if a.query.is_empty() { "*" } else { &a.query };
            let offset = match a.cursor.as_str() {
                "" => 0,
                c => {
                    let c: Cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(c)
                        .ok()
                        .and_then(|b| serde_json::from_slice(&b).ok())
                        .ok_or_else(|| invalid("invalid cursor"))?;
                    if c.query != query {
                        return Err(invalid("invalid cursor: query mismatch"));
                    }
                    if c.limit != limit {
                        return Err(invalid("invalid cursor: limit mismatch"));
                    }
                    if c.order != a.order {
                        return Err(invalid("invalid cursor: order mismatch"));
                    }
                    c.offset
                }
            };
            let parsed =
                Query::parse(query).map_err(|e| CallError::new(Code::Internal, e.message()))?;
            let mut hits: Vec<(&Doc, f64)> = index
                .docs
                .values()
                .filter_map(|d| parsed.score(&d.terms).map(|s| (d, s)))
                .collect();
            let sorts: Vec<Sort> = if a.order.is_empty() {
                vec![Sort::Score]
            } else {
                a.order.iter().map(|o| Sort::parse(o)).collect()
            };
            hits.sort_by(|x, y| {
                sorts
                    .iter()
                    .map(|s| s.compare(x, y))
                    .find(|o| o.is_ne())
                    .unwrap_or_else(|| x.0.seq.cmp(&y.0.seq))
            });
            let mut page: Vec<&Doc> = hits
                .into_iter()
                .skip(offset)
                .take(limit + 1)
                .map(|h| h.0)
                .collect();
            let mut cursor = String::new();
            if page.len() > limit {
                page.pop();
                let next = Cursor {
                    query: query.to_string(),
                    offset: offset + limit,
                    limit,
                    order: a.order.clone(),
                };
                cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(serde_json::to_vec(&next).unwrap_or_default());
            }
            let objects: Vec<api::StorageObject> = page.iter().map(|d| d.object.clone()).collect();
            (objects, cursor, index.decl.index_only)
        };
        if page.is_empty() {
            return Ok(nk::StorageListResult {
                objects: Vec::new(),
                cursor: String::new(),
            });
        }
        if index_only {
            let objects = page
                .into_iter()
                .filter(|o| {
                    a.caller_id.is_empty() || o.permission_read == 2 || o.user_id == a.caller_id
                })
                .collect();
            return Ok(nk::StorageListResult { objects, cursor });
        }
        // Read the objects as stored, in the index's order; one whose
        // version moved on since it was indexed is indexed again.
        let reads: Vec<nk::StorageReadOp> = page
            .iter()
            .map(|o| nk::StorageReadOp {
                collection: o.collection.clone(),
                key: o.key.clone(),
                user_id: o.user_id.clone(),
            })
            .collect();
        let caller = a.caller_id.clone();
        let read = self
            .inner
            .db
            .run(move |c| {
                let who = if caller.is_empty() {
                    Caller::Server
                } else {
                    Caller::Client(&caller)
                };
                db::storage_read(c, who, &reads)
            })
            .await?;
        let mut by_id: HashMap<String, api::StorageObject> = read
            .into_iter()
            .map(|o| (doc_id(&o.collection, &o.key, &o.user_id), o))
            .collect();
        let mut objects = Vec::new();
        let mut moved = Vec::new();
        for indexed in &page {
            if let Some(o) =
                by_id.remove(&doc_id(&indexed.collection, &indexed.key, &indexed.user_id))
            {
                if o.version != indexed.version {
                    moved.push(StorageChange::Written(o.clone()));
                }
                objects.push(o);
            }
        }
        if !moved.is_empty() {
            self.apply(moved).await;
        }
        Ok(nk::StorageListResult { objects, cursor })
    }
}

impl StorageObserver for StorageIndexes {
    fn changed(&self, changes: Vec<StorageChange>) -> BoxFuture<'static, ()> {
        let this = self.clone();
        Box::pin(async move { this.apply(changes).await })
    }
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn index_mut(&mut self, name: &str) -> Option<&mut Index> {
        self.indexes.iter_mut().find(|i| i.decl.name == name)
    }
}

impl Index {
    /// Past 110% of `max_entries`, drops the least recently updated down
    /// to `max_entries`.
    fn evict(&mut self) {
        let max = self.decl.max_entries.max(0) as usize;
        if self.docs.len() as f64 <= max as f64 * 1.1 {
            return;
        }
        let mut by_age: Vec<(i64, u64, String)> = self
            .docs
            .iter()
            .map(|(id, d)| (d.update_time, d.seq, id.clone()))
            .collect();
        by_age.sort_unstable();
        let excess = self.docs.len() - max;
        for (_, _, id) in by_age.into_iter().take(excess) {
            self.docs.remove(&id);
        }
    }
}

/// bluge's document id of an object.
fn doc_id(collection: &str, key: &str, owner: &str) -> String {
    format!("{collection}.{key}.{owner}")
}

/// An object as index `decl` keeps it, `None` when it keeps nothing of it
/// (a value that is not a JSON object, or without any of the fields).
fn map_doc(log: &Logger, decl: &StorageIndex, o: &api::StorageObject, seq: u64) -> Option<Doc> {
    let Ok(Value::Object(value)) = serde_json::from_str::<Value>(&o.value) else {
        log.error(
            "Failed to map storage object values to index",
            &[("index_name", decl.name.clone().into())],
        );
        return None;
    };
    let kept: serde_json::Map<String, Value> = value
        .into_iter()
        .filter(|(k, _)| decl.fields.contains(k))
        .collect();
    if kept.is_empty() {
        return None;
    }
    let time = |t: &Option<String>| t.as_deref().and_then(crate::query::label_date).unwrap_or(0);
    let (create_time, update_time) = (time(&o.create_time), time(&o.update_time));
    let mut terms = Document::default();
    terms.add_date_nanos("create_time", create_time);
    terms.add_date_nanos("update_time", update_time);
    terms.add_keyword("collection", &o.collection);
    terms.add_keyword("key", &o.key);
    terms.add_keyword("user_id", &o.user_id);
    terms.add_keyword("version", &o.version);
    terms.add_number("read", o.permission_read as f64);
    terms.add_number("write", o.permission_write as f64);
    let kept = Value::Object(kept);
    terms.add_json("value", &kept);
    // Only sortable fields have what bluge sorts by: others sort as
    // missing.
    let sort = ["create_time".to_string(), "update_time".to_string()]
        .into_iter()
        .chain(decl.sortable_fields.iter().map(|f| format!("value.{f}")))
        .filter_map(|path| {
            let v = terms.sort_value(&path)?.to_vec();
            Some((path, v))
        })
        .collect();
    Some(Doc {
        seq,
        object: api::StorageObject {
            value: crate::gojson::marshal(&kept),
            ..o.clone()
        },
        update_time,
        terms,
        sort,
    })
}

/// One key a listing sorts by.
enum Sort {
    /// Relevance, best first (`_score` and `-_score` alike, as bluge).
    Score,
    Field {
        name: String,
        desc: bool,
    },
}

impl Sort {
    fn parse(s: &str) -> Sort {
        let (desc, name) = match s.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if name == "_score" {
            return Sort::Score;
        }
        Sort::Field {
            name: name.to_string(),
            desc,
        }
    }

    fn compare(&self, x: &(&Doc, f64), y: &(&Doc, f64)) -> std::cmp::Ordering {
        match self {
            Sort::Score => y.1.total_cmp(&x.1),
            Sort::Field { name, desc } => {
                // A document without the value sorts last either way.
                let missing: &[u8] = if *desc { &[0] } else { &[0xff; 10] };
                let value = |d: &Doc| d.sort_value(name).unwrap_or(missing).to_vec();
                let o = value(x.0).cmp(&value(y.0));
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            }
        }
    }
}
