/* The C ABI of the nakama-bridge static library (bridge/rust/src/lib.rs).
 * Written by hand; keep it in step with lib.rs. */
#ifndef NAKAMA_BRIDGE_H
#define NAKAMA_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/* A buffer allocated by Rust; give it back with nb_free. */
typedef struct nb_buf {
  uint8_t *ptr;
  size_t len;
  size_t cap;
} nb_buf;

/* Where nb_call leaves an answer too long for its dst buffer: the
 * address of an nb_buf's bytes (0: the answer is in dst, len bytes), its
 * length and capacity. Integers, not a pointer: Go's cgo pointer check
 * then does not run on every call. */
typedef struct nb_out {
  uint64_t addr;
  uint64_t len;
  uint64_t cap;
  uint64_t call; /* NB_NK: the suspended call, for nb_resume */
} nb_out;

/* Where an nk callback leaves its answer (opaque). */
typedef struct nb_sink nb_sink;

/* Token 0 in a callback means "the init call". */
typedef void (*nb_log_fn)(uint64_t token, uint8_t level,
                          const uint8_t *caller, size_t caller_len,
                          const uint8_t *msg, size_t msg_len,
                          const uint8_t *fields, size_t fields_len);
/* Must call nb_answer(sink, ...) before returning. */
typedef void (*nb_nk_fn)(uint64_t token, nb_sink *sink,
                         const uint8_t *function, size_t function_len,
                         const uint8_t *args, size_t args_len);

/* ABI 1.1 modules: the call's headers and query params as
 * {"headers":{..},"query_params":{..}}; must call nb_answer(sink, 0, ...)
 * before returning. */
typedef void (*nb_maps_fn)(uint64_t token, nb_sink *sink);

/* ABI 1.2 modules: the call's context in the wire form nb_call takes
 * (headers and query params included), for a call given an empty one;
 * must call nb_answer(sink, 0, ...) before returning. */
typedef void (*nb_ctx_fn)(uint64_t token, nb_sink *sink);

#define NB_OK 0
#define NB_NOT_FOUND (-1)
#define NB_NK (-2)
#define NB_REFUSED 1

#define NB_RPC 1
#define NB_BEFORE 2
#define NB_AFTER 3
#define NB_MATCH 4 /* ABI 1.4: input a MatchCall, output a MatchAnswer (JSON) */
#define NB_MATCHMAKER 5 /* ABI 1.5: the matchmaker matched hook: input the
                          * matched entries (a JSON array), output a match
                          * id, or empty (no match) */
#define NB_BEFORE_RT 6 /* ABI 1.6: a hook before a realtime message: input
                        * the message, output the message to go on with,
                        * or empty (refused) */
#define NB_AFTER_RT 7 /* ABI 1.6: a hook after a realtime message: input
                       * {"out":..,"in":..}, output empty */
#define NB_EVENT 8 /* ABI 1.7: an event handler: input the event (JSON),
                    * output empty */
#define NB_EVENT_SESSION_START 9 /* ABI 1.7: a session start event handler */
#define NB_EVENT_SESSION_END 10  /* ABI 1.7: a session end event handler */
#define NB_TOURNAMENT_END 11 /* ABI 1.7: input {"tournament":..,"end":..,"reset":..},
                              * output empty */
#define NB_TOURNAMENT_RESET 12  /* ABI 1.7: as NB_TOURNAMENT_END */
#define NB_LEADERBOARD_RESET 13 /* ABI 1.7: input {"leaderboard":..,"reset":..} */
#define NB_HTTP 14 /* ABI 1.8: a custom HTTP handler, id "METHODS PATTERN": input
                    * u32 LE head length, head JSON, body; output the same */
#define NB_SHUTDOWN 15 /* ABI 1.8: the shutdown hook: input and output empty */
#define NB_STORAGE_INDEX 16 /* ABI 1.9: a storage index ({"index":{..}}, never
                             * called) or its filter ({"filter":"name"}):
                             * input a storage write's JSON, output true/false */
#define NB_MATCHMAKER_OVERRIDE 17 /* ABI 1.9: input the candidate groups (a JSON
                                   * array of arrays of entries), output the
                                   * groups to form, the same way */
