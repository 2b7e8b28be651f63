//! Instance profiles and the role in each.

use gatehouse_core::entities::{InstanceProfile, Role};
use gatehouse_core::iam::PrincipalKind;
use gatehouse_policy::ContextValue;

use super::principals::{authorize_create, principal_arn};
use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// `CreateInstanceProfile`: tags need `iam:TagInstanceProfile` too.
pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("InstanceProfileName")?;
    let path = p.get("Path").unwrap_or("/");
    // AWS checks the request's shape before it authorizes (the ARN needs a valid path).
    gatehouse_core::validate::path("path", path)?;
    let tags = p.tags("Tags");
    let arn = entity_arn(ctx, "instance-profile", path, name);
    authorize_create(ctx, &arn, &tags, None)?;
    let profile = ctx
        .app
        .iam
        .create_instance_profile(ctx.account(), name, Some(path), tags)?;
    Ok(respond(ctx, |x| {
        x.elem("InstanceProfile", |x| {
            render::instance_profile(x, &profile, &[]);
        });
    }))
}

/// `GetInstanceProfile`.
pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("InstanceProfileName")?;
    ctx.authorize(
        ctx.action(),
        &principal_arn(ctx, PrincipalKind::InstanceProfile, name),
    )?;
    let (profile, roles) = ctx.app.iam.get_instance_profile(ctx.account(), name)?;
    Ok(respond(ctx, |x| {
        x.elem("InstanceProfile", |x| {
            render::instance_profile(x, &profile, &roles);
        });
    }))
}

/// `ListInstanceProfiles`.
pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), &entity_arn(ctx, "instance-profile", "/", ""))?;
    let all = ctx
        .app
        .iam
        .list_instance_profiles(ctx.account(), p.get("PathPrefix"))?;
    listing(ctx, p, all)
}

/// `ListInstanceProfilesForRole`.
pub(super) fn list_for_role(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let role = p.require("RoleName")?;
    ctx.authorize(ctx.action(), &principal_arn(ctx, PrincipalKind::Role, role))?;
    let all = ctx
        .app
        .iam
        .instance_profiles_for_role(ctx.account(), role)?;
    listing(ctx, p, all)
}

fn listing(ctx: &RequestCtx, p: &QueryParams, all: Vec<(InstanceProfile, Vec<Role>)>) -> Handled {
    let page = page(
        p,
        all.into_iter()
            .map(|(i, roles)| (i.common.name.to_lowercase(), (i, roles))),
    )?;
    Ok(respond(ctx, |x| {
        x.list("InstanceProfiles", &page.items, |x, (i, roles)| {
            render::instance_profile(x, i, roles);
        });
        truncation(x, &page);
    }))
}

/// `DeleteInstanceProfile`.
pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("InstanceProfileName")?;
    ctx.authorize(
        ctx.action(),
        &principal_arn(ctx, PrincipalKind::InstanceProfile, name),
    )?;
    ctx.app.iam.delete_instance_profile(ctx.account(), name)?;
    Ok(respond_empty(ctx))
}

/// `AddRoleToInstanceProfile`: the caller must also be allowed to pass the role (to EC2, for
/// any instance of the account, as AWS evaluates `iam:PassRole` here).
pub(super) fn add_role(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("InstanceProfileName")?;
    let role = p.require("RoleName")?;
    ctx.authorize(
        ctx.action(),
        &principal_arn(ctx, PrincipalKind::InstanceProfile, name),
    )?;
    let instances = format!("arn:aws:ec2:*:{}:instance/*", ctx.account());
    ctx.authorize_with(
        "iam:PassRole",
        &principal_arn(ctx, PrincipalKind::Role, role),
        &[
            (
                "iam:PassedToService",
                ContextValue::Single("ec2.amazonaws.com".into()),
            ),
            (
                "iam:AssociatedResourceArn",
                ContextValue::Single(instances.as_str().into()),
            ),
        ],
    )?;
    ctx.app
        .iam
        .add_role_to_instance_profile(ctx.account(), name, role)?;
    Ok(respond_empty(ctx))
}

/// `RemoveRoleFromInstanceProfile`.
pub(super) fn remove_role(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("InstanceProfileName")?;
    let role = p.require("RoleName")?;
    ctx.authorize(
        ctx.action(),
        &principal_arn(ctx, PrincipalKind::InstanceProfile, name),
    )?;
    ctx.app
        .iam
        .remove_role_from_instance_profile(ctx.account(), name, role)?;
    Ok(respond_empty(ctx))
}
