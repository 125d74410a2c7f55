//! What a game client sees of a module: its `#[rpc]` functions with their
//! payload and result types, as a JSON Schema document, as a typed
//! TypeScript client for `@heroiclabs/nakama-js`, as typed C# for Unity
//! and Nakama .NET and as typed GDScript for Godot 4.
//!
//! Payload and result types that derive [`schemars::JsonSchema`] (next to
//! serde's derives) are described exactly as serde reads and writes them:
//! renames, optional fields, enums. Types that do not are `unknown` in
//! TypeScript, their JSON text (`string`) in C# and `true` (anything) in
//! the schema, with a comment naming them.
//!
//! Keep the generated files in the repository and check them in a unit
//! test of the module, so that a change to an RPC's types that the client
//! code has not caught up with fails the build. With the `expect-test`
//! crate (`UPDATE_EXPECT=1 cargo test` rewrites the files):
//!
//! ```ignore
//! #[test]
//! fn the_client_files_match_the_rpcs() {
//!     let api = nakama_runtime::client::ClientApi::of_this_module();
//!     expect_test::expect_file!["../client/guild.ts"].assert_eq(&api.typescript());
//!     expect_test::expect_file!["../client/Guild.cs"].assert_eq(&api.csharp("GuildClient"));
//!     expect_test::expect_file!["../client/guild.schema.json"].assert_eq(&api.json_schema());
//!     expect_test::expect_file!["../client/guild.gd"].assert_eq(&api.gdscript());
//! }
//! ```
//!
//! The test must be a unit test (in the module's `src/`): the RPCs are
//! collected from the functions linked into the running binary, and an
//! integration test may not link them all. RPCs registered at init with
//! [`Initializer::register_rpc`](crate::Initializer::register_rpc) are not
//! described.

mod csharp;
mod gdscript;
mod shapes;
mod typescript;

use std::collections::{BTreeMap, BTreeSet};

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{json, Map, Value};

use crate::Code;

/// One `#[rpc]` function, as the macro records it.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct DeclaredRpc {
    /// The RPC id as declared (hosts lowercase it).
    pub id: &'static str,
    /// `module_path::fn_name`.
    pub function: &'static str,
    /// The function's doc comment.
    pub docs: &'static str,
    pub request: TypeShape,
    pub response: TypeShape,
    /// Its error type as written, and the errors that type lists, if it
    /// lists them.
    pub error_type: &'static str,
    pub errors: fn() -> Option<&'static [(Code, &'static str)]>,
}

inventory::collect!(DeclaredRpc);

/// The errors of a `#[derive(RuntimeError)]` enum: each variant's code and
/// message (its format string, `{0}` and all).
#[doc(hidden)]
pub trait ErrorCatalog {
    const ERRORS: &'static [(Code, &'static str)];
}

/// The error type's catalogue, found as [`HasSchema`] finds a schema.
#[doc(hidden)]
pub trait HasErrors {
    fn errors(&self) -> Option<&'static [(Code, &'static str)]>;
}

impl<T: ErrorCatalog + ?Sized> HasErrors for Probe<T> {
    fn errors(&self) -> Option<&'static [(Code, &'static str)]> {
        Some(T::ERRORS)
    }
}

#[doc(hidden)]
pub trait NoErrors {
    fn errors(&self) -> Option<&'static [(Code, &'static str)]> {
        None
    }
}

impl<T: ?Sized> NoErrors for &Probe<T> {}

/// A `#[derive(MatchMessage)]` enum, as the derive records it.
#[doc(hidden)]
pub struct DeclaredMessage {
    pub name: &'static str,
    pub docs: &'static str,
    pub variants: &'static [DeclaredVariant],
}

inventory::collect!(DeclaredMessage);

/// One message of a `MatchMessage` enum.
#[doc(hidden)]
pub struct DeclaredVariant {
    pub op: i64,
    pub name: &'static str,
    pub docs: &'static str,
    pub data: VariantData,
}

