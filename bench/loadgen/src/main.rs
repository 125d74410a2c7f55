//! A/B load generator for the benchmarks (`bench/bridge.sh`, `bench/run.sh`).
//!
//! It keeps a fixed number of HTTP/1.1 keep-alive connections busy, each
//! with one request in flight, and switches all of them between two
//! targets every time slot, in the order A B B A A B B A ... This machine's
//! speed drifts by up to 2× over seconds to minutes: separate runs against
//! each target (wrk) measured the drift as much as the targets, while
//! neighbouring slots of a fraction of a second see the same machine. A
//! request counts for the slot it was sent in; the report gives each
//! target's rate over its slots, its latency percentiles, and the B / A
//! ratios of each pair of neighbouring slots (rate, and p99 latency), with
//! their medians. A p99 over the whole run is mostly made of the few
//! stalls (GC cycles, the VM's) that happened to fall in one target's
//! slots; the median of the pairs' p99 ratios compares the two under the
//! same conditions.
//!
//! By default each connection sends its next request as soon as the last
//! one is answered (the server's saturation rate). With `--rate`, requests
//! are sent on a fixed schedule instead (open loop), and a latency counts
//! from when its request was due, so that a stalled server is not hidden
//! by the requests it kept from being sent: the way to compare latency at
//! the same offered load. (At saturation, latency is mostly queueing and
//! follows the rate.)
//!
//! With `--relay`, a connection is instead a pair of WebSocket sessions in
//! a relayed match of their own, per target, and a request is a round
//! trip of match data between the two (`relay`). With `--authoritative`,
//! it is a session in an authoritative match of its own, per target, and
//! a request is a round trip of match data through the match's handler
//! (`authoritative`).
//!
//! With `--cpu-pid`, the CPU time that process spends in each slot is
//! read too (the sum of its threads' `schedstat`), and the report gives
//! each target's CPU time per request: the cost a server pays per
//! request when the rate does not tell (an authoritative match answers at
//! its next tick, whatever the server's speed).

mod authoritative;
mod relay;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

#[derive(Parser)]
#[command(about = "Load two URLs in alternating time slots and compare their rates")]
struct Args {
    /// Target A, the reference (http://host:port/path?query).
    #[arg(long)]
    a: String,
    /// Target B, the one compared with A.
    #[arg(long)]
    b: String,
    /// Body POSTed to both, as text/plain.
    #[arg(long, default_value = "hello")]
    body: String,
    /// Connections, each with one request in flight.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds (rounded up to whole groups of four slots).
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// Seconds of load before measuring, slots alternating as measured.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Slot length in milliseconds.
    #[arg(long, default_value_t = 250)]
    slot_ms: u64,
    /// Total requests per second on a fixed schedule (open loop); 0: as
    /// fast as the server answers.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// Relayed match data over WebSockets instead of HTTP requests: --a
    /// and --b name servers (http://host:port), each connection is a pair
    /// of sessions in a relayed match of their own, and a request is a
    /// round trip of match data between the two (--body is not sent).
    #[arg(long, conflicts_with = "authoritative")]
    relay: bool,
    /// Match data through authoritative matches over WebSockets: --a and
    /// --b are URLs of RPCs that create matches and answer their ids (the
    /// benchmark modules' `*tick_matches`, with the HTTP key), POSTed
    /// --body (e.g. {"count":1,"tick_rate":20,"ticks":2000}: the matches
    /// must outlive the run); each connection is a session in a match of
    /// its own per target, and a request is a round trip of match data
    /// through the match's handler.
    #[arg(long)]
    authoritative: bool,
    /// Also read this process's CPU time in each slot (a server on this
    /// machine) and report each target's CPU time per request.
    #[arg(long)]
    cpu_pid: Option<u32>,
    /// The server key the WebSocket loads' accounts authenticate with.
    #[arg(long, default_value = "defaultkey")]
    server_key: String,
}

/// A target: where to connect and what to send.
pub(crate) struct Target {
    pub(crate) addr: SocketAddr,
    pub(crate) host: String,
    pub(crate) path: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, String> {
        let uri: Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("{url}: only http:// URLs are supported"));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| format!("{url}: no host"))?
            .clone();
        let port = authority.port_u16().unwrap_or(80);
        let addr = std::net::ToSocketAddrs::to_socket_addrs(&(authority.host(), port))
            .map_err(|e| format!("{url}: {e}"))?
            .next()
            .ok_or_else(|| format!("{url}: the host resolves to no address"))?;
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        Ok(Target {
            addr,
            host: authority.to_string(),
            path,
        })
    }
}

