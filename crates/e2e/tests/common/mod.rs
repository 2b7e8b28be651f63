//! The harness of the end-to-end tests, shared by every test file (as garage's
//! `src/garage/tests/common/`): it starts the real `gatehouse` binary on a free loopback port
//! with a fresh data directory and three accounts with fixed root keys, builds AWS SDK clients
//! that talk to it, and reads AWS errors out of SDK results.
//!
//! The binary is the workspace's own `target/<profile>/gatehouse`, found next to the running
//! test executable (`target/<profile>/deps/…`): `cargo test --workspace` builds it before any
//! test runs because `gatehouse` is a workspace member with integration tests of its own. When
//! it is missing, or older than a source file of the crates it is built from
//! (`cargo test -p gatehouse-e2e` on a clean tree or after editing the server), the harness
//! runs `cargo build -p gatehouse` once per test binary first. `GATEHOUSE_BIN` overrides the
//! path (and skips the build).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

pub mod iam;
pub mod s3;

use std::fmt::{Debug, Write as _};
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_iam::config::{
    BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents, SharedHttpClient,
};
use aws_sdk_iam::error::{BoxError, ProvideErrorMetadata, SdkError};

/// The `prod` account.
pub const PROD: &str = "111111111111";
/// The `dev` account.
pub const DEV: &str = "222222222222";
/// The `other` account.
pub const OTHER: &str = "333333333333";

/// The accounts every server starts with: (name, id, root access key id, root secret).
pub const ACCOUNTS: [(&str, &str, &str, &str); 3] = [
    (
        "prod",
        PROD,
        "AKIAPROD000000000001",
        "prodSecretKey0000000000000000000000000001",
    ),
    (
        "dev",
        DEV,
        "AKIADEV0000000000002",
        "devSecretKey00000000000000000000000000002",
    ),
    (
        "other",
        OTHER,
        "AKIAOTHER00000000003",
        "otherSecretKey000000000000000000000000003",
    ),
];

/// How long the server may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A set of credentials: long-term (`AKIA…`) or temporary (`ASIA…` with a session token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The access key id.
    pub id: String,
    /// The secret access key.
    pub secret: String,
    /// The session token of temporary credentials.
    pub token: Option<String>,
}

impl Keys {
    /// The fixed root keys of `account`.
    pub fn root(account: &str) -> Self {
        let (_, _, id, secret) = ACCOUNTS
            .iter()
            .find(|a| a.1 == account)
            .unwrap_or_else(|| panic!("no account {account} in the harness"));
        Self {
            id: (*id).to_owned(),
            secret: (*secret).to_owned(),
            token: None,
        }
    }

    /// The keys of an `iam:CreateAccessKey` answer.
    pub fn from_access_key(key: &aws_sdk_iam::types::AccessKey) -> Self {
        Self {
            id: key.access_key_id().to_owned(),
            secret: key.secret_access_key().to_owned(),
            token: None,
        }
    }

    /// The keys of an STS answer (`AssumeRole`, `GetSessionToken`).
    pub fn from_sts(credentials: Option<&aws_sdk_sts::types::Credentials>) -> Self {
        let c = credentials.expect("the STS answer carries credentials");
        Self {
            id: c.access_key_id().to_owned(),
            secret: c.secret_access_key().to_owned(),
            token: Some(c.session_token().to_owned()),
        }
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(
            self.id.clone(),
            self.secret.clone(),
            self.token.clone(),
            None,
            "gatehouse-e2e",
        )
    }
}

/// The workspace's root directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The newest modification time of the files under `dir`.
fn newest_file(dir: &Path) -> Option<SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let time = if meta.is_dir() {
            newest_file(&entry.path())
        } else {
            meta.modified().ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// True when `bin` is older than a source file of the workspace's crates (the end-to-end tests
/// aside): the server changed since it was built.
fn is_stale(bin: &Path) -> bool {
    let Ok(built) = std::fs::metadata(bin).and_then(|m| m.modified()) else {
        return true;
    };
    let Ok(crates) = std::fs::read_dir(workspace_root().join("crates")) else {
        return false;
    };
    crates
        .flatten()
        .filter(|c| c.file_name() != "e2e")
        .filter_map(|c| newest_file(&c.path().join("src")))
        .any(|t| t > built)
}

/// The `gatehouse` binary: `GATEHOUSE_BIN`, else `target/<profile>/gatehouse` next to this test
/// executable, built with `cargo build -p gatehouse` (once per test binary) when it is missing
/// or older than the sources.
pub fn gatehouse_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("GATEHOUSE_BIN") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().expect("the test executable has a path");
        // target/<profile>/deps/<test> → target/<profile>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable lives in target/<profile>/deps");
        let bin = profile_dir.join(format!("gatehouse{}", std::env::consts::EXE_SUFFIX));
        if is_stale(&bin) {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.current_dir(workspace_root()).args([
                "build",
                "-p",
                "gatehouse",
                "--bin",
                "gatehouse",
            ]);
            if let Some(target_dir) = profile_dir.parent() {
                cmd.arg("--target-dir").arg(target_dir);
            }
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("cargo runs");
            assert!(status.success(), "cargo build -p gatehouse failed");
            assert!(
                bin.exists(),
                "cargo build did not produce {}",
                bin.display()
            );
        }
        bin
    })
}

