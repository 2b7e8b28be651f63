//! Access key actions. With no `UserName`, a user manages its own keys and the root user
//! its root keys.

use gatehouse_core::caller::Identity;
use gatehouse_core::entities::KeyStatus;

use super::{Handled, render, respond, respond_empty};
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// The user a key call is about (`None` for the root user) and the ARN it is authorized on.
fn owner(ctx: &RequestCtx, p: &QueryParams) -> Result<(Option<String>, String), ApiError> {
    match (p.get("UserName"), &ctx.caller.identity) {
        (Some(n), _) => Ok((Some(n.to_owned()), super::users::user_arn(ctx, n))),
        (None, Identity::User { name, .. }) => Ok((Some(name.clone()), ctx.caller.arn())),
        (None, Identity::Root { account }) => Ok((None, account.root_arn())),
        (None, Identity::Role { .. }) => Err(gatehouse_core::Error::Validation(
            "Must specify userName when calling with non-User credentials".into(),
        )
        .into()),
    }
}

pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (user, arn) = owner(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    let created = ctx
        .app
        .iam
        .create_access_key(ctx.account(), user.as_deref())?;
    Ok(respond(ctx, |x| {
        x.elem("AccessKey", |x| {
            x.opt("UserName", created.user_name.as_deref())
                .text("AccessKeyId", created.key.id.as_str())
                .text("Status", created.key.status.as_str())
                .text("SecretAccessKey", created.secret.expose())
                .text("CreateDate", &render::time(created.key.created));
        });
    }))
}

pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (user, arn) = owner(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    let (user_name, keys) = ctx
        .app
        .iam
        .list_access_keys(ctx.account(), user.as_deref())?;
    let page = super::page(
        p,
        keys.into_iter()
            .enumerate()
            .map(|(i, k)| (format!("{i:04}"), k)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("AccessKeyMetadata", &page.items, |x, k| {
            render::access_key(x, user_name.as_deref(), k);
        });
        super::truncation(x, &page);
        x.opt("UserName", user_name.as_deref());
    }))
}

pub(super) fn update(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let id = p.require("AccessKeyId")?;
    let status = match p.require("Status")? {
        "Active" => KeyStatus::Active,
        "Inactive" => KeyStatus::Inactive,
        other => {
            return Err(gatehouse_core::validate::constraint(
                "status",
                other,
                "Member must satisfy enum value set: [Active, Inactive]",
            )
            .into());
        }
    };
    let (user, arn) = owner(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    ctx.app
        .iam
        .update_access_key(ctx.account(), user.as_deref(), id, status)?;
    Ok(respond_empty(ctx))
}

pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let id = p.require("AccessKeyId")?;
    let (user, arn) = owner(ctx, p)?;
    ctx.authorize(ctx.action(), &arn)?;
    ctx.app
        .iam
        .delete_access_key(ctx.account(), user.as_deref(), id)?;
    Ok(respond_empty(ctx))
}

pub(super) fn last_used(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let id = p.require("AccessKeyId")?;
    let (user, key) = ctx.app.iam.access_key_last_used(ctx.account(), id)?;
    let arn = user.as_deref().map_or_else(
        || ctx.account().root_arn(),
        |u| super::users::user_arn(ctx, u),
    );
    ctx.authorize(ctx.action(), &arn)?;
    Ok(respond(ctx, |x| {
        x.opt("UserName", user.as_deref());
        x.elem("AccessKeyLastUsed", |x| match &key.last_used {
            Some(u) => {
                x.text("LastUsedDate", &render::time(u.at))
                    .text("ServiceName", &u.service)
                    .text("Region", &u.region);
            }
            None => {
                x.text("ServiceName", "N/A").text("Region", "N/A");
            }
        });
    }))
}
