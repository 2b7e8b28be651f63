//! The IAM API over the query protocol: [`OPERATIONS`], the table of every IAM operation served,
//! and their handlers, each authorized by IAM policy (the operation's action on the entity's
//! ARN) before it acts. Adding an operation is a table entry and a handler.

mod account;
mod groups;
mod instance_profiles;
mod keys;
mod login_profiles;
mod oidc_providers;
mod policies;
mod policy_tags;
mod principals;
pub(crate) mod render;
mod roles;
mod saml_providers;
mod users;

use gatehouse_core::operation::Resource;
use gatehouse_core::page::{Page, paginate};

use crate::error::{ApiError, Service};
use crate::operations::{QueryOperation, TAG_KEYS, query_operations};
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::Xml;

pub(crate) use crate::operations::Handled;

/// A user, named by `UserName` (the caller when a user-level call omits it).
const USER: Resource = Resource::named("user", "UserName");
/// A group, named by `GroupName`.
const GROUP: Resource = Resource::named("group", "GroupName");
/// A role, named by `RoleName`.
const ROLE: Resource = Resource::named("role", "RoleName");
/// A managed policy, named by `PolicyArn`.
const POLICY: Resource = Resource::named("policy", "PolicyArn");
/// A new managed policy, named by `PolicyName` and `Path`.
const NEW_POLICY: Resource = Resource::named("policy", "PolicyName");
/// An instance profile, named by `InstanceProfileName`.
const INSTANCE_PROFILE: Resource = Resource::named("instance-profile", "InstanceProfileName");
/// An `OpenID` Connect provider, named by `OpenIDConnectProviderArn`.
const OIDC_PROVIDER: Resource = Resource::named("oidc-provider", "OpenIDConnectProviderArn");
/// A SAML provider, named by `SAMLProviderArn`.
const SAML_PROVIDER: Resource = Resource::named("saml-provider", "SAMLProviderArn");
/// No resource type: the call is authorized on the account's listing ARN.
const NONE: Resource = Resource::None;

