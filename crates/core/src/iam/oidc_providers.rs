//! `OpenID` Connect identity providers: the issuers an account trusts to sign web-identity
//! tokens, with their audiences (client ids) and certificate thumbprints.
//!
//! The URL rules and messages are AWS's: `https://` only, a host, no user info, query or
//! fragment; the provider is named by the rest of the URL, a trailing slash included.

use gatehouse_policy::AccountId;

use super::{Iam, check_tags};
use crate::entities::{OidcProvider, Tag, now};
use crate::error::{Error, Result};
use crate::state::{AccountIam, Change};
use crate::validate;

/// How many client ids one provider may have.
const CLIENT_IDS_PER_PROVIDER: usize = 100;
/// How many thumbprints one provider may have.
const THUMBPRINTS_PER_PROVIDER: usize = 5;
/// How many providers one account may have.
const PROVIDERS_PER_ACCOUNT: usize = 100;

/// The provider an ARN names in `acct`, with AWS's `NoSuchEntity`.
pub(crate) fn find<'a>(acct: &'a AccountIam, arn: &str) -> Result<&'a OidcProvider> {
    let prefix = format!("arn:aws:iam::{}:oidc-provider/", acct.account.id);
    arn.strip_prefix(&prefix)
        .and_then(|url| acct.oidc_providers.get(url))
        .ok_or_else(|| {
            Error::NoSuchEntity(format!("OpenIDConnect Provider not found for arn {arn}"))
        })
}

/// A provider's name: its URL without `https://`, checked as IAM checks it (before it
/// authorizes, since the name is in the ARN it authorizes on).
pub fn provider_url(url: &str) -> Result<String> {
    validate::length("url", url, 1, 255)?;
    let invalid = || Error::InvalidInput("Invalid Open ID Connect Provider URL.".into());
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Error::Validation(
            "Invalid Open ID Connect Provider URL".into(),
        ));
    };
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(Error::InvalidInput(
            "Invalid Open ID Connect Provider URL. The URL must begin with https://.".into(),
        ));
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(Error::Validation(
            "Invalid Open ID Connect Provider URL".into(),
        ));
    }
    let host_ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host_ok || rest.contains(['?', '#', '@']) {
        return Err(invalid());
    }
    Ok(rest.to_owned())
}

/// Thumbprints as IAM keeps them: lower-cased, 40 characters each, at most five.
fn thumbprints(list: &[String]) -> Result<Vec<String>> {
    if list.len() > THUMBPRINTS_PER_PROVIDER {
        return Err(Error::InvalidInput(
            "Thumbprint list must contain fewer than 5 entries.".into(),
        ));
    }
    list.iter()
        .map(|t| {
            if t.chars().count() == 40 {
                Ok(t.to_ascii_lowercase())
            } else {
                Err(Error::InvalidInput(
                    "Thumbprint must be exactly 40 characters.".into(),
                ))
            }
        })
        .collect()
}

fn check_client_id(id: &str) -> Result<()> {
    validate::length("clientID", id, 1, 255)
}

fn check_client_ids(ids: &[String]) -> Result<()> {
    if ids.len() > CLIENT_IDS_PER_PROVIDER {
        return Err(Error::LimitExceeded(format!(
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_PER_PROVIDER}"
        )));
    }
    ids.iter().try_for_each(|id| check_client_id(id))
}

