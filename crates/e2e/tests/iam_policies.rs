//! Managed policies over HTTP with the AWS SDK: customer-managed policies and their versions,
//! attaching them (and AWS-managed ones) to users, groups and roles, the listings that show
//! attachments, permissions boundaries, and `GetAccountAuthorizationDetails`.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_iam::types::{EntityType, PolicyScopeType};
use common::{PROD, Server, allow, assert_error, decode_document, json, ok, trust, user_with_keys};

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

#[tokio::test]
async fn customer_managed_policy_versions() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    let v1 = allow(&["s3:GetObject"]);
    let created = ok(iam
        .create_policy()
        .policy_name("Reader")
        .path("/team/")
        .description("reads objects")
        .policy_document(&v1)
        .send()
        .await);
    let policy = created.policy().unwrap();
    let arn = policy.arn().unwrap().to_owned();
    assert_eq!(arn, "arn:aws:iam::111111111111:policy/team/Reader");
    assert_eq!(policy.default_version_id(), Some("v1"));
    assert_eq!(policy.attachment_count(), Some(0));
    assert!(policy.policy_id().unwrap().starts_with("ANPA"));
    assert_error(
        iam.create_policy()
            .policy_name("reader")
            .policy_document(&v1)
            .send()
            .await,
        "EntityAlreadyExists",
        "A policy called reader already exists. Duplicate names are not allowed.",
    );

    let got = ok(iam.get_policy().policy_arn(&arn).send().await);
    let got = got.policy().unwrap();
    assert_eq!(got.policy_name(), Some("Reader"));
    assert_eq!(got.path(), Some("/team/"));
    assert_eq!(got.description(), Some("reads objects"));
    let missing = "arn:aws:iam::111111111111:policy/Missing";
    let e = assert_error(
        iam.get_policy().policy_arn(missing).send().await,
        "NoSuchEntity",
        &format!("Policy {missing} was not found."),
    );
    assert_eq!(e.status, 404);

    // Scope=Local lists only the account's own policies.
    ok(iam
        .create_policy()
        .policy_name("Writer")
        .policy_document(allow(&["s3:PutObject"]))
        .send()
        .await);
    let local = ok(iam
        .list_policies()
        .scope(PolicyScopeType::Local)
        .send()
        .await);
    let mut names: Vec<&str> = local
        .policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Reader", "Writer"]);
    let aws = ok(iam.list_policies().scope(PolicyScopeType::Aws).send().await);
    assert!(aws.policies().iter().any(|p| p.arn() == Some(READ_ONLY)));
    assert!(aws.policies().iter().all(|p| {
        p.arn()
            .is_some_and(|a| a.starts_with("arn:aws:iam::aws:policy/"))
    }));

    // Versions: four more make five, the sixth is refused.
    for i in 2..=5 {
        let version = ok(iam
            .create_policy_version()
            .policy_arn(&arn)
            .policy_document(allow(&["s3:GetObject", &format!("s3:GetObjectTagging{i}")]))
            .send()
            .await);
        let version = version.policy_version().unwrap();
        assert_eq!(version.version_id(), Some(format!("v{i}").as_str()));
        assert!(!version.is_default_version());
    }
    let e = assert_error(
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(&v1)
            .send()
            .await,
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    );
    assert_eq!(e.status, 409);

    ok(iam
        .set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await);
    let got = ok(iam.get_policy().policy_arn(&arn).send().await);
    assert_eq!(got.policy().unwrap().default_version_id(), Some("v3"));
    let versions = ok(iam.list_policy_versions().policy_arn(&arn).send().await);
    let listed: Vec<(&str, bool)> = versions
        .versions()
        .iter()
        .map(|v| (v.version_id().unwrap(), v.is_default_version()))
        .collect();
    assert_eq!(
        listed,
        [
            ("v5", false),
            ("v4", false),
            ("v3", true),
            ("v2", false),
            ("v1", false)
        ]
    );
    let v3 = ok(iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await);
    let v3 = v3.policy_version().unwrap();
    assert!(v3.is_default_version());
    assert_eq!(
        decode_document(v3.document().unwrap()),
        json(&allow(&["s3:GetObject", "s3:GetObjectTagging3"]))
    );

    let e = assert_error(
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id("v3")
            .send()
            .await,
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
    );
    assert_eq!(e.status, 409);
    assert_error(
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id("v9")
            .send()
            .await,
        "NoSuchEntity",
        &format!("Policy {arn} version v9 does not exist or is not attachable."),
    );
    for v in ["v1", "v2", "v4"] {
        ok(iam
            .delete_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await);
    }
    // A new version after deletions gets the next number, and can become the default.
    let v6 = ok(iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(&v1)
        .set_as_default(true)
        .send()
        .await);
    let v6 = v6.policy_version().unwrap();
    assert_eq!(v6.version_id(), Some("v6"));
    assert!(v6.is_default_version());
    let versions = ok(iam.list_policy_versions().policy_arn(&arn).send().await);
    let ids: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(ids, ["v6", "v5", "v3"]);
    let e = assert_error(
        iam.delete_policy().policy_arn(&arn).send().await,
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    assert_eq!(e.status, 409);

    for v in ["v3", "v5"] {
        ok(iam
            .delete_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await);
    }
    ok(iam.delete_policy().policy_arn(&arn).send().await);
    assert_error(
        iam.get_policy().policy_arn(&arn).send().await,
        "NoSuchEntity",
        &format!("Policy {arn} was not found."),
    );
}

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