/// Every IAM operation Gatehouse serves.
pub(crate) static OPERATIONS: &[QueryOperation] = query_operations! { Iam, "iam";
    CreateUser: write USER, further_actions = &["iam:TagUser"], context_keys = &[
        "aws:RequestTag/${TagKey}", "aws:TagKeys", "iam:PermissionsBoundary"
    ] => users::create;
    GetUser: read USER => users::get;
    ListUsers: read NONE => users::list;
    UpdateUser: write USER => users::update;
    DeleteUser: write USER => users::delete;
    PutUserPolicy: write USER => principals::put_policy;
    GetUserPolicy: read USER => principals::get_policy;
    DeleteUserPolicy: write USER => principals::delete_policy;
    ListUserPolicies: read USER => principals::list_policies;
    TagUser: write USER, context_keys = TAG_KEYS => principals::tag;
    UntagUser: write USER, context_keys = &["aws:TagKeys"] => principals::untag;
    ListUserTags: read USER => principals::list_tags;
    PutUserPermissionsBoundary: write USER, context_keys = &["iam:PermissionsBoundary"]
        => principals::put_boundary;
    DeleteUserPermissionsBoundary: write USER => principals::delete_boundary;
    CreateLoginProfile: write USER => login_profiles::create;
    GetLoginProfile: read USER => login_profiles::get;
    UpdateLoginProfile: write USER => login_profiles::update;
    DeleteLoginProfile: write USER => login_profiles::delete;
    CreateGroup: write GROUP => groups::create;
    GetGroup: read GROUP => groups::get;
    ListGroups: read NONE => groups::list;
    UpdateGroup: write GROUP => groups::update;
    DeleteGroup: write GROUP => groups::delete;
    AddUserToGroup: write GROUP => groups::add_user;
    RemoveUserFromGroup: write GROUP => groups::remove_user;
    ListGroupsForUser: read USER => groups::list_for_user;
    PutGroupPolicy: write GROUP => principals::put_policy;
    GetGroupPolicy: read GROUP => principals::get_policy;
    DeleteGroupPolicy: write GROUP => principals::delete_policy;
    ListGroupPolicies: read GROUP => principals::list_policies;
    CreateRole: write ROLE, further_actions = &["iam:TagRole"], context_keys = &[
        "aws:RequestTag/${TagKey}", "aws:TagKeys", "iam:PermissionsBoundary"
    ] => roles::create;
    GetRole: read ROLE => roles::get;
    ListRoles: read NONE => roles::list;
    DeleteRole: write ROLE => roles::delete;
    UpdateRole: write ROLE => roles::update;
    UpdateRoleDescription: write ROLE => roles::update_description;
    UpdateAssumeRolePolicy: write ROLE => roles::update_trust;
    PutRolePolicy: write ROLE => principals::put_policy;
    GetRolePolicy: read ROLE => principals::get_policy;
    DeleteRolePolicy: write ROLE => principals::delete_policy;
    ListRolePolicies: read ROLE => principals::list_policies;
    TagRole: write ROLE, context_keys = TAG_KEYS => principals::tag;
    UntagRole: write ROLE, context_keys = &["aws:TagKeys"] => principals::untag;
    ListRoleTags: read ROLE => principals::list_tags;
    PutRolePermissionsBoundary: write ROLE, context_keys = &["iam:PermissionsBoundary"]
        => principals::put_boundary;
    DeleteRolePermissionsBoundary: write ROLE => principals::delete_boundary;
    CreatePolicy: write NEW_POLICY, context_keys = TAG_KEYS => policies::create;
    GetPolicy: read POLICY => policies::get;
    TagPolicy: write POLICY, context_keys = TAG_KEYS => policy_tags::tag;
    UntagPolicy: write POLICY, context_keys = &["aws:TagKeys"] => policy_tags::untag;
    ListPolicyTags: read POLICY => policy_tags::list;
    ListPolicies: read NONE => policies::list;
    DeletePolicy: write POLICY => policies::delete;
    CreatePolicyVersion: write POLICY => policies::create_version;
    GetPolicyVersion: read POLICY => policies::get_version;
    ListPolicyVersions: read POLICY => policies::list_versions;
    SetDefaultPolicyVersion: write POLICY => policies::set_default_version;
    DeletePolicyVersion: write POLICY => policies::delete_version;
    AttachUserPolicy: write USER, context_keys = &["iam:PolicyARN"] => policies::attach;
    AttachGroupPolicy: write GROUP, context_keys = &["iam:PolicyARN"] => policies::attach;
    AttachRolePolicy: write ROLE, context_keys = &["iam:PolicyARN"] => policies::attach;
    DetachUserPolicy: write USER, context_keys = &["iam:PolicyARN"] => policies::detach;
    DetachGroupPolicy: write GROUP, context_keys = &["iam:PolicyARN"] => policies::detach;
    DetachRolePolicy: write ROLE, context_keys = &["iam:PolicyARN"] => policies::detach;
    ListAttachedUserPolicies: read USER => policies::list_attached;
    ListAttachedGroupPolicies: read GROUP => policies::list_attached;
    ListAttachedRolePolicies: read ROLE => policies::list_attached;
    ListEntitiesForPolicy: read POLICY => policies::entities;
    GetAccountAuthorizationDetails: read NONE => policies::account_details;
    GetAccountSummary: read NONE => account::summary;
    CreateAccountAlias: write NONE => account::create_alias;
    DeleteAccountAlias: write NONE => account::delete_alias;
    ListAccountAliases: read NONE => account::list_aliases;
    GetAccountPasswordPolicy: read NONE => account::get_password_policy;
    UpdateAccountPasswordPolicy: write NONE => account::update_password_policy;
    DeleteAccountPasswordPolicy: write NONE => account::delete_password_policy;
    CreateInstanceProfile: write INSTANCE_PROFILE, further_actions = &["iam:TagInstanceProfile"],
        context_keys = TAG_KEYS => instance_profiles::create;
    GetInstanceProfile: read INSTANCE_PROFILE => instance_profiles::get;
    ListInstanceProfiles: read NONE => instance_profiles::list;
    DeleteInstanceProfile: write INSTANCE_PROFILE => instance_profiles::delete;
    AddRoleToInstanceProfile: write INSTANCE_PROFILE, further_actions = &["iam:PassRole"],
        context_keys = &["iam:PassedToService", "iam:AssociatedResourceArn"]
        => instance_profiles::add_role;
    RemoveRoleFromInstanceProfile: write INSTANCE_PROFILE => instance_profiles::remove_role;
    ListInstanceProfilesForRole: read ROLE => instance_profiles::list_for_role;
    TagInstanceProfile: write INSTANCE_PROFILE, context_keys = TAG_KEYS => principals::tag;
    UntagInstanceProfile: write INSTANCE_PROFILE, context_keys = &["aws:TagKeys"]
        => principals::untag;
    ListInstanceProfileTags: read INSTANCE_PROFILE => principals::list_tags;
    CreateOpenIDConnectProvider: write Resource::named("oidc-provider", "Url"),
        further_actions = &["iam:TagOpenIDConnectProvider"], context_keys = TAG_KEYS
        => oidc_providers::create;
    GetOpenIDConnectProvider: read OIDC_PROVIDER => oidc_providers::get;
    ListOpenIDConnectProviders: read NONE => oidc_providers::list;
    DeleteOpenIDConnectProvider: write OIDC_PROVIDER => oidc_providers::delete;
    AddClientIDToOpenIDConnectProvider: write OIDC_PROVIDER => oidc_providers::add_client_id;
    RemoveClientIDFromOpenIDConnectProvider: write OIDC_PROVIDER
        => oidc_providers::remove_client_id;
    UpdateOpenIDConnectProviderThumbprint: write OIDC_PROVIDER
        => oidc_providers::update_thumbprints;
    TagOpenIDConnectProvider: write OIDC_PROVIDER, context_keys = TAG_KEYS => principals::tag;
    UntagOpenIDConnectProvider: write OIDC_PROVIDER, context_keys = &["aws:TagKeys"]
        => principals::untag;
    ListOpenIDConnectProviderTags: read OIDC_PROVIDER => principals::list_tags;
    CreateSAMLProvider: write Resource::named("saml-provider", "Name"),
        further_actions = &["iam:TagSAMLProvider"], context_keys = TAG_KEYS
        => saml_providers::create;
    GetSAMLProvider: read SAML_PROVIDER => saml_providers::get;
    ListSAMLProviders: read NONE => saml_providers::list;
    UpdateSAMLProvider: write SAML_PROVIDER => saml_providers::update;
    DeleteSAMLProvider: write SAML_PROVIDER => saml_providers::delete;
    TagSAMLProvider: write SAML_PROVIDER, context_keys = TAG_KEYS => principals::tag;
    UntagSAMLProvider: write SAML_PROVIDER, context_keys = &["aws:TagKeys"] => principals::untag;
    ListSAMLProviderTags: read SAML_PROVIDER => principals::list_tags;
    CreateAccessKey: write USER => keys::create;
    ListAccessKeys: read USER => keys::list;
    UpdateAccessKey: write USER => keys::update;
    DeleteAccessKey: write USER => keys::delete;
    GetAccessKeyLastUsed: read USER => keys::last_used;
};

