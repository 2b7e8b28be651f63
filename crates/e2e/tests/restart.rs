//! Durability: everything IAM stores survives a restart of the server on the same data
//! directory, keys and session tokens issued before it keep working, and a write the server
//! acknowledged survives SIGKILL.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::{Keys, PROD, Server, allow, decode_document, json, ok, trust, user_with_keys};

#[tokio::test]
async fn state_and_credentials_survive_a_restart() {
    let mut server = Server::start();
    let root = server.root_iam(PROD);
    let alice = user_with_keys(&root, "alice").await;
    ok(root.create_group().group_name("team").send().await);
    ok(root
        .add_user_to_group()
        .group_name("team")
        .user_name("alice")
        .send()
        .await);
    ok(root
        .put_group_policy()
        .group_name("team")
        .policy_name("list")
        .policy_document(allow(&["iam:ListUsers", "iam:ListRoles"]))
        .send()
        .await);
    let trust_policy = trust("arn:aws:iam::111111111111:user/alice");
    ok(root
        .create_role()
        .role_name("Ops")
        .assume_role_policy_document(&trust_policy)
        .max_session_duration(7200)
        .send()
        .await);
    let created = ok(root
        .create_policy()
        .policy_name("Managed")
        .policy_document(allow(&["iam:GetRole"]))
        .send()
        .await);
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    ok(root
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(allow(&["iam:GetRole", "iam:ListRolePolicies"]))
        .set_as_default(true)
        .send()
        .await);
    ok(root
        .attach_role_policy()
        .role_name("Ops")
        .policy_arn(&arn)
        .send()
        .await);
    let assumed = ok(server
        .sts(&alice)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/Ops")
        .role_session_name("before")
        .send()
        .await);
    let session = Keys::from_sts(assumed.credentials());
    let before = ok(root.get_user().user_name("alice").send().await);
    let alice_id = before.user().unwrap().user_id().to_owned();

    server.restart();

    // New clients: the old ones may hold connections to the stopped process.
    let root = server.root_iam(PROD);
    let user = ok(root.get_user().user_name("alice").send().await);
    assert_eq!(user.user().unwrap().user_id(), alice_id);
    let group = ok(root.get_group().group_name("team").send().await);
    assert_eq!(group.users().len(), 1);
    let policy = ok(root
        .get_group_policy()
        .group_name("team")
        .policy_name("list")
        .send()
        .await);
    assert_eq!(
        decode_document(policy.policy_document()),
        json(&allow(&["iam:ListUsers", "iam:ListRoles"]))
    );
    let role = ok(root.get_role().role_name("Ops").send().await);
    let role = role.role().unwrap();
    assert_eq!(role.max_session_duration(), Some(7200));
    assert_eq!(
        decode_document(role.assume_role_policy_document().unwrap()),
        json(&trust_policy)
    );
    let policy = ok(root.get_policy().policy_arn(&arn).send().await);
    assert_eq!(policy.policy().unwrap().default_version_id(), Some("v2"));
    assert_eq!(policy.policy().unwrap().attachment_count(), Some(1));
    let keys = ok(root.list_access_keys().user_name("alice").send().await);
    assert_eq!(
        keys.access_key_metadata()[0].access_key_id(),
        Some(alice.id.as_str())
    );

    // The user's key works, with the group's permissions.
    ok(server.iam(&alice).list_users().send().await);
    // The role session issued before the restart still works, with the role's permissions.
    let as_session = server.iam(&session);
    ok(as_session
        .list_role_policies()
        .role_name("Ops")
        .send()
        .await);
    let me = ok(server.sts(&session).get_caller_identity().send().await);
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::111111111111:assumed-role/Ops/before")
    );
    // And new sessions can be had.
    ok(server
        .sts(&alice)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/Ops")
        .role_session_name("after")
        .send()
        .await);

    // A second restart changes nothing either (the accounts file is applied again).
    server.restart();
    let root = server.root_iam(PROD);
    assert_eq!(ok(root.list_users().send().await).users().len(), 1);
    ok(server.iam(&alice).list_users().send().await);
}

#[tokio::test]
async fn an_acknowledged_write_survives_sigkill() {
    let mut server = Server::start();
    let root = server.root_iam(PROD);
    ok(root.create_user().user_name("durable").send().await);
    let key = ok(root.create_access_key().user_name("durable").send().await);
    let keys = Keys::from_access_key(key.access_key().unwrap());
    ok(root
        .put_user_policy()
        .user_name("durable")
        .policy_name("p")
        .policy_document(allow(&["iam:GetUser"]))
        .send()
        .await);

    server.kill9();
    server.start_again();

    let root = server.root_iam(PROD);
    let user = ok(root.get_user().user_name("durable").send().await);
    assert_eq!(
        user.user().unwrap().arn(),
        "arn:aws:iam::111111111111:user/durable"
    );
    let policies = ok(root.list_user_policies().user_name("durable").send().await);
    assert_eq!(policies.policy_names(), ["p"]);
    let me = ok(server.iam(&keys).get_user().send().await);
    assert_eq!(me.user().unwrap().user_name(), "durable");

    // Repeatedly: each acknowledged create is there after the kill.
    for i in 0..3 {
        let name = format!("after-kill-{i}");
        ok(server
            .root_iam(PROD)
            .create_user()
            .user_name(&name)
            .send()
            .await);
        server.kill9();
        server.start_again();
        ok(server
            .root_iam(PROD)
            .get_user()
            .user_name(&name)
            .send()
            .await);
    }
}
