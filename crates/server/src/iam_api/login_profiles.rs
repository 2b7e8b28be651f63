//! Login profiles: users' console passwords. Passwords are never logged or returned.

use gatehouse_core::caller::Identity;
use gatehouse_core::entities::LoginProfile;

use super::users::user_arn;
use super::{Handled, render, respond, respond_empty};
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::Xml;

/// The user a request names, or the calling IAM user when it names none.
fn user_name<'a>(ctx: &'a RequestCtx, p: &'a QueryParams) -> Result<&'a str, ApiError> {
    if let Some(name) = p.get("UserName") {
        return Ok(name);
    }
    match &ctx.caller.identity {
        Identity::User { name, .. } => Ok(name),
        _ => Err(ApiError::from(gatehouse_core::Error::InvalidInput(
            "UserName is required unless an IAM user calls for itself".into(),
        ))),
    }
}

/// Session durations for console sign-in are not modelled: refused, never ignored.
fn refuse_session_duration(p: &QueryParams) -> Result<(), ApiError> {
    if p.get("MaxSigninSessionDuration").is_some()
        || p.get("ResetMaxSigninSessionDuration").is_some()
    {
        return Err(ApiError::from(gatehouse_core::Error::InvalidInput(
            "Gatehouse does not support MaxSigninSessionDuration yet".into(),
        )));
    }
    Ok(())
}

fn render_profile(x: &mut Xml, user: &str, profile: &LoginProfile) {
    x.elem("LoginProfile", |x| {
        x.text("UserName", user)
            .text("CreateDate", &render::time(profile.created))
            .text(
                "PasswordResetRequired",
                if profile.reset_required {
                    "true"
                } else {
                    "false"
                },
            );
    });
}

/// `CreateLoginProfile`.
pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let user = user_name(ctx, p)?;
    refuse_session_duration(p)?;
    let password = p.require("Password")?;
    let reset = p.bool("PasswordResetRequired")?.unwrap_or(false);
    ctx.authorize(ctx.action(), &user_arn(ctx, user))?;
    let profile = ctx
        .app
        .iam
        .create_login_profile(ctx.account(), user, password, reset)?;
    let name = ctx.app.iam.get_user(ctx.account(), user)?.common.name;
    Ok(respond(ctx, |x| render_profile(x, &name, &profile)))
}

/// `GetLoginProfile`.
pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let user = user_name(ctx, p)?;
    ctx.authorize(ctx.action(), &user_arn(ctx, user))?;
    let (name, profile) = ctx.app.iam.get_login_profile(ctx.account(), user)?;
    Ok(respond(ctx, |x| render_profile(x, &name, &profile)))
}

/// `UpdateLoginProfile`.
pub(super) fn update(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let user = p.require("UserName")?;
    refuse_session_duration(p)?;
    ctx.authorize(ctx.action(), &user_arn(ctx, user))?;
    ctx.app.iam.update_login_profile(
        ctx.account(),
        user,
        p.get("Password"),
        p.bool("PasswordResetRequired")?,
    )?;
    Ok(respond_empty(ctx))
}

/// `DeleteLoginProfile`.
pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let user = user_name(ctx, p)?;
    ctx.authorize(ctx.action(), &user_arn(ctx, user))?;
    ctx.app.iam.delete_login_profile(ctx.account(), user)?;
    Ok(respond_empty(ctx))
}
