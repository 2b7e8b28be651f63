//! `serve --demo`: the world of the cross-account walkthrough, built before it starts — the
//! prod and dev accounts, `log-bucket` with `example.log` in prod, and in dev the
//! `LogAnalysts` group with a user allowed to assume `DevLogAccessRole`. The role and the
//! policies are not created: the walkthrough creates them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gatehouse_core::{AccountSpec, Iam};
use gatehouse_policy::AccountId;
use gatehouse_store::Store;

/// The production account of the demo.
pub const PROD: &str = "111111111111";
/// The development account of the demo.
pub const DEV: &str = "222222222222";

/// The demo's accounts, for `ensure_account`.
pub fn accounts() -> Vec<AccountSpec> {
    [("prod", PROD), ("dev", DEV)]
        .into_iter()
        .map(|(name, id)| AccountSpec {
            name: name.into(),
            id: AccountId::parse(id).expect("demo account ids are 12 digits"),
            root_access_key_id: None,
            root_secret_access_key: None,
        })
        .collect()
}

fn credentials_path(data_dir: &Path) -> PathBuf {
    data_dir.join("demo-credentials")
}

/// Builds what is missing of the demo world. `new_root_keys` are the (id, secret) of root keys
/// created at this start, by account id.
pub async fn build(
    iam: &Arc<Iam>,
    store: &Arc<dyn Store>,
    data_dir: &Path,
    region: &str,
    new_root_keys: &[(AccountId, String, String)],
) -> Result<(), String> {
    let prod = AccountId::parse(PROD).expect("12 digits");
    let dev = AccountId::parse(DEV).expect("12 digits");
    let mut analyst_key = None;
    if iam.get_user(dev, "analyst").is_err() {
        let iam = iam.clone();
        analyst_key = Some(
            tokio::task::spawn_blocking(move || -> Result<(String, String), gatehouse_core::Error> {
                iam.create_group(dev, "LogAnalysts", None)?;
                iam.create_user(dev, "analyst", None, vec![], None)?;
                iam.add_user_to_group(dev, "LogAnalysts", "analyst")?;
                iam.put_inline_policy(
                    dev,
                    gatehouse_core::iam::PrincipalKind::Group,
                    "LogAnalysts",
                    "AssumeDevLogAccessRole",
                    &format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{PROD}:role/DevLogAccessRole"}}]}}"#
                    ),
                )?;
                let key = iam.create_access_key(dev, Some("analyst"))?;
                Ok((key.key.id.to_string(), key.secret.expose().to_owned()))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?,
        );
    }
    let created = {
        let store = store.clone();
        let region = region.to_owned();
        tokio::task::spawn_blocking(move || {
            gatehouse_s3::seed::create_bucket(store.as_ref(), "log-bucket", prod, &region)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?
    };
    if created {
        let body = b"2026-11-28T09:00:00Z INFO  payment-service started\n2026-11-28T09:00:02Z WARN  payment-service slow upstream (812 ms)\n2026-11-28T09:00:05Z INFO  payment-service healthy\n";
        gatehouse_s3::seed::put_object(
            store.as_ref(),
            data_dir,
            "log-bucket",
            "example.log",
            body,
            prod,
            "text/plain",
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    // Credentials are known only when created: keep them (0600) for the profiles printed at
    // every start.
    let mut lines = std::fs::read_to_string(credentials_path(data_dir)).unwrap_or_default();
    for (account, id, secret) in new_root_keys {
        if *account == prod {
            let _ = writeln!(lines, "prod-account {id} {secret}");
        }
    }
    if let Some((id, secret)) = analyst_key {
        let _ = writeln!(lines, "dev-account {id} {secret}");
    }
    crate::durable_file::write_durably(&credentials_path(data_dir), lines.as_bytes())
        .map_err(|e| e.to_string())
}

/// The `~/.aws/config` and `~/.aws/credentials` texts for the demo's profiles.
pub fn profiles(data_dir: &Path, endpoint: &str, region: &str) -> (String, String) {
    let stored = std::fs::read_to_string(credentials_path(data_dir)).unwrap_or_default();
    let mut config = format!("[default]\nregion = {region}\nendpoint_url = {endpoint}\n");
    let mut credentials = String::new();
    for line in stored.lines() {
        let mut parts = line.split_whitespace();
        let (Some(profile), Some(id), Some(secret)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let _ = write!(
            config,
            "\n[profile {profile}]\nregion = {region}\nendpoint_url = {endpoint}\n"
        );
        let _ = write!(
            credentials,
            "[{profile}]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\n"
        );
    }
    (config, credentials)
}