#[tokio::test]
async fn account_authorization_details() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("uma").send().await);
    ok(iam
        .put_user_policy()
        .user_name("uma")
        .policy_name("inline-u")
        .policy_document(allow(&["s3:GetObject"]))
        .send()
        .await);
    ok(iam.create_group().group_name("grp").send().await);
    ok(iam
        .add_user_to_group()
        .group_name("grp")
        .user_name("uma")
        .send()
        .await);
    ok(iam
        .put_group_policy()
        .group_name("grp")
        .policy_name("inline-g")
        .policy_document(allow(&["s3:PutObject"]))
        .send()
        .await);
    let trust_policy = trust("arn:aws:iam::111111111111:user/uma");
    ok(iam
        .create_role()
        .role_name("Rol")
        .assume_role_policy_document(&trust_policy)
        .send()
        .await);
    let created = ok(iam
        .create_policy()
        .policy_name("Managed")
        .policy_document(allow(&["s3:ListBucket"]))
        .send()
        .await);
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    ok(iam
        .attach_role_policy()
        .role_name("Rol")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .attach_user_policy()
        .user_name("uma")
        .policy_arn(READ_ONLY)
        .send()
        .await);
    ok(iam
        .put_user_permissions_boundary()
        .user_name("uma")
        .permissions_boundary(&arn)
        .send()
        .await);
    // Another account's entities never show.
    ok(server
        .root_iam(common::DEV)
        .create_user()
        .user_name("stranger")
        .send()
        .await);

    let details = ok(iam.get_account_authorization_details().send().await);
    let users = details.user_detail_list();
    assert_eq!(users.len(), 1);
    let uma = &users[0];
    assert_eq!(uma.user_name(), Some("uma"));
    assert_eq!(uma.group_list(), ["grp"]);
    let inline: Vec<&str> = uma
        .user_policy_list()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(inline, ["inline-u"]);
    assert_eq!(
        decode_document(uma.user_policy_list()[0].policy_document().unwrap()),
        json(&allow(&["s3:GetObject"]))
    );
    let attached: Vec<&str> = uma
        .attached_managed_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    assert_eq!(attached, [READ_ONLY]);
    assert_eq!(
        uma.permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some(arn.as_str())
    );

    let groups = details.group_detail_list();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].group_name(), Some("grp"));
    assert_eq!(groups[0].group_policy_list().len(), 1);

    let roles = details.role_detail_list();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role_name(), Some("Rol"));
    assert_eq!(
        decode_document(roles[0].assume_role_policy_document().unwrap()),
        json(&trust_policy)
    );
    assert_eq!(
        roles[0]
            .attached_managed_policies()
            .iter()
            .filter_map(|p| p.policy_name())
            .collect::<Vec<_>>(),
        ["Managed"]
    );

    // The customer-managed policies, and the AWS-managed ones in use in the account.
    let policies = details.policies();
    let mut arns: Vec<&str> = policies.iter().filter_map(|p| p.arn()).collect();
    arns.sort_unstable();
    assert_eq!(arns, [arn.as_str(), READ_ONLY]);
    let managed = policies
        .iter()
        .find(|p| p.arn() == Some(arn.as_str()))
        .unwrap();
    assert_eq!(managed.attachment_count(), Some(1));
    assert_eq!(managed.permissions_boundary_usage_count(), Some(1));
    let versions = managed.policy_version_list();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].is_default_version());
    assert_eq!(
        decode_document(versions[0].document().unwrap()),
        json(&allow(&["s3:ListBucket"]))
    );
    let aws = policies
        .iter()
        .find(|p| p.arn() == Some(READ_ONLY))
        .unwrap();
    assert_eq!(aws.policy_name(), Some("ReadOnlyAccess"));
    assert_eq!(aws.attachment_count(), Some(1));
    assert_eq!(aws.policy_version_list().len(), 1);
    assert!(aws.policy_version_list()[0].is_default_version());

    // Filtered to local managed policies only.
    let only_policies = ok(iam
        .get_account_authorization_details()
        .filter(EntityType::LocalManagedPolicy)
        .send()
        .await);
    assert!(only_policies.user_detail_list().is_empty());
    assert!(only_policies.role_detail_list().is_empty());
    assert_eq!(only_policies.policies().len(), 1);
    assert_eq!(only_policies.policies()[0].arn(), Some(arn.as_str()));
    let only_aws = ok(iam
        .get_account_authorization_details()
        .filter(EntityType::AwsManagedPolicy)
        .send()
        .await);
    let arns: Vec<&str> = only_aws.policies().iter().filter_map(|p| p.arn()).collect();
    assert_eq!(arns, [READ_ONLY]);
}

