//! `gatehouse bench s3`: PUT objects of a fixed size and GET them back, path-style
//! (`ENDPOINT/BUCKET/KEY`), signed (payload hash included) or anonymous.

use std::sync::Arc;

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use clap::{Args, ValueEnum};
use http_body_util::Full;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::stats::Outcome;
use super::{Answer, Bounds, CredentialArgs, Http, LoadArgs, Report, Signer, Workload, excerpt};

/// Which operations to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Op {
    /// Write the objects once (not measured), then GET them round-robin.
    Get,
    /// PUT (overwrite) the objects round-robin.
    Put,
    /// A PUT run, then a GET run (each for the whole duration).
    Both,
}

/// Options of `gatehouse bench s3`.
#[derive(Debug, Args)]
pub struct S3Args {
    #[command(flatten)]
    load: LoadArgs,
    /// The bucket (must exist; the benchmark writes only under --prefix).
    #[arg(long)]
    bucket: String,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// Send unsigned requests (for a bucket whose policy grants `"Principal": "*"`).
    #[arg(long, conflicts_with_all = ["access_key_id", "secret_access_key", "session_token"])]
    anonymous: bool,
    /// Object size in bytes (at most 64 MiB).
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(0..=64 * 1024 * 1024))]
    size: u32,
    /// What to measure.
    #[arg(long, value_enum, default_value = "both")]
    op: Op,
    /// How many distinct keys are written and read round-robin.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    keys: u32,
    /// The key prefix of the benchmark's objects (letters, digits and `-_./` only).
    #[arg(long, default_value = "gatehouse-bench/")]
    prefix: String,
    /// With `--op get`: do not write the objects first, read the ones an earlier run left
    /// (same `--prefix`, `--keys` and `--size`), e.g. in a read-only public bucket.
    #[arg(long)]
    existing: bool,
}

/// The operation one run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Put,
}

/// PUTs or GETs of the benchmark's objects.
struct S3Workload {
    http: Http,
    signer: Option<Arc<Signer>>,
    urls: Arc<[String]>,
    body: Bytes,
    body_sha256: String,
    method: Method,
}

impl S3Workload {
    fn request(&self, n: u64) -> Result<http::Request<Full<Bytes>>, String> {
        let len = self.urls.len() as u64;
        let url = &self.urls[usize::try_from(n % len).unwrap_or(0)];
        let (method, body) = match self.method {
            Method::Get => (http::Method::GET, Bytes::new()),
            Method::Put => (http::Method::PUT, self.body.clone()),
        };
        let mut req = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        if let Some(signer) = &self.signer {
            let hash = match self.method {
                Method::Get => SignableBody::Bytes(&[]),
                Method::Put => SignableBody::Precomputed(self.body_sha256.clone()),
            };
            signer.sign(&mut req, hash)?;
        }
        Ok(req)
    }

    /// Sends request `n` and returns the answer.
    async fn exchange(&self, n: u64) -> Result<Answer, String> {
        let req = self.request(n)?;
        self.http.send(req).await.map_err(str::to_owned)
    }

    fn judge(&self, answer: &Answer) -> Outcome {
        if !(200..300).contains(&answer.status) {
            return Outcome::Status(answer.status);
        }
        if self.method == Method::Get && answer.body.len() != self.body.len() {
            return Outcome::Failed("body-size");
        }
        Outcome::Ok
    }

    /// One request that must succeed, with the server's answer in the error otherwise.
    async fn probe(&self, n: u64) -> Result<(), String> {
        let verb = match self.method {
            Method::Get => "GET",
            Method::Put => "PUT",
        };
        let url = &self.urls[usize::try_from(n % self.urls.len() as u64).unwrap_or(0)];
        let answer = self
            .exchange(n)
            .await
            .map_err(|e| format!("{verb} {url}: {e}"))?;
        match self.judge(&answer) {
            Outcome::Ok => Ok(()),
            Outcome::Status(status) => Err(format!(
                "{verb} {url}: HTTP {status}: {}",
                excerpt(&answer.body)
            )),
            Outcome::Failed(kind) => Err(format!(
                "{verb} {url}: {kind} ({} bytes, expected {})",
                answer.body.len(),
                self.body.len()
            )),
        }
    }

    fn with_method(&self, method: Method) -> Self {
        Self {
            http: self.http.clone(),
            signer: self.signer.clone(),
            urls: self.urls.clone(),
            body: self.body.clone(),
            body_sha256: self.body_sha256.clone(),
            method,
        }
    }
}

