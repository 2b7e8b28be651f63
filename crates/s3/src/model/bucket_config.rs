//! Bucket configuration that tools read and write, as stored on the bucket record: default
//! encryption, Object Ownership (and so whether ACLs exist at all), and the ACL answers of an
//! ACL-disabled bucket.

use gatehouse_policy::ContextValue;
use s3s::dto::{Grant, Grantee, Owner, Permission, Type};
use s3s::{S3Error, S3ErrorCode};
use serde::{Deserialize, Serialize};

/// A bucket's default encryption (`PutBucketEncryption`). Every bucket without one encrypts
/// with SSE-S3, as AWS has done since January 2023.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key, for the KMS algorithms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// S3 Bucket Keys for SSE-KMS.
    #[serde(default)]
    pub bucket_key: bool,
}

impl DefaultEncryption {
    /// What a bucket without a configuration reports: SSE-S3, no bucket key.
    pub fn sse_s3() -> Self {
        Self {
            algorithm: "AES256".into(),
            kms_key_id: None,
            bucket_key: false,
        }
    }

    /// Checks a configuration as S3 does when it is saved. Gatehouse has no KMS, so a KMS
    /// default is refused rather than stored: a user must not believe objects are encrypted
    /// under a key that does not exist.
    pub fn validate(&self) -> Result<(), S3Error> {
        match self.algorithm.as_str() {
            "AES256" if self.kms_key_id.is_some() => Err(S3Error::with_message(
                S3ErrorCode::InvalidArgument,
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
            )),
            "AES256" => Ok(()),
            "aws:kms" | "aws:kms:dsse" => Err(kms_not_supported()),
            _ => Err(crate::error::malformed_xml()),
        }
    }
}

/// What Gatehouse answers a request for SSE-KMS or DSSE-KMS: it has no KMS to encrypt with.
pub fn kms_not_supported() -> S3Error {
    S3Error::with_message(
        S3ErrorCode::NotImplemented,
        "Gatehouse has no AWS KMS: server-side encryption with KMS keys (aws:kms, aws:kms:dsse) is not supported; objects are stored as SSE-S3 (AES256) reports them",
    )
}

/// The headers of server-side encryption with a customer-provided key (SSE-C).
const SSE_C_HEADERS: [&str; 3] = [
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-server-side-encryption-customer-key-md5",
];

/// Checks the server-side encryption an object write asks for (`PutObject`, `CopyObject`,
/// `CreateMultipartUpload`): SSE-S3 (`AES256`) is what every object has; KMS and SSE-C are
/// refused, never silently ignored; anything else is not an encryption method.
pub fn check_object_write_encryption(headers: &http::HeaderMap) -> Result<(), S3Error> {
    if SSE_C_HEADERS.iter().any(|h| headers.contains_key(*h)) {
        return Err(S3Error::with_message(
            S3ErrorCode::NotImplemented,
            "Gatehouse does not support server-side encryption with customer-provided keys (SSE-C)",
        ));
    }
    match headers
        .get("x-amz-server-side-encryption")
        .map(http::HeaderValue::as_bytes)
    {
        None | Some(b"AES256") => Ok(()),
        Some(b"aws:kms" | b"aws:kms:dsse") => Err(kms_not_supported()),
        Some(_) => Err(S3Error::with_message(
            S3ErrorCode::InvalidArgument,
            "The encryption method specified is not supported",
        )),
    }
}

/// S3 Object Ownership: who owns uploaded objects, and whether ACLs are in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    /// ACLs disabled; the bucket owner owns every object (the default since April 2023).
    #[default]
    BucketOwnerEnforced,
    /// ACLs enabled; objects written with `bucket-owner-full-control` go to the bucket owner.
    BucketOwnerPreferred,
    /// ACLs enabled; the writer owns what it writes.
    ObjectWriter,
}

impl ObjectOwnership {
    /// Parses the wire value.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "BucketOwnerEnforced" => Some(Self::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(Self::BucketOwnerPreferred),
            "ObjectWriter" => Some(Self::ObjectWriter),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BucketOwnerEnforced => "BucketOwnerEnforced",
            Self::BucketOwnerPreferred => "BucketOwnerPreferred",
            Self::ObjectWriter => "ObjectWriter",
        }
    }
}

