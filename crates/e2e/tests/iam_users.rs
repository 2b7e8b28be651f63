//! IAM users over HTTP with the AWS SDK: their lifecycle, deletion conflicts, pagination,
//! inline policies, and renaming.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::iam::tag;
use common::{PROD, Server, allow, assert_error, decode_document, json, ok, user_with_keys};

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