/// The run's shape, shared by the connections.
struct Plan {
    targets: [Target; 2],
    body: Bytes,
    start: Instant,
    slot: Duration,
    /// Slots before this one are warm-up.
    first: u64,
    /// Slots from this one on are not sent in.
    end: u64,
    /// Open loop: each connection sends one request per this interval.
    interval: Option<Duration>,
    /// The WebSocket loads' server key.
    server_key: String,
}

impl Plan {
    fn slot_at(&self, t: Instant) -> u64 {
        (t.duration_since(self.start).as_nanos() / self.slot.as_nanos()) as u64
    }
}

/// Which target slot `s` loads: A B B A, repeated.
fn target_of(s: u64) -> usize {
    ((s ^ (s >> 1)) & 1) as usize
}

/// The A and B slots of neighbouring pair `k` of the measured slots
/// (whose indices, counted from the first measured one, a multiple of
/// four, follow the same pattern).
fn slot_pair(k: usize) -> (usize, usize) {
    if target_of(2 * k as u64) == 0 {
        (2 * k, 2 * k + 1)
    } else {
        (2 * k + 1, 2 * k)
    }
}

/// What one connection saw in the measured slots.
#[derive(Default)]
struct Seen {
    /// The latencies (microseconds) of the requests answered, per measured
    /// slot (the slot's target follows from its index, see `target_of`).
    per_slot: Vec<Vec<u32>>,
    /// Non-2xx answers and transport errors, per target.
    errors: [u64; 2],
    /// The first error met, to show.
    first_error: Option<String>,
}

impl Seen {
    fn error(&mut self, target: usize, what: String) {
        self.errors[target] += 1;
        self.first_error.get_or_insert(what);
    }
}

pub(crate) async fn connect(target: &Target) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(target.addr)
        .await
        .map_err(|e| format!("connect {}: {e}", target.addr))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake {}: {e}", target.addr))?;
    tokio::spawn(conn);
    Ok(send)
}

/// What one connection of the run sends its requests on, per target:
/// HTTP connections (one when both targets are on one server), or a
/// relay load's pairs.
enum Conns {
    Http([Option<SendRequest<Full<Bytes>>>; 2]),
    Relay(Box<[Option<relay::Pair>; 2]>),
    Authoritative(Box<[Option<authoritative::Player>; 2]>),
}

/// Why a request did not count.
enum Failed {
    /// No connection to send it on (retried after a pause).
    Connect(String),
    /// It was sent and failed.
    Answer(String),
}

impl Conns {
    /// One request to target `which`, on a connection opened if need be.
    async fn request(&mut self, plan: &Plan, which: usize) -> Result<(), Failed> {
        let target = &plan.targets[which];
        match self {
            Conns::Http(conns) => {
                // Targets on one server share a connection.
                let ix = if plan.targets[0].addr == plan.targets[1].addr {
                    0
                } else {
                    which
                };
                let conn = match &mut conns[ix] {
                    Some(c) if !c.is_closed() => c,
                    slot => slot.insert(connect(target).await.map_err(Failed::Connect)?),
                };
                let request = Request::post(target.path.as_str())
                    .header(header::HOST, target.host.as_str())
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Full::new(plan.body.clone()))
                    .expect("a valid request");
                let response = conn.send_request(request).await.map_err(|e| {
                    conns[ix] = None;
                    Failed::Answer(format!("{}: {e}", target.path))
                })?;
                let status = response.status();
                match response.into_body().collect().await {
                    Ok(_) if status.is_success() => Ok(()),
                    Ok(_) => Err(format!("{}: status {status}", target.path)),
                    Err(e) => Err(format!("{}: {e}", target.path)),
                }
                .map_err(Failed::Answer)
            }
            Conns::Relay(pairs) => {
                let pair = match &mut pairs[which] {
                    Some(p) => p,
                    slot => slot.insert(
                        relay::Pair::open(target, &plan.server_key)
                            .await
                            .map_err(Failed::Connect)?,
                    ),
                };
                pair.round_trip().await.map_err(|e| {
                    pairs[which] = None;
                    Failed::Answer(e)
                })
            }
            Conns::Authoritative(players) => {
                let player = match &mut players[which] {
                    Some(p) => p,
                    slot => slot.insert(
                        authoritative::Player::open(target, &plan.server_key, &plan.body)
                            .await
                            .map_err(Failed::Connect)?,
                    ),
                };
                player.round_trip().await.map_err(|e| {
                    players[which] = None;
                    Failed::Answer(e)
                })
            }
        }
    }
}