/// The ownership a stored bucket record has when it predates the field: the default.
#[allow(
    clippy::unnecessary_wraps,
    reason = "serde's default attribute needs the field's type"
)]
pub(crate) fn default_ownership() -> Option<ObjectOwnership> {
    Some(ObjectOwnership::BucketOwnerEnforced)
}

/// The ACL a request asks to set, in any of S3's three forms.
#[derive(Debug, Default)]
pub struct RequestedAcl<'a> {
    /// A canned ACL (`x-amz-acl`).
    pub canned: Option<&'a str>,
    /// The `x-amz-grant-*` headers, as (header, value).
    pub grant_headers: Vec<(&'a str, &'a str)>,
    /// An `AccessControlPolicy` body's grants.
    pub grants: Option<&'a [Grant]>,
}

/// The headers that carry an ACL grant.
const GRANT_HEADERS: [&str; 5] = [
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
];

impl<'a> RequestedAcl<'a> {
    /// The canned ACL and grant headers of a request.
    pub fn from_headers(headers: &'a http::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        Self {
            canned: text("x-amz-acl"),
            grant_headers: GRANT_HEADERS
                .iter()
                .filter_map(|h| text(h).map(|v| (*h, v)))
                .collect(),
            grants: None,
        }
    }

    /// The same request with an `AccessControlPolicy` body's grants.
    #[must_use]
    pub fn with_grants(mut self, grants: Option<&'a [Grant]>) -> Self {
        self.grants = grants;
        self
    }

    /// The condition keys the ACL headers set (`s3:x-amz-acl`, `s3:x-amz-grant-*`).
    pub fn context(&self) -> Vec<(&'static str, ContextValue)> {
        let mut out = Vec::new();
        if let Some(canned) = self.canned {
            out.push(("s3:x-amz-acl", ContextValue::Single(canned.into())));
        }
        for (header, value) in &self.grant_headers {
            let key = match *header {
                "x-amz-grant-full-control" => "s3:x-amz-grant-full-control",
                "x-amz-grant-read" => "s3:x-amz-grant-read",
                "x-amz-grant-read-acp" => "s3:x-amz-grant-read-acp",
                "x-amz-grant-write" => "s3:x-amz-grant-write",
                _ => "s3:x-amz-grant-write-acp",
            };
            out.push((key, ContextValue::Single((*value).into())));
        }
        out
    }
}

impl RequestedAcl<'_> {
    /// Whether the request specifies an ACL at all.
    pub fn is_present(&self) -> bool {
        self.canned.is_some() || !self.grant_headers.is_empty() || self.grants.is_some()
    }

    /// Whether the ACL gives nothing beyond full control to `owner` (what an ACL-disabled
    /// bucket accepts). `allow_private` admits the canned `private` (bucket creation).
    fn is_owner_only(&self, owner: &str, allow_private: bool) -> bool {
        let canned_ok = match self.canned {
            None | Some("bucket-owner-full-control") => true,
            Some("private") => allow_private,
            Some(_) => false,
        };
        let headers_ok = self.grant_headers.iter().all(|(header, value)| {
            *header == "x-amz-grant-full-control"
                && value
                    .split(',')
                    .all(|g| g.trim().trim_start_matches("id=").trim_matches('"') == owner)
        });
        let grants_ok = self.grants.is_none_or(|grants| {
            grants.iter().all(|g| {
                g.permission.as_ref().map(Permission::as_str) == Some(Permission::FULL_CONTROL)
                    && g.grantee
                        .as_ref()
                        .is_some_and(|e| e.id.as_deref() == Some(owner))
            })
        });
        canned_ok && headers_ok && grants_ok
    }
}

/// `AccessControlListNotSupported`: what a bucket with ACLs disabled answers an ACL.
pub fn acl_not_supported() -> S3Error {
    S3Error::with_message(
        S3ErrorCode::AccessControlListNotSupported,
        "The bucket does not allow ACLs",
    )
}