/// A running Gatehouse server with its own data directory. Killed when dropped.
pub struct Server {
    dir: tempfile::TempDir,
    child: Option<Child>,
    addr: Option<SocketAddr>,
    starts: usize,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Server {
    /// Starts a server on a free loopback port with a fresh data directory.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("gatehouse-e2e-")
            .tempdir()
            .expect("a temporary directory");
        let mut accounts = String::new();
        for (name, id, key, secret) in ACCOUNTS {
            writeln!(
                accounts,
                "[[accounts]]\nname = \"{name}\"\nid = \"{id}\"\nroot_access_key_id = \"{key}\"\nroot_secret_access_key = \"{secret}\"\n"
            )
            .expect("a String takes any text");
        }
        std::fs::write(dir.path().join("accounts.toml"), accounts).expect("accounts file written");
        let mut server = Self {
            dir,
            child: None,
            addr: None,
            starts: 0,
            endpoint: String::new(),
        };
        server.start_again();
        server
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self, stream: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("{stream}-{}.log", self.starts))
    }

    /// Starts the (stopped) server again on the same data directory and, after the first
    /// start, the same address.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        self.starts += 1;
        let listen = self
            .addr
            .map_or_else(|| "127.0.0.1:0".to_owned(), |a| a.to_string());
        let stdout_path = self.log_path("stdout");
        let stderr_path = self.log_path("stderr");
        let stdout = std::fs::File::create(&stdout_path).expect("stdout log");
        let stderr = std::fs::File::create(&stderr_path).expect("stderr log");
        let mut child = Command::new(gatehouse_bin())
            .arg("serve")
            .arg("--listen")
            .arg(&listen)
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("--accounts")
            .arg(self.dir.path().join("accounts.toml"))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", gatehouse_bin().display()));
        let deadline = Instant::now() + START_TIMEOUT;
        // The server prints its address once the data directory is open.
        let addr = loop {
            let text = std::fs::read_to_string(&stdout_path).unwrap_or_default();
            if let Some(addr) = text
                .lines()
                .find_map(|l| l.strip_prefix("Gatehouse listening on http://"))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|a| a.parse::<SocketAddr>().ok())
            {
                break addr;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "gatehouse serve exited with {status}:\n{}",
                    std::fs::read_to_string(&stderr_path).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "gatehouse serve did not start in {START_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{addr} does not accept connections"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child = Some(child);
        self.addr = Some(addr);
        self.endpoint = format!("http://{addr}");
    }

    /// Stops the server gracefully (SIGTERM) and waits for it to exit.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !signalled {
            // No `kill` command: stop it the hard way rather than not at all.
            let _ = child.kill();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("gatehouse did not stop within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the server with SIGKILL (no shutdown at all) and waits for it to be gone.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL delivered");
            child.wait().expect("the killed server is reaped");
        }
    }

    /// Stops the server and starts it again on the same data directory and address.
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Everything the server wrote to stderr (its log) since it was last started.
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(self.log_path("stderr")) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }

    fn http_client() -> SharedHttpClient {
        aws_smithy_http_client::Builder::new().build_http()
    }

    fn timeouts() -> aws_sdk_iam::config::timeout::TimeoutConfig {
        aws_sdk_iam::config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_timeout(Duration::from_secs(30))
            .build()
    }

    /// An IAM client signing with `keys`. Retries are off so every error reaches the test.
    pub fn iam(&self, keys: &Keys) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(keys.credentials())
            .http_client(Self::http_client())
            .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
            .timeout_config(Self::timeouts())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// An STS client signing with `keys`. Retries are off so every error reaches the test.
    pub fn sts(&self, keys: &Keys) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(keys.credentials())
            .http_client(Self::http_client())
            .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
            .timeout_config(Self::timeouts())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// An IAM client of `account`'s root user.
    pub fn root_iam(&self, account: &str) -> aws_sdk_iam::Client {
        self.iam(&Keys::root(account))
    }

    /// An STS client of `account`'s root user.
    pub fn root_sts(&self, account: &str) -> aws_sdk_sts::Client {
        self.sts(&Keys::root(account))
    }

    /// The configuration of an S3 client: path-style, us-east-1, plain HTTP, no retries;
    /// signing with `keys`, or anonymous (unsigned) without them.
    pub fn s3_config(&self, keys: Option<&Keys>) -> aws_sdk_s3::config::Builder {
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .http_client(Self::http_client())
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_timeout(Duration::from_mins(1))
                    .build(),
            );
        builder = match keys {
            Some(keys) => builder.credentials_provider(keys.credentials()),
            None => builder.allow_no_auth(),
        };
        builder
    }

    /// An S3 client signing with `keys`. Retries are off so every error reaches the test.
    pub fn s3(&self, keys: &Keys) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(self.s3_config(Some(keys)).build())
    }

    /// An S3 client of `account`'s root user.
    pub fn root_s3(&self, account: &str) -> aws_sdk_s3::Client {
        self.s3(&Keys::root(account))
    }

    /// An S3 client with no credentials: every request goes unsigned (anonymous).
    pub fn anonymous_s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(self.s3_config(None).build())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- last lines of the gatehouse log ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// An AWS error as the SDK reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error code (`NoSuchEntity`).
    pub code: String,
    /// The message.
    pub message: String,
    /// The HTTP status.
    pub status: u16,
}

