//! IAM entities in AWS's XML shapes.

use gatehouse_core::entities::{AccessKey, Group, InstanceProfile, PolicyVersion, Role, Tag, User};
use gatehouse_core::iam::{ManagedPolicyRef, policy_name, policy_path};
use jiff::Timestamp;

use crate::xml::{Xml, url_encoded};

/// A time as IAM prints it.
pub fn time(t: Timestamp) -> String {
    t.round(jiff::Unit::Second).unwrap_or(t).to_string()
}

/// `<Tags>` when there are any.
pub fn tags(x: &mut Xml, tags: &[Tag]) {
    if !tags.is_empty() {
        x.list("Tags", tags, |x, t| {
            x.text("Key", &t.key).text("Value", &t.value);
        });
    }
}

/// `<PermissionsBoundary>` when there is one.
pub fn boundary(x: &mut Xml, arn: Option<&String>) {
    if let Some(arn) = arn {
        x.elem("PermissionsBoundary", |x| {
            x.text("PermissionsBoundaryType", "Policy")
                .text("PermissionsBoundaryArn", arn);
        });
    }
}

/// The fields of a `User` element.
pub fn user(x: &mut Xml, u: &User) {
    x.text("Path", &u.common.path)
        .text("UserName", &u.common.name)
        .text("UserId", &u.common.id)
        .text("Arn", &u.arn())
        .text("CreateDate", &time(u.common.created));
    boundary(x, u.boundary.as_ref());
    tags(x, &u.tags);
}

/// The fields of a `Group` element.
pub fn group(x: &mut Xml, g: &Group) {
    x.text("Path", &g.common.path)
        .text("GroupName", &g.common.name)
        .text("GroupId", &g.common.id)
        .text("Arn", &g.arn())
        .text("CreateDate", &time(g.common.created));
}

/// The fields of a `Role` element (the trust policy URL-encoded, as IAM returns it).
pub fn role(x: &mut Xml, r: &Role) {
    x.text("Path", &r.common.path)
        .text("RoleName", &r.common.name)
        .text("RoleId", &r.common.id)
        .text("Arn", &r.arn())
        .text("CreateDate", &time(r.common.created))
        .text("AssumeRolePolicyDocument", &url_encoded(r.trust.text()))
        .opt("Description", r.description.as_deref())
        .text("MaxSessionDuration", &r.max_session_duration.to_string());
    boundary(x, r.boundary.as_ref());
    tags(x, &r.tags);
    x.elem("RoleLastUsed", |x| {
        if let Some((at, region)) = &r.last_used {
            x.text("LastUsedDate", &time(*at)).text("Region", region);
        }
    });
}

/// The `InstanceProfile` fields of a profile and its roles.
pub fn instance_profile(x: &mut Xml, profile: &InstanceProfile, roles: &[Role]) {
    x.text("Path", &profile.common.path)
        .text("InstanceProfileName", &profile.common.name)
        .text("InstanceProfileId", &profile.common.id)
        .text("Arn", &profile.arn())
        .text("CreateDate", &time(profile.common.created));
    x.list("Roles", roles, role);
    tags(x, &profile.tags);
}

/// The fields of a `Policy` element, with how many entities it is attached to and how many
/// use it as their permissions boundary.
pub fn policy(x: &mut Xml, p: &ManagedPolicyRef, attachments: usize, boundary_uses: usize) {
    let (id, default_version, created, updated, description, policy_tags): (
        &str,
        String,
        Timestamp,
        Timestamp,
        Option<&str>,
        &[Tag],
    ) = match p {
        ManagedPolicyRef::Customer(c) => (
            &c.common.id,
            c.default_version.clone(),
            c.common.created,
            c.updated,
            c.description.as_deref(),
            &c.tags,
        ),
        ManagedPolicyRef::Aws(a) => (
            &a.id,
            a.version.to_owned(),
            a.created(),
            a.updated(),
            a.description,
            &[],
        ),
    };
    x.text("PolicyName", &policy_name(p))
        .text("PolicyId", id)
        .text("Arn", &p.arn())
        .text("Path", &policy_path(p))
        .text("DefaultVersionId", &default_version)
        .text("AttachmentCount", &attachments.to_string())
        .text("PermissionsBoundaryUsageCount", &boundary_uses.to_string())
        .text("IsAttachable", "true")
        .opt("Description", description)
        .text("CreateDate", &time(created))
        .text("UpdateDate", &time(updated));
    tags(x, policy_tags);
}

/// The fields of a `PolicyVersion` element.
pub fn policy_version(x: &mut Xml, v: &PolicyVersion, is_default: bool, with_document: bool) {
    if with_document {
        x.text("Document", &url_encoded(v.document.text()));
    }
    x.text("VersionId", &v.id)
        .text(
            "IsDefaultVersion",
            if is_default { "true" } else { "false" },
        )
        .text("CreateDate", &time(v.created));
}

/// The fields of an `AccessKeyMetadata` member.
pub fn access_key(x: &mut Xml, user_name: Option<&str>, k: &AccessKey) {
    x.opt("UserName", user_name)
        .text("AccessKeyId", k.id.as_str())
        .text("Status", k.status.as_str())
        .text("CreateDate", &time(k.created));
}

/// A customer-managed policy's name and ARN, for `AttachedPolicies`.
pub fn attached(x: &mut Xml, name: &str, arn: &str) {
    x.text("PolicyName", name).text("PolicyArn", arn);
}

/// A `ManagedPolicyDetail` of the account authorization details: the policy and every version
/// with its document.
pub fn managed_detail(x: &mut Xml, p: &ManagedPolicyRef, attachments: usize, boundary_uses: usize) {
    policy(x, p, attachments, boundary_uses);
    match p {
        ManagedPolicyRef::Customer(c) => {
            x.list("PolicyVersionList", &c.versions, |x, v| {
                policy_version(x, v, v.id == c.default_version, true);
            });
        }
        ManagedPolicyRef::Aws(a) => {
            let version = PolicyVersion {
                id: a.version.to_owned(),
                document: a.document(),
                created: a.updated(),
            };
            x.list("PolicyVersionList", [&version], |x, v| {
                policy_version(x, v, true, true);
            });
        }
    }
}
