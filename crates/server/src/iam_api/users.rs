//! User actions.

use gatehouse_core::caller::Identity;
use gatehouse_policy::ContextValue;

use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::url_encoded;

/// The ARN of user `name` (its real path when it exists).
pub(crate) fn user_arn(ctx: &RequestCtx, name: &str) -> String {
    ctx.app
        .iam
        .get_user(ctx.account(), name)
        .map_or_else(|_| entity_arn(ctx, "user", "/", name), |u| u.arn())
}

/// Request-tag keys for tagging actions.
pub(crate) fn tag_context(tags: &[gatehouse_core::entities::Tag]) -> Vec<(String, ContextValue)> {
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
    tags: &[gatehouse_core::entities::Tag],
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

pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let path = p.get("Path").unwrap_or("/");
    // AWS checks the request's shape before it authorizes (the ARN needs a valid path).
    gatehouse_core::validate::path("path", path)?;
    let tags = p.tags("Tags");
    authorize_tagged(
        ctx,
        ctx.action(),
        &entity_arn(ctx, "user", path, name),
        &tags,
        p.get("PermissionsBoundary"),
    )?;
    if !tags.is_empty() {
        authorize_tagged(
            ctx,
            "iam:TagUser",
            &entity_arn(ctx, "user", path, name),
            &tags,
            None,
        )?;
    }
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

pub(super) fn put_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let policy_name = p.require("PolicyName")?;
    let document = p.require("PolicyDocument")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    ctx.app
        .iam
        .put_user_policy(ctx.account(), name, policy_name, document)?;
    Ok(respond_empty(ctx))
}

pub(super) fn get_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let policy_name = p.require("PolicyName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    let (user_name, doc) = ctx
        .app
        .iam
        .get_user_policy(ctx.account(), name, policy_name)?;
    Ok(respond(ctx, |x| {
        x.text("UserName", &user_name)
            .text("PolicyName", policy_name)
            .text("PolicyDocument", &url_encoded(doc.text()));
    }))
}

pub(super) fn delete_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let policy_name = p.require("PolicyName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    ctx.app
        .iam
        .delete_user_policy(ctx.account(), name, policy_name)?;
    Ok(respond_empty(ctx))
}

pub(super) fn list_policies(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    let names = ctx.app.iam.list_user_policies(ctx.account(), name)?;
    let page = page(p, names.into_iter().map(|n| (n.clone(), n)))?;
    Ok(respond(ctx, |x| {
        x.list("PolicyNames", &page.items, |x, n| {
            x.open_text(n);
        });
        truncation(x, &page);
    }))
}

pub(super) fn tag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let tags = p.tags("Tags");
    authorize_tagged(ctx, ctx.action(), &user_arn(ctx, name), &tags, None)?;
    ctx.app.iam.tag_user(ctx.account(), name, &tags)?;
    Ok(respond_empty(ctx))
}

pub(super) fn untag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    let keys = p.list("TagKeys", None);
    ctx.authorize_with(
        ctx.action(),
        &user_arn(ctx, name),
        &[(
            "aws:TagKeys",
            ContextValue::Multi(keys.iter().map(|k| k.as_str().into()).collect()),
        )],
    )?;
    ctx.app.iam.untag_user(ctx.account(), name, &keys)?;
    Ok(respond_empty(ctx))
}

pub(super) fn list_tags(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    let user = ctx.app.iam.get_user(ctx.account(), name)?;
    let page = page(
        p,
        user.tags
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
    let name = p.require("UserName")?;
    let arn = p.require("PermissionsBoundary")?;
    ctx.authorize_with(
        ctx.action(),
        &user_arn(ctx, name),
        &[("iam:PermissionsBoundary", ContextValue::Single(arn.into()))],
    )?;
    ctx.app.iam.put_user_boundary(ctx.account(), name, arn)?;
    Ok(respond_empty(ctx))
}

pub(super) fn delete_boundary(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("UserName")?;
    ctx.authorize(ctx.action(), &user_arn(ctx, name))?;
    ctx.app.iam.delete_user_boundary(ctx.account(), name)?;
    Ok(respond_empty(ctx))
}
