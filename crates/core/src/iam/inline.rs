//! Inline policies, shared by users, groups and roles.

use std::collections::BTreeMap;

use gatehouse_policy::{PolicyKind, size_without_whitespace};

use crate::entities::PolicyDocument;
use crate::error::{Error, Result};
use crate::validate;

/// Checks the `PolicyName` and `PolicyDocument` parameters' constraints (before any lookup).
pub(crate) fn check_parameters(policy_name: &str, document: &str) -> Result<()> {
    validate::policy_name("policyName", policy_name)?;
    validate::length("policyDocument", document, 1, 131_072)
}

/// Validates `document` as an inline policy of `entity_kind` (`user`, `group`, `role`) named
/// `entity_name`, checking the aggregate quota with the entity's other inline policies, and
/// stores it in `inline`.
pub(crate) fn put(
    inline: &mut BTreeMap<String, PolicyDocument>,
    entity_kind: &str,
    entity_name: &str,
    policy_name: &str,
    document: &str,
) -> Result<()> {
    validate::policy_name("policyName", policy_name)?;
    validate::length("policyDocument", document, 1, 131_072)?;
    let doc = PolicyDocument::parse(document, PolicyKind::Inline)?.labelled(policy_name, None);
    let others: usize = inline
        .iter()
        .filter(|(n, _)| *n != policy_name)
        .map(|(_, d)| size_without_whitespace(d.text()))
        .sum();
    let quota = super::inline_quota(entity_kind);
    if others + size_without_whitespace(document) > quota {
        return Err(Error::LimitExceeded(format!(
            "Maximum policy size of {quota} bytes exceeded for {entity_kind} {entity_name}"
        )));
    }
    inline.insert(policy_name.to_owned(), doc);
    Ok(())
}

/// The inline policy `policy_name`, or AWS's `NoSuchEntity`.
pub(crate) fn get<'a>(
    inline: &'a BTreeMap<String, PolicyDocument>,
    entity_kind: &str,
    policy_name: &str,
) -> Result<&'a PolicyDocument> {
    inline
        .get(policy_name)
        .ok_or_else(|| no_such_policy(entity_kind, policy_name))
}

/// Removes `policy_name`, or AWS's `NoSuchEntity`.
pub(crate) fn delete(
    inline: &mut BTreeMap<String, PolicyDocument>,
    entity_kind: &str,
    policy_name: &str,
) -> Result<()> {
    inline
        .remove(policy_name)
        .map(|_| ())
        .ok_or_else(|| no_such_policy(entity_kind, policy_name))
}

fn no_such_policy(entity_kind: &str, policy_name: &str) -> Error {
    Error::NoSuchEntity(format!(
        "The {entity_kind} policy with name {policy_name} cannot be found."
    ))
}
