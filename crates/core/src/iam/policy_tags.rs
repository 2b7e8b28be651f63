//! Tags of customer-managed policies: `TagPolicy`, `UntagPolicy`, `ListPolicyTags`.

use gatehouse_policy::AccountId;

use super::policies::{ManagedPolicyRef, find_customer, resolve_policy_arn};
use super::{Iam, check_tags, merge_tags};
use crate::entities::Tag;
use crate::error::{Error, Result};
use crate::state::Change;

impl Iam {
    /// `TagPolicy`: AWS-managed policies cannot be changed.
    pub fn tag_policy(&self, account: AccountId, arn: &str, tags: &[Tag]) -> Result<()> {
        check_tags(tags)?;
        self.mutate(|state| {
            let mut policy = find_customer(state, account, arn)?;
            merge_tags(&mut policy.tags, tags);
            check_tags(&policy.tags)?;
            Ok((vec![Change::PutPolicy(policy)], ()))
        })
    }

    /// `UntagPolicy`: keys match without regard to case.
    pub fn untag_policy(&self, account: AccountId, arn: &str, keys: &[String]) -> Result<()> {
        self.mutate(|state| {
            let mut policy = find_customer(state, account, arn)?;
            policy
                .tags
                .retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok((vec![Change::PutPolicy(policy)], ()))
        })
    }

    /// `ListPolicyTags`: an AWS-managed policy has none.
    pub fn policy_tags(&self, account: AccountId, arn: &str) -> Result<Vec<Tag>> {
        let state = self.state();
        match resolve_policy_arn(&state, account, arn) {
            Ok(ManagedPolicyRef::Customer(p)) => Ok(p.tags),
            Ok(ManagedPolicyRef::Aws(_)) => Ok(Vec::new()),
            Err(_) => Err(Error::NoSuchEntity(format!("Policy {arn} was not found."))),
        }
    }
}
