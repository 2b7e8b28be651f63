//! Attaching managed policies (customer-managed and AWS-managed) to users, groups and roles over
//! HTTP with the AWS SDK: the listings that show attachments, the permissions they grant, and
//! permissions boundaries.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_iam::types::EntityType;
use common::iam::READ_ONLY;
use common::{PROD, Server, allow, assert_error, ok, trust, user_with_keys};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

#[tokio::test]
async fn attach_and_detach_for_users_groups_and_roles() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("ann").send().await);
    ok(iam.create_group().group_name("crew").send().await);
    ok(iam
        .create_role()
        .role_name("Worker")
        .assume_role_policy_document(trust(PROD))
        .send()
        .await);
    let created = ok(iam
        .create_policy()
        .policy_name("Shared")
        .policy_document(allow(&["s3:ListBucket"]))
        .send()
        .await);
    let arn = created.policy().unwrap().arn().unwrap().to_owned();

    ok(iam
        .attach_user_policy()
        .user_name("ann")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .attach_group_policy()
        .group_name("crew")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .attach_role_policy()
        .role_name("Worker")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .attach_role_policy()
        .role_name("Worker")
        .policy_arn(READ_ONLY)
        .send()
        .await);
    // Attaching twice is not an error and attaches once.
    ok(iam
        .attach_user_policy()
        .user_name("ann")
        .policy_arn(&arn)
        .send()
        .await);

    let attached = ok(iam
        .list_attached_user_policies()
        .user_name("ann")
        .send()
        .await);
    let pairs: Vec<(&str, &str)> = attached
        .attached_policies()
        .iter()
        .map(|p| (p.policy_name().unwrap(), p.policy_arn().unwrap()))
        .collect();
    assert_eq!(pairs, [("Shared", arn.as_str())]);
    let attached = ok(iam
        .list_attached_group_policies()
        .group_name("crew")
        .send()
        .await);
    assert_eq!(attached.attached_policies().len(), 1);
    let attached = ok(iam
        .list_attached_role_policies()
        .role_name("Worker")
        .send()
        .await);
    let mut arns: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    arns.sort_unstable();
    assert_eq!(arns, [arn.as_str(), READ_ONLY]);

    let got = ok(iam.get_policy().policy_arn(&arn).send().await);
    assert_eq!(got.policy().unwrap().attachment_count(), Some(3));
    let entities = ok(iam.list_entities_for_policy().policy_arn(&arn).send().await);
    let users: Vec<&str> = entities
        .policy_users()
        .iter()
        .filter_map(|u| u.user_name())
        .collect();
    let groups: Vec<&str> = entities
        .policy_groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    let roles: Vec<&str> = entities
        .policy_roles()
        .iter()
        .filter_map(|r| r.role_name())
        .collect();
    assert_eq!(
        (users, groups, roles),
        (vec!["ann"], vec!["crew"], vec!["Worker"])
    );
    assert!(
        entities.policy_users()[0]
            .user_id()
            .is_some_and(|id| id.starts_with("AIDA"))
    );
    let only_roles = ok(iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .entity_filter(EntityType::Role)
        .send()
        .await);
    assert!(only_roles.policy_users().is_empty());
    assert_eq!(only_roles.policy_roles().len(), 1);
    let read_only = ok(iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .send()
        .await);
    assert_eq!(read_only.policy_roles().len(), 1);

    // An attached policy cannot be deleted.
    let e = assert_error(
        iam.delete_policy().policy_arn(&arn).send().await,
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    );
    assert_eq!(e.status, 409);

    // Unknown policies and entities.
    let missing = "arn:aws:iam::111111111111:policy/Nope";
    assert_error(
        iam.attach_user_policy()
            .user_name("ann")
            .policy_arn(missing)
            .send()
            .await,
        "NoSuchEntity",
        &format!("Policy {missing} does not exist or is not attachable."),
    );
    assert_error(
        iam.attach_user_policy()
            .user_name("nobody")
            .policy_arn(&arn)
            .send()
            .await,
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    );
    assert_error(
        iam.attach_role_policy()
            .role_name("Nobody")
            .policy_arn(&arn)
            .send()
            .await,
        "NoSuchEntity",
        "The role with name Nobody cannot be found.",
    );

    ok(iam
        .detach_user_policy()
        .user_name("ann")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .detach_group_policy()
        .group_name("crew")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .detach_role_policy()
        .role_name("Worker")
        .policy_arn(&arn)
        .send()
        .await);
    assert_error(
        iam.detach_user_policy()
            .user_name("ann")
            .policy_arn(&arn)
            .send()
            .await,
        "NoSuchEntity",
        &format!("Policy {arn} was not found."),
    );
    assert!(
        ok(iam
            .list_attached_user_policies()
            .user_name("ann")
            .send()
            .await)
        .attached_policies()
        .is_empty()
    );
    let entities = ok(iam.list_entities_for_policy().policy_arn(&arn).send().await);
    assert!(entities.policy_users().is_empty());
    assert!(entities.policy_groups().is_empty());
    assert!(entities.policy_roles().is_empty());
    ok(iam.delete_policy().policy_arn(&arn).send().await);
}

