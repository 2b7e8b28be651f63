//! What users, groups, roles and instance profiles share, written once: inline policies, tags
//! and the permissions boundary. Operations name the kind ([`PrincipalKind`]); everything else is the same code for
//! every kind, so new kinds of entity with tags or policies join here.

use std::collections::BTreeMap;

use gatehouse_policy::AccountId;

use super::{Iam, check_tags, inline, merge_tags};
use crate::entities::{
    Group, InstanceProfile, OidcProvider, PolicyDocument, Role, SamlProvider, Tag, User,
};
use crate::error::{Error, Result};
use crate::state::{AccountIam, Change, IamState};

/// A kind of IAM entity that has inline policies (users and roles also have tags and a
/// permissions boundary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
    /// An instance profile (tags only).
    InstanceProfile,
    /// An `OpenID` Connect provider (tags only), named by its ARN.
    OidcProvider,
    /// A SAML provider (tags only), named by its ARN.
    SamlProvider,
}

impl PrincipalKind {
    /// The kind as IAM's ARNs, messages and the service reference name it (`user`, `group`,
    /// `role`).
    pub fn noun(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "role",
            Self::InstanceProfile => "instance-profile",
            Self::OidcProvider => "oidc-provider",
            Self::SamlProvider => "saml-provider",
        }
    }

    /// The kind of a resource type of the service reference (`user` → `User`).
    pub fn from_resource_type(resource_type: &str) -> Option<Self> {
        match resource_type {
            "user" => Some(Self::User),
            "group" => Some(Self::Group),
            "role" => Some(Self::Role),
            "instance-profile" => Some(Self::InstanceProfile),
            "oidc-provider" => Some(Self::OidcProvider),
            "saml-provider" => Some(Self::SamlProvider),
            _ => None,
        }
    }
}

/// One user, group or role, copied out of the state to be read or changed.
enum Principal {
    User(User),
    Group(Group),
    Role(Role),
    InstanceProfile(InstanceProfile),
    OidcProvider(OidcProvider),
    SamlProvider(SamlProvider),
}

impl Principal {
    /// The entity `name` of `kind` in `acct`, with AWS's `NoSuchEntity`.
    fn find(acct: &AccountIam, kind: PrincipalKind, name: &str) -> Result<Self> {
        Ok(match kind {
            PrincipalKind::User => Self::User(super::lookup::user(acct, name)?.clone()),
            PrincipalKind::Group => Self::Group(super::lookup::group(acct, name)?.clone()),
            PrincipalKind::Role => Self::Role(super::lookup::role(acct, name)?.clone()),
            PrincipalKind::InstanceProfile => {
                Self::InstanceProfile(super::instance_profiles::find(acct, name)?.clone())
            }
            PrincipalKind::OidcProvider => {
                Self::OidcProvider(super::oidc_providers::find(acct, name)?.clone())
            }
            PrincipalKind::SamlProvider => {
                Self::SamlProvider(super::saml_providers::find(acct, name)?.clone())
            }
        })
    }

    fn kind(&self) -> PrincipalKind {
        match self {
            Self::User(_) => PrincipalKind::User,
            Self::Group(_) => PrincipalKind::Group,
            Self::Role(_) => PrincipalKind::Role,
            Self::InstanceProfile(_) => PrincipalKind::InstanceProfile,
            Self::OidcProvider(_) => PrincipalKind::OidcProvider,
            Self::SamlProvider(_) => PrincipalKind::SamlProvider,
        }
    }

    /// The name as created (its case kept).
    fn name(&self) -> &str {
        match self {
            Self::User(u) => &u.common.name,
            Self::Group(g) => &g.common.name,
            Self::Role(r) => &r.common.name,
            Self::InstanceProfile(i) => &i.common.name,
            Self::OidcProvider(o) => &o.url,
            Self::SamlProvider(p) => &p.common.name,
        }
    }

    fn inline(&self) -> Result<&BTreeMap<String, PolicyDocument>> {
        match self {
            Self::User(u) => Ok(&u.inline),
            Self::Group(g) => Ok(&g.inline),
            Self::Role(r) => Ok(&r.inline),
            Self::InstanceProfile(_) => Err(no_such_capability("instance profiles", "policies")),
            Self::OidcProvider(_) => Err(no_such_capability("OIDC providers", "policies")),
            Self::SamlProvider(_) => Err(no_such_capability("SAML providers", "policies")),
        }
    }

    fn inline_mut(&mut self) -> Result<&mut BTreeMap<String, PolicyDocument>> {
        match self {
            Self::User(u) => Ok(&mut u.inline),
            Self::Group(g) => Ok(&mut g.inline),
            Self::Role(r) => Ok(&mut r.inline),
            Self::InstanceProfile(_) => Err(no_such_capability("instance profiles", "policies")),
            Self::OidcProvider(_) => Err(no_such_capability("OIDC providers", "policies")),
            Self::SamlProvider(_) => Err(no_such_capability("SAML providers", "policies")),
        }
    }

    /// The tags; groups have none.
    fn tags(&self) -> Result<&Vec<Tag>> {
        match self {
            Self::User(u) => Ok(&u.tags),
            Self::Role(r) => Ok(&r.tags),
            Self::InstanceProfile(i) => Ok(&i.tags),
            Self::OidcProvider(o) => Ok(&o.tags),
            Self::SamlProvider(p) => Ok(&p.tags),
            Self::Group(_) => Err(no_such_capability("groups", "tags")),
        }
    }

