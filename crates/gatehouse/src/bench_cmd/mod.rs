//! `gatehouse bench …`: a load generator for any S3 or STS endpoint. It signs its own requests
//! with the AWS SDK's `SigV4` signer (`aws-sigv4`), keeps one HTTP/1.1 keep-alive connection per
//! worker (hyper-util's pooled client, `TCP_NODELAY`), and measures requests per second and
//! latency percentiles. Every run is bounded in time and in request count and stops by
//! itself; it talks only to the endpoint it is given.

mod s3;
mod stats;
mod sts;

use std::fmt::Write as _;
use std::future::Future;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use clap::{Args, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use stats::{Outcome, Recorder, Summary};

/// The longest a single request may take before it counts as a `timeout` failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The measuring time when neither `--duration` nor `--requests` is given.
const DEFAULT_DURATION_SECS: f64 = 10.0;
/// The time limit of a run bounded only by `--requests`.
const REQUESTS_ONLY_TIME_LIMIT_SECS: f64 = 300.0;
/// The longest `--duration` accepted.
const MAX_DURATION_SECS: f64 = 3600.0;

/// The bench subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// PUT objects of a fixed size and GET them back against any S3 endpoint (path-style).
    S3(s3::S3Args),
    /// Call STS `AssumeRole` as fast as the endpoint answers.
    AssumeRole(sts::AssumeRoleArgs),
}

/// Options every benchmark takes.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The endpoint, `http://HOST[:PORT]` (for Gatehouse: `http://127.0.0.1:4283`).
    #[arg(long)]
    endpoint: String,
    /// Requests in flight at once (each worker keeps one keep-alive connection).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    concurrency: u32,
    /// Seconds to measure each operation [default: 10, or 300 as a limit with --requests;
    /// at most 3600].
    #[arg(long)]
    duration: Option<f64>,
    /// Stop each operation after this many requests (whichever of this and the duration
    /// comes first).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    requests: Option<u64>,
    /// The region to sign for.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Worker threads of the load generator [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Print one JSON document with every result instead of the human summary.
    #[arg(long)]
    json: bool,
}

/// Credentials: the flags, else `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN` from the environment.
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// The access key id [default: `AWS_ACCESS_KEY_ID` from the environment].
    #[arg(long)]
    access_key_id: Option<String>,
    /// The secret access key [default: `AWS_SECRET_ACCESS_KEY` from the environment]; prefer the environment, a flag
    /// shows in the process list.
    #[arg(long)]
    secret_access_key: Option<String>,
    /// The session token of temporary credentials [default: `AWS_SESSION_TOKEN` from the environment when the keys
    /// come from the environment].
    #[arg(long)]
    session_token: Option<String>,
}

impl CredentialArgs {
    /// The credentials to sign with. Keys given as flags are used as a pair with
    /// `--session-token` only; otherwise all three come from the environment.
    fn resolve(&self) -> Result<Credentials, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let from_flags = self.access_key_id.is_some() || self.secret_access_key.is_some();
        let (id, secret, token) = if from_flags {
            (
                self.access_key_id.clone(),
                self.secret_access_key.clone(),
                self.session_token.clone(),
            )
        } else {
            (
                env("AWS_ACCESS_KEY_ID"),
                env("AWS_SECRET_ACCESS_KEY"),
                self.session_token
                    .clone()
                    .or_else(|| env("AWS_SESSION_TOKEN")),
            )
        };
        match (id, secret) {
            (Some(id), Some(secret)) => Ok(Credentials::new(id, secret, token, None, "bench")),
            _ => Err(
                "no credentials: give --access-key-id and --secret-access-key, or set \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    .to_owned(),
            ),
        }
    }
}

/// How long and how many requests each measured operation runs.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    duration: Duration,
    requests: u64,
}

impl LoadArgs {
    fn bounds(&self) -> Result<Bounds, String> {
        let secs = match (self.duration, self.requests) {
            (Some(d), _) => d,
            (None, Some(_)) => REQUESTS_ONLY_TIME_LIMIT_SECS,
            (None, None) => DEFAULT_DURATION_SECS,
        };
        if !(secs > 0.0 && secs <= MAX_DURATION_SECS) {
            return Err(format!(
                "--duration must be more than 0 and at most {MAX_DURATION_SECS} seconds"
            ));
        }
        Ok(Bounds {
            duration: Duration::from_secs_f64(secs),
            requests: self.requests.unwrap_or(u64::MAX),
        })
    }

    /// The endpoint as `http://authority`, without a trailing slash.
    fn base_url(&self) -> Result<String, String> {
        let uri: http::Uri = self
            .endpoint
            .parse()
            .map_err(|e| format!("--endpoint {}: {e}", self.endpoint))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "--endpoint {}: only http:// endpoints are supported",
                self.endpoint
            ));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| format!("--endpoint {}: no host", self.endpoint))?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "--endpoint {}: give the server's root, without a path",
                self.endpoint
            ));
        }
        Ok(format!("http://{authority}"))
    }

    fn runtime(&self) -> Result<tokio::runtime::Runtime, String> {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(n) = self.threads {
            builder.worker_threads(usize::from(n));
        }
        builder.enable_all().build().map_err(|e| e.to_string())
    }
}

