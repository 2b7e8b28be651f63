//! Role actions.

use gatehouse_core::iam::{CreateRole, RoleUpdate};

use super::principals::authorize_create;
use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::query::QueryParams;
use crate::request::RequestCtx;

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
    authorize_create(ctx, &arn, &tags, p.get("PermissionsBoundary"))?;
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