/// Sends one request after another until the last slot, each to the
/// target of the slot it is sent in.
async fn connection(plan: Arc<Plan>, mut conns: Conns) -> Seen {
    let measured = (plan.end - plan.first) as usize;
    let mut seen = Seen {
        per_slot: vec![Vec::new(); measured],
        ..Seen::default()
    };
    // Open loop: connections start spread over one interval.
    let mut due = plan.interval.map(|i| plan.start + i.mul_f64(spread()));
    loop {
        if let (Some(at), Some(interval)) = (due.as_mut(), plan.interval) {
            wait_until(*at).await;
            *at += interval;
        }
        // Latency counts from when the request was due (open loop).
        let sent = due
            .zip(plan.interval)
            .map_or_else(Instant::now, |(next, interval)| next - interval);
        let slot = plan.slot_at(sent);
        if slot >= plan.end {
            return seen;
        }
        let which = target_of(slot);
        let answer = match conns.request(&plan, which).await {
            Err(Failed::Connect(e)) => {
                seen.error(which, e);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            Err(Failed::Answer(e)) => Err(e),
            Ok(()) => Ok(()),
        };
        if slot < plan.first {
            continue;
        }
        match answer {
            Ok(()) => {
                let us = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
                seen.per_slot[(slot - plan.first) as usize].push(us);
            }
            Err(e) => seen.error(which, e),
        }
    }
}

/// Waits until `t`: tokio's timer ticks in milliseconds, too coarse for a
/// schedule of one request per few hundred microseconds, so the last
/// stretch yields until it is time (the load generator has its own CPU).
async fn wait_until(t: Instant) {
    if let Some(early) = t.checked_sub(Duration::from_millis(2)) {
        if Instant::now() < early {
            tokio::time::sleep_until(early.into()).await;
        }
    }
    while Instant::now() < t {
        tokio::task::yield_now().await;
    }
}

/// A fraction in [0, 1) that differs between the connections of a run
/// (where an open-loop connection starts within the interval).
fn spread() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // The golden ratio's fractional part spreads 0, 1, 2, ... evenly.
    (NEXT.fetch_add(1, Ordering::Relaxed) as f64 * 0.618_033_988_749_895).fract()
}

/// The CPU time (seconds) process `pid` spent in each measured slot: the
/// sum of its threads' time on CPU, read at each slot's start.
async fn cpu_per_slot(plan: Arc<Plan>, pid: u32) -> Result<Vec<f64>, String> {
    let mut at_starts = Vec::new();
    for k in plan.first..=plan.end {
        tokio::time::sleep_until((plan.start + plan.slot * k as u32).into()).await;
        at_starts.push(cpu_seconds(pid)?);
    }
    Ok(at_starts.windows(2).map(|w| w[1] - w[0]).collect())
}

/// A process's CPU time so far, in seconds: each thread's first
/// `schedstat` field (nanoseconds on CPU), which unlike `stat`'s clock
/// ticks is fine enough for a slot of a fraction of a second.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let dir = format!("/proc/{pid}/task");
    let tasks = std::fs::read_dir(&dir).map_err(|e| format!("--cpu-pid: {dir}: {e}"))?;
    let mut ns = 0u64;
    for task in tasks.flatten() {
        // A thread that ended since the listing counts for nothing.
        if let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) {
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        }
    }
    Ok(ns as f64 / 1e9)
}