/// What a message carries.
#[doc(hidden)]
pub enum VariantData {
    /// A unit variant: no data.
    None,
    /// One value: its JSON.
    Value(TypeShape),
    /// Named fields: a JSON object of them.
    Fields(&'static [DeclaredField]),
}

/// A named field of a message.
#[doc(hidden)]
pub struct DeclaredField {
    /// Its name in JSON (after a serde `rename`).
    pub name: &'static str,
    pub docs: &'static str,
    /// `Option<_>` or `#[serde(default)]`: may be absent.
    pub optional: bool,
    pub shape: TypeShape,
}

/// How an RPC's payload or result crosses the wire.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum TypeShape {
    /// Serde JSON of a Rust type: its name as written, and its schema if
    /// it derives `JsonSchema` (`None` if not).
    Json {
        rust: &'static str,
        schema: fn(&mut SchemaGenerator) -> Option<Schema>,
    },
    /// `String` or `Vec<u8>`: whatever bytes the client sends.
    Raw,
    /// `Proto<T>`: a protobuf message's bytes; `T` as written.
    Protobuf { message: &'static str },
    /// `()`: no payload.
    Empty,
}

/// The macro's probe for a `JsonSchema` implementation: method resolution
/// picks [`HasSchema::schema`] when `T` implements it, and falls back to
/// [`NoSchema::schema`] through one more auto-reference when it does not
/// (stable Rust has no specialisation; this works because the type is
/// concrete where the macro expands).
#[doc(hidden)]
pub struct Probe<T: ?Sized>(std::marker::PhantomData<T>);

impl<T: ?Sized> Probe<T> {
    #[allow(clippy::new_without_default)] // only the macro makes one
    pub const fn new() -> Self {
        Probe(std::marker::PhantomData)
    }
}

#[doc(hidden)]
pub trait HasSchema {
    fn schema(&self, g: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T: JsonSchema + ?Sized> HasSchema for Probe<T> {
    fn schema(&self, g: &mut SchemaGenerator) -> Option<Schema> {
        Some(g.subschema_for::<T>())
    }
}

#[doc(hidden)]
pub trait NoSchema {
    fn schema(&self, _g: &mut SchemaGenerator) -> Option<Schema> {
        None
    }
}

impl<T: ?Sized> NoSchema for &Probe<T> {}

/// The RPCs and match messages of the module this code is linked into,
/// described for clients.
#[derive(Debug, Clone)]
pub struct ClientApi {
    rpcs: Vec<Rpc>,
    messages: Vec<Message>,
    /// Every named type the RPCs use, by the name the outputs give it.
    defs: BTreeMap<String, Value>,
}

/// One RPC, described.
#[derive(Debug, Clone)]
struct Rpc {
    id: String,
    function: String,
    docs: String,
    request: Described,
    response: Described,
    /// Its error type, and the code and message of each error that type
    /// answers with, if it lists them.
    error_type: String,
    errors: Vec<(Code, String)>,
}

impl Rpc {
    /// Why no typed function is generated, if its payload or result is a
    /// protobuf message, which `carrier` (the client's RPC call, JSON text)
    /// cannot carry.
    fn protobuf_note(&self, carrier: &str) -> Option<String> {
        let message = [&self.request, &self.response]
            .into_iter()
            .find_map(|d| match d {
                Described::Protobuf(m) => Some(m),
                _ => None,
            })?;
        Some(format!(
            "{}: its payload or result is the protobuf message {message}, which {carrier} cannot carry: \
             call it over HTTP with the bytes as the body (POST /v2/rpc/{}?unwrap). Not generated.",
            self.id, self.id
        ))
    }
}

/// A match message enum, described.
#[derive(Debug, Clone)]
struct Message {
    /// The enum's name.
    name: String,
    docs: String,
    variants: Vec<Variant>,
}

#[derive(Debug, Clone)]
struct Variant {
    op: i64,
    name: String,
    docs: String,
    /// The schema of its data; `None` for no data.
    data: Option<Value>,
}

/// A payload or result, described.
#[derive(Debug, Clone)]
enum Described {
    Json {
        rust: String,
        schema: Option<Value>,
    },
    Raw,
    /// A protobuf message's bytes: `T` of `Proto<T>`.
    Protobuf(String),
    Empty,
}

impl ClientApi {
    /// Collects the `#[rpc]` functions and `MatchMessage` enums linked
    /// into this binary (call it from a unit test of the module), ordered
    /// by id and name.
    pub fn of_this_module() -> Self {
        let rpcs: Vec<&DeclaredRpc> = inventory::iter::<DeclaredRpc>.into_iter().collect();
        let messages: Vec<&DeclaredMessage> =
            inventory::iter::<DeclaredMessage>.into_iter().collect();
        Self::from_declared(&rpcs, &messages)
    }

    fn from_declared(declared: &[&DeclaredRpc], messages: &[&DeclaredMessage]) -> Self {
        // Serde may read a type differently from how it writes it (a field
        // with a default is optional only when read), so requests are
        // described as serde deserializes them and results as it
        // serializes them, each by a generator of its own.
        let mut inputs = SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator();
        let mut outputs = SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator();
        let mut rpcs: Vec<Rpc> = declared
            .iter()
            .map(|d| Rpc {
                id: d.id.to_lowercase(),
                function: d.function.to_string(),
                docs: d.docs.trim().to_string(),
                request: describe(d.request, &mut inputs),
                response: describe(d.response, &mut outputs),
                error_type: d.error_type.to_string(),
                errors: {
                    let mut e: Vec<(Code, String)> = (d.errors)()
                        .unwrap_or_default()
                        .iter()
                        .map(|(c, m)| (*c, m.to_string()))
                        .collect();
                    e.sort();
                    e.dedup();
                    e
                },
            })
            .collect();
        rpcs.sort_by(|a, b| a.id.cmp(&b.id));
        // A module both writes and reads its messages: described as serde
        // writes them, which is exact for what clients get and always
        // decodes as what clients send.
        let mut messages: Vec<Message> = messages
            .iter()
            .map(|m| describe_message(m, &mut outputs))
            .collect();
        messages.sort_by(|a, b| a.name.cmp(&b.name));
        let (defs, renamed) = merge_defs(
            inputs.take_definitions(true),
            outputs.take_definitions(true),
        );
        for v in messages.iter_mut().flat_map(|m| &mut m.variants) {
            if let Some(s) = &mut v.data {
                rename_refs(s, &renamed);
            }
        }
        for rpc in &mut rpcs {
            if let Described::Json {
                schema: Some(s), ..
            } = &mut rpc.response
            {
                rename_refs(s, &renamed);
            }
        }
        ClientApi {
            rpcs,
            messages,
            defs,
        }
    }

    /// The RPC ids, in order.
    pub fn rpc_ids(&self) -> impl Iterator<Item = &str> {
        self.rpcs.iter().map(|r| r.id.as_str())
    }

    /// A JSON Schema (draft 2020-12) document: every named type under
    /// `$defs`, and under `rpcs` each RPC's `request` and `response`
    /// schema (`true` for any JSON, absent for no payload), its Rust
    /// function and its docs. Pretty-printed, with a final newline.
    pub fn json_schema(&self) -> String {
        let mut rpcs = Map::new();
        for rpc in &self.rpcs {
            let mut entry = Map::new();
            entry.insert("function".into(), json!(rpc.function));
            if !rpc.docs.is_empty() {
                entry.insert("description".into(), json!(rpc.docs));
            }
            for (key, d) in [("request", &rpc.request), ("response", &rpc.response)] {
                match d {
                    Described::Json {
                        schema: Some(s), ..
                    } => {
                        entry.insert(key.into(), s.clone());
                    }
                    Described::Json { rust, schema: None } => {
                        let note = format!("{rust} does not derive schemars::JsonSchema");
                        entry.insert(key.into(), json!({ "$comment": note }));
                    }
                    Described::Raw => {
                        entry.insert(key.into(), json!({ "$comment": "raw payload: any bytes" }));
                    }
                    Described::Protobuf(message) => {
                        entry.insert(key.into(), protobuf_schema(message));
                    }
                    Described::Empty => {}
                }
            }
            if !rpc.errors.is_empty() {
                let errors: Vec<Value> = rpc
                    .errors
                    .iter()
                    .map(|(code, message)| {
                        json!({
                            "code": code.as_u32(),
                            "name": code.grpc_name(),
                            "http_status": code.http_status(),
                            "message": message,
                        })
                    })
                    .collect();
                entry.insert("errors".into(), Value::Array(errors));
                entry.insert("error_type".into(), json!(rpc.error_type));
            }
            rpcs.insert(rpc.id.clone(), Value::Object(entry));
        }
        let mut messages = Map::new();
        for m in &self.messages {
            let mut variants = Map::new();
            for v in &m.variants {
                let mut entry = Map::new();
                entry.insert("op_code".into(), json!(v.op));
                if !v.docs.is_empty() {
                    entry.insert("description".into(), json!(v.docs));
                }
                if let Some(data) = &v.data {
                    entry.insert("data".into(), data.clone());
                }
                variants.insert(v.name.clone(), Value::Object(entry));
            }
            let mut entry = Map::new();
            if !m.docs.is_empty() {
                entry.insert("description".into(), json!(m.docs));
            }
            entry.insert("messages".into(), Value::Object(variants));
            messages.insert(m.name.clone(), Value::Object(entry));
        }
        let doc = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": "Generated by nakama_runtime::client from the module's #[rpc] functions and MatchMessage enums; do not edit.",
            "rpcs": rpcs,
            "match_messages": messages,
            "$defs": self.defs,
        });
        let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
        text.push('\n');
        text
    }