impl Iam {
    /// `CreateOpenIDConnectProvider`. A provider created without thumbprints keeps none:
    /// Gatehouse does not reach out to the issuer to fetch its certificate.
    pub fn create_oidc_provider(
        &self,
        account: AccountId,
        url: &str,
        client_ids: &[String],
        thumbprint_list: &[String],
        tags: Vec<Tag>,
    ) -> Result<OidcProvider> {
        let name = provider_url(url)?;
        let thumbprints = thumbprints(thumbprint_list)?;
        check_client_ids(client_ids)?;
        check_tags(&tags)?;
        self.mutate(|state| {
            let acct = state.account(account)?;
            if acct.oidc_providers.contains_key(&name) {
                return Err(Error::EntityAlreadyExists(format!(
                    "Provider with url {url} already exists."
                )));
            }
            if acct.oidc_providers.len() >= PROVIDERS_PER_ACCOUNT {
                return Err(Error::LimitExceeded(format!(
                    "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {PROVIDERS_PER_ACCOUNT}"
                )));
            }
            let mut ids: Vec<String> = Vec::new();
            for id in client_ids {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            let provider = OidcProvider {
                account,
                url: name.clone(),
                client_ids: ids,
                thumbprints: thumbprints.clone(),
                tags,
                created: now(),
            };
            Ok((vec![Change::PutOidcProvider(provider.clone())], provider))
        })
    }

    /// `GetOpenIDConnectProvider`.
    pub fn get_oidc_provider(&self, account: AccountId, arn: &str) -> Result<OidcProvider> {
        let state = self.state();
        Ok(find(state.account(account)?, arn)?.clone())
    }

    /// `ListOpenIDConnectProviders`.
    pub fn list_oidc_providers(&self, account: AccountId) -> Result<Vec<OidcProvider>> {
        let state = self.state();
        Ok(state
            .account(account)?
            .oidc_providers
            .values()
            .cloned()
            .collect())
    }

    /// `DeleteOpenIDConnectProvider`.
    pub fn delete_oidc_provider(&self, account: AccountId, arn: &str) -> Result<()> {
        self.mutate(|state| {
            let provider = find(state.account(account)?, arn)?;
            Ok((
                vec![Change::DeleteOidcProvider(account, provider.url.clone())],
                (),
            ))
        })
    }

    /// `AddClientIDToOpenIDConnectProvider`: adding one it has changes nothing.
    pub fn add_oidc_client_id(&self, account: AccountId, arn: &str, client_id: &str) -> Result<()> {
        check_client_id(client_id)?;
        self.modify_oidc_provider(account, arn, |p| {
            if !p.client_ids.iter().any(|c| c == client_id) {
                if p.client_ids.len() >= CLIENT_IDS_PER_PROVIDER {
                    return Err(Error::LimitExceeded(format!(
                        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_PER_PROVIDER}"
                    )));
                }
                p.client_ids.push(client_id.to_owned());
            }
            Ok(())
        })
    }

    /// `RemoveClientIDFromOpenIDConnectProvider`: removing one it lacks changes nothing.
    pub fn remove_oidc_client_id(
        &self,
        account: AccountId,
        arn: &str,
        client_id: &str,
    ) -> Result<()> {
        check_client_id(client_id)?;
        self.modify_oidc_provider(account, arn, |p| {
            p.client_ids.retain(|c| c != client_id);
            Ok(())
        })
    }

    /// `UpdateOpenIDConnectProviderThumbprint`: the list replaces the old one.
    pub fn update_oidc_thumbprints(
        &self,
        account: AccountId,
        arn: &str,
        thumbprint_list: &[String],
    ) -> Result<()> {
        let list = thumbprints(thumbprint_list)?;
        self.modify_oidc_provider(account, arn, |p| {
            p.thumbprints = list;
            Ok(())
        })
    }

    fn modify_oidc_provider(
        &self,
        account: AccountId,
        arn: &str,
        f: impl FnOnce(&mut OidcProvider) -> Result<()>,
    ) -> Result<()> {
        self.mutate(|state| {
            let mut provider = find(state.account(account)?, arn)?.clone();
            f(&mut provider)?;
            Ok((vec![Change::PutOidcProvider(provider)], ()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_as_iam_checks_them() {
        assert_eq!(
            provider_url("https://token.actions.githubusercontent.com").unwrap(),
            "token.actions.githubusercontent.com"
        );
        assert_eq!(
            provider_url("https://oidc.eks.us-east-1.amazonaws.com/id/ABC/").unwrap(),
            "oidc.eks.us-east-1.amazonaws.com/id/ABC/"
        );
        let validation = ["example.com", "https://"];
        for url in validation {
            assert!(
                matches!(provider_url(url), Err(Error::Validation(_))),
                "{url}"
            );
        }
        let invalid = [
            "http://example.com",
            "https://user:pass@example.com",
            "https://example.com?x=1",
            "https://example.com#f",
            "https://exa_mple.com",
        ];
        for url in invalid {
            assert!(
                matches!(provider_url(url), Err(Error::InvalidInput(_))),
                "{url}"
            );
        }
        assert!(thumbprints(&["A".repeat(40)]).unwrap() == vec!["a".repeat(40)]);
        assert!(thumbprints(&["a".repeat(39)]).is_err());
        assert!(thumbprints(&vec!["a".repeat(40); 6]).is_err());
        assert!(thumbprints(&vec!["z".repeat(40); 5]).is_ok());
    }
}
