//! The catalog of AWS-managed policies Gatehouse ships, with their documents as AWS publishes
//! them (`arn:aws:iam::aws:policy/<name>`).

use std::sync::OnceLock;

use gatehouse_policy::PolicyKind;
use jiff::Timestamp;

use crate::entities::PolicyDocument;

/// One AWS-managed policy.
#[derive(Debug)]
pub struct AwsManagedPolicy {
    /// The name, e.g. `AdministratorAccess`.
    pub name: &'static str,
    /// The path (`/` or `/job-function/`…).
    pub path: &'static str,
    /// The stable policy id AWS assigns (`ANPA…`).
    pub id: &'static str,
    /// The default version id.
    pub version: &'static str,
    /// The description AWS shows.
    pub description: &'static str,
    /// When AWS created it (RFC 3339).
    pub created: &'static str,
    /// The default version's document.
    pub text: &'static str,
    compiled: OnceLock<PolicyDocument>,
}

impl AwsManagedPolicy {
    /// `arn:aws:iam::aws:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }

    /// The compiled document (compiled once).
    pub fn document(&self) -> PolicyDocument {
        self.compiled
            .get_or_init(|| {
                PolicyDocument::parse(self.text, PolicyKind::AwsManaged)
                    .expect("shipped AWS-managed policies are valid")
                    .labelled(self.name, Some(&self.arn()))
            })
            .clone()
    }

    /// The creation time.
    pub fn created(&self) -> Timestamp {
        self.created.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

macro_rules! aws_policy {
    ($name:literal, $path:literal, $id:literal, $version:literal, $created:literal, $description:literal) => {
        AwsManagedPolicy {
            name: $name,
            path: $path,
            id: $id,
            version: $version,
            description: $description,
            created: $created,
            text: include_str!(concat!("aws_managed/", $name, ".json")),
            compiled: OnceLock::new(),
        }
    };
}

/// Every shipped AWS-managed policy.
pub static ALL: [AwsManagedPolicy; 7] = [
    aws_policy!(
        "AdministratorAccess",
        "/",
        "ANPAIWMBCKSKIEE64ZLYK",
        "v1",
        "2015-02-06T18:39:46Z",
        "Provides full access to AWS services and resources."
    ),
    aws_policy!(
        "ReadOnlyAccess",
        "/",
        "ANPAILL3HVNFSB6DCOWYQ",
        "v182",
        "2015-02-06T18:39:48Z",
        "Provides read-only access to AWS services and resources."
    ),
    aws_policy!(
        "IAMFullAccess",
        "/",
        "ANPAI7XKCFMBPM3QQRRVQ",
        "v2",
        "2015-02-06T18:40:38Z",
        "Provides full access to IAM via the AWS Management Console."
    ),
    aws_policy!(
        "IAMReadOnlyAccess",
        "/",
        "ANPAJKSO7NDY4T57MWDSQ",
        "v4",
        "2015-02-06T18:40:39Z",
        "Provides read only access to IAM via the AWS Management Console."
    ),
    aws_policy!(
        "AmazonS3FullAccess",
        "/",
        "ANPAIFIR6V6BVTRAHWINE",
        "v2",
        "2015-02-06T18:40:58Z",
        "Provides full access to all buckets via the AWS Management Console."
    ),
    aws_policy!(
        "AmazonS3ReadOnlyAccess",
        "/",
        "ANPAIZTJ4DXE7G6AGAE6M",
        "v3",
        "2015-02-06T18:40:59Z",
        "Provides read only access to all buckets via the AWS Management Console."
    ),
    aws_policy!(
        "PowerUserAccess",
        "/",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "v12",
        "2015-02-06T18:39:47Z",
        "Provides full access to AWS services and resources, but does not allow management of Users and groups."
    ),
];

/// The policy an ARN names, if it is in the catalog.
pub fn by_arn(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:aws:iam::aws:policy")?;
    ALL.iter()
        .find(|p| rest.strip_prefix(p.path) == Some(p.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_policy_compiles_and_resolves() {
        for p in &ALL {
            assert_eq!(by_arn(&p.arn()).map(|q| q.name), Some(p.name));
            assert!(!p.document().compiled().statements.is_empty());
        }
        assert!(by_arn("arn:aws:iam::aws:policy/Nope").is_none());
    }
}
