//! Whether a bucket policy is public, as Block Public Access judges it: an Allow to everyone
//! (`"*"` or `{"AWS":"*"}`) not pinned down by a condition on a fixed value of a key that
//! identifies the caller or its network.

use gatehouse_policy::{
    ConditionValues, Effect, Policy, PrincipalClause, PrincipalEntry, PrincipalSet,
};

/// Condition keys whose fixed values make a grant to `*` non-public.
const RESTRICTING_KEYS: [&str; 10] = [
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalarn",
    "aws:userid",
];

/// True when some Allow statement grants to everyone without a restricting condition.
pub fn is_public(policy: &Policy) -> bool {
    policy.statements.iter().any(|st| {
        let everyone = match &st.principal {
            Some(PrincipalClause::Principal(PrincipalSet::Everyone)) => true,
            Some(PrincipalClause::Principal(PrincipalSet::Entries(entries))) => {
                entries.iter().any(|e| matches!(e, PrincipalEntry::AnyAws))
            }
            _ => false,
        };
        let restricted = st.conditions.iter().any(|c| {
            !c.operator.negated
                && RESTRICTING_KEYS.contains(&&*c.key_lower)
                && match &c.values {
                    ConditionValues::Strings(ps) => {
                        ps.iter().all(|p| !p.to_string().contains(['*', '?']))
                    }
                    ConditionValues::Networks(nets) => nets.iter().all(|n| n.prefix_len() >= 8),
                    ConditionValues::Arns(_) => true,
                    _ => false,
                }
        });
        st.effect == Effect::Allow && everyone && !restricted
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_policy::PolicyKind;

    fn public(text: &str) -> bool {
        is_public(&Policy::parse(text, PolicyKind::Bucket).unwrap())
    }

    #[test]
    fn grants_to_everyone_are_public_unless_pinned() {
        assert!(public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#
        ));
        assert!(public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#
        ));
        assert!(!public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}}]}"#
        ));
        assert!(!public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#
        ));
        assert!(!public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#
        ));
    }
}
