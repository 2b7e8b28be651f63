//! Managed policy actions, attachments, and `GetAccountAuthorizationDetails`.

use gatehouse_core::iam::{AttachTarget, ManagedPolicyRef};
use gatehouse_core::operation::Resource;
use gatehouse_policy::ContextValue;

use super::{Handled, entity_arn, page, render, respond, respond_empty, truncation};
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::url_encoded;

pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("PolicyName")?;
    let document = p.require("PolicyDocument")?;
    let path = p.get("Path").unwrap_or("/");
    // AWS checks the request's shape before it authorizes (the ARN needs a valid path).
    gatehouse_core::validate::path("path", path)?;
    let tags = p.tags("Tags");
    super::principals::authorize_tagged(
        ctx,
        ctx.action(),
        &entity_arn(ctx, "policy", path, name),
        &tags,
        None,
    )?;
    let policy = ctx.app.iam.create_policy(
        ctx.account(),
        name,
        Some(path),
        document,
        p.get("Description"),
        tags,
    )?;
    Ok(respond(ctx, |x| {
        x.elem("Policy", |x| {
            render::policy(x, &ManagedPolicyRef::Customer(policy), 0, 0);
        });
    }))
}

pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    ctx.authorize(ctx.action(), arn)?;
    let (policy, count) = ctx.app.iam.get_policy(ctx.account(), arn)?;
    let boundary_uses = ctx
        .app
        .iam
        .boundary_usage_count(ctx.account(), &policy.arn());
    Ok(respond(ctx, |x| {
        x.elem("Policy", |x| {
            render::policy(x, &policy, count, boundary_uses);
        });
    }))
}

pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), &entity_arn(ctx, "policy", "/", ""))?;
    let scope = p.get("Scope").unwrap_or("All");
    if !matches!(scope, "All" | "AWS" | "Local") {
        return Err(gatehouse_core::validate::constraint(
            "scope",
            scope,
            "Member must satisfy enum value set: [All, AWS, Local]",
        )
        .into());
    }
    let policies = ctx.app.iam.list_policies(
        ctx.account(),
        scope,
        p.bool("OnlyAttached")?.unwrap_or(false),
        p.get("PathPrefix"),
    )?;
    let page = page(
        p,
        policies.into_iter().map(|(pol, n)| (pol.arn(), (pol, n))),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Policies", &page.items, |x, (pol, n)| {
            let boundary_uses = ctx.app.iam.boundary_usage_count(ctx.account(), &pol.arn());
            render::policy(x, pol, *n, boundary_uses);
        });
        truncation(x, &page);
    }))
}

pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app.iam.delete_policy(ctx.account(), arn)?;
    Ok(respond_empty(ctx))
}

pub(super) fn create_version(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let document = p.require("PolicyDocument")?;
    ctx.authorize(ctx.action(), arn)?;
    let set_default = p.bool("SetAsDefault")?.unwrap_or(false);
    let version = ctx
        .app
        .iam
        .create_policy_version(ctx.account(), arn, document, set_default)?;
    Ok(respond(ctx, |x| {
        x.elem("PolicyVersion", |x| {
            render::policy_version(x, &version, set_default, false);
        });
    }))
}

pub(super) fn get_version(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let version_id = p.require("VersionId")?;
    ctx.authorize(ctx.action(), arn)?;
    let (version, is_default) = ctx
        .app
        .iam
        .get_policy_version(ctx.account(), arn, version_id)?;
    Ok(respond(ctx, |x| {
        x.elem("PolicyVersion", |x| {
            render::policy_version(x, &version, is_default, true);
        });
    }))
}

pub(super) fn list_versions(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    ctx.authorize(ctx.action(), arn)?;
    let versions = ctx.app.iam.list_policy_versions(ctx.account(), arn)?;
    let page = page(
        p,
        versions
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("{i:04}"), v)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Versions", &page.items, |x, (v, d)| {
            render::policy_version(x, v, *d, false);
        });
        truncation(x, &page);
    }))
}

pub(super) fn set_default_version(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let version_id = p.require("VersionId")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app
        .iam
        .set_default_policy_version(ctx.account(), arn, version_id)?;
    Ok(respond_empty(ctx))
}

