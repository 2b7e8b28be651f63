//! IAM users, groups, roles and access keys over HTTP with the AWS SDK: their lifecycle,
//! AWS's exact errors, pagination, tags, and parameter validation.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_iam::types::{StatusType, Tag};
use common::{
    Keys, PROD, Server, allow, assert_error, decode_document, json, ok, trust, user_with_keys,
};

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

#[tokio::test]
async fn user_lifecycle() {
    let server = Server::start();
    let iam = server.root_iam(PROD);

    let created = ok(iam
        .create_user()
        .user_name("alice")
        .path("/eng/")
        .tags(tag("team", "blue"))
        .send()
        .await);
    let user = created.user().unwrap();
    assert_eq!(user.user_name(), "alice");
    assert_eq!(user.path(), "/eng/");
    assert_eq!(user.arn(), "arn:aws:iam::111111111111:user/eng/alice");
    assert!(user.user_id().starts_with("AIDA") && user.user_id().len() == 21);
    let user_id = user.user_id().to_owned();
    ok(iam.create_user().user_name("bob").send().await);

    let got = ok(iam.get_user().user_name("alice").send().await);
    let got = got.user().unwrap();
    assert_eq!(got.user_id(), user_id);
    assert_eq!(got.arn(), "arn:aws:iam::111111111111:user/eng/alice");
    assert_eq!(got.tags(), [tag("team", "blue")]);

    // Names are unique without regard to case.
    let e = assert_error(
        iam.create_user().user_name("Alice").send().await,
        "EntityAlreadyExists",
        "User with name Alice already exists.",
    );
    assert_eq!(e.status, 409);

    let all = ok(iam.list_users().send().await);
    let names: Vec<&str> = all
        .users()
        .iter()
        .map(aws_sdk_iam::types::User::user_name)
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert!(!all.is_truncated());
    let eng = ok(iam.list_users().path_prefix("/eng/").send().await);
    let names: Vec<&str> = eng
        .users()
        .iter()
        .map(aws_sdk_iam::types::User::user_name)
        .collect();
    assert_eq!(names, ["alice"]);
    assert!(
        ok(iam.list_users().path_prefix("/ops/").send().await)
            .users()
            .is_empty()
    );

    // Rename (and move): the old name is gone, the unique id stays.
    ok(iam
        .update_user()
        .user_name("alice")
        .new_user_name("alice2")
        .new_path("/ops/")
        .send()
        .await);
    let e = assert_error(
        iam.get_user().user_name("alice").send().await,
        "NoSuchEntity",
        "The user with name alice cannot be found.",
    );
    assert_eq!(e.status, 404);
    let renamed = ok(iam.get_user().user_name("alice2").send().await);
    let renamed = renamed.user().unwrap();
    assert_eq!(renamed.user_id(), user_id);
    assert_eq!(renamed.arn(), "arn:aws:iam::111111111111:user/ops/alice2");
    assert_error(
        iam.update_user()
            .user_name("alice2")
            .new_user_name("BOB")
            .send()
            .await,
        "EntityAlreadyExists",
        "User with name BOB already exists.",
    );
    assert_error(
        iam.update_user()
            .user_name("nobody")
            .new_user_name("x")
            .send()
            .await,
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    );

    ok(iam.delete_user().user_name("alice2").send().await);
    assert_error(
        iam.delete_user().user_name("alice2").send().await,
        "NoSuchEntity",
        "The user with name alice2 cannot be found.",
    );
    // A user can be re-created under a deleted name, with a new unique id.
    let again = ok(iam.create_user().user_name("alice2").send().await);
    assert_ne!(again.user().unwrap().user_id(), user_id);
}