    /// A TypeScript module for `@heroiclabs/nakama-js`: an interface or
    /// type per named type, and per RPC an `async` function taking the
    /// client, the session and the typed payload and answering the typed
    /// result (`create_guild` becomes `createGuild`).
    pub fn typescript(&self) -> String {
        typescript::render(self)
    }

    /// One C# file (C# 7.3, .NET Standard 2.0: Unity and Mono compile it;
    /// the BCL only) in `namespace`: a `[DataContract]` class per named
    /// type, with `[DataMember]`s named as in the JSON; a static class
    /// `Rpcs` with an async method per RPC (`create_guild` becomes
    /// `CreateGuildAsync(RpcCall call, CreateGuild input)` answering
    /// `Task<Guild>`), where `RpcCall` sends a payload to an RPC id and
    /// answers the result's payload (with Nakama .NET,
    /// `client.RpcAsync(session, id, payload)`'s); and per match message
    /// enum a class of its messages with their op codes, `Encode` (the op
    /// code and bytes of `socket.SendMatchStateAsync`) and `Decode`.
    pub fn csharp(&self, namespace: &str) -> String {
        csharp::render(self, namespace)
    }

    /// One GDScript file for Godot 4 (load it with `preload`): an inner
    /// class per named type with typed variables, `to_json_value()` and
    /// `from_json_value(v)`; a static function per RPC (`create_guild`
    /// stays `create_guild(rpc_call, input)`) answering an `RpcResult`
    /// (the typed value, or the error's gRPC code and message), where
    /// `rpc_call` is a `Callable` sending a payload to an RPC id (with nakama-godot,
    /// `client.rpc_async(session, id, payload)`); and per match message
    /// enum a class of its messages with their op codes, `encode()` (the
    /// bytes of `socket.send_match_state_raw_async`) and `decode()`.
    pub fn gdscript(&self) -> String {
        gdscript::render(self)
    }
}

fn describe(shape: TypeShape, g: &mut SchemaGenerator) -> Described {
    match shape {
        TypeShape::Json { rust, schema } => Described::Json {
            rust: rust.to_string(),
            schema: schema(g).map(Schema::to_value),
        },
        TypeShape::Raw => Described::Raw,
        TypeShape::Protobuf { message } => Described::Protobuf(message.to_string()),
        TypeShape::Empty => Described::Empty,
    }
}

/// The JSON Schema of a type shape; `true` (any JSON) where there is none.
fn shape_schema(shape: TypeShape, g: &mut SchemaGenerator) -> Value {
    match describe(shape, g) {
        Described::Json {
            schema: Some(s), ..
        } => s,
        Described::Json { rust, schema: None } => {
            json!({ "$comment": format!("{rust} does not derive schemars::JsonSchema") })
        }
        Described::Protobuf(message) => protobuf_schema(&message),
        Described::Raw | Described::Empty => Value::Bool(true),
    }
}

/// MIME type of the protobuf messages (`Proto<T>`) in the schema.
const PROTOBUF_MEDIA_TYPE: &str = "application/x-protobuf";

/// The schema of a protobuf message's bytes: JSON Schema's way to say
/// "bytes of this media type", naming the Rust message type (the client
/// encodes and decodes it with the same `.proto`).
fn protobuf_schema(message: &str) -> Value {
    json!({
        "contentMediaType": PROTOBUF_MEDIA_TYPE,
        "description": format!("The bytes of the protobuf message {message}."),
    })
}

/// Whether a schema is [`protobuf_schema`]'s.
fn is_protobuf(s: &Value) -> bool {
    s.get("contentMediaType").and_then(Value::as_str) == Some(PROTOBUF_MEDIA_TYPE)
}

fn describe_message(m: &DeclaredMessage, g: &mut SchemaGenerator) -> Message {
    let variants = m
        .variants
        .iter()
        .map(|v| Variant {
            op: v.op,
            name: v.name.to_string(),
            docs: v.docs.trim().to_string(),
            data: match &v.data {
                VariantData::None => None,
                VariantData::Value(shape) => Some(shape_schema(*shape, g)),
                VariantData::Fields(fields) => {
                    let mut properties = Map::new();
                    let mut required = Vec::new();
                    for f in fields.iter() {
                        let mut schema = shape_schema(f.shape, g);
                        let docs = f.docs.trim();
                        if let (false, Value::Object(o)) = (docs.is_empty(), &mut schema) {
                            o.insert("description".into(), json!(docs));
                        }
                        properties.insert(f.name.to_string(), schema);
                        if !f.optional {
                            required.push(json!(f.name));
                        }
                    }
                    Some(
                        json!({ "type": "object", "properties": properties, "required": required }),
                    )
                }
            },
        })
        .collect();
    Message {
        name: m.name.to_string(),
        docs: m.docs.trim().to_string(),
        variants,
    }
}

/// Each line of a doc comment's text after `prefix` (and a space, if the
/// line has text), for the generators.
fn comment_lines(out: &mut String, prefix: &str, text: &str) {
    for line in text.lines() {
        let space = if line.is_empty() { "" } else { " " };
        out.push_str(&format!("{prefix}{space}{line}\n"));
    }
}

/// The `$defs` name a `$ref` points to.
fn ref_name(r: &str) -> Option<&str> {
    r.strip_prefix("#/$defs/")
}

/// Every `$defs` name a schema refers to.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        if let Some(n) = ref_name(r) {
                            out.insert(n.to_string());
                        }
                    }
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