pub(super) fn delete_version(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let version_id = p.require("VersionId")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app
        .iam
        .delete_policy_version(ctx.account(), arn, version_id)?;
    Ok(respond_empty(ctx))
}

/// The entity an attachment operation names (the table says which kind), and the ARN it is
/// authorized on.
fn target<'a>(
    ctx: &RequestCtx,
    p: &'a QueryParams,
) -> Result<(AttachTarget<'a>, String), ApiError> {
    match ctx.operation.resource {
        Resource::Typed {
            resource_type: "user",
            ..
        } => {
            let n = p.require("UserName")?;
            Ok((AttachTarget::User(n), super::users::user_arn(ctx, n)))
        }
        Resource::Typed {
            resource_type: "group",
            ..
        } => {
            let n = p.require("GroupName")?;
            let arn = ctx
                .app
                .iam
                .get_group(ctx.account(), n)
                .map_or_else(|_| entity_arn(ctx, "group", "/", n), |(g, _)| g.arn());
            Ok((AttachTarget::Group(n), arn))
        }
        _ => {
            let n = p.require("RoleName")?;
            let arn = ctx
                .app
                .iam
                .get_role(ctx.account(), n)
                .map_or_else(|_| entity_arn(ctx, "role", "/", n), |r| r.arn());
            Ok((AttachTarget::Role(n), arn))
        }
    }
}

pub(super) fn attach(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let (target, entity) = target(ctx, p)?;
    ctx.authorize_with(
        ctx.action(),
        &entity,
        &[("iam:PolicyARN", ContextValue::Single(arn.into()))],
    )?;
    ctx.app.iam.attach_policy(ctx.account(), target, arn)?;
    Ok(respond_empty(ctx))
}

pub(super) fn detach(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let (target, entity) = target(ctx, p)?;
    ctx.authorize_with(
        ctx.action(),
        &entity,
        &[("iam:PolicyARN", ContextValue::Single(arn.into()))],
    )?;
    ctx.app.iam.detach_policy(ctx.account(), target, arn)?;
    Ok(respond_empty(ctx))
}

pub(super) fn list_attached(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let (target, entity) = target(ctx, p)?;
    ctx.authorize(ctx.action(), &entity)?;
    let attached = ctx
        .app
        .iam
        .list_attached(ctx.account(), target, p.get("PathPrefix"))?;
    let page = page(p, attached.into_iter().map(|(n, a)| (a.clone(), (n, a))))?;
    Ok(respond(ctx, |x| {
        x.list("AttachedPolicies", &page.items, |x, (n, a)| {
            render::attached(x, n, a);
        });
        truncation(x, &page);
    }))
}

pub(super) fn entities(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    ctx.authorize(ctx.action(), arn)?;
    let filter = p.get("EntityFilter");
    let all = ctx.app.iam.entities_for_policy(ctx.account(), arn)?;
    let keep = |kind: &str| filter.is_none_or(|f| f.eq_ignore_ascii_case(kind));
    let page = page(
        p,
        all.into_iter()
            .filter(|(k, _, _)| keep(k))
            .map(|e| (format!("{}/{}", e.0, e.1.to_lowercase()), e)),
    )?;
    Ok(respond(ctx, |x| {
        for (kind, element, name_field, id_field) in [
            ("group", "PolicyGroups", "GroupName", "GroupId"),
            ("user", "PolicyUsers", "UserName", "UserId"),
            ("role", "PolicyRoles", "RoleName", "RoleId"),
        ] {
            x.list(
                element,
                page.items.iter().filter(|(k, _, _)| *k == kind),
                |x, (_, n, id)| {
                    x.text(name_field, n).text(id_field, id);
                },
            );
        }
        truncation(x, &page);
    }))
}