#[tokio::test]
async fn delete_user_conflicts() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("carl").send().await);

    ok(iam
        .put_user_policy()
        .user_name("carl")
        .policy_name("inline")
        .policy_document(allow(&["s3:ListBucket"]))
        .send()
        .await);
    let e = assert_error(
        iam.delete_user().user_name("carl").send().await,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    assert_eq!(e.status, 409);
    ok(iam
        .delete_user_policy()
        .user_name("carl")
        .policy_name("inline")
        .send()
        .await);

    ok(iam
        .attach_user_policy()
        .user_name("carl")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await);
    assert_error(
        iam.delete_user().user_name("carl").send().await,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    );
    ok(iam
        .detach_user_policy()
        .user_name("carl")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await);

    ok(iam.create_group().group_name("devs").send().await);
    ok(iam
        .add_user_to_group()
        .group_name("devs")
        .user_name("carl")
        .send()
        .await);
    assert_error(
        iam.delete_user().user_name("carl").send().await,
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
    );
    ok(iam
        .remove_user_from_group()
        .group_name("devs")
        .user_name("carl")
        .send()
        .await);

    let key = ok(iam.create_access_key().user_name("carl").send().await);
    let key_id = key.access_key().unwrap().access_key_id().to_owned();
    assert_error(
        iam.delete_user().user_name("carl").send().await,
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
    );
    ok(iam
        .delete_access_key()
        .user_name("carl")
        .access_key_id(&key_id)
        .send()
        .await);

    ok(iam.delete_user().user_name("carl").send().await);
}

#[tokio::test]
async fn list_users_pagination() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    let mut expected: Vec<String> = (1..=7).map(|i| format!("user{i}")).collect();
    for name in &expected {
        ok(iam.create_user().user_name(name).send().await);
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = ok(iam
            .list_users()
            .max_items(3)
            .set_marker(marker.clone())
            .send()
            .await);
        pages += 1;
        assert!(page.users().len() <= 3);
        seen.extend(page.users().iter().map(|u| u.user_name().to_owned()));
        if page.is_truncated() {
            assert_eq!(page.users().len(), 3);
            marker = Some(
                page.marker()
                    .expect("a truncated page has a marker")
                    .to_owned(),
            );
        } else {
            assert!(page.marker().is_none());
            break;
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3);
    expected.sort();
    assert_eq!(seen, expected);

    // The SDK's paginator walks the same pages.
    let users: Vec<String> = iam
        .list_users()
        .max_items(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("paginated listing")
        .into_iter()
        .map(|u| u.user_name().to_owned())
        .collect();
    assert_eq!(users, expected);

    assert_error(
        iam.list_users().max_items(0).send().await,
        "ValidationError",
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
}

#[tokio::test]
async fn access_key_lifecycle() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("dana").send().await);
    let created = ok(iam.create_access_key().user_name("dana").send().await);
    let key = created.access_key().unwrap();
    assert_eq!(key.user_name(), "dana");
    assert!(key.access_key_id().starts_with("AKIA") && key.access_key_id().len() == 20);
    assert_eq!(key.secret_access_key().len(), 40);
    assert_eq!(key.status(), &StatusType::Active);
    let keys = Keys::from_access_key(key);

    // Never used yet.
    let last = ok(iam
        .get_access_key_last_used()
        .access_key_id(&keys.id)
        .send()
        .await);
    assert_eq!(last.user_name(), Some("dana"));
    let used = last.access_key_last_used().unwrap();
    assert_eq!(used.service_name(), "N/A");
    assert_eq!(used.region(), "N/A");
    assert!(used.last_used_date().is_none());

    // The key works, and its use is recorded.
    let me = ok(server.sts(&keys).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/dana"));
    let last = ok(iam
        .get_access_key_last_used()
        .access_key_id(&keys.id)
        .send()
        .await);
    let used = last.access_key_last_used().unwrap();
    assert_eq!(used.service_name(), "sts");
    assert_eq!(used.region(), "us-east-1");
    assert!(used.last_used_date().is_some());

    // A second key is allowed, a third is not.
    let second = ok(iam.create_access_key().user_name("dana").send().await);
    let second_id = second.access_key().unwrap().access_key_id().to_owned();
    let e = assert_error(
        iam.create_access_key().user_name("dana").send().await,
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
    );
    assert_eq!(e.status, 409);
    let listed = ok(iam.list_access_keys().user_name("dana").send().await);
    let mut ids: Vec<&str> = listed
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id())
        .collect();
    ids.sort_unstable();
    let mut expected = [keys.id.as_str(), second_id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    // Deactivated, the key stops working; reactivated, it works again.
    ok(iam
        .update_access_key()
        .user_name("dana")
        .access_key_id(&keys.id)
        .status(StatusType::Inactive)
        .send()
        .await);
    let listed = ok(iam.list_access_keys().user_name("dana").send().await);
    let first = listed
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(keys.id.as_str()))
        .unwrap();
    assert_eq!(first.status(), Some(&StatusType::Inactive));
    assert_eq!(first.user_name(), Some("dana"));
    assert_error(
        server.sts(&keys).get_caller_identity().send().await,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    assert_error(
        server.iam(&keys).list_users().send().await,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    ok(iam
        .update_access_key()
        .user_name("dana")
        .access_key_id(&keys.id)
        .status(StatusType::Active)
        .send()
        .await);
    ok(server.sts(&keys).get_caller_identity().send().await);

    // Deleted, it is gone.
    ok(iam
        .delete_access_key()
        .user_name("dana")
        .access_key_id(&keys.id)
        .send()
        .await);
    assert_error(
        server.sts(&keys).get_caller_identity().send().await,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    assert_error(
        iam.delete_access_key()
            .user_name("dana")
            .access_key_id(&keys.id)
            .send()
            .await,
        "NoSuchEntity",
        &format!("The Access Key with id {} cannot be found.", keys.id),
    );
    let listed = ok(iam.list_access_keys().user_name("dana").send().await);
    assert_eq!(listed.access_key_metadata().len(), 1);

    // A user manages its own keys without naming itself, given permission.
    let erik = user_with_keys(&iam, "erik").await;
    ok(iam
        .put_user_policy()
        .user_name("erik")
        .policy_name("own-keys")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["iam:ListAccessKeys", "iam:CreateAccessKey"],
                               "Resource": "arn:aws:iam::111111111111:user/${aws:username}"}]
            })
            .to_string(),
        )
        .send()
        .await);
    let own = ok(server.iam(&erik).list_access_keys().send().await);
    assert_eq!(own.access_key_metadata().len(), 1);
    assert_eq!(
        own.access_key_metadata()[0].access_key_id(),
        Some(erik.id.as_str())
    );
    let new_key = ok(server.iam(&erik).create_access_key().send().await);
    assert_eq!(new_key.access_key().unwrap().user_name(), "erik");
    assert_error(
        server
            .iam(&erik)
            .list_access_keys()
            .user_name("dana")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/erik is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::111111111111:user/dana because no identity-based policy allows the iam:ListAccessKeys action",
    );
}

