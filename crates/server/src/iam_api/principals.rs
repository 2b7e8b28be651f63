//! The operations users, groups, roles and instance profiles share — inline policies, tags,
//! boundaries — written once: the operation table's resource type says which kind a request
//! is about (`PutUserPolicy` names a `user`), and the kind's request parameter and response
//! element follow from it.

use gatehouse_core::entities::Tag;
use gatehouse_core::iam::PrincipalKind;
use gatehouse_core::operation::Resource;
use gatehouse_policy::ContextValue;

use super::{Handled, entity_arn, page, respond, respond_empty, truncation};
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::url_encoded;

/// The kind of entity the request's operation is about, from its table entry.
fn kind_of(ctx: &RequestCtx) -> Result<PrincipalKind, ApiError> {
    match ctx.operation.resource {
        Resource::Typed { resource_type, .. } => PrincipalKind::from_resource_type(resource_type),
        Resource::None => None,
    }
    .ok_or_else(|| {
        ApiError::internal(format!(
            "{} is not about a user, group or role",
            ctx.operation.name
        ))
    })
}

/// The request parameter that names an entity of `kind`, and the response element that
/// echoes it (`UserName`, `GroupName`, `RoleName`).
fn name_element(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "UserName",
        PrincipalKind::Group => "GroupName",
        PrincipalKind::Role => "RoleName",
        PrincipalKind::InstanceProfile => "InstanceProfileName",
        PrincipalKind::OidcProvider => "OpenIDConnectProviderArn",
        PrincipalKind::SamlProvider => "SAMLProviderArn",
    }
}

/// The ARN of entity `name` of `kind`: its real path when it exists, `/` otherwise.
pub(crate) fn principal_arn(ctx: &RequestCtx, kind: PrincipalKind, name: &str) -> String {
    let iam = &ctx.app.iam;
    let found = match kind {
        PrincipalKind::User => iam.get_user(ctx.account(), name).map(|u| u.arn()),
        PrincipalKind::Group => iam.get_group(ctx.account(), name).map(|(g, _)| g.arn()),
        PrincipalKind::Role => iam.get_role(ctx.account(), name).map(|r| r.arn()),
        PrincipalKind::InstanceProfile => iam
            .get_instance_profile(ctx.account(), name)
            .map(|(i, _)| i.arn()),
        // Named by their ARNs.
        PrincipalKind::OidcProvider | PrincipalKind::SamlProvider => return name.to_owned(),
    };
    found.unwrap_or_else(|_| entity_arn(ctx, kind.noun(), "/", name))
}

/// The kind, name and ARN of the entity a request names, authorized for its operation.
fn target<'a>(
    ctx: &RequestCtx,
    p: &'a QueryParams,
) -> Result<(PrincipalKind, &'a str, String), ApiError> {
    let kind = kind_of(ctx)?;
    let name = p.require(name_element(kind))?;
    Ok((kind, name, principal_arn(ctx, kind, name)))
}

/// Request-tag keys for tagging actions.
pub(crate) fn tag_context(tags: &[Tag]) -> Vec<(String, ContextValue)> {
    let mut out: Vec<(String, ContextValue)> = tags
        .iter()
        .map(|t| {
            (
                format!("aws:RequestTag/{}", t.key),
                ContextValue::Single(t.value.as_str().into()),
            )
        })
        .collect();
    if !tags.is_empty() {
        out.push((
            "aws:TagKeys".into(),
            ContextValue::Multi(tags.iter().map(|t| t.key.as_str().into()).collect()),
        ));
    }
    out
}

/// Requires `action` on `arn` with the request-tag keys of `tags` and, when the request sets
/// one, `iam:PermissionsBoundary`.
pub(crate) fn authorize_tagged(
    ctx: &RequestCtx,
    action: &str,
    arn: &str,
    tags: &[Tag],
    boundary: Option<&str>,
) -> Result<(), ApiError> {
    let mut extra = tag_context(tags);
    if let Some(boundary) = boundary {
        extra.push((
            "iam:PermissionsBoundary".to_owned(),
            ContextValue::Single(boundary.into()),
        ));
    }
    let refs: Vec<(&str, ContextValue)> =
        extra.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    ctx.authorize_with(action, arn, &refs)
}