/// `<OperationResponse><OperationResult>…</OperationResult><ResponseMetadata>…` for the
/// request's operation.
pub(crate) fn respond(ctx: &RequestCtx, result: impl FnOnce(&mut Xml)) -> String {
    let action = ctx.operation.name;
    let mut x = Xml::new();
    x.open_ns(&format!("{action}Response"), Service::Iam.namespace());
    x.elem(&format!("{action}Result"), result);
    metadata(&mut x, ctx);
    x.close(&format!("{action}Response"));
    x.finish()
}

/// A response with no result element.
pub(crate) fn respond_empty(ctx: &RequestCtx) -> String {
    let action = ctx.operation.name;
    let mut x = Xml::new();
    x.open_ns(&format!("{action}Response"), Service::Iam.namespace());
    metadata(&mut x, ctx);
    x.close(&format!("{action}Response"));
    x.finish()
}

fn metadata(x: &mut Xml, ctx: &RequestCtx) {
    x.elem("ResponseMetadata", |x| {
        x.text("RequestId", &ctx.request_id);
    });
}

/// Pages `items` with the request's `Marker`/`MaxItems`.
pub(crate) fn page<T>(
    p: &QueryParams,
    items: impl IntoIterator<Item = (String, T)>,
) -> Result<Page<T>, ApiError> {
    let max = gatehouse_core::validate::max_items(p.get("MaxItems"))?;
    Ok(paginate(items, p.get("Marker"), max)?)
}

/// `IsTruncated` and `Marker`.
pub(crate) fn truncation<T>(x: &mut Xml, page: &Page<T>) {
    x.text(
        "IsTruncated",
        if page.is_truncated() { "true" } else { "false" },
    );
    x.opt("Marker", page.next_marker.as_deref());
}

/// The ARN of an entity of the caller's account that may not exist yet.
pub(crate) fn entity_arn(ctx: &RequestCtx, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:{kind}{path}{name}", ctx.account())
}