impl Workload for S3Workload {
    async fn call(&self, n: u64) -> Outcome {
        match self.exchange(n).await {
            Ok(answer) => self.judge(&answer),
            Err(e) if e == "timeout" => Outcome::Failed("timeout"),
            Err(_) => Outcome::Failed("transport"),
        }
    }
}

/// Deterministic, incompressible-looking bytes (xorshift), so no layer can shortcut zeros.
fn payload(size: u32) -> Bytes {
    let size = usize::try_from(size).unwrap_or(0);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size);
    Bytes::from(out)
}

fn check_names(bucket: &str, prefix: &str) -> Result<(), String> {
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !bucket_ok {
        return Err(format!("--bucket {bucket}: not a valid bucket name"));
    }
    if prefix.starts_with('/')
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
    {
        return Err(format!(
            "--prefix {prefix}: use letters, digits and -_./ only, not starting with /"
        ));
    }
    Ok(())
}

/// Runs `gatehouse bench s3`.
pub fn run(args: &S3Args) -> Result<(), String> {
    let load = &args.load;
    let base = load.base_url()?;
    let bounds = load.bounds()?;
    check_names(&args.bucket, &args.prefix)?;
    if args.existing && args.op != Op::Get {
        return Err("--existing goes with --op get".to_owned());
    }
    let signer = if args.anonymous {
        None
    } else {
        let credentials = args.credentials.resolve()?;
        Some(Arc::new(Signer::new(credentials, &load.region, "s3")))
    };
    let urls: Arc<[String]> = (0..args.keys)
        .map(|i| format!("{base}/{}/{}obj-{i:06}", args.bucket, args.prefix))
        .collect();
    let body = payload(args.size);
    let body_sha256 = hex::encode(Sha256::digest(&body));
    let mut report = Report::new(
        load.json,
        "gatehouse bench s3",
        json!({
            "bench": "s3",
            "endpoint": base,
            "bucket": args.bucket,
            "signed": !args.anonymous,
            "concurrency": load.concurrency,
            "size": args.size,
            "keys": args.keys,
        }),
    );
    let runtime = load.runtime()?;
    runtime.block_on(async {
        let http = Http::new(load.concurrency);
        let put = S3Workload {
            http,
            signer,
            urls,
            body,
            body_sha256,
            method: Method::Put,
        };
        let target = format!("{base}/{}/{}", args.bucket, args.prefix);
        if matches!(args.op, Op::Put | Op::Both) {
            put.probe(0).await?;
            let put = Arc::new(put.with_method(Method::Put));
            let summary = super::measure(put, "PUT", load.concurrency, bounds).await;
            report.add(&format!("PUT {} B objects to {target}", args.size), summary);
        }
        if args.op == Op::Get && args.existing {
            report.note(&format!("reading {} objects written earlier", args.keys));
        } else if matches!(args.op, Op::Get | Op::Both) {
            report.note(&format!("writing {} objects to read back", args.keys));
            put.probe(0).await?;
            let prepare = Bounds {
                duration: std::time::Duration::from_mins(5),
                requests: u64::from(args.keys),
            };
            let prepared = super::measure(
                Arc::new(put.with_method(Method::Put)),
                "PUT",
                load.concurrency,
                prepare,
            )
            .await;
            if prepared.ok != u64::from(args.keys) {
                return Err(format!(
                    "writing the objects to read back failed: {} of {} ok, errors {:?}",
                    prepared.ok, args.keys, prepared.errors
                ));
            }
        }
        if matches!(args.op, Op::Get | Op::Both) {
            let get = put.with_method(Method::Get);
            get.probe(0).await?;
            let summary = super::measure(Arc::new(get), "GET", load.concurrency, bounds).await;
            report.add(
                &format!("GET {} B objects from {target}", args.size),
                summary,
            );
        }
        Ok::<(), String>(())
    })?;
    report.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_has_the_requested_size() {
        for size in [0, 1, 7, 8, 9, 4096] {
            assert_eq!(payload(size).len(), size as usize);
        }
        assert_ne!(payload(64)[..8], payload(64)[8..16]);
    }

    #[test]
    fn names_are_checked() {
        assert!(check_names("log-bucket", "gatehouse-bench/").is_ok());
        assert!(check_names("Log_Bucket", "x/").is_err());
        assert!(check_names("log-bucket", "/x").is_err());
        assert!(check_names("log-bucket", "a b").is_err());
    }
}