#[tokio::test]
async fn groups_membership_and_group_policies() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("gus").send().await);
    ok(iam.create_user().user_name("hana").send().await);

    let group = ok(iam
        .create_group()
        .group_name("Admins")
        .path("/ops/")
        .send()
        .await);
    let group = group.group().unwrap();
    assert_eq!(group.arn(), "arn:aws:iam::111111111111:group/ops/Admins");
    assert!(group.group_id().starts_with("AGPA"));
    assert_error(
        iam.create_group().group_name("admins").send().await,
        "EntityAlreadyExists",
        "Group with name admins already exists.",
    );
    ok(iam.create_group().group_name("Readers").send().await);

    for user in ["gus", "hana"] {
        ok(iam
            .add_user_to_group()
            .group_name("Admins")
            .user_name(user)
            .send()
            .await);
    }
    ok(iam
        .add_user_to_group()
        .group_name("Readers")
        .user_name("gus")
        .send()
        .await);
    let got = ok(iam.get_group().group_name("Admins").send().await);
    assert_eq!(got.group().unwrap().group_name(), "Admins");
    let members: Vec<&str> = got
        .users()
        .iter()
        .map(aws_sdk_iam::types::User::user_name)
        .collect();
    assert_eq!(members, ["gus", "hana"]);
    let of_gus = ok(iam.list_groups_for_user().user_name("gus").send().await);
    let names: Vec<&str> = of_gus
        .groups()
        .iter()
        .map(aws_sdk_iam::types::Group::group_name)
        .collect();
    assert_eq!(names, ["Admins", "Readers"]);
    let ops = ok(iam.list_groups().path_prefix("/ops/").send().await);
    assert_eq!(ops.groups().len(), 1);
    assert_error(
        iam.add_user_to_group()
            .group_name("Nope")
            .user_name("gus")
            .send()
            .await,
        "NoSuchEntity",
        "The group with name Nope cannot be found.",
    );
    assert_error(
        iam.add_user_to_group()
            .group_name("Admins")
            .user_name("nobody")
            .send()
            .await,
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    );

    // Group inline policies.
    let document = allow(&["iam:ListUsers"]);
    ok(iam
        .put_group_policy()
        .group_name("Admins")
        .policy_name("list")
        .policy_document(&document)
        .send()
        .await);
    let got = ok(iam
        .get_group_policy()
        .group_name("Admins")
        .policy_name("list")
        .send()
        .await);
    assert_eq!(got.group_name(), "Admins");
    assert_eq!(got.policy_name(), "list");
    assert_eq!(decode_document(got.policy_document()), json(&document));
    let names = ok(iam.list_group_policies().group_name("Admins").send().await);
    assert_eq!(names.policy_names(), ["list"]);
    assert_error(
        iam.get_group_policy()
            .group_name("Admins")
            .policy_name("other")
            .send()
            .await,
        "NoSuchEntity",
        "The group policy with name other cannot be found.",
    );

    // Members get the group's permissions.
    let hana_key = ok(iam.create_access_key().user_name("hana").send().await);
    let hana = Keys::from_access_key(hana_key.access_key().unwrap());
    ok(server.iam(&hana).list_users().send().await);

    assert_error(
        iam.delete_group().group_name("Admins").send().await,
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
    );
    for user in ["gus", "hana"] {
        ok(iam
            .remove_user_from_group()
            .group_name("Admins")
            .user_name(user)
            .send()
            .await);
    }
    assert_error(
        server.iam(&hana).list_users().send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/hana is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111111111111:user/ because no identity-based policy allows the iam:ListUsers action",
    );
    assert_error(
        iam.delete_group().group_name("Admins").send().await,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    ok(iam
        .delete_group_policy()
        .group_name("Admins")
        .policy_name("list")
        .send()
        .await);
    assert_error(
        iam.delete_group_policy()
            .group_name("Admins")
            .policy_name("list")
            .send()
            .await,
        "NoSuchEntity",
        "The group policy with name list cannot be found.",
    );
    ok(iam.delete_group().group_name("Admins").send().await);
    assert_error(
        iam.get_group().group_name("Admins").send().await,
        "NoSuchEntity",
        "The group with name Admins cannot be found.",
    );
    let of_hana = ok(iam.list_groups_for_user().user_name("hana").send().await);
    assert!(of_hana.groups().is_empty());
}

