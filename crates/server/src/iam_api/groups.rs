//! Group actions.

use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::query::QueryParams;
use crate::request::RequestCtx;

fn group_arn(ctx: &RequestCtx, name: &str) -> String {
    ctx.app
        .iam
        .get_group(ctx.account(), name)
        .map_or_else(|_| entity_arn(ctx, "group", "/", name), |(g, _)| g.arn())
}

pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("GroupName")?;
    let path = p.get("Path").unwrap_or("/");
    // AWS checks the request's shape before it authorizes (the ARN needs a valid path).
    gatehouse_core::validate::path("path", path)?;
    ctx.authorize(ctx.action(), &entity_arn(ctx, "group", path, name))?;
    let group = ctx.app.iam.create_group(ctx.account(), name, Some(path))?;
    Ok(respond(ctx, |x| {
        x.elem("Group", |x| render::group(x, &group));
    }))
}

pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("GroupName")?;
    ctx.authorize(ctx.action(), &group_arn(ctx, name))?;
    let (group, members) = ctx.app.iam.get_group(ctx.account(), name)?;
    let page = page(
        p,
        members
            .into_iter()
            .map(|u| (u.common.name.to_lowercase(), u)),
    )?;
    Ok(respond(ctx, |x| {
        x.elem("Group", |x| render::group(x, &group));
        x.list("Users", &page.items, render::user);
        truncation(x, &page);
    }))
}

pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), &entity_arn(ctx, "group", "/", ""))?;
    let groups = ctx
        .app
        .iam
        .list_groups(ctx.account(), p.get("PathPrefix"))?;
    let page = page(
        p,
        groups
            .into_iter()
            .map(|g| (g.common.name.to_lowercase(), g)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Groups", &page.items, render::group);
        truncation(x, &page);
    }))
}

/// Renaming or moving a group needs `iam:UpdateGroup` on the group as it is and as it will be.
pub(super) fn update(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("GroupName")?;
    let new_name = p.get("NewGroupName");
    let new_path = p.get("NewPath");
    if let Some(path) = new_path {
        gatehouse_core::validate::path("newPath", path)?;
    }
    let (old_arn, old_path) = ctx.app.iam.get_group(ctx.account(), name).map_or_else(
        |_| (entity_arn(ctx, "group", "/", name), "/".to_owned()),
        |(g, _)| (g.arn(), g.common.path),
    );
    ctx.authorize(ctx.action(), &old_arn)?;
    let new_arn = entity_arn(
        ctx,
        "group",
        new_path.unwrap_or(&old_path),
        new_name.unwrap_or(name),
    );
    if new_arn != old_arn {
        ctx.authorize(ctx.action(), &new_arn)?;
    }
    ctx.app
        .iam
        .update_group(ctx.account(), name, new_name, new_path)?;
    Ok(respond_empty(ctx))
}

pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("GroupName")?;
    ctx.authorize(ctx.action(), &group_arn(ctx, name))?;
    ctx.app.iam.delete_group(ctx.account(), name)?;
    Ok(respond_empty(ctx))
}

pub(super) fn add_user(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("GroupName")?;
    let user = p.require("UserName")?;
    ctx.authorize(ctx.action(), &group_arn(ctx, name))?;
    ctx.app.iam.add_user_to_group(ctx.account(), name, user)?;
    Ok(respond_empty(ctx))
}

pub(super) fn remove_user(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("GroupName")?;
    let user = p.require("UserName")?;
    ctx.authorize(ctx.action(), &group_arn(ctx, name))?;
    ctx.app
        .iam
        .remove_user_from_group(ctx.account(), name, user)?;
    Ok(respond_empty(ctx))
}

pub(super) fn list_for_user(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let user = p.require("UserName")?;
    ctx.authorize(ctx.action(), &super::users::user_arn(ctx, user))?;
    let groups = ctx.app.iam.list_groups_for_user(ctx.account(), user)?;
    let page = page(
        p,
        groups
            .into_iter()
            .map(|g| (g.common.name.to_lowercase(), g)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Groups", &page.items, render::group);
        truncation(x, &page);
    }))
}