#define NB_MATCHMAKER_PROCESSOR 18 /* ABI 1.9: input every entry (a JSON
                                    * array), output the groups to form */
#define NB_CONSOLE_HTTP 19 /* ABI 1.10: a custom HTTP handler on the console's
                            * port, as NB_HTTP */
#define NB_FLEET_MANAGER 20 /* ABI 1.12: a fleet manager function, id its name
                             * (get, list, create, join, update, delete):
                             * input and output JSON. Its context is the
                             * asker's: the wire starts with one more text
                             * field, the execution mode, and is never empty
                             * (context_on_demand is false) */
#define NB_PURCHASE_NOTIFICATION_APPLE 21 /* ABI 1.13: input {"notification_type":..,
                                           * "purchase":..,"payload":..},
                                           * output empty */
#define NB_SUBSCRIPTION_NOTIFICATION_APPLE 22 /* ABI 1.13: input
                                               * {"notification_type":..,
                                               * "subscription":..,"payload":..} */
#define NB_PURCHASE_NOTIFICATION_GOOGLE 23     /* ABI 1.13: as NB_PURCHASE_NOTIFICATION_APPLE */
#define NB_SUBSCRIPTION_NOTIFICATION_GOOGLE 24 /* ABI 1.13: as
                                                * NB_SUBSCRIPTION_NOTIFICATION_APPLE */

/* Loads the *.rsmod files of `path` and runs their init. NB_OK: *out holds
 * the report JSON {"modules":[..],"skipped":[..],"registrations":[{module,
 * kind,id,index,function,maps_on_demand,context_on_demand}]}; NB_REFUSED: *out
 * holds the reason (text). maps_on_demand: leave headers and query params
 * out of the call's context; the module asks through `maps` if it reads
 * them. context_on_demand: the call's context may be empty (ctx_len 0);
 * the module asks through `context` if it reads it. */
int32_t nb_init(const uint8_t *path, size_t path_len,
                const uint8_t *ctx_json, size_t ctx_len,
                nb_log_fn log, nb_nk_fn nk, nb_maps_fn maps, nb_ctx_fn context,
                uint64_t timeout_ms, nb_buf *out);

/* Calls the handler a registration's index names, with the kind of that
 * registration (RPC / before hook / after hook / match handler /
 * matchmaker matched hook), and the call's context in the
 * bridge's wire form (bridge/rust/src/wire.rs: eleven length-prefixed
 * fields; empty: on demand, see nb_init). NB_OK: the answer is the output;
 * NB_NOT_FOUND: no such index; 1..16: gRPC code, the answer is the
 * message. An answer of at most dst_cap bytes is copied into dst and *out is
 * {0, length, 0}; a longer one is the nb_buf {addr, len, cap} (give it back
 * with nb_free). */
int32_t nb_call(uint8_t kind, uint32_t index,
                const uint8_t *ctx, size_t ctx_len,
                const uint8_t *input, size_t input_len, uint64_t token,
                uint8_t suspendable, uint8_t *dst, size_t dst_cap,
                nb_out *out);

/* suspendable 0: the call runs to its answer, its nk calls calling the nk
 * callback (nothing allocated: for handlers that make no nk call);
 * otherwise an nk call suspends it:
 * NB_NK from nb_call or nb_resume: the call is suspended on an nk request,
 * which is the answer (u32 little-endian length, function name, JSON
 * arguments); out->call is the call. Run the nk function, then give its
 * answer here: code 0 with the result JSON, else a gRPC code and the
 * message. Answers as nb_call. A suspended call keeps its own copy of
 * what nb_call was given (ctx, input). */
int32_t nb_resume(uint64_t call, uint32_t code, const uint8_t *result,
                  size_t result_len, uint8_t *dst, size_t dst_cap,
                  nb_out *out);

/* Drops a suspended call instead of resuming it. */
void nb_abandon(uint64_t call);

/* Answers an nk callback: code 0 with the result JSON, else a gRPC code
 * with the error message. */
void nb_answer(nb_sink *sink, uint32_t code, const uint8_t *ptr, size_t len);

void nb_free(nb_buf buf);

#endif