#[tokio::test]
async fn role_lifecycle_trust_and_tags() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("ops").send().await);
    let trust_policy = trust("arn:aws:iam::111111111111:user/ops");

    let created = ok(iam
        .create_role()
        .role_name("Deploy")
        .path("/ci/")
        .description("deploys things")
        .assume_role_policy_document(&trust_policy)
        .tags(tag("env", "prod"))
        .send()
        .await);
    let role = created.role().unwrap();
    assert_eq!(role.arn(), "arn:aws:iam::111111111111:role/ci/Deploy");
    assert!(role.role_id().starts_with("AROA"));
    assert_eq!(role.max_session_duration(), Some(3600));
    assert_error(
        iam.create_role()
            .role_name("deploy")
            .assume_role_policy_document(&trust_policy)
            .send()
            .await,
        "EntityAlreadyExists",
        "Role with name deploy already exists.",
    );

    // The trust policy comes back URL-encoded, as IAM returns it.
    let got = ok(iam.get_role().role_name("Deploy").send().await);
    let role = got.role().unwrap();
    let encoded = role.assume_role_policy_document().unwrap();
    assert!(encoded.contains("%22"), "{encoded}");
    assert_eq!(decode_document(encoded), json(&trust_policy));
    assert_eq!(role.description(), Some("deploys things"));
    assert_eq!(role.tags(), [tag("env", "prod")]);

    let new_trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                       "Action": "sts:AssumeRole",
                       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]
    })
    .to_string();
    ok(iam
        .update_assume_role_policy()
        .role_name("Deploy")
        .policy_document(&new_trust)
        .send()
        .await);
    let got = ok(iam.get_role().role_name("Deploy").send().await);
    assert_eq!(
        decode_document(got.role().unwrap().assume_role_policy_document().unwrap()),
        json(&new_trust)
    );
    assert_error(
        iam.update_assume_role_policy()
            .role_name("Nope")
            .policy_document(&new_trust)
            .send()
            .await,
        "NoSuchEntity",
        "The role with name Nope cannot be found.",
    );

    ok(iam
        .update_role()
        .role_name("Deploy")
        .max_session_duration(7200)
        .description("deploys more")
        .send()
        .await);
    let got = ok(iam.get_role().role_name("Deploy").send().await);
    assert_eq!(got.role().unwrap().max_session_duration(), Some(7200));
    assert_eq!(got.role().unwrap().description(), Some("deploys more"));
    assert_error(
        iam.update_role()
            .role_name("Deploy")
            .max_session_duration(100)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    assert_error(
        iam.update_role()
            .role_name("Deploy")
            .max_session_duration(43201)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );

    // Tags: add, replace a value (keys compare without case), list, remove.
    ok(iam
        .tag_role()
        .role_name("Deploy")
        .tags(tag("team", "red"))
        .tags(tag("ENV", "staging"))
        .send()
        .await);
    let tags = ok(iam.list_role_tags().role_name("Deploy").send().await);
    assert_eq!(tags.tags(), [tag("ENV", "staging"), tag("team", "red")]);
    ok(iam
        .untag_role()
        .role_name("Deploy")
        .tag_keys("env")
        .send()
        .await);
    let tags = ok(iam.list_role_tags().role_name("Deploy").send().await);
    assert_eq!(tags.tags(), [tag("team", "red")]);

    let listed = ok(iam.list_roles().path_prefix("/ci/").send().await);
    let names: Vec<&str> = listed
        .roles()
        .iter()
        .map(aws_sdk_iam::types::Role::role_name)
        .collect();
    assert_eq!(names, ["Deploy"]);

    // Role inline policies.
    let document = allow(&["s3:GetObject"]);
    ok(iam
        .put_role_policy()
        .role_name("Deploy")
        .policy_name("read")
        .policy_document(&document)
        .send()
        .await);
    let got = ok(iam
        .get_role_policy()
        .role_name("Deploy")
        .policy_name("read")
        .send()
        .await);
    assert_eq!(got.role_name(), "Deploy");
    assert_eq!(decode_document(got.policy_document()), json(&document));
    let names = ok(iam.list_role_policies().role_name("Deploy").send().await);
    assert_eq!(names.policy_names(), ["read"]);
    assert_error(
        iam.delete_role().role_name("Deploy").send().await,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    ok(iam
        .delete_role_policy()
        .role_name("Deploy")
        .policy_name("read")
        .send()
        .await);
    assert_error(
        iam.get_role_policy()
            .role_name("Deploy")
            .policy_name("read")
            .send()
            .await,
        "NoSuchEntity",
        "The role policy with name read cannot be found.",
    );
    ok(iam.delete_role().role_name("Deploy").send().await);
    assert_error(
        iam.get_role().role_name("Deploy").send().await,
        "NoSuchEntity",
        "The role with name Deploy cannot be found.",
    );
}

#[tokio::test]
async fn user_inline_policies() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    let ula = user_with_keys(&iam, "ula").await;
    let document = allow(&["iam:GetUser"]);
    ok(iam
        .put_user_policy()
        .user_name("ula")
        .policy_name("self")
        .policy_document(&document)
        .send()
        .await);
    let got = ok(iam
        .get_user_policy()
        .user_name("ula")
        .policy_name("self")
        .send()
        .await);
    assert_eq!(got.user_name(), "ula");
    assert_eq!(got.policy_name(), "self");
    assert_eq!(decode_document(got.policy_document()), json(&document));
    ok(iam
        .put_user_policy()
        .user_name("ula")
        .policy_name("more")
        .policy_document(allow(&["iam:ListUsers"]))
        .send()
        .await);
    let names = ok(iam.list_user_policies().user_name("ula").send().await);
    assert_eq!(names.policy_names(), ["more", "self"]);

    // The user acts with its inline policies.
    let me = ok(server.iam(&ula).get_user().send().await);
    assert_eq!(me.user().unwrap().user_name(), "ula");
    ok(server.iam(&ula).list_users().send().await);

    ok(iam
        .delete_user_policy()
        .user_name("ula")
        .policy_name("more")
        .send()
        .await);
    assert_error(
        iam.get_user_policy()
            .user_name("ula")
            .policy_name("more")
            .send()
            .await,
        "NoSuchEntity",
        "The user policy with name more cannot be found.",
    );
    assert_error(
        server.iam(&ula).list_users().send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/ula is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111111111111:user/ because no identity-based policy allows the iam:ListUsers action",
    );
    assert_error(
        iam.put_user_policy()
            .user_name("nobody")
            .policy_name("p")
            .policy_document(&document)
            .send()
            .await,
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    );
}

