//! The IAM API over the query protocol: one handler per action, each authorized by IAM
//! policy (`iam:<Action>` on the entity's ARN) before it acts.

mod groups;
mod keys;
mod policies;
pub(crate) mod render;
mod roles;
mod users;

use gatehouse_core::page::{Page, paginate};

use crate::error::{ApiError, Service};
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::Xml;

/// A handler's result: the XML body.
pub(crate) type Handled = Result<String, ApiError>;

/// Runs one IAM action.
pub fn dispatch(ctx: &RequestCtx, action: &str, p: &QueryParams) -> Handled {
    match action {
        "CreateUser" => users::create(ctx, p),
        "GetUser" => users::get(ctx, p),
        "ListUsers" => users::list(ctx, p),
        "UpdateUser" => users::update(ctx, p),
        "DeleteUser" => users::delete(ctx, p),
        "PutUserPolicy" => users::put_policy(ctx, p),
        "GetUserPolicy" => users::get_policy(ctx, p),
        "DeleteUserPolicy" => users::delete_policy(ctx, p),
        "ListUserPolicies" => users::list_policies(ctx, p),
        "TagUser" => users::tag(ctx, p),
        "UntagUser" => users::untag(ctx, p),
        "ListUserTags" => users::list_tags(ctx, p),
        "PutUserPermissionsBoundary" => users::put_boundary(ctx, p),
        "DeleteUserPermissionsBoundary" => users::delete_boundary(ctx, p),
        "CreateGroup" => groups::create(ctx, p),
        "GetGroup" => groups::get(ctx, p),
        "ListGroups" => groups::list(ctx, p),
        "DeleteGroup" => groups::delete(ctx, p),
        "AddUserToGroup" => groups::add_user(ctx, p),
        "RemoveUserFromGroup" => groups::remove_user(ctx, p),
        "ListGroupsForUser" => groups::list_for_user(ctx, p),
        "PutGroupPolicy" => groups::put_policy(ctx, p),
        "GetGroupPolicy" => groups::get_policy(ctx, p),
        "DeleteGroupPolicy" => groups::delete_policy(ctx, p),
        "ListGroupPolicies" => groups::list_policies(ctx, p),
        "CreateRole" => roles::create(ctx, p),
        "GetRole" => roles::get(ctx, p),
        "ListRoles" => roles::list(ctx, p),
        "DeleteRole" => roles::delete(ctx, p),
        "UpdateRole" => roles::update(ctx, p),
        "UpdateRoleDescription" => roles::update_description(ctx, p),
        "UpdateAssumeRolePolicy" => roles::update_trust(ctx, p),
        "PutRolePolicy" => roles::put_policy(ctx, p),
        "GetRolePolicy" => roles::get_policy(ctx, p),
        "DeleteRolePolicy" => roles::delete_policy(ctx, p),
        "ListRolePolicies" => roles::list_policies(ctx, p),
        "TagRole" => roles::tag(ctx, p),
        "UntagRole" => roles::untag(ctx, p),
        "ListRoleTags" => roles::list_tags(ctx, p),
        "PutRolePermissionsBoundary" => roles::put_boundary(ctx, p),
        "DeleteRolePermissionsBoundary" => roles::delete_boundary(ctx, p),
        "CreatePolicy" => policies::create(ctx, p),
        "GetPolicy" => policies::get(ctx, p),
        "ListPolicies" => policies::list(ctx, p),
        "DeletePolicy" => policies::delete(ctx, p),
        "CreatePolicyVersion" => policies::create_version(ctx, p),
        "GetPolicyVersion" => policies::get_version(ctx, p),
        "ListPolicyVersions" => policies::list_versions(ctx, p),
        "SetDefaultPolicyVersion" => policies::set_default_version(ctx, p),
        "DeletePolicyVersion" => policies::delete_version(ctx, p),
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" => {
            policies::attach(ctx, action, p)
        }
        "DetachUserPolicy" | "DetachGroupPolicy" | "DetachRolePolicy" => {
            policies::detach(ctx, action, p)
        }
        "ListAttachedUserPolicies" | "ListAttachedGroupPolicies" | "ListAttachedRolePolicies" => {
            policies::list_attached(ctx, action, p)
        }
        "ListEntitiesForPolicy" => policies::entities(ctx, p),
        "GetAccountAuthorizationDetails" => policies::account_details(ctx, p),
        "CreateAccessKey" => keys::create(ctx, p),
        "ListAccessKeys" => keys::list(ctx, p),
        "UpdateAccessKey" => keys::update(ctx, p),
        "DeleteAccessKey" => keys::delete(ctx, p),
        "GetAccessKeyLastUsed" => keys::last_used(ctx, p),
        _ => Err(ApiError::invalid_action(action, Service::Iam)),
    }
}

/// `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` for `action`.
pub(crate) fn respond(ctx: &RequestCtx, action: &str, result: impl FnOnce(&mut Xml)) -> String {
    let mut x = Xml::new();
    x.open_ns(&format!("{action}Response"), Service::Iam.namespace());
    x.elem(&format!("{action}Result"), result);
    metadata(&mut x, ctx);
    x.close(&format!("{action}Response"));
    x.finish()
}

/// A response with no result element.
pub(crate) fn respond_empty(ctx: &RequestCtx, action: &str) -> String {
    let mut x = Xml::new();
    x.open_ns(&format!("{action}Response"), Service::Iam.namespace());
    metadata(&mut x, ctx);
    x.close(&format!("{action}Response"));
    x.finish()
}

fn metadata(x: &mut Xml, ctx: &RequestCtx) {
    x.elem("ResponseMetadata", |x| {
        x.text("RequestId", &ctx.request_id);
    });
}

/// Pages `items` with the request's `Marker`/`MaxItems`.
pub(crate) fn page<T>(
    p: &QueryParams,
    items: impl IntoIterator<Item = (String, T)>,
) -> Result<Page<T>, ApiError> {
    let max = gatehouse_core::validate::max_items(p.get("MaxItems"))?;
    Ok(paginate(items, p.get("Marker"), max)?)
}

/// `IsTruncated` and `Marker`.
pub(crate) fn truncation<T>(x: &mut Xml, page: &Page<T>) {
    x.text(
        "IsTruncated",
        if page.is_truncated() { "true" } else { "false" },
    );
    x.opt("Marker", page.next_marker.as_deref());
}

/// The ARN of an entity of the caller's account that may not exist yet.
pub(crate) fn entity_arn(ctx: &RequestCtx, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:{kind}{path}{name}", ctx.account())
}
