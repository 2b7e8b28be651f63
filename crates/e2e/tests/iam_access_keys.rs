//! IAM access keys over HTTP with the AWS SDK: their lifecycle, root and role-session callers of
//! user-scoped actions, and concurrent writes that race for names and key quotas.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_iam::types::StatusType;
use common::{Keys, PROD, Server, allow, assert_error, ok, trust, user_with_keys};

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
