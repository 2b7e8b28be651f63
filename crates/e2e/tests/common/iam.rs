//! IAM fixtures shared by several IAM and STS test files: a tag, a role with a trust policy
//! (and optionally an inline policy), and the ARN of an AWS-managed policy.

use aws_sdk_iam::types::Tag;

use super::{allow, ok};

/// The AWS-managed `ReadOnlyAccess` policy.
pub const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// An IAM tag.
pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

/// Creates role `name` in the root client's account with `trust_policy`, optionally with an
/// inline policy allowing `actions`, and returns its ARN.
pub async fn role(
    root: &aws_sdk_iam::Client,
    name: &str,
    trust_policy: &str,
    actions: &[&str],
) -> String {
    let out = ok(root
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust_policy)
        .send()
        .await);
    if !actions.is_empty() {
        ok(root
            .put_role_policy()
            .role_name(name)
            .policy_name("perms")
            .policy_document(allow(actions))
            .send()
            .await);
    }
    out.role()
        .expect("CreateRole returns the role")
        .arn()
        .to_owned()
}