/// The AWS error of a failed SDK call; panics when the call succeeded or failed without an
/// AWS error (a transport failure).
#[track_caller]
pub fn api_error<T: Debug, E>(result: Result<T, SdkError<E, HttpResponse>>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(v) => panic!("expected an AWS error, the call succeeded: {v:?}"),
        Err(e) => {
            let status = e.raw_response().map_or(0, |r| r.status().as_u16());
            match (e.code(), e.message()) {
                (Some(code), message) => ApiError {
                    code: code.to_owned(),
                    message: message.unwrap_or_default().to_owned(),
                    status,
                },
                (None, _) => panic!(
                    "expected an AWS error, got {}",
                    aws_sdk_iam::error::DisplayErrorContext(&e)
                ),
            }
        }
    }
}

/// Asserts that an SDK call failed with exactly `code` and `message`.
#[track_caller]
pub fn assert_error<T: Debug, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    code: &str,
    message: &str,
) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let e = api_error(result);
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (code, message),
        "unexpected AWS error (HTTP {})",
        e.status
    );
    e
}

/// Unwraps an SDK result, showing the whole AWS error when it failed.
#[track_caller]
pub fn ok<T, E>(result: Result<T, SdkError<E, HttpResponse>>) -> T
where
    E: std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(v) => v,
        Err(e) => panic!(
            "the call failed: {}",
            aws_sdk_iam::error::DisplayErrorContext(&e)
        ),
    }
}

/// A policy document as IAM returns it (URL-encoded JSON), parsed.
pub fn decode_document(encoded: &str) -> serde_json::Value {
    let text = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .expect("a URL-encoded UTF-8 document");
    serde_json::from_str(&text).expect("the document is JSON")
}

/// Parses a JSON document written in a test.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the test's document is JSON")
}

/// An identity policy allowing `actions` on every resource.
pub fn allow(actions: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    })
    .to_string()
}

/// An identity policy denying `actions` on every resource.
pub fn deny(actions: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": actions, "Resource": "*"}]
    })
    .to_string()
}

/// A trust policy letting the `AWS` principal `principal` assume the role.
pub fn trust(principal: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]
    })
    .to_string()
}

/// Creates user `name` in the root client's account and returns its new access keys.
pub async fn user_with_keys(root: &aws_sdk_iam::Client, name: &str) -> Keys {
    ok(root.create_user().user_name(name).send().await);
    let key = ok(root.create_access_key().user_name(name).send().await);
    Keys::from_access_key(key.access_key().expect("CreateAccessKey returns the key"))
}

/// Captures one response header of every call made with it (`.customize().interceptor(…)`).
#[derive(Debug, Clone)]
pub struct CaptureHeader {
    name: &'static str,
    value: Arc<Mutex<Option<String>>>,
}

impl CaptureHeader {
    /// Captures header `name`.
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            value: Arc::new(Mutex::new(None)),
        }
    }

    /// The value of the last response that carried the header.
    pub fn value(&self) -> Option<String> {
        self.value.lock().expect("not poisoned").clone()
    }
}

impl Intercept for CaptureHeader {
    fn name(&self) -> &'static str {
        "CaptureHeader"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(v) = context.response().headers().get(self.name) {
            *self.value.lock().expect("not poisoned") = Some(v.to_owned());
        }
        Ok(())
    }
}