#[tokio::test]
async fn managed_policies_grant_through_users_groups_and_versions() {
    let server = Server::start();
    let iam = server.root_iam(PROD);

    // AWS's ReadOnlyAccess lets a user read IAM, not change it.
    let reader = user_with_keys(&iam, "reader").await;
    let as_reader = server.iam(&reader);
    assert_eq!(
        common::api_error(as_reader.list_users().send().await).code,
        "AccessDenied"
    );
    ok(iam
        .attach_user_policy()
        .user_name("reader")
        .policy_arn(READ_ONLY)
        .send()
        .await);
    let listed = ok(as_reader.list_users().send().await);
    assert_eq!(listed.users().len(), 1);
    // Reading a role that does not exist is allowed, so the answer is NoSuchEntity.
    assert_error(
        as_reader.get_role().role_name("x").send().await,
        "NoSuchEntity",
        "The role with name x cannot be found.",
    );
    assert_error(
        as_reader.create_user().user_name("new").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/new because no identity-based policy allows the iam:CreateUser action",
    );
    let aws = ok(iam.get_policy().policy_arn(READ_ONLY).send().await);
    let aws = aws.policy().unwrap();
    assert_eq!(aws.policy_name(), Some("ReadOnlyAccess"));
    assert_eq!(aws.attachment_count(), Some(1));

    // A customer-managed policy attached to a group grants its members; a new default
    // version changes what it grants at once.
    let member = user_with_keys(&iam, "member").await;
    let as_member = server.iam(&member);
    ok(iam.create_group().group_name("listers").send().await);
    ok(iam
        .add_user_to_group()
        .group_name("listers")
        .user_name("member")
        .send()
        .await);
    let created = ok(iam
        .create_policy()
        .policy_name("Lister")
        .policy_document(allow(&["iam:ListRoles"]))
        .send()
        .await);
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    ok(iam
        .attach_group_policy()
        .group_name("listers")
        .policy_arn(&arn)
        .send()
        .await);
    ok(as_member.list_roles().send().await);
    assert_eq!(
        common::api_error(as_member.list_groups().send().await).code,
        "AccessDenied"
    );
    ok(iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(allow(&["iam:ListGroups"]))
        .set_as_default(true)
        .send()
        .await);
    ok(as_member.list_groups().send().await);
    assert_error(
        as_member.list_roles().send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/member is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::111111111111:role/ because no identity-based policy allows the iam:ListRoles action",
    );
    ok(iam
        .set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await);
    ok(as_member.list_roles().send().await);
}

#[tokio::test]
async fn permissions_boundaries() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    let bounded = user_with_keys(&iam, "bounded").await;
    let as_bounded = server.iam(&bounded);
    ok(iam
        .attach_user_policy()
        .user_name("bounded")
        .policy_arn(ADMIN)
        .send()
        .await);
    ok(as_bounded.list_users().send().await);

    let boundary = ok(iam
        .create_policy()
        .policy_name("S3Only")
        .policy_document(allow(&["s3:*"]))
        .send()
        .await);
    let boundary_arn = boundary.policy().unwrap().arn().unwrap().to_owned();
    ok(iam
        .put_user_permissions_boundary()
        .user_name("bounded")
        .permissions_boundary(&boundary_arn)
        .send()
        .await);
    let user = ok(iam.get_user().user_name("bounded").send().await);
    let set = user.user().unwrap().permissions_boundary().unwrap();
    assert_eq!(set.permissions_boundary_arn(), Some(boundary_arn.as_str()));
    // A boundary is counted apart from attachments.
    let policy = ok(iam.get_policy().policy_arn(&boundary_arn).send().await);
    let policy = policy.policy().unwrap();
    assert_eq!(policy.attachment_count(), Some(0));
    assert_eq!(policy.permissions_boundary_usage_count(), Some(1));
    let e = assert_error(
        as_bounded.list_users().send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/bounded is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111111111111:user/ because no permissions boundary allows the iam:ListUsers action",
    );
    assert_eq!(e.status, 403);
    // A policy in use as a boundary cannot be deleted.
    assert_error(
        iam.delete_policy().policy_arn(&boundary_arn).send().await,
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    );
    ok(iam
        .delete_user_permissions_boundary()
        .user_name("bounded")
        .send()
        .await);
    let user = ok(iam.get_user().user_name("bounded").send().await);
    assert!(user.user().unwrap().permissions_boundary().is_none());
    ok(as_bounded.list_users().send().await);

    // An AWS-managed policy can be a boundary too, and boundaries apply to role sessions.
    let assumer = user_with_keys(&iam, "assumer").await;
    ok(iam
        .create_role()
        .role_name("Bounded")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/assumer"))
        .send()
        .await);
    ok(iam
        .attach_role_policy()
        .role_name("Bounded")
        .policy_arn(ADMIN)
        .send()
        .await);
    ok(iam
        .put_role_permissions_boundary()
        .role_name("Bounded")
        .permissions_boundary("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        .send()
        .await);
    let role = ok(iam.get_role().role_name("Bounded").send().await);
    assert_eq!(
        role.role()
            .unwrap()
            .permissions_boundary()
            .unwrap()
            .permissions_boundary_arn(),
        Some("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    );
    let assume = || async {
        let out = ok(server
            .sts(&assumer)
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/Bounded")
            .role_session_name("bounded-session")
            .send()
            .await);
        server.iam(&common::Keys::from_sts(out.credentials()))
    };
    assert_error(
        assume().await.list_roles().send().await,
        "AccessDenied",
        "User: arn:aws:sts::111111111111:assumed-role/Bounded/bounded-session is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::111111111111:role/ because no permissions boundary allows the iam:ListRoles action",
    );
    ok(iam
        .delete_role_permissions_boundary()
        .role_name("Bounded")
        .send()
        .await);
    ok(assume().await.list_roles().send().await);

    let missing = "arn:aws:iam::111111111111:policy/NoSuchBoundary";
    assert_error(
        iam.put_user_permissions_boundary()
            .user_name("bounded")
            .permissions_boundary(missing)
            .send()
            .await,
        "InvalidInput",
        &format!("ARN {missing} is not valid."),
    );
}