    fn tags_mut(&mut self) -> Result<&mut Vec<Tag>> {
        match self {
            Self::User(u) => Ok(&mut u.tags),
            Self::Role(r) => Ok(&mut r.tags),
            Self::InstanceProfile(i) => Ok(&mut i.tags),
            Self::OidcProvider(o) => Ok(&mut o.tags),
            Self::SamlProvider(p) => Ok(&mut p.tags),
            Self::Group(_) => Err(no_such_capability("groups", "tags")),
        }
    }

    fn boundary_mut(&mut self) -> Result<&mut Option<String>> {
        match self {
            Self::User(u) => Ok(&mut u.boundary),
            Self::Role(r) => Ok(&mut r.boundary),
            Self::Group(_) => Err(no_such_capability("groups", "a permissions boundary")),
            Self::InstanceProfile(_) => Err(no_such_capability(
                "instance profiles",
                "a permissions boundary",
            )),
            Self::OidcProvider(_) => Err(no_such_capability(
                "OIDC providers",
                "a permissions boundary",
            )),
            Self::SamlProvider(_) => Err(no_such_capability(
                "SAML providers",
                "a permissions boundary",
            )),
        }
    }

    /// The change that stores the entity back.
    fn into_change(self) -> Change {
        match self {
            Self::User(u) => Change::PutUser(u),
            Self::Group(g) => Change::PutGroup(g),
            Self::Role(r) => Change::PutRole(r),
            Self::InstanceProfile(i) => Change::PutInstanceProfile(i),
            Self::OidcProvider(o) => Change::PutOidcProvider(o),
            Self::SamlProvider(p) => Change::PutSamlProvider(p),
        }
    }
}

/// What a kind does not carry; no IAM operation asks for it, so this is a bug.
fn no_such_capability(kind: &str, what: &str) -> Error {
    Error::Internal(format!("IAM {kind} have no {what}"))
}

impl Iam {
    /// Reads the entity `name` of `kind`, and changes and stores it with `f`.
    fn modify_principal(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        f: impl FnOnce(&IamState, &mut Principal) -> Result<()>,
    ) -> Result<()> {
        self.mutate(|state| {
            let mut principal = Principal::find(state.account(account)?, kind, name)?;
            f(state, &mut principal)?;
            Ok((vec![principal.into_change()], ()))
        })
    }

    /// `PutUserPolicy`, `PutGroupPolicy`, `PutRolePolicy`.
    pub fn put_inline_policy(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        policy_name: &str,
        document: &str,
    ) -> Result<()> {
        inline::check_parameters(policy_name, document)?;
        self.modify_principal(account, kind, name, |_, p| {
            let entity_name = p.name().to_owned();
            let noun = p.kind().noun();
            inline::put(p.inline_mut()?, noun, &entity_name, policy_name, document)
        })
    }

    /// `GetUserPolicy`, `GetGroupPolicy`, `GetRolePolicy`: the entity's name as created, and
    /// the document.
    pub fn get_inline_policy(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        policy_name: &str,
    ) -> Result<(String, PolicyDocument)> {
        let state = self.state();
        let p = Principal::find(state.account(account)?, kind, name)?;
        let document = inline::get(p.inline()?, kind.noun(), policy_name)?.clone();
        Ok((p.name().to_owned(), document))
    }

    /// `DeleteUserPolicy`, `DeleteGroupPolicy`, `DeleteRolePolicy`.
    pub fn delete_inline_policy(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        policy_name: &str,
    ) -> Result<()> {
        self.modify_principal(account, kind, name, |_, p| {
            inline::delete(p.inline_mut()?, kind.noun(), policy_name)
        })
    }

    /// `ListUserPolicies`, `ListGroupPolicies`, `ListRolePolicies`: inline policy names.
    pub fn list_inline_policies(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
    ) -> Result<Vec<String>> {
        let state = self.state();
        let p = Principal::find(state.account(account)?, kind, name)?;
        Ok(p.inline()?.keys().cloned().collect())
    }

    /// `TagUser`, `TagRole`.
    pub fn tag_principal(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        tags: &[Tag],
    ) -> Result<()> {
        check_tags(tags)?;
        self.modify_principal(account, kind, name, |_, p| {
            let existing = p.tags_mut()?;
            merge_tags(existing, tags);
            check_tags(existing)
        })
    }

    /// `UntagUser`, `UntagRole`: keys match without regard to case.
    pub fn untag_principal(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        keys: &[String],
    ) -> Result<()> {
        self.modify_principal(account, kind, name, |_, p| {
            p.tags_mut()?
                .retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
    }

    /// `ListUserTags`, `ListRoleTags`.
    pub fn principal_tags(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
    ) -> Result<Vec<Tag>> {
        let state = self.state();
        let p = Principal::find(state.account(account)?, kind, name)?;
        p.tags().cloned()
    }

    /// `PutUserPermissionsBoundary`, `PutRolePermissionsBoundary`.
    pub fn put_boundary(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
        policy_arn: &str,
    ) -> Result<()> {
        self.modify_principal(account, kind, name, |state, p| {
            let checked = super::policies::check_boundary(state, account, policy_arn)?;
            *p.boundary_mut()? = Some(checked);
            Ok(())
        })
    }

    /// `DeleteUserPermissionsBoundary`, `DeleteRolePermissionsBoundary`.
    pub fn delete_boundary(
        &self,
        account: AccountId,
        kind: PrincipalKind,
        name: &str,
    ) -> Result<()> {
        self.modify_principal(account, kind, name, |_, p| {
            *p.boundary_mut()? = None;
            Ok(())
        })
    }
}
