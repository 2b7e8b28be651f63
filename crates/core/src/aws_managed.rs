//! The catalog of AWS-managed policies (`arn:aws:iam::aws:policy/<path><name>`): every policy AWS
//! publishes, with its default version's document, generated into `data/aws-managed-policies.tsv`
//! by `scripts/gen-aws-data.py`.
//!
//! The catalog costs nothing until it is first used: the table is compiled into the binary as
//! text, indexed on first lookup (one pass, slices into the text, no copies), and each document is
//! parsed the first time a request evaluates it.

use std::sync::OnceLock;

use gatehouse_policy::PolicyKind;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::entities::PolicyDocument;

/// The generated catalog: `name path version created updated document`, one policy per line,
/// sorted by name.
const CATALOG: &str = include_str!("../data/aws-managed-policies.tsv");

/// What AWS reports for the best-known policies beyond the dataset: their real policy id, creation
/// date and description.
const KNOWN: [(&str, &str, &str, &str); 7] = [
    (
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        "2015-02-06T18:39:46Z",
        "Provides full access to AWS services and resources.",
    ),
    (
        "ReadOnlyAccess",
        "ANPAILL3HVNFSB6DCOWYQ",
        "2015-02-06T18:39:48Z",
        "Provides read-only access to AWS services and resources.",
    ),
    (
        "IAMFullAccess",
        "ANPAI7XKCFMBPM3QQRRVQ",
        "2015-02-06T18:40:38Z",
        "Provides full access to IAM via the AWS Management Console.",
    ),
    (
        "IAMReadOnlyAccess",
        "ANPAJKSO7NDY4T57MWDSQ",
        "2015-02-06T18:40:39Z",
        "Provides read only access to IAM via the AWS Management Console.",
    ),
    (
        "AmazonS3FullAccess",
        "ANPAIFIR6V6BVTRAHWINE",
        "2015-02-06T18:40:58Z",
        "Provides full access to all buckets via the AWS Management Console.",
    ),
    (
        "AmazonS3ReadOnlyAccess",
        "ANPAIZTJ4DXE7G6AGAE6M",
        "2015-02-06T18:40:59Z",
        "Provides read only access to all buckets via the AWS Management Console.",
    ),
    (
        "PowerUserAccess",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "2015-02-06T18:39:47Z",
        "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
    ),
];

/// One AWS-managed policy of the catalog.
#[derive(Debug)]
pub struct AwsManagedPolicy {
    /// The name, e.g. `AdministratorAccess`.
    pub name: &'static str,
    /// The path (`/`, `/job-function/`, `/service-role/`…).
    pub path: &'static str,
    /// The policy id (`ANPA…`): AWS's own for the best-known policies, otherwise derived from
    /// the name, so it is the same on every node and every start.
    pub id: String,
    /// The default version id.
    pub version: &'static str,
    /// The description AWS shows, where Gatehouse knows it.
    pub description: Option<&'static str>,
    /// The default version's document as AWS publishes it.
    pub text: &'static str,
    created: &'static str,
    updated: &'static str,
    compiled: OnceLock<PolicyDocument>,
}

impl AwsManagedPolicy {
    /// `arn:aws:iam::aws:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }

    /// The compiled document (compiled on first use, then shared).
    pub fn document(&self) -> PolicyDocument {
        self.compiled
            .get_or_init(|| {
                PolicyDocument::parse(self.text, PolicyKind::AwsManaged)
                    .expect("the catalog test compiles every AWS-managed policy")
                    .labelled(self.name, Some(&self.arn()))
            })
            .clone()
    }

    /// When AWS created the policy.
    pub fn created(&self) -> Timestamp {
        parse_time(self.created)
    }

    /// When AWS last published a new default version.
    pub fn updated(&self) -> Timestamp {
        parse_time(self.updated)
    }
}

fn parse_time(text: &str) -> Timestamp {
    text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A stable `ANPA` id: 17 base-32 characters of a hash of the name.
fn derived_id(name: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(format!("aws-managed-policy:{name}").as_bytes());
    let tail: String = digest
        .iter()
        .take(17)
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    format!("ANPA{tail}")
}

fn entry(line: &'static str) -> Option<AwsManagedPolicy> {
    let mut fields = line.split('\t');
    let (name, path, version, created, updated, text) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let known = KNOWN.iter().find(|k| k.0 == name);
    Some(AwsManagedPolicy {
        name,
        path,
        id: known.map_or_else(|| derived_id(name), |k| k.1.to_owned()),
        version,
        description: known.map(|k| k.3),
        text,
        created: known.map_or(created, |k| k.2),
        updated,
        compiled: OnceLock::new(),
    })
}

/// Every AWS-managed policy, sorted by name (indexed on first call).
pub fn all() -> &'static [AwsManagedPolicy] {
    static INDEX: OnceLock<Vec<AwsManagedPolicy>> = OnceLock::new();
    INDEX.get_or_init(|| CATALOG.lines().filter_map(entry).collect())
}

/// The policy an ARN names, if it is in the catalog.
pub fn by_arn(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:aws:iam::aws:policy")?;
    let name = rest.rsplit('/').next()?;
    let policies = all();
    let at = policies.binary_search_by(|p| p.name.cmp(name)).ok()?;
    let policy = &policies[at];
    (rest.strip_prefix(policy.path) == Some(policy.name)).then_some(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_policy_compiles_and_resolves() {
        assert!(all().len() > 1_400, "{} policies", all().len());
        assert!(all().windows(2).all(|w| w[0].name < w[1].name));
        for p in all() {
            assert_eq!(by_arn(&p.arn()).map(|q| q.name), Some(p.name));
            assert!(
                PolicyDocument::parse(p.text, PolicyKind::AwsManaged).is_ok(),
                "{} does not compile",
                p.name
            );
            assert!(p.id.starts_with("ANPA") && p.id.len() == 21, "{}", p.id);
            assert!(
                p.created() > Timestamp::UNIX_EPOCH,
                "{} has no date",
                p.name
            );
        }
        assert!(by_arn("arn:aws:iam::aws:policy/Nope").is_none());
        assert!(by_arn("arn:aws:iam::aws:policy/service-role/AdministratorAccess").is_none());
    }

    #[test]
    fn known_policies_keep_aws_ids_and_others_get_stable_ones() {
        let admin = by_arn("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(admin.id, "ANPAIWMBCKSKIEE64ZLYK");
        assert!(admin.description.is_some());
        let ec2 = by_arn("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess").unwrap();
        assert_eq!(ec2.id, derived_id("AmazonEC2ReadOnlyAccess"));
        assert_ne!(ec2.id, derived_id("AmazonEC2FullAccess"));
        let lambda =
            by_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole").unwrap();
        assert_eq!(lambda.path, "/service-role/");
    }
}