/// Runs a bench subcommand.
pub fn run(cmd: BenchCommand) -> ExitCode {
    let result = match cmd {
        BenchCommand::S3(args) => s3::run(&args),
        BenchCommand::AssumeRole(args) => sts::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where results go: the human summary as each operation finishes, or one JSON document at
/// the end.
struct Report {
    json: bool,
    header: serde_json::Map<String, serde_json::Value>,
    results: Vec<Summary>,
}

impl Report {
    fn new(json: bool, title: &str, header: serde_json::Value) -> Self {
        let header = match header {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        if !json {
            let mut line = title.to_owned();
            for (k, v) in &header {
                match v {
                    serde_json::Value::String(s) => {
                        let _ = write!(line, "  {k}={s}");
                    }
                    other => {
                        let _ = write!(line, "  {k}={other}");
                    }
                }
            }
            println!("{line}");
        }
        Self {
            json,
            header,
            results: Vec::new(),
        }
    }

    /// A progress note (human mode only).
    fn note(&self, text: &str) {
        if !self.json {
            println!("  .. {text}");
            let _ = std::io::stdout().flush();
        }
    }

    fn add(&mut self, heading: &str, summary: Summary) {
        if !self.json {
            print!("{}", summary.render(heading));
            let _ = std::io::stdout().flush();
        }
        self.results.push(summary);
    }

    fn finish(self) -> Result<(), String> {
        if self.json {
            let mut doc = self.header;
            doc.insert(
                "results".into(),
                serde_json::to_value(&self.results).map_err(|e| e.to_string())?,
            );
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            );
        }
        Ok(())
    }
}

/// One answer: the status and the whole body (read to the end so the connection is reused).
struct Answer {
    status: u16,
    body: Bytes,
}

/// The HTTP/1.1 client: pooled keep-alive connections, `TCP_NODELAY`, a per-request timeout.
#[derive(Clone)]
struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Http {
    fn new(concurrency: u32) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(10)));
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(usize::try_from(concurrency).unwrap_or(usize::MAX))
            .pool_idle_timeout(Duration::from_mins(1))
            .build(connector);
        Self { client }
    }

    /// Sends `req` and reads the whole answer; `Err` names the failure kind.
    async fn send(&self, req: http::Request<Full<Bytes>>) -> Result<Answer, &'static str> {
        let exchange = async {
            let resp = self.client.request(req).await.map_err(|_| "transport")?;
            let status = resp.status().as_u16();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|_| "transport")?
                .to_bytes();
            Ok(Answer { status, body })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .unwrap_or(Err("timeout"))
    }
}

/// Signs requests for one service with one set of credentials.
struct Signer {
    identity: Identity,
    region: String,
    service: &'static str,
    settings: SigningSettings,
}

impl Signer {
    /// A signer for `service` (`s3` adds `x-amz-content-sha256` and signs the path as S3 does).
    fn new(credentials: Credentials, region: &str, service: &'static str) -> Self {
        let mut settings = SigningSettings::default();
        if service == "s3" {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        Self {
            identity: credentials.into(),
            region: region.to_owned(),
            service,
            settings,
        }
    }

    /// Adds the `SigV4` headers to `req` (its URI must be absolute), signing now.
    fn sign(
        &self,
        req: &mut http::Request<Full<Bytes>>,
        body: SignableBody<'_>,
    ) -> Result<(), String> {
        let params = SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(self.service)
            .time(SystemTime::now())
            .settings(self.settings.clone())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let uri = req.uri().to_string();
        let headers: Vec<(&str, &str)> = req
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
            .collect();
        let signable = SignableRequest::new(
            req.method().as_str(),
            uri.as_str(),
            headers.into_iter(),
            body,
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        instructions.apply_to_request_http1x(req);
        Ok(())
    }
}

/// One kind of request to measure; `call(n)` sends the `n`-th request of a run.
trait Workload: Send + Sync + 'static {
    /// Sends request number `n` and says how it ended.
    fn call(&self, n: u64) -> impl Future<Output = Outcome> + Send;
}

/// Runs `concurrency` workers that call `workload` until `bounds` are reached, and summarizes
/// the run as operation `op`.
async fn measure<W: Workload>(
    workload: Arc<W>,
    op: &str,
    concurrency: u32,
    bounds: Bounds,
) -> Summary {
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + bounds.duration;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let workload = workload.clone();
        let issued = issued.clone();
        workers.spawn(async move {
            let mut recorder = Recorder::default();
            while Instant::now() < deadline {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= bounds.requests {
                    break;
                }
                let sent = Instant::now();
                let outcome = workload.call(n).await;
                recorder.record(outcome, sent.elapsed());
            }
            recorder
        });
    }
    let mut all = Recorder::default();
    while let Some(done) = workers.join_next().await {
        match done {
            Ok(recorder) => all.merge(recorder),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    all.summarize(op, start.elapsed())
}

/// The start of a body, for error messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(600) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}