/// The managed policies of the account authorization details: the customer-managed ones
/// (`local`), and the AWS-managed ones in use in the account, attached or as a permissions
/// boundary (`aws`); each with its attachment and boundary counts.
fn detailed_policies(
    ctx: &RequestCtx,
    acct: &gatehouse_core::state::AccountIam,
    local: bool,
    aws: bool,
) -> Vec<(ManagedPolicyRef, usize, usize)> {
    let counts = |arn: &str| {
        let attached = ctx
            .app
            .iam
            .entities_for_policy(ctx.account(), arn)
            .map_or(0, |e| e.len());
        (
            attached,
            ctx.app.iam.boundary_usage_count(ctx.account(), arn),
        )
    };
    let mut policies = Vec::new();
    if local {
        for pol in acct.policies.values() {
            let (attached, boundary_uses) = counts(&pol.arn());
            policies.push((
                ManagedPolicyRef::Customer(pol.clone()),
                attached,
                boundary_uses,
            ));
        }
    }
    if aws {
        for pol in gatehouse_core::aws_managed::all() {
            let (attached, boundary_uses) = counts(&pol.arn());
            if attached + boundary_uses > 0 {
                policies.push((ManagedPolicyRef::Aws(pol), attached, boundary_uses));
            }
        }
    }
    policies
}

pub(super) fn account_details(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), "*")?;
    let filter: Vec<String> = p.list("Filter", None);
    let want = |kind: &str| filter.is_empty() || filter.iter().any(|f| f == kind);
    let state = ctx.app.iam.state();
    let acct = state
        .account(ctx.account())
        .map_err(ApiError::from)?
        .clone();
    drop(state);
    let inline_list = |x: &mut crate::xml::Xml,
                       element: &str,
                       inline: &std::collections::BTreeMap<
        String,
        gatehouse_core::entities::PolicyDocument,
    >| {
        x.list(element, inline, |x, (name, doc)| {
            x.text("PolicyName", name)
                .text("PolicyDocument", &url_encoded(doc.text()));
        });
    };
    let policies = detailed_policies(
        ctx,
        &acct,
        want("LocalManagedPolicy"),
        want("AWSManagedPolicy"),
    );
    let attached_list = |x: &mut crate::xml::Xml, arns: &std::collections::BTreeSet<String>| {
        x.list("AttachedManagedPolicies", arns, |x, arn| {
            let name = arn.rsplit('/').next().unwrap_or_default();
            render::attached(x, name, arn);
        });
    };
    Ok(respond(ctx, |x| {
        x.list(
            "UserDetailList",
            acct.users.values().filter(|_| want("User")),
            |x, u| {
                x.text("Path", &u.common.path)
                    .text("UserName", &u.common.name)
                    .text("UserId", &u.common.id)
                    .text("Arn", &u.arn())
                    .text("CreateDate", &render::time(u.common.created));
                inline_list(x, "UserPolicyList", &u.inline);
                x.list("GroupList", &u.groups, |x, g| {
                    let name = acct
                        .groups
                        .get(g)
                        .map_or(g.as_str(), |gr| gr.common.name.as_str());
                    x.open_text(name);
                });
                attached_list(x, &u.attached);
                render::boundary(x, u.boundary.as_ref());
                render::tags(x, &u.tags);
            },
        );
        x.list(
            "GroupDetailList",
            acct.groups.values().filter(|_| want("Group")),
            |x, g| {
                render::group(x, g);
                inline_list(x, "GroupPolicyList", &g.inline);
                attached_list(x, &g.attached);
            },
        );
        x.list(
            "RoleDetailList",
            acct.roles.values().filter(|_| want("Role")),
            |x, r| {
                render::role(x, r);
                let key = r.common.name.to_lowercase();
                let profiles = acct
                    .instance_profiles
                    .values()
                    .filter(|i| i.roles.contains(&key));
                x.list("InstanceProfileList", profiles, |x, i| {
                    let roles: Vec<_> = i
                        .roles
                        .iter()
                        .filter_map(|n| acct.roles.get(n))
                        .cloned()
                        .collect();
                    render::instance_profile(x, i, &roles);
                });
                inline_list(x, "RolePolicyList", &r.inline);
                attached_list(x, &r.attached);
            },
        );
        x.list(
            "Policies",
            &policies,
            |x, (pol, attached, boundary_uses)| {
                render::managed_detail(x, pol, *attached, *boundary_uses);
            },
        );
        x.text("IsTruncated", "false");
    }))
}
