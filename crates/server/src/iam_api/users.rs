//! User actions.

use gatehouse_core::caller::Identity;

use super::principals::authorize_create;
use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// The ARN of user `name` (its real path when it exists).
pub(crate) fn user_arn(ctx: &RequestCtx, name: &str) -> String {
    ctx.app
        .iam
        .get_user(ctx.account(), name)
        .map_or_else(|_| entity_arn(ctx, "user", "/", name), |u| u.arn())
}

pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let path = p.get("Path").unwrap_or("/");
    // AWS checks the request's shape before it authorizes (the ARN needs a valid path).
    gatehouse_core::validate::path("path", path)?;
    let tags = p.tags("Tags");
    authorize_create(
        ctx,
        &entity_arn(ctx, "user", path, name),
        &tags,
        p.get("PermissionsBoundary"),
    )?;
    let user = ctx.app.iam.create_user(
        ctx.account(),
        name,
        Some(path),
        tags,
        p.get("PermissionsBoundary"),
    )?;
    Ok(respond(ctx, |x| {
        x.elem("User", |x| render::user(x, &user));
    }))
}

pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = match (p.get("UserName"), &ctx.caller.identity) {
        (Some(n), _) => n.to_owned(),
        (None, Identity::User { name, .. }) => name.clone(),
        (None, Identity::Root { account }) => {
            ctx.authorize(ctx.action(), &account.root_arn())?;
            let id = account.to_string();
            let created = ctx
                .app
                .iam
                .state()
                .accounts
                .get(account)
                .map(|a| a.account.created);
            return Ok(respond(ctx, |x| {
                x.elem("User", |x| {
                    x.text("UserId", &id).text("Arn", &account.root_arn());
                    if let Some(c) = created {
                        x.text("CreateDate", &render::time(c));
                    }
                });
            }));
        }
        (None, Identity::Role { .. }) => {
            return Err(gatehouse_core::Error::Validation(
                "Must specify userName when calling with non-User credentials".into(),
            )
            .into());
        }
    };
    ctx.authorize(ctx.action(), &user_arn(ctx, &name))?;
    let user = ctx.app.iam.get_user(ctx.account(), &name)?;
    Ok(respond(ctx, |x| {
        x.elem("User", |x| render::user(x, &user));
    }))
}

pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), &entity_arn(ctx, "user", "/", ""))?;
    let users = ctx.app.iam.list_users(ctx.account(), p.get("PathPrefix"))?;
    let page = page(
        p,
        users.into_iter().map(|u| (u.common.name.to_lowercase(), u)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Users", &page.items, |x, u| {
            // ListUsers does not return tags or the boundary.
            x.text("Path", &u.common.path)
                .text("UserName", &u.common.name)
                .text("UserId", &u.common.id)
                .text("Arn", &u.arn())
                .text("CreateDate", &render::time(u.common.created));
        });
        truncation(x, &page);
    }))
}

pub(super) fn update(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    ctx.app
        .iam
        .update_user(ctx.account(), name, p.get("NewUserName"), p.get("NewPath"))?;
    Ok(respond_empty(ctx))
}

pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    ctx.app.iam.delete_user(ctx.account(), name)?;
    Ok(respond_empty(ctx))
}
