//! Role actions.

use gatehouse_core::iam::{CreateRole, RoleUpdate};
use gatehouse_policy::ContextValue;

use super::users::authorize_tagged;
use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::url_encoded;

fn role_arn(ctx: &RequestCtx, name: &str) -> String {
    ctx.app
        .iam
        .get_role(ctx.account(), name)
        .map_or_else(|_| entity_arn(ctx, "role", "/", name), |r| r.arn())
}

fn max_session(p: &QueryParams) -> Result<Option<u32>, crate::ApiError> {
    Ok(p.int("MaxSessionDuration")?
        .map(|v| u32::try_from(v.clamp(0, i64::from(u32::MAX))).unwrap_or(u32::MAX)))
}

pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let trust = p.require("AssumeRolePolicyDocument")?;
    let path = p.get("Path").unwrap_or("/");
    // AWS checks the request's shape before it authorizes (the ARN needs a valid path).
    gatehouse_core::validate::path("path", path)?;
    let tags = p.tags("Tags");
    let arn = entity_arn(ctx, "role", path, name);
    authorize_tagged(ctx, ctx.action(), &arn, &tags, p.get("PermissionsBoundary"))?;
    if !tags.is_empty() {
        authorize_tagged(ctx, "iam:TagRole", &arn, &tags, None)?;
    }
    let role = ctx.app.iam.create_role(
        ctx.account(),
        &CreateRole {
            name: name.to_owned(),
            path: Some(path.to_owned()),
            trust_policy: trust.to_owned(),
            description: p.get("Description").map(str::to_owned),
            max_session_duration: max_session(p)?,
            boundary: p.get("PermissionsBoundary").map(str::to_owned),
            tags,
        },
    )?;
    Ok(respond(ctx, |x| {
        x.elem("Role", |x| render::role(x, &role));
    }))
}

pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    let role = ctx.app.iam.get_role(ctx.account(), name)?;
    Ok(respond(ctx, |x| {
        x.elem("Role", |x| render::role(x, &role));
    }))
}

pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), &entity_arn(ctx, "role", "/", ""))?;
    let roles = ctx.app.iam.list_roles(ctx.account(), p.get("PathPrefix"))?;
    let page = page(
        p,
        roles.into_iter().map(|r| (r.common.name.to_lowercase(), r)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Roles", &page.items, render::role);
        truncation(x, &page);
    }))
}

pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app.iam.delete_role(ctx.account(), name)?;
    Ok(respond_empty(ctx))
}

pub(super) fn update(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app.iam.update_role(
        ctx.account(),
        name,
        RoleUpdate {
            description: p.get("Description").map(str::to_owned),
            max_session_duration: max_session(p)?,
        },
    )?;
    Ok(respond(ctx, |_| {}))
}

pub(super) fn update_description(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let description = p.require("Description")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app.iam.update_role(
        ctx.account(),
        name,
        RoleUpdate {
            description: Some(description.to_owned()),
            max_session_duration: None,
        },
    )?;
    let role = ctx.app.iam.get_role(ctx.account(), name)?;
    Ok(respond(ctx, |x| {
        x.elem("Role", |x| render::role(x, &role));
    }))
}

pub(super) fn update_trust(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let document = p.require("PolicyDocument")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app.iam.update_trust(ctx.account(), name, document)?;
    Ok(respond_empty(ctx))
}

pub(super) fn put_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let policy_name = p.require("PolicyName")?;
    let document = p.require("PolicyDocument")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app
        .iam
        .put_role_policy(ctx.account(), name, policy_name, document)?;
    Ok(respond_empty(ctx))
}

pub(super) fn get_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let policy_name = p.require("PolicyName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    let (role_name, doc) = ctx
        .app
        .iam
        .get_role_policy(ctx.account(), name, policy_name)?;
    Ok(respond(ctx, |x| {
        x.text("RoleName", &role_name)
            .text("PolicyName", policy_name)
            .text("PolicyDocument", &url_encoded(doc.text()));
    }))
}

pub(super) fn delete_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let policy_name = p.require("PolicyName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app
        .iam
        .delete_role_policy(ctx.account(), name, policy_name)?;
    Ok(respond_empty(ctx))
}

pub(super) fn list_policies(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    let names = ctx.app.iam.list_role_policies(ctx.account(), name)?;
    let page = page(p, names.into_iter().map(|n| (n.clone(), n)))?;
    Ok(respond(ctx, |x| {
        x.list("PolicyNames", &page.items, |x, n| {
            x.open_text(n);
        });
        truncation(x, &page);
    }))
}

pub(super) fn tag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let tags = p.tags("Tags");
    authorize_tagged(ctx, ctx.action(), &role_arn(ctx, name), &tags, None)?;
    ctx.app.iam.tag_role(ctx.account(), name, &tags)?;
    Ok(respond_empty(ctx))
}

pub(super) fn untag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let keys = p.list("TagKeys", None);
    ctx.authorize_with(
        ctx.action(),
        &role_arn(ctx, name),
        &[(
            "aws:TagKeys",
            ContextValue::Multi(keys.iter().map(|k| k.as_str().into()).collect()),
        )],
    )?;
    ctx.app.iam.untag_role(ctx.account(), name, &keys)?;
    Ok(respond_empty(ctx))
}

pub(super) fn list_tags(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    let role = ctx.app.iam.get_role(ctx.account(), name)?;
    let page = page(
        p,
        role.tags
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("{i:08}"), t.clone())),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Tags", &page.items, |x, t| {
            x.text("Key", &t.key).text("Value", &t.value);
        });
        truncation(x, &page);
    }))
}

pub(super) fn put_boundary(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    let arn = p.require("PermissionsBoundary")?;
    ctx.authorize_with(
        ctx.action(),
        &role_arn(ctx, name),
        &[("iam:PermissionsBoundary", ContextValue::Single(arn.into()))],
    )?;
    ctx.app.iam.put_role_boundary(ctx.account(), name, arn)?;
    Ok(respond_empty(ctx))
}

pub(super) fn delete_boundary(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &role_arn(ctx, name))?;
    ctx.app.iam.delete_role_boundary(ctx.account(), name)?;
    Ok(respond_empty(ctx))
}