/// The value below which `q` of the sorted values lie.
fn quantile<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    Some(sorted[i])
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    quantile(&v, 0.5).unwrap_or(f64::NAN)
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("loadgen: {e}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<(), String> {
    if args.slot_ms == 0 || args.connections == 0 {
        return Err("--slot-ms and --connections must be at least 1".into());
    }
    let slot = Duration::from_millis(args.slot_ms);
    let slots_in = |secs: f64| (secs.max(0.0) * 1000.0 / args.slot_ms as f64).ceil() as u64;
    let round4 = |n: u64| n.div_ceil(4) * 4;
    // Whole A B B A groups, so that each target gets as many slots, as
    // many of them first in their pair as second.
    let first = round4(slots_in(args.warmup));
    let measured = round4(slots_in(args.duration).max(4));
    let targets = [Target::parse(&args.a)?, Target::parse(&args.b)?];

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let seen = runtime.block_on(async {
        // The WebSocket loads' sessions are opened before the clock starts
        // (each is accounts, sockets and a match: not one request).
        let body = Bytes::from(args.body.clone());
        let mut conns = Vec::new();
        for _ in 0..args.connections {
            conns.push(if args.relay {
                let pair = |t| relay::Pair::open(t, &args.server_key);
                Conns::Relay(Box::new([
                    Some(pair(&targets[0]).await?),
                    Some(pair(&targets[1]).await?),
                ]))
            } else if args.authoritative {
                let player = |t| authoritative::Player::open(t, &args.server_key, &body);
                Conns::Authoritative(Box::new([
                    Some(player(&targets[0]).await?),
                    Some(player(&targets[1]).await?),
                ]))
            } else {
                Conns::Http([None, None])
            });
        }
        let plan = Arc::new(Plan {
            targets,
            body,
            start: Instant::now(),
            slot,
            first,
            end: first + measured,
            interval: (args.rate > 0.0)
                .then(|| Duration::from_secs_f64(args.connections as f64 / args.rate)),
            server_key: args.server_key.clone(),
        });
        let cpu = args
            .cpu_pid
            .map(|pid| tokio::spawn(cpu_per_slot(plan.clone(), pid)));
        let tasks: Vec<_> = (conns.into_iter())
            .map(|c| tokio::spawn(connection(plan.clone(), c)))
            .collect();
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.map_err(|e| e.to_string())?);
        }
        let cpu = match cpu {
            Some(task) => Some(task.await.map_err(|e| e.to_string())??),
            None => None,
        };
        Ok::<_, String>((seen, cpu))
    })?;
    let (seen, cpu) = seen;

    let mut report = Report::new(&seen, measured, slot);
    if let Some(cpu) = &cpu {
        report.add_cpu(cpu);
    }
    if args.json {
        println!("{}", report.json());
    } else {
        report.print();
    }
    if let Some(e) = seen.iter().find_map(|s| s.first_error.as_ref()) {
        eprintln!("loadgen: first error: {e}");
    }
    Ok(())
}

struct Side {
    /// CPU time of `--cpu-pid` per request, in microseconds.
    cpu_us: Option<f64>,
    requests: u64,
    errors: u64,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
}

struct Report {
    sides: [Side; 2],
    /// Requests per measured slot (each target's in its own slots).
    per_slot: Vec<u64>,
    /// B / A CPU time per request of each pair of neighbouring slots.
    pair_cpu_ratios: Vec<f64>,
    /// B / A rate of each pair of neighbouring slots.
    pair_ratios: Vec<f64>,
    /// B / A p99 latency of each pair of neighbouring slots.
    pair_p99_ratios: Vec<f64>,
}

