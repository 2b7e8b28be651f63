//! `GetAccountSummary`: how many IAM entities an account has, and the quotas Gatehouse
//! enforces on them (AWS's defaults, where Gatehouse enforces one).

use gatehouse_policy::AccountId;

use super::Iam;
use crate::entities::KeyOwner;
use crate::error::Result;

/// The `SummaryMap` of `GetAccountSummary`, in AWS's key order.
pub type AccountSummary = Vec<(&'static str, usize)>;

impl Iam {
    /// `GetAccountSummary`: entity counts and quotas of `account`.
    pub fn account_summary(&self, account: AccountId) -> Result<AccountSummary> {
        let state = self.state();
        let acct = state.account(account)?;
        let policy_versions: usize = acct.policies.values().map(|p| p.versions.len()).sum();
        let root_keys = state
            .keys
            .values()
            .any(|k| k.owner == KeyOwner::Root(account));
        Ok(vec![
            ("GroupPolicySizeQuota", super::inline_quota("group")),
            ("InstanceProfilesQuota", 1000),
            ("Policies", acct.policies.len()),
            ("GroupsPerUserQuota", 10),
            ("InstanceProfiles", acct.instance_profiles.len()),
            (
                "AttachedPoliciesPerUserQuota",
                super::ATTACHED_POLICIES_QUOTA,
            ),
            ("Users", acct.users.len()),
            ("PoliciesQuota", 1500),
            (
                "Providers",
                acct.oidc_providers.len() + acct.saml_providers.len(),
            ),
            ("AccountMFAEnabled", 0),
            ("AccessKeysPerUserQuota", 2),
            ("AssumeRolePolicySizeQuota", 2048),
            ("PolicyVersionsInUseQuota", 10000),
            ("GlobalEndpointTokenVersion", 1),
            ("VersionsPerPolicyQuota", 5),
            (
                "AttachedPoliciesPerGroupQuota",
                super::ATTACHED_POLICIES_QUOTA,
            ),
            ("PolicySizeQuota", 6144),
            ("Groups", acct.groups.len()),
            ("AccountSigningCertificatesPresent", 0),
            ("UsersQuota", 5000),
            ("ServerCertificatesQuota", 20),
            ("MFADevices", 0),
            ("UserPolicySizeQuota", super::inline_quota("user")),
            ("PolicyVersionsInUse", policy_versions),
            ("ServerCertificates", 0),
            ("Roles", acct.roles.len()),
            ("RolesQuota", 1000),
            ("SigningCertificatesPerUserQuota", 2),
            ("MFADevicesInUse", 0),
            ("RolePolicySizeQuota", super::inline_quota("role")),
            (
                "AttachedPoliciesPerRoleQuota",
                super::ATTACHED_POLICIES_QUOTA,
            ),
            ("AccountAccessKeysPresent", usize::from(root_keys)),
            ("GroupsQuota", 300),
        ])
    }
}