/// Authorizes a create that may carry tags: the operation's action on `arn` (with
/// `iam:PermissionsBoundary` when the request sets a boundary) and, when it carries tags, the
/// tagging action its table entry lists among its further actions (`iam:TagUser`…).
pub(crate) fn authorize_create(
    ctx: &RequestCtx,
    arn: &str,
    tags: &[Tag],
    boundary: Option<&str>,
) -> Result<(), ApiError> {
    authorize_tagged(ctx, ctx.action(), arn, tags, boundary)?;
    let tag_action = ctx
        .operation
        .further_actions
        .iter()
        .find(|a| a.starts_with("iam:Tag"));
    if let (Some(tag_action), false) = (tag_action, tags.is_empty()) {
        authorize_tagged(ctx, tag_action, arn, tags, None)?;
    }
    Ok(())
}

/// `PutUserPolicy`, `PutGroupPolicy`, `PutRolePolicy`.
pub(super) fn put_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    let policy_name = p.require("PolicyName")?;
    let document = p.require("PolicyDocument")?;
    ctx.authorize(ctx.action(), &arn)?;
    ctx.app
        .iam
        .put_inline_policy(ctx.account(), kind, name, policy_name, document)?;
    Ok(respond_empty(ctx))
}

/// `GetUserPolicy`, `GetGroupPolicy`, `GetRolePolicy`.
pub(super) fn get_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    let policy_name = p.require("PolicyName")?;
    ctx.authorize(ctx.action(), &arn)?;
    let (entity_name, doc) =
        ctx.app
            .iam
            .get_inline_policy(ctx.account(), kind, name, policy_name)?;
    Ok(respond(ctx, |x| {
        x.text(name_element(kind), &entity_name)
            .text("PolicyName", policy_name)
            .text("PolicyDocument", &url_encoded(doc.text()));
    }))
}

/// `DeleteUserPolicy`, `DeleteGroupPolicy`, `DeleteRolePolicy`.
pub(super) fn delete_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    let policy_name = p.require("PolicyName")?;
    ctx.authorize(ctx.action(), &arn)?;
    ctx.app
        .iam
        .delete_inline_policy(ctx.account(), kind, name, policy_name)?;
    Ok(respond_empty(ctx))
}

/// `ListUserPolicies`, `ListGroupPolicies`, `ListRolePolicies`.
pub(super) fn list_policies(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    let names = ctx
        .app
        .iam
        .list_inline_policies(ctx.account(), kind, name)?;
    let page = page(p, names.into_iter().map(|n| (n.clone(), n)))?;
    Ok(respond(ctx, |x| {
        x.list("PolicyNames", &page.items, |x, n| {
            x.open_text(n);
        });
        truncation(x, &page);
    }))
}

/// `TagUser`, `TagRole`.
pub(super) fn tag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    let tags = p.tags("Tags");
    authorize_tagged(ctx, ctx.action(), &arn, &tags, None)?;
    ctx.app
        .iam
        .tag_principal(ctx.account(), kind, name, &tags)?;
    Ok(respond_empty(ctx))
}

/// `UntagUser`, `UntagRole`.
pub(super) fn untag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    let keys = p.list("TagKeys", None);
    ctx.authorize_with(
        ctx.action(),
        &arn,
        &[(
            "aws:TagKeys",
            ContextValue::Multi(keys.iter().map(|k| k.as_str().into()).collect()),
        )],
    )?;
    ctx.app
        .iam
        .untag_principal(ctx.account(), kind, name, &keys)?;
    Ok(respond_empty(ctx))
}

/// `ListUserTags`, `ListRoleTags`.
pub(super) fn list_tags(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    let tags = ctx.app.iam.principal_tags(ctx.account(), kind, name)?;
    let page = page(
        p,
        tags.into_iter()
            .enumerate()
            .map(|(i, t)| (format!("{i:08}"), t)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Tags", &page.items, |x, t| {
            x.text("Key", &t.key).text("Value", &t.value);
        });
        truncation(x, &page);
    }))
}

/// `PutUserPermissionsBoundary`, `PutRolePermissionsBoundary`.
pub(super) fn put_boundary(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    let boundary = p.require("PermissionsBoundary")?;
    ctx.authorize_with(
        ctx.action(),
        &arn,
        &[(
            "iam:PermissionsBoundary",
            ContextValue::Single(boundary.into()),
        )],
    )?;
    ctx.app
        .iam
        .put_boundary(ctx.account(), kind, name, boundary)?;
    Ok(respond_empty(ctx))
}

/// `DeleteUserPermissionsBoundary`, `DeleteRolePermissionsBoundary`.
pub(super) fn delete_boundary(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (kind, name, arn) = target(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    ctx.app.iam.delete_boundary(ctx.account(), kind, name)?;
    Ok(respond_empty(ctx))
}