impl Report {
    fn new(seen: &[Seen], measured: u64, slot: Duration) -> Report {
        // Every connection's latencies per slot, sorted.
        let mut per_slot: Vec<Vec<u32>> = vec![Vec::new(); measured as usize];
        for s in seen {
            for (all, lat) in per_slot.iter_mut().zip(&s.per_slot) {
                all.extend_from_slice(lat);
            }
        }
        for lat in &mut per_slot {
            lat.sort_unstable();
        }
        let side = |which: usize| {
            let mut lat: Vec<u32> = per_slot
                .iter()
                .enumerate()
                .filter(|(k, _)| target_of(*k as u64) == which)
                .flat_map(|(_, lat)| lat.iter().copied())
                .collect();
            lat.sort_unstable();
            let ms = |q| quantile(&lat, q).map_or(f64::NAN, |us| us as f64 / 1000.0);
            let requests = lat.len() as u64;
            Side {
                cpu_us: None,
                requests,
                errors: seen.iter().map(|s| s.errors[which]).sum(),
                // Each target has half of the measured slots.
                rate: requests as f64 / (slot.as_secs_f64() * measured as f64 / 2.0),
                p50_ms: ms(0.5),
                p99_ms: ms(0.99),
                p999_ms: ms(0.999),
            }
        };
        let pairs: Vec<(&[u32], &[u32])> = (0..per_slot.len() / 2)
            .map(|k| {
                let (a, b) = slot_pair(k);
                (&per_slot[a][..], &per_slot[b][..])
            })
            .collect();
        let pair_ratios = pairs
            .iter()
            .filter(|(a, _)| !a.is_empty())
            .map(|(a, b)| b.len() as f64 / a.len() as f64)
            .collect();
        let pair_p99_ratios = pairs
            .iter()
            .filter_map(|(a, b)| Some(quantile(b, 0.99)? as f64 / quantile(a, 0.99)?.max(1) as f64))
            .collect();
        Report {
            sides: [side(0), side(1)],
            per_slot: per_slot.iter().map(|l| l.len() as u64).collect(),
            pair_cpu_ratios: Vec::new(),
            pair_ratios,
            pair_p99_ratios,
        }
    }

    /// Each target's CPU time per request from the CPU time of each
    /// measured slot, and the B / A ratios of neighbouring slots.
    fn add_cpu(&mut self, cpu: &[f64]) {
        let per_request = |which: usize| {
            let (mut seconds, mut requests) = (0.0, 0);
            for (k, (c, n)) in cpu.iter().zip(&self.per_slot).enumerate() {
                if target_of(k as u64) == which {
                    seconds += c;
                    requests += n;
                }
            }
            1e6 * seconds / requests as f64
        };
        self.sides[0].cpu_us = Some(per_request(0));
        self.sides[1].cpu_us = Some(per_request(1));
        self.pair_cpu_ratios = (0..cpu.len().min(self.per_slot.len()) / 2)
            .filter_map(|k| {
                let (a, b) = slot_pair(k);
                let (na, nb) = (self.per_slot[a], self.per_slot[b]);
                (na > 0 && nb > 0).then(|| (cpu[b] / nb as f64) / (cpu[a] / na as f64))
            })
            .collect();
    }

    fn ratio(&self) -> f64 {
        self.sides[1].rate / self.sides[0].rate
    }

    /// B / A CPU time per request over the run.
    fn cpu_ratio(&self) -> Option<f64> {
        Some(self.sides[1].cpu_us? / self.sides[0].cpu_us?)
    }

    fn json(&self) -> String {
        let side = |s: &Side| {
            serde_json::json!({
                "requests": s.requests, "errors": s.errors, "rate": s.rate,
                "p50_ms": s.p50_ms, "p99_ms": s.p99_ms, "p999_ms": s.p999_ms,
                "cpu_us": s.cpu_us,
            })
        };
        serde_json::json!({
            "a": side(&self.sides[0]),
            "b": side(&self.sides[1]),
            "ratio": self.ratio(),
            "pair_median": median(&self.pair_ratios),
            "pair_ratios": self.pair_ratios,
            "pair_p99_median": median(&self.pair_p99_ratios),
            "cpu_ratio": self.cpu_ratio(),
            "pair_cpu_median": (!self.pair_cpu_ratios.is_empty()).then(|| median(&self.pair_cpu_ratios)),
        })
        .to_string()
    }

