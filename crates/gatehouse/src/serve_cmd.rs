//! `gatehouse serve`: open the data directory, make sure the declared accounts exist, and
//! serve IAM and STS until SIGINT or SIGTERM.

use std::fmt::Write as _;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use gatehouse_core::{AccountSpec, Iam, Sealer};
use gatehouse_policy::AccountId;
use gatehouse_server::App;
use gatehouse_store::SqliteStore;
use rand::Rng;

/// The default port: clashes with neither `LocalStack` (4566) nor `MinIO` (9000). 4283 spells
/// GATE on a phone keypad.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4283";

/// Options of `gatehouse serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Where state lives (`SQLite` database, server key, objects).
    #[arg(long, default_value = "./gatehouse-data")]
    data_dir: PathBuf,
    /// A TOML file declaring accounts (`[[accounts]]` with name, id and optional fixed root keys).
    #[arg(long)]
    accounts: Option<PathBuf>,
    /// The region the server answers for.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Log lines as JSON instead of text.
    #[arg(long)]
    log_json: bool,
    /// Build the cross-account walkthrough's world (prod and dev accounts, `log-bucket`, the
    /// `LogAnalysts` group) and print its `prod-account` and `dev-account` profiles.
    #[arg(long)]
    demo: bool,
    /// With `--demo`: also write the profiles as `config` and `credentials` in this directory.
    #[arg(long, requires = "demo")]
    write_aws_config: Option<PathBuf>,
    /// Domains under which `<bucket>.<domain>` addresses a bucket (virtual-host style).
    #[arg(long = "virtual-host", default_values = ["localhost", "s3.localhost"])]
    virtual_host: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct AccountsFile {
    #[serde(default)]
    accounts: Vec<AccountSpec>,
}

/// The server key: read from the data directory, or created there on first start.
fn server_key(data_dir: &Path) -> Result<[u8; 32], String> {
    let path = data_dir.join("server.key");
    match std::fs::read(&path) {
        Ok(bytes) => bytes
            .try_into()
            .map_err(|_| format!("{} is not a 32-byte key", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = Sealer::generate_key();
            crate::durable_file::write_durably(&path, &key)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn random_account_id() -> AccountId {
    let n: u64 = rand::rng().random_range(100_000_000_000..1_000_000_000_000);
    AccountId::parse(&n.to_string()).expect("12 digits")
}

/// An opened data directory.
pub struct Opened {
    /// The IAM directory.
    pub iam: Arc<Iam>,
    /// The store.
    pub store: Arc<dyn gatehouse_store::Store>,
    /// What to print about the accounts.
    pub banner: String,
    /// Root keys created at this start: (account, key id, secret).
    pub new_root_keys: Vec<(AccountId, String, String)>,
}

/// Opens the data directory and makes sure the declared accounts exist.
pub fn open(
    data_dir: &Path,
    mut specs: Vec<AccountSpec>,
    endpoint: &str,
    region: &str,
) -> Result<Opened, String> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let key = server_key(data_dir)?;
    let store: Arc<dyn gatehouse_store::Store> =
        Arc::new(SqliteStore::open(&data_dir.join("gatehouse.db")).map_err(|e| e.to_string())?);
    let iam = Arc::new(Iam::open(store.clone(), Sealer::new(&key)).map_err(|e| e.to_string())?);
    if specs.is_empty() && iam.state().accounts.is_empty() {
        specs.push(AccountSpec {
            name: "default".into(),
            id: random_account_id(),
            root_access_key_id: None,
            root_secret_access_key: None,
        });
    }
    let mut banner = String::new();
    let mut new_root_keys = Vec::new();
    for spec in &specs {
        let setup = iam.ensure_account(spec).map_err(|e| e.to_string())?;
        if let Some((id, secret)) = &setup.new_root_key {
            let _ = write!(
                banner,
                "\nAccount {} ({}) root credentials (shown once):\n\n# ~/.aws/config\n[profile {name}]\nregion = {region}\nendpoint_url = {endpoint}\n\n# ~/.aws/credentials\n[{name}]\naws_access_key_id = {id}\naws_secret_access_key = {}\n",
                setup.account.name,
                setup.account.id,
                secret.expose(),
                name = setup.account.name,
            );
            new_root_keys.push((setup.account.id, id.to_string(), secret.expose().to_owned()));
        } else if setup.created {
            let _ = writeln!(
                banner,
                "\nAccount {} ({}) created with the root key from the accounts file.",
                setup.account.name, setup.account.id
            );
        }
    }
    Ok(Opened {
        iam,
        store,
        banner,
        new_root_keys,
    })
}

/// Reads the accounts file.
fn account_specs(path: Option<&Path>) -> Result<Vec<AccountSpec>, String> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(toml::from_str::<AccountsFile>(&text)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .accounts)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// Runs the server.
pub fn run(args: ServeArgs) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if args.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        use std::io::IsTerminal;
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let endpoint = format!("http://{local}");
        let mut specs = account_specs(args.accounts.as_deref())?;
        if args.demo {
            specs.extend(crate::demo::accounts());
        }
        let opened = open(&args.data_dir, specs, &endpoint, &args.region)?;
        let mut banner = opened.banner.clone();
        if args.demo {
            crate::demo::build(&opened.iam, &opened.store, &args.data_dir, &args.region, &opened.new_root_keys).await?;
            let (config, credentials) = crate::demo::profiles(&args.data_dir, &endpoint, &args.region);
            banner = format!(
                "\nDemo world ready: prod {prod} owns s3://log-bucket (example.log); dev {dev} has group LogAnalysts with user analyst.\n\n# ~/.aws/config\n{config}\n# ~/.aws/credentials\n{credentials}",
                prod = crate::demo::PROD,
                dev = crate::demo::DEV
            );
            if let Some(dir) = &args.write_aws_config {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                crate::durable_file::write_durably(&dir.join("config"), config.as_bytes()).map_err(|e| e.to_string())?;
                crate::durable_file::write_durably(&dir.join("credentials"), credentials.as_bytes()).map_err(|e| e.to_string())?;
                let _ = writeln!(
                    banner,
                    "Profiles written: export AWS_CONFIG_FILE={0}/config AWS_SHARED_CREDENTIALS_FILE={0}/credentials",
                    dir.display()
                );
            }
        }
        let s3 = gatehouse_s3::service(opened.iam.clone(), opened.store.clone(), &args.data_dir, &args.region, args.virtual_host.clone())
            .map_err(|e| format!("cannot open {}: {e}", args.data_dir.join("objects").display()))?;
        let iam = opened.iam;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Gatehouse listening on {endpoint} (data in {})", args.data_dir.display());
        let _ = write!(out, "{banner}");
        let _ = out.flush();
        drop(out);
        let app = Arc::new(App {
            iam,
            region: args.region.clone(),
            s3: Some(s3),
        });
        gatehouse_server::serve(listener, app, shutdown_signal())
            .await
            .map_err(|e| e.to_string())
    })
}