#[tokio::test]
async fn documents_and_names_are_validated() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("val").send().await);

    // A trust policy may not name resources.
    let with_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let e = assert_error(
        iam.create_role()
            .role_name("Bad")
            .assume_role_policy_document(with_resource)
            .send()
            .await,
        "MalformedPolicyDocument",
        "Has prohibited field Resource",
    );
    assert_eq!(e.status, 400);

    // An identity policy may not name a principal.
    let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    assert_error(
        iam.put_user_policy()
            .user_name("val")
            .policy_name("p")
            .policy_document(with_principal)
            .send()
            .await,
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
    );
    assert_error(
        iam.create_policy()
            .policy_name("p")
            .policy_document(with_principal)
            .send()
            .await,
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
    );

    // A trust policy may only name users and roles that exist.
    let ghost = trust("arn:aws:iam::111111111111:user/ghost");
    assert_error(
        iam.create_role()
            .role_name("Haunted")
            .assume_role_policy_document(&ghost)
            .send()
            .await,
        "MalformedPolicyDocument",
        r#"Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:user/ghost""#,
    );
    ok(iam
        .create_role()
        .role_name("Fine")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/val"))
        .send()
        .await);
    assert_error(
        iam.update_assume_role_policy()
            .role_name("Fine")
            .policy_document(&ghost)
            .send()
            .await,
        "MalformedPolicyDocument",
        r#"Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:user/ghost""#,
    );

    // Inline role policies are limited to 10,240 characters together (whitespace aside).
    let big = |n: usize| {
        let actions: Vec<String> = (0..n)
            .map(|i| format!("s3:GetObjectVersion{i:04}"))
            .collect();
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        })
        .to_string()
    };
    let first = big(200);
    assert!(first.len() > 5000 && first.len() < 6000, "{}", first.len());
    ok(iam
        .put_role_policy()
        .role_name("Fine")
        .policy_name("one")
        .policy_document(&first)
        .send()
        .await);
    let e = assert_error(
        iam.put_role_policy()
            .role_name("Fine")
            .policy_name("two")
            .policy_document(&first)
            .send()
            .await,
        "LimitExceeded",
        "Maximum policy size of 10240 bytes exceeded for role Fine",
    );
    assert_eq!(e.status, 409);
    // Replacing the same policy does not count it twice.
    ok(iam
        .put_role_policy()
        .role_name("Fine")
        .policy_name("one")
        .policy_document(&first)
        .send()
        .await);
    // Users are limited to 2,048.
    assert_error(
        iam.put_user_policy()
            .user_name("val")
            .policy_name("big")
            .policy_document(&first)
            .send()
            .await,
        "LimitExceeded",
        "Maximum policy size of 2048 bytes exceeded for user val",
    );

    // Names follow IAM's pattern and length limits.
    assert_error(
        iam.create_user().user_name("bad name").send().await,
        "ValidationError",
        r"1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
    );
    let long = "u".repeat(65);
    assert_error(
        iam.create_user().user_name(&long).send().await,
        "ValidationError",
        &format!(
            "1 validation error detected: Value '{long}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"
        ),
    );
    assert_error(
        iam.create_group().group_name("a/b").send().await,
        "ValidationError",
        r"1 validation error detected: Value 'a/b' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
    );
    assert_error(
        iam.create_user()
            .user_name("pathy")
            .path("no-slash")
            .send()
            .await,
        "ValidationError",
        r"1 validation error detected: Value 'no-slash' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)",
    );
    assert_error(
        iam.create_role()
            .role_name("Short")
            .assume_role_policy_document(trust(PROD))
            .max_session_duration(60)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    assert_error(
        iam.tag_user()
            .user_name("val")
            .tags(tag("a", "1"))
            .tags(tag("A", "2"))
            .send()
            .await,
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    );
}