fn rename_refs(v: &mut Value, renamed: &BTreeMap<String, String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o.iter_mut() {
                if k == "$ref" {
                    if let Some(new) = v.as_str().and_then(ref_name).and_then(|n| renamed.get(n)) {
                        *v = json!(format!("#/$defs/{new}"));
                    }
                } else {
                    rename_refs(v, renamed);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}

/// One set of definitions from the input and output generators. A type
/// both describe alike (itself and every type it refers to) is defined
/// once; one serde writes differently from how it reads it gets a second
/// definition named `<Name>Output` for the outputs. Returns the
/// definitions and the outputs' renames.
fn merge_defs(
    inputs: Map<String, Value>,
    outputs: Map<String, Value>,
) -> (BTreeMap<String, Value>, BTreeMap<String, String>) {
    let mut shared: BTreeSet<String> = inputs
        .iter()
        .filter(|(n, s)| outputs.get(*n) == Some(s))
        .map(|(n, _)| n.clone())
        .collect();
    // A type is shared only if all it refers to is: drop the others until
    // nothing changes.
    loop {
        let before = shared.len();
        let keep: BTreeSet<String> = shared
            .iter()
            .filter(|n| {
                let mut r = BTreeSet::new();
                refs(&inputs[n.as_str()], &mut r);
                r.iter()
                    .all(|d| shared.contains(d) || !outputs.contains_key(d))
            })
            .cloned()
            .collect();
        shared = keep;
        if shared.len() == before {
            break;
        }
    }
    let mut renamed = BTreeMap::new();
    for name in outputs.keys() {
        if inputs.contains_key(name) && !shared.contains(name) {
            let mut new = format!("{name}Output");
            while inputs.contains_key(&new) || outputs.contains_key(&new) {
                new.push('_');
            }
            renamed.insert(name.clone(), new);
        }
    }
    let mut defs: BTreeMap<String, Value> = inputs.into_iter().collect();
    for (name, mut schema) in outputs {
        rename_refs(&mut schema, &renamed);
        let name = renamed.get(&name).cloned().unwrap_or(name);
        defs.entry(name).or_insert(schema);
    }
    (defs, renamed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    /// A guild.
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct Guild {
        /// Its unique name.
        name: String,
        #[serde(default)]
        members: Vec<Member>,
    }

    #[derive(Serialize, Deserialize, JsonSchema)]
    struct Member {
        id: String,
    }

    #[derive(Serialize, Deserialize, JsonSchema)]
    struct Roster {
        guild: Guild,
        size: u32,
    }

    #[derive(Serialize, Deserialize)]
    struct Opaque {}

    fn schema_of<T: ?Sized>() -> fn(&mut SchemaGenerator) -> Option<Schema>
    where
        Probe<T>: HasSchema,
    {
        |g| Probe::<T>::new().schema(g)
    }

    fn json<T: JsonSchema>(rust: &'static str) -> TypeShape {
        TypeShape::Json {
            rust,
            schema: schema_of::<T>(),
        }
    }

    fn rpc(id: &'static str, request: TypeShape, response: TypeShape) -> DeclaredRpc {
        DeclaredRpc {
            id,
            function: "tests::f",
            docs: " Does things. ",
            request,
            response,
            error_type: "Error",
            errors: || None,
        }
    }

    #[test]
    fn the_probe_finds_json_schema_where_it_is_implemented_only() {
        let mut g = SchemaGenerator::default();
        #[allow(clippy::needless_borrow)] // the borrow is the fallback's step
        let (with, without) = {
            use super::{HasSchema as _, NoSchema as _};
            (
                (&Probe::<Guild>::new()).schema(&mut g),
                (&Probe::<Opaque>::new()).schema(&mut g),
            )
        };
        assert!(with.is_some());
        assert!(without.is_none());
    }

    #[test]
    fn a_type_read_and_written_alike_is_defined_once_and_one_that_differs_twice() {
        let declared = [
            rpc("Join", json::<Roster>("Roster"), json::<Roster>("Roster")),
            rpc("member", json::<Member>("Member"), TypeShape::Empty),
        ];
        let api = ClientApi::from_declared(&declared.iter().collect::<Vec<_>>(), &[]);
        assert_eq!(api.rpc_ids().collect::<Vec<_>>(), ["join", "member"]);
        // `members` has a default: optional when read, always written.
        let names: Vec<&str> = api.defs.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["Guild", "GuildOutput", "Member", "Roster", "RosterOutput"]
        );
        assert_eq!(api.defs["Guild"]["required"], json!(["name"]));
        assert_eq!(
            api.defs["GuildOutput"]["required"],
            json!(["name", "members"])
        );
        // The output's references follow its renames; Member is shared.
        assert_eq!(
            api.defs["RosterOutput"]["properties"]["guild"]["$ref"],
            "#/$defs/GuildOutput"
        );
        assert_eq!(
            api.defs["Roster"]["properties"]["guild"]["$ref"],
            "#/$defs/Guild"
        );
        assert_eq!(
            api.defs["GuildOutput"]["properties"]["members"]["items"]["$ref"],
            "#/$defs/Member"
        );
        let Described::Json {
            schema: Some(s), ..
        } = &api.rpcs[0].response
        else {
            panic!("join's response is described");
        };
        assert_eq!(s["$ref"], "#/$defs/RosterOutput");
    }

    #[test]
    fn match_messages_are_described_with_op_codes_and_data() {
        static FIELDS: [DeclaredField; 2] = [
            DeclaredField {
                name: "hp",
                docs: " Health. ",
                optional: false,
                shape: TypeShape::Json {
                    rust: "u32",
                    schema: |g| Some(g.subschema_for::<u32>()),
                },
            },
            DeclaredField {
                name: "note",
                docs: "",
                optional: true,
                shape: TypeShape::Json {
                    rust: "Opaque",
                    schema: |_| None,
                },
            },
        ];
        static VARIANTS: [DeclaredVariant; 3] = [
            DeclaredVariant {
                op: 1,
                name: "Joined",
                docs: "Someone joined.",
                data: VariantData::Value(TypeShape::Json {
                    rust: "Member",
                    schema: |g| Some(g.subschema_for::<Member>()),
                }),
            },
            DeclaredVariant {
                op: 7,
                name: "Hurt",
                docs: "",
                data: VariantData::Fields(&FIELDS),
            },
            DeclaredVariant {
                op: 9,
                name: "Closing",
                docs: "",
                data: VariantData::None,
            },
        ];
        let m = DeclaredMessage {
            name: "Events",
            docs: "What the match sends.",
            variants: &VARIANTS,
        };
        let api = ClientApi::from_declared(&[], &[&m]);
        let doc: Value = serde_json::from_str(&api.json_schema()).unwrap();
        let events = &doc["match_messages"]["Events"];
        assert_eq!(events["description"], "What the match sends.");
        assert_eq!(events["messages"]["Joined"]["op_code"], 1);
        assert_eq!(
            events["messages"]["Joined"]["data"]["$ref"],
            "#/$defs/Member"
        );
        let hurt = &events["messages"]["Hurt"]["data"];
        assert_eq!(hurt["required"], json!(["hp"]));
        assert_eq!(hurt["properties"]["hp"]["description"], "Health.");
        assert_eq!(
            hurt["properties"]["note"]["$comment"],
            "Opaque does not derive schemars::JsonSchema"
        );
        assert!(events["messages"]["Closing"].get("data").is_none());

        let ts = api.typescript();
        for line in [
            "export type Events =",
            "  /** Someone joined. */\n  | { op: \"Joined\"; data: Member }",
            "  | { op: \"Closing\" };",
            "  Hurt: 7,",
            "    case 7:\n      return { op: \"Hurt\", data: JSON.parse(new TextDecoder().decode(data)) };",
            "    case 9:\n      return { op: \"Closing\" };",
            "export function encodeEvents(message: Events): { opCode: number; data: string } {",
        ] {
            assert!(ts.contains(line), "{line}\nnot in\n{ts}");
        }
        assert!(
            ts.contains("hp: number;") && ts.contains("note?: unknown;"),
            "{ts}"
        );
    }

    #[test]
    fn protobuf_messages_are_bytes_of_a_media_type_and_uint8arrays() {
        static VARIANTS: [DeclaredVariant; 2] = [
            DeclaredVariant {
                op: 1,
                name: "Move",
                docs: "",
                data: VariantData::Value(TypeShape::Protobuf {
                    message: "pb::Move",
                }),
            },
            DeclaredVariant {
                op: 2,
                name: "Say",
                docs: "",
                data: VariantData::Value(TypeShape::Json {
                    rust: "String",
                    schema: |g| Some(g.subschema_for::<String>()),
                }),
            },
        ];
        let m = DeclaredMessage {
            name: "Input",
            docs: "",
            variants: &VARIANTS,
        };
        let declared = [rpc(
            "snapshot",
            TypeShape::Empty,
            TypeShape::Protobuf {
                message: "pb::Snapshot",
            },
        )];
        let api = ClientApi::from_declared(&declared.iter().collect::<Vec<_>>(), &[&m]);
        let doc: Value = serde_json::from_str(&api.json_schema()).unwrap();
        let bytes_of = |message: &str| {
            json!({
                "contentMediaType": "application/x-protobuf",
                "description": format!("The bytes of the protobuf message {message}."),
            })
        };
        assert_eq!(
            doc["rpcs"]["snapshot"]["response"],
            bytes_of("pb::Snapshot")
        );
        assert_eq!(
            doc["match_messages"]["Input"]["messages"]["Move"]["data"],
            bytes_of("pb::Move")
        );

        let ts = api.typescript();
        for line in [
            "  | { op: \"Move\"; data: Uint8Array }",
            "  | { op: \"Say\"; data: string };",
            "export function encodeInput(message: Input): { opCode: number; data: string | Uint8Array } {",
            "data: !(\"data\" in message) ? \"\" : message.data instanceof Uint8Array ? message.data : JSON.stringify(message.data) };",
            "    case 1:\n      return { op: \"Move\", data };",
            "    case 2:\n      return { op: \"Say\", data: JSON.parse(new TextDecoder().decode(data)) };",
            "// snapshot: its payload or result is the protobuf message pb::Snapshot, which nakama-js's `rpc` (JSON text) cannot carry",
        ] {
            assert!(ts.contains(line), "{line}\nnot in\n{ts}");
        }
        assert!(!ts.contains("function snapshot("), "{ts}");
    }

    #[test]
    fn the_schema_document_lists_rpcs_and_notes_what_it_cannot_describe() {
        let declared = [
            rpc(
                "opaque",
                TypeShape::Json {
                    rust: "Opaque",
                    schema: |_| None,
                },
                TypeShape::Raw,
            ),
            rpc("member", json::<Member>("Member"), TypeShape::Empty),
        ];
        let mut member = rpc("member", json::<Member>("Member"), TypeShape::Empty);
        member.error_type = "MemberError";
        member.errors = || {
            Some(&[
                (Code::NotFound, "no member {0}"),
                (Code::InvalidArgument, "bad"),
            ])
        };
        let declared = [declared[0], member];
        let api = ClientApi::from_declared(&declared.iter().collect::<Vec<_>>(), &[]);
        let doc: Value = serde_json::from_str(&api.json_schema()).unwrap();
        assert_eq!(doc["rpcs"]["member"]["request"]["$ref"], "#/$defs/Member");
        assert_eq!(doc["rpcs"]["member"]["error_type"], "MemberError");
        assert_eq!(
            doc["rpcs"]["member"]["errors"],
            json!([
                {"code": 3, "name": "INVALID_ARGUMENT", "http_status": 400, "message": "bad"},
                {"code": 5, "name": "NOT_FOUND", "http_status": 404, "message": "no member {0}"},
            ])
        );
        assert!(doc["rpcs"]["opaque"].get("errors").is_none());
        let ts = api.typescript();
        assert!(
            ts.contains(" * Does things.\n *\n * Errors of MemberError (besides the host's own, such as a payload that does not decode):\n * - 3 INVALID_ARGUMENT: bad\n * - 5 NOT_FOUND: no member {0}\n */\nexport async function member("),
            "{ts}"
        );
        assert_eq!(doc["rpcs"]["member"]["description"], "Does things.");
        assert!(doc["rpcs"]["member"].get("response").is_none());
        assert_eq!(
            doc["rpcs"]["opaque"]["request"]["$comment"],
            "Opaque does not derive schemars::JsonSchema"
        );
        assert_eq!(
            doc["rpcs"]["opaque"]["response"]["$comment"],
            "raw payload: any bytes"
        );
        assert_eq!(doc["$defs"]["Member"]["required"], json!(["id"]));
    }
}