/// Checks an ACL a request wants to set on a bucket or object owned by `owner`. ACL-disabled
/// buckets (`BucketOwnerEnforced`) accept only owner-full-control ACLs; Gatehouse does not evaluate ACL grants, so
/// grants to anyone else are refused on ACL-enabled buckets too, saying so.
pub fn check_acl(
    ownership: Option<ObjectOwnership>,
    acl: &RequestedAcl<'_>,
    owner: &str,
    allow_private: bool,
) -> Result<(), S3Error> {
    let enforced = ownership == Some(ObjectOwnership::BucketOwnerEnforced);
    if acl.is_owner_only(owner, allow_private || !enforced) {
        return Ok(());
    }
    if enforced {
        return Err(acl_not_supported());
    }
    Err(S3Error::with_message(
        S3ErrorCode::NotImplemented,
        "Gatehouse does not evaluate ACL grants; use bucket policies (or keep ACLs disabled with BucketOwnerEnforced)",
    ))
}

/// Checks the ACL headers of an object write (`PutObject`, `CopyObject`,
/// `CreateMultipartUpload`) against the bucket's Object Ownership; the object's owner is the
/// bucket owner. Returns whether the request carries an ACL at all (then `s3:PutObjectAcl` is
/// needed too).
pub fn check_object_write_acl(
    ownership: Option<ObjectOwnership>,
    bucket_owner: &str,
    headers: &http::HeaderMap,
) -> Result<bool, S3Error> {
    let acl = RequestedAcl::from_headers(headers);
    check_acl(ownership, &acl, bucket_owner, false)?;
    Ok(acl.is_present())
}

/// The ACL every bucket and object reports: the owner, with full control.
pub fn owner_full_control(owner: &str) -> (Owner, Vec<Grant>) {
    let who = Owner {
        display_name: Some(owner.to_owned()),
        id: Some(owner.to_owned()),
    };
    let grant = Grant {
        grantee: Some(Grantee {
            display_name: Some(owner.to_owned()),
            email_address: None,
            id: Some(owner.to_owned()),
            type_: Type::from_static(Type::CANONICAL_USER),
            uri: None,
        }),
        permission: Some(Permission::from_static(Permission::FULL_CONTROL)),
    };
    (who, vec![grant])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_disabled_buckets_take_only_owner_full_control() {
        let enforced = Some(ObjectOwnership::BucketOwnerEnforced);
        let none = RequestedAcl::default();
        assert!(check_acl(enforced, &none, "111", false).is_ok());
        let bofc = RequestedAcl {
            canned: Some("bucket-owner-full-control"),
            ..Default::default()
        };
        assert!(check_acl(enforced, &bofc, "111", false).is_ok());
        let public = RequestedAcl {
            canned: Some("public-read"),
            ..Default::default()
        };
        let e = check_acl(enforced, &public, "111", false).unwrap_err();
        assert_eq!(e.code(), &S3ErrorCode::AccessControlListNotSupported);
        let private = RequestedAcl {
            canned: Some("private"),
            ..Default::default()
        };
        assert!(check_acl(enforced, &private, "111", false).is_err());
        assert!(check_acl(enforced, &private, "111", true).is_ok());
        let owner_grant = RequestedAcl {
            grant_headers: vec![("x-amz-grant-full-control", "id=111")],
            ..Default::default()
        };
        assert!(check_acl(enforced, &owner_grant, "111", false).is_ok());
        let other_grant = RequestedAcl {
            grant_headers: vec![("x-amz-grant-read", "id=222")],
            ..Default::default()
        };
        assert!(check_acl(enforced, &other_grant, "111", false).is_err());
        let e = check_acl(
            Some(ObjectOwnership::ObjectWriter),
            &other_grant,
            "111",
            false,
        )
        .unwrap_err();
        assert_eq!(e.code(), &S3ErrorCode::NotImplemented);
    }

    #[test]
    fn encryption_configurations_are_checked() {
        assert!(DefaultEncryption::sse_s3().validate().is_ok());
        let kms = DefaultEncryption {
            algorithm: "aws:kms".into(),
            kms_key_id: Some("arn:aws:kms:us-east-1:111111111111:key/k".into()),
            bucket_key: true,
        };
        assert_eq!(
            kms.validate().unwrap_err().code(),
            &S3ErrorCode::NotImplemented
        );
        let wrong = DefaultEncryption {
            kms_key_id: Some("k".into()),
            ..DefaultEncryption::sse_s3()
        };
        assert!(wrong.validate().is_err());
    }
}