#[tokio::test]
async fn policy_listings_page_through_everything_once() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    for name in ["Zeta", "Alpha", "Mid"] {
        ok(iam
            .create_policy()
            .policy_name(name)
            .policy_document(allow(&["s3:GetObject"]))
            .send()
            .await);
    }
    let everything = ok(iam.list_policies().max_items(1000).send().await);
    assert!(!everything.is_truncated());
    let mut expected: Vec<String> = everything
        .policies()
        .iter()
        .filter_map(|p| p.arn().map(str::to_owned))
        .collect();
    assert!(expected.len() >= 10, "{expected:?}");

    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..100 {
        let page = ok(iam
            .list_policies()
            .max_items(2)
            .set_marker(marker.clone())
            .send()
            .await);
        seen.extend(
            page.policies()
                .iter()
                .filter_map(|p| p.arn().map(str::to_owned)),
        );
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected, "every policy exactly once");

    // The entities a policy is attached to, one per page.
    let arn = "arn:aws:iam::111111111111:policy/Mid";
    ok(iam.create_user().user_name("zed").send().await);
    ok(iam.create_group().group_name("grp").send().await);
    ok(iam
        .create_role()
        .role_name("Rol")
        .assume_role_policy_document(trust(PROD))
        .send()
        .await);
    ok(iam
        .attach_user_policy()
        .user_name("zed")
        .policy_arn(arn)
        .send()
        .await);
    ok(iam
        .attach_group_policy()
        .group_name("grp")
        .policy_arn(arn)
        .send()
        .await);
    ok(iam
        .attach_role_policy()
        .role_name("Rol")
        .policy_arn(arn)
        .send()
        .await);
    let (mut users, mut groups, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = ok(iam
            .list_entities_for_policy()
            .policy_arn(arn)
            .max_items(1)
            .set_marker(marker.clone())
            .send()
            .await);
        pages += 1;
        users.extend(
            page.policy_users()
                .iter()
                .filter_map(|u| u.user_name().map(str::to_owned)),
        );
        groups.extend(
            page.policy_groups()
                .iter()
                .filter_map(|g| g.group_name().map(str::to_owned)),
        );
        roles.extend(
            page.policy_roles()
                .iter()
                .filter_map(|r| r.role_name().map(str::to_owned)),
        );
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(
        (users, groups, roles),
        (
            vec!["zed".to_owned()],
            vec!["grp".to_owned()],
            vec!["Rol".to_owned()]
        )
    );
    assert_eq!(pages, 3);
}
