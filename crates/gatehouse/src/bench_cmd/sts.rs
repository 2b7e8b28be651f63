//! `gatehouse bench assume-role`: STS `AssumeRole` over the query protocol (`POST /` with a
//! form body, signed for `sts`), each call with its own session name.

use std::sync::Arc;

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use serde_json::json;

use super::stats::Outcome;
use super::{Answer, CredentialArgs, Http, LoadArgs, Report, Signer, Workload, excerpt};

/// Options of `gatehouse bench assume-role`.
#[derive(Debug, Args)]
pub struct AssumeRoleArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// The role to assume.
    #[arg(long)]
    role_arn: String,
    /// Session names are PREFIX-N (N counts the calls of the run).
    #[arg(long, default_value = "bench")]
    session_prefix: String,
    #[command(flatten)]
    credentials: CredentialArgs,
}

/// `AssumeRole` calls.
struct AssumeRole {
    http: Http,
    signer: Signer,
    url: String,
    role_arn: String,
    session_prefix: String,
}

impl AssumeRole {
    async fn exchange(&self, n: u64) -> Result<Answer, String> {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "AssumeRole")
            .append_pair("Version", "2011-06-15")
            .append_pair("RoleArn", &self.role_arn)
            .append_pair("RoleSessionName", &format!("{}-{n}", self.session_prefix))
            .finish()
            .into_bytes();
        let mut req = http::Request::builder()
            .method(http::Method::POST)
            .uri(self.url.as_str())
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        self.signer.sign(&mut req, SignableBody::Bytes(&body))?;
        *req.body_mut() = Full::new(Bytes::from(body));
        self.http.send(req).await.map_err(str::to_owned)
    }
}

impl Workload for AssumeRole {
    async fn call(&self, n: u64) -> Outcome {
        match self.exchange(n).await {
            Ok(answer) if answer.status == 200 => Outcome::Ok,
            Ok(answer) => Outcome::Status(answer.status),
            Err(e) if e == "timeout" => Outcome::Failed("timeout"),
            Err(_) => Outcome::Failed("transport"),
        }
    }
}

/// Runs `gatehouse bench assume-role`.
pub fn run(args: &AssumeRoleArgs) -> Result<(), String> {
    let load = &args.load;
    let base = load.base_url()?;
    let bounds = load.bounds()?;
    let name_ok = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=,.@-_".contains(&b))
    };
    if args.session_prefix.is_empty()
        || args.session_prefix.len() > 40
        || !name_ok(&args.session_prefix)
    {
        return Err(format!(
            "--session-prefix {}: 1 to 40 of letters, digits and =,.@-_",
            args.session_prefix
        ));
    }
    let credentials = args.credentials.resolve()?;
    let mut report = Report::new(
        load.json,
        "gatehouse bench assume-role",
        json!({
            "bench": "assume-role",
            "endpoint": base,
            "role_arn": args.role_arn,
            "concurrency": load.concurrency,
        }),
    );
    let runtime = load.runtime()?;
    runtime.block_on(async {
        let workload = Arc::new(AssumeRole {
            http: Http::new(load.concurrency),
            signer: Signer::new(credentials, &load.region, "sts"),
            url: format!("{base}/"),
            role_arn: args.role_arn.clone(),
            session_prefix: args.session_prefix.clone(),
        });
        // One call that must work, so a wrong key or role fails loudly with STS's words.
        let answer = workload
            .exchange(0)
            .await
            .map_err(|e| format!("AssumeRole: {e}"))?;
        let found = answer
            .body
            .windows(b"AssumeRoleResult".len())
            .any(|w| w == b"AssumeRoleResult");
        if answer.status != 200 || !found {
            return Err(format!(
                "AssumeRole {}: HTTP {}: {}",
                args.role_arn,
                answer.status,
                excerpt(&answer.body)
            ));
        }
        let summary = super::measure(workload, "AssumeRole", load.concurrency, bounds).await;
        report.add(&format!("AssumeRole {} at {base}", args.role_arn), summary);
        Ok::<(), String>(())
    })?;
    report.finish()
}