    fn print(&self) {
        println!(
            "{:6} {:>10} {:>10} {:>8} {:>8} {:>9} {:>7}",
            "target", "requests", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "errors"
        );
        for (name, s) in ["A", "B"].iter().zip(&self.sides) {
            println!(
                "{name:6} {:>10} {:>10.0} {:>8.2} {:>8.2} {:>9.2} {:>7}",
                s.requests, s.rate, s.p50_ms, s.p99_ms, s.p999_ms, s.errors
            );
        }
        let mut sorted = self.pair_ratios.clone();
        sorted.sort_by(f64::total_cmp);
        let pct = |q| quantile(&sorted, q).map_or(f64::NAN, |r| 100.0 * r);
        println!(
            "B / A: {:.1}% of the rate over the run; median of {} slot pairs {:.1}% \
             (quartiles {:.1}% to {:.1}%); p99 {:.1}% over the run, median of slot pairs {:.1}%",
            100.0 * self.ratio(),
            sorted.len(),
            pct(0.5),
            pct(0.25),
            pct(0.75),
            100.0 * self.sides[1].p99_ms / self.sides[0].p99_ms,
            100.0 * median(&self.pair_p99_ratios),
        );
        if let (Some(a), Some(b), Some(ratio)) =
            (self.sides[0].cpu_us, self.sides[1].cpu_us, self.cpu_ratio())
        {
            println!(
                "CPU per request: A {a:.1} us, B {b:.1} us; B / A {:.1}% over the run, \
                 median of slot pairs {:.1}%",
                100.0 * ratio,
                100.0 * median(&self.pair_cpu_ratios),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_go_a_b_b_a() {
        let order: Vec<usize> = (0..8).map(target_of).collect();
        assert_eq!(order, [0, 1, 1, 0, 0, 1, 1, 0]);
    }

    #[test]
    fn quantiles_pick_from_sorted_values() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(quantile(&v, 0.5), Some(6));
        assert_eq!(quantile(&v, 0.99), Some(10));
        assert_eq!(quantile::<u32>(&[], 0.5), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn report_pairs_each_a_slot_with_its_b_neighbour() {
        // Slots A B B A: A answers 10 then 20, B 5 then 10; B's p99 is
        // twice A's in the first pair and the same in the second.
        let seen = Seen {
            per_slot: vec![vec![100; 10], vec![200; 5], vec![300; 10], vec![300; 20]],
            ..Seen::default()
        };
        let r = Report::new(&[seen], 4, Duration::from_millis(500));
        assert_eq!(r.pair_ratios, [0.5, 0.5]);
        assert_eq!(r.pair_p99_ratios, [2.0, 1.0]);
        assert_eq!(r.sides[0].rate, 30.0);
        assert_eq!(r.sides[1].rate, 15.0);
        assert_eq!(r.sides[0].p99_ms, 0.3);
        assert_eq!(r.sides[1].p99_ms, 0.3);
    }

    #[test]
    fn cpu_per_request_is_each_targets_cpu_over_its_requests() {
        // Slots A B B A: 10, 5, 10, 20 requests; 1, 1, 2, 3 ms of CPU.
        let seen = Seen {
            per_slot: vec![vec![100; 10], vec![200; 5], vec![300; 10], vec![300; 20]],
            ..Seen::default()
        };
        let mut r = Report::new(&[seen], 4, Duration::from_millis(500));
        r.add_cpu(&[0.001, 0.001, 0.002, 0.003]);
        // A: 4 ms over 30 requests; B: 3 ms over 15.
        let (a, b) = (r.sides[0].cpu_us.unwrap(), r.sides[1].cpu_us.unwrap());
        assert!((a - 4000.0 / 30.0).abs() < 1e-9, "{a}");
        assert!((b - 200.0).abs() < 1e-9, "{b}");
        // Pairs: (100 us, 200 us) and (150 us, 200 us) per request.
        let want = [2.0, 200.0 / 150.0];
        for (got, want) in r.pair_cpu_ratios.iter().zip(want) {
            assert!((got - want).abs() < 1e-9, "{:?}", r.pair_cpu_ratios);
        }
        assert_eq!(r.pair_cpu_ratios.len(), 2);
    }

    #[test]
    fn a_process_cpu_time_grows_as_it_works() {
        let pid = std::process::id();
        let before = cpu_seconds(pid).unwrap();
        let start = Instant::now();
        let mut x = 0u64;
        // Spins until 10 ms of CPU show (however busy the machine), or
        // gives up after 10 s.
        while cpu_seconds(pid).unwrap() - before < 0.01 && start.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no CPU time counted"
        );
        assert!(cpu_seconds(u32::MAX).is_err());
    }

    #[test]
    fn only_http_urls_are_taken() {
        assert!(Target::parse("https://127.0.0.1:1/x").is_err());
        let t = Target::parse("http://127.0.0.1:7450/v2/rpc/echo?unwrap").unwrap();
        assert_eq!(t.path, "/v2/rpc/echo?unwrap");
        assert_eq!(t.host, "127.0.0.1:7450");
    }
}