#[tokio::test]
async fn renamed_user_keeps_keys_groups_and_policies() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    let keys = user_with_keys(&iam, "olga").await;
    ok(iam.create_group().group_name("readers").send().await);
    ok(iam
        .add_user_to_group()
        .group_name("readers")
        .user_name("olga")
        .send()
        .await);
    ok(iam
        .put_group_policy()
        .group_name("readers")
        .policy_name("list")
        .policy_document(allow(&["iam:ListUsers"]))
        .send()
        .await);
    ok(iam
        .attach_user_policy()
        .user_name("olga")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await);
    ok(iam
        .update_user()
        .user_name("olga")
        .new_user_name("Olga2")
        .send()
        .await);

    let me = ok(server.sts(&keys).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/Olga2"));
    ok(server.iam(&keys).list_users().send().await);
    let group = ok(iam.get_group().group_name("readers").send().await);
    let members: Vec<&str> = group
        .users()
        .iter()
        .map(aws_sdk_iam::types::User::user_name)
        .collect();
    assert_eq!(members, ["Olga2"]);
    let attached = ok(iam
        .list_attached_user_policies()
        .user_name("olga2")
        .send()
        .await);
    assert_eq!(attached.attached_policies().len(), 1);
    let keys_listed = ok(iam.list_access_keys().user_name("Olga2").send().await);
    assert_eq!(
        keys_listed.access_key_metadata()[0].user_name(),
        Some("Olga2")
    );
    assert_eq!(keys_listed.access_key_metadata().len(), 1);
    let last = ok(iam
        .get_access_key_last_used()
        .access_key_id(&keys.id)
        .send()
        .await);
    assert_eq!(last.user_name(), Some("Olga2"));

    // A change of case only is a rename too.
    ok(iam
        .update_user()
        .user_name("olga2")
        .new_user_name("olga2")
        .send()
        .await);
    let me = ok(server.sts(&keys).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/olga2"));
    ok(server.iam(&keys).list_users().send().await);
}

#[tokio::test]
async fn documents_and_texts_round_trip_verbatim() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("vera").send().await);
    // IAM keeps a document as it was written: layout, order and non-ASCII text.
    let document = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Caf\u{e9}\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::b/caf\u{e9} & <co>/*\",\n      \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"\u{00fc}ber+%20\"}}\n    }\n  ]\n}";
    let e = common::api_error(
        iam.put_user_policy()
            .user_name("vera")
            .policy_name("verbatim")
            .policy_document(document)
            .send()
            .await,
    );
    // IAM Sids are alphanumeric only.
    assert_eq!(e.code, "MalformedPolicyDocument");
    let document = document.replace("Caf\u{e9}", "Cafe1");
    ok(iam
        .put_user_policy()
        .user_name("vera")
        .policy_name("verbatim")
        .policy_document(&document)
        .send()
        .await);
    let got = ok(iam
        .get_user_policy()
        .user_name("vera")
        .policy_name("verbatim")
        .send()
        .await);
    let text = percent_encoding::percent_decode_str(got.policy_document())
        .decode_utf8()
        .unwrap();
    assert_eq!(text, document);

    // XML-special characters in free text.
    let description = "a < b & c > \"d\" 'e'";
    ok(iam
        .create_role()
        .role_name("Texty")
        .description(description)
        .assume_role_policy_document(trust(PROD))
        .send()
        .await);
    let role = ok(iam.get_role().role_name("Texty").send().await);
    assert_eq!(role.role().unwrap().description(), Some(description));
}

#[tokio::test]
async fn root_and_role_callers_of_user_scoped_actions() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    // GetUser without a name, as the root user: the root user itself.
    let me = ok(iam.get_user().send().await);
    let me = me.user().unwrap();
    assert_eq!(me.arn(), "arn:aws:iam::111111111111:root");
    assert_eq!(me.user_id(), PROD);
    // The root user's own keys: the fixed one from the accounts file.
    let keys = ok(iam.list_access_keys().send().await);
    let ids: Vec<&str> = keys
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id())
        .collect();
    assert_eq!(ids, [Keys::root(PROD).id.as_str()]);

    // A role session must name the user.
    let sam = user_with_keys(&iam, "sam").await;
    ok(iam
        .create_role()
        .role_name("KeyAdmin")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/sam"))
        .send()
        .await);
    ok(iam
        .put_role_policy()
        .role_name("KeyAdmin")
        .policy_name("keys")
        .policy_document(allow(&["iam:ListAccessKeys", "iam:GetUser"]))
        .send()
        .await);
    let assumed = ok(server
        .sts(&sam)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/KeyAdmin")
        .role_session_name("keys")
        .send()
        .await);
    let session = server.iam(&Keys::from_sts(assumed.credentials()));
    assert_error(
        session.list_access_keys().send().await,
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
    );
    assert_error(
        session.get_user().send().await,
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
    );
    let listed = ok(session.list_access_keys().user_name("sam").send().await);
    assert_eq!(listed.access_key_metadata().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_respect_uniqueness_and_quotas() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    // Twenty clients race to create the same user (in different cases): exactly one wins.
    let attempts: Vec<_> = (0..20)
        .map(|i| {
            let iam = iam.clone();
            let name = if i % 2 == 0 { "racer" } else { "RACER" };
            tokio::spawn(async move { iam.create_user().user_name(name).send().await })
        })
        .collect();
    let mut created = 0;
    for attempt in attempts {
        match attempt.await.expect("the task runs") {
            Ok(_) => created += 1,
            Err(e) => {
                let e = common::api_error::<(), _>(Err(e));
                assert_eq!(e.code, "EntityAlreadyExists");
            }
        }
    }
    assert_eq!(created, 1);
    // Ten race for access keys: exactly two fit the quota.
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let iam = iam.clone();
            tokio::spawn(async move { iam.create_access_key().user_name("racer").send().await })
        })
        .collect();
    let mut keys = 0;
    for attempt in attempts {
        match attempt.await.expect("the task runs") {
            Ok(_) => keys += 1,
            Err(e) => {
                let e = common::api_error::<(), _>(Err(e));
                assert_eq!(
                    (e.code.as_str(), e.message.as_str()),
                    (
                        "LimitExceeded",
                        "Cannot exceed quota for AccessKeysPerUser: 2"
                    )
                );
            }
        }
    }
    assert_eq!(keys, 2);
    let listed = ok(iam.list_access_keys().user_name("racer").send().await);
    assert_eq!(listed.access_key_metadata().len(), 2);
    // Lookups ignore case; the stored name keeps its case.
    let winner = ok(iam.get_user().user_name("Racer").send().await);
    assert!(["racer", "RACER"].contains(&winner.user().unwrap().user_name()));
}
