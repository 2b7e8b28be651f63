//! SAML 2.0 identity providers: the account's trust in an identity provider, from the identity provider's metadata
//! document. The document is checked as IAM checks it when it is saved (a SAML metadata
//! `EntityDescriptor` with an `IDPSSODescriptor` and a signing certificate); its `validUntil`
//! becomes the provider's.

use gatehouse_policy::AccountId;
use jiff::{Timestamp, ToSpan};
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Iam, check_tags};
use crate::entities::{EntityCommon, SamlProvider, Tag, now};
use crate::error::{Error, Result};
use crate::ids::{IdKind, new_unique_id};
use crate::state::{AccountIam, Change};
use crate::validate;

/// How many SAML providers one account may have.
const PROVIDERS_PER_ACCOUNT: usize = 100;

/// The provider an ARN names in `acct`, with AWS's `NoSuchEntity`.
pub(crate) fn find<'a>(acct: &'a AccountIam, arn: &str) -> Result<&'a SamlProvider> {
    let prefix = format!("arn:aws:iam::{}:saml-provider/", acct.account.id);
    arn.strip_prefix(&prefix)
        .and_then(|name| acct.saml_providers.get(name))
        .ok_or_else(|| Error::NoSuchEntity(format!("Manifest not found for arn {arn}")))
}

/// A provider name as IAM allows it: 1–128 of `[\w._-]`.
pub fn check_name(name: &str) -> Result<()> {
    validate::length("name", name, 1, 128)?;
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        Ok(())
    } else {
        Err(validate::constraint(
            "name",
            name,
            "Member must satisfy regular expression pattern: [\\w._-]+",
        ))
    }
}

/// What a metadata document says that IAM keeps: its `validUntil`, if any.
fn read_metadata(document: &str) -> Result<Option<Timestamp>> {
    validate::length("sAMLMetadataDocument", document, 1000, 10_000_000)?;
    let unparsable = || Error::InvalidInput("Could not parse metadata".into());
    let mut reader = Reader::from_str(document);
    let (mut root_seen, mut idp, mut certificate) = (false, false, false);
    let mut valid_until = None;
    loop {
        match reader.read_event().map_err(|_| unparsable())? {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if !root_seen {
                    if name != b"EntityDescriptor" {
                        return Err(unparsable());
                    }
                    root_seen = true;
                    for attr in e.attributes().flatten() {
                        if attr.key.local_name().as_ref() == b"validUntil" {
                            let text = String::from_utf8_lossy(&attr.value).into_owned();
                            valid_until =
                                Some(text.parse::<Timestamp>().map_err(|_| unparsable())?);
                        }
                    }
                }
                match name {
                    b"IDPSSODescriptor" => idp = true,
                    b"X509Certificate" => certificate = true,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root_seen && idp && certificate {
        Ok(valid_until)
    } else {
        Err(unparsable())
    }
}

impl Iam {
    /// `CreateSAMLProvider`.
    pub fn create_saml_provider(
        &self,
        account: AccountId,
        name: &str,
        metadata: &str,
        tags: Vec<Tag>,
    ) -> Result<SamlProvider> {
        check_name(name)?;
        let valid_until = read_metadata(metadata)?;
        check_tags(&tags)?;
        self.mutate(|state| {
            let acct = state.account(account)?;
            if acct.saml_providers.contains_key(name) {
                return Err(Error::EntityAlreadyExists(format!(
                    "SAMLProvider {name} already exists."
                )));
            }
            if acct.saml_providers.len() >= PROVIDERS_PER_ACCOUNT {
                return Err(Error::LimitExceeded(format!(
                    "Cannot exceed quota for SamlProvidersPerAccount: {PROVIDERS_PER_ACCOUNT}"
                )));
            }
            let created = now();
            let provider = SamlProvider {
                common: EntityCommon {
                    account,
                    name: name.to_owned(),
                    path: "/".into(),
                    id: new_unique_id(IdKind::SamlProvider),
                    created,
                },
                metadata: metadata.to_owned(),
                valid_until: valid_until.unwrap_or_else(|| hundred_years_after(created)),
                tags,
            };
            Ok((vec![Change::PutSamlProvider(provider.clone())], provider))
        })
    }

    /// `GetSAMLProvider`.
    pub fn get_saml_provider(&self, account: AccountId, arn: &str) -> Result<SamlProvider> {
        let state = self.state();
        Ok(find(state.account(account)?, arn)?.clone())
    }

    /// `ListSAMLProviders`.
    pub fn list_saml_providers(&self, account: AccountId) -> Result<Vec<SamlProvider>> {
        let state = self.state();
        Ok(state
            .account(account)?
            .saml_providers
            .values()
            .cloned()
            .collect())
    }

    /// `UpdateSAMLProvider`: new metadata, checked as on create.
    pub fn update_saml_provider(
        &self,
        account: AccountId,
        arn: &str,
        metadata: &str,
    ) -> Result<SamlProvider> {
        let valid_until = read_metadata(metadata)?;
        self.mutate(|state| {
            let mut provider = find(state.account(account)?, arn)?.clone();
            metadata.clone_into(&mut provider.metadata);
            provider.valid_until =
                valid_until.unwrap_or_else(|| hundred_years_after(provider.common.created));
            Ok((vec![Change::PutSamlProvider(provider.clone())], provider))
        })
    }

    /// `DeleteSAMLProvider`.
    pub fn delete_saml_provider(&self, account: AccountId, arn: &str) -> Result<()> {
        self.mutate(|state| {
            let provider = find(state.account(account)?, arn)?;
            Ok((
                vec![Change::DeleteSamlProvider(
                    account,
                    provider.common.name.clone(),
                )],
                (),
            ))
        })
    }
}

/// What IAM reports as `ValidUntil` for metadata without one.
fn hundred_years_after(t: Timestamp) -> Timestamp {
    t.to_zoned(jiff::tz::TimeZone::UTC)
        .checked_add(100.years())
        .map_or(t, |z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(extra_attrs: &str, body: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/{pad}" {extra_attrs}>{body}</md:EntityDescriptor>"#,
            pad = "x".repeat(1000)
        )
    }

    const IDP: &str = r#"<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor>"#;

    #[test]
    fn metadata_is_checked_and_gives_its_validity() {
        assert_eq!(read_metadata(&metadata("", IDP)).unwrap(), None);
        let dated = read_metadata(&metadata(r#"validUntil="2030-01-01T00:00:00Z""#, IDP)).unwrap();
        assert_eq!(dated, Some("2030-01-01T00:00:00Z".parse().unwrap()));
        let unparsable = [
            metadata("", "<md:SPSSODescriptor/>"),
            metadata("", "<md:IDPSSODescriptor/>"),
            metadata(r#"validUntil="soon""#, IDP),
            format!("<html>{}</html>", "x".repeat(1000)),
            format!("<md:EntityDescriptor>{}", "x".repeat(1000)),
        ];
        for doc in unparsable {
            assert!(
                matches!(read_metadata(&doc), Err(Error::InvalidInput(_))),
                "{doc}"
            );
        }
        assert!(matches!(
            read_metadata("<short/>"),
            Err(Error::Validation(_))
        ));
        assert!(check_name("Okta_prod-1.x").is_ok());
        assert!(check_name("bad name").is_err());
    }
}
