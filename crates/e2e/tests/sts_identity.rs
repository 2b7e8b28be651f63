//! Who STS says the caller is, over HTTP with the AWS SDK: caller identities of root users, users
//! and role sessions, `GetAccessKeyInfo`, forged or incomplete credentials, and decoding the
//! authorization message of an `AccessDenied`.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::iam::role;
use common::{
    CaptureHeader, DEV, Keys, OTHER, PROD, Server, allow, api_error, assert_error, json, ok, trust,
    user_with_keys,
};

#[tokio::test]
async fn caller_identity_of_root_user_and_role_session() {
    let server = Server::start();
    let root = server.root_iam(PROD);

    let me = ok(server.root_sts(PROD).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:root"));
    assert_eq!(me.user_id(), Some(PROD));
    assert_eq!(me.account(), Some(PROD));

    let alice = user_with_keys(&root, "alice").await;
    let user = ok(root.get_user().user_name("alice").send().await);
    let user_id = user.user().unwrap().user_id().to_owned();
    assert!(user_id.starts_with("AIDA"), "{user_id}");
    let me = ok(server.sts(&alice).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    assert_eq!(me.user_id(), Some(user_id.as_str()));
    assert_eq!(me.account(), Some(PROD));

    let role_arn = role(
        &root,
        "Reader",
        &trust("arn:aws:iam::111111111111:user/alice"),
        &[],
    )
    .await;
    let assumed = ok(server
        .sts(&alice)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("alice-session")
        .send()
        .await);
    let role_id = ok(root.get_role().role_name("Reader").send().await)
        .role()
        .unwrap()
        .role_id()
        .to_owned();
    assert!(role_id.starts_with("AROA"), "{role_id}");
    let assumed_user = assumed.assumed_role_user().unwrap();
    assert_eq!(
        assumed_user.arn(),
        "arn:aws:sts::111111111111:assumed-role/Reader/alice-session"
    );
    assert_eq!(
        assumed_user.assumed_role_id(),
        format!("{role_id}:alice-session")
    );
    let session = Keys::from_sts(assumed.credentials());
    assert!(session.id.starts_with("ASIA"), "{}", session.id);
    let me = ok(server.sts(&session).get_caller_identity().send().await);
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::111111111111:assumed-role/Reader/alice-session")
    );
    assert_eq!(
        me.user_id(),
        Some(format!("{role_id}:alice-session").as_str())
    );
    assert_eq!(me.account(), Some(PROD));
}

#[tokio::test]
async fn access_key_info_for_long_term_and_temporary_keys() {
    let server = Server::start();
    let prod = server.root_iam(PROD);
    let dev = server.root_iam(DEV);
    let jack = user_with_keys(&prod, "jack").await;
    let role_arn = role(&dev, "Open", &trust("arn:aws:iam::111111111111:root"), &[]).await;
    ok(prod
        .put_user_policy()
        .user_name("jack")
        .policy_name("assume")
        .policy_document(allow(&["sts:AssumeRole"]))
        .send()
        .await);
    let assumed = ok(server
        .sts(&jack)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("info")
        .send()
        .await);
    let temporary = Keys::from_sts(assumed.credentials());

    let sts = server.root_sts(OTHER);
    for (key, account) in [
        (jack.id.as_str(), PROD),
        (temporary.id.as_str(), DEV),
        (Keys::root(DEV).id.as_str(), DEV),
    ] {
        let info = ok(sts.get_access_key_info().access_key_id(key).send().await);
        assert_eq!(info.account(), Some(account), "{key}");
    }
}

#[tokio::test]
async fn forged_or_incomplete_credentials_are_invalid() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let kim = user_with_keys(&root, "kim").await;
    let role_arn = role(
        &root,
        "R",
        &trust("arn:aws:iam::111111111111:user/kim"),
        &[],
    )
    .await;
    let assumed = ok(server
        .sts(&kim)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("sess")
        .send()
        .await);
    let good = Keys::from_sts(assumed.credentials());
    ok(server.sts(&good).get_caller_identity().send().await);

    let invalid = "The security token included in the request is invalid.";
    // One character of the token changed.
    let mut tampered = good.clone();
    let token = tampered.token.take().unwrap();
    let mid = token.len() / 2;
    let flipped = if &token[mid..=mid] == "A" { "B" } else { "A" };
    tampered.token = Some(format!("{}{flipped}{}", &token[..mid], &token[mid + 1..]));
    let e = assert_error(
        server.sts(&tampered).get_caller_identity().send().await,
        "InvalidClientTokenId",
        invalid,
    );
    assert_eq!(e.status, 403);
    // A temporary key without its token.
    let mut tokenless = good.clone();
    tokenless.token = None;
    assert_error(
        server.sts(&tokenless).get_caller_identity().send().await,
        "InvalidClientTokenId",
        invalid,
    );
    // Another session's token with this key id.
    let other = ok(server
        .sts(&kim)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("other")
        .send()
        .await);
    let mut mixed = good.clone();
    mixed.token = Keys::from_sts(other.credentials()).token;
    assert_error(
        server.iam(&mixed).list_users().send().await,
        "InvalidClientTokenId",
        invalid,
    );
    // A key id nobody issued.
    let unknown = Keys {
        id: "AKIAUNKNOWN000000000".into(),
        secret: "x".repeat(40),
        token: None,
    };
    assert_error(
        server.iam(&unknown).list_users().send().await,
        "InvalidClientTokenId",
        invalid,
    );
    // The right key id with the wrong secret.
    let wrong_secret = Keys {
        secret: "y".repeat(40),
        ..kim.clone()
    };
    let e = api_error(server.sts(&wrong_secret).get_caller_identity().send().await);
    assert_eq!(e.code, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn decode_authorization_message_of_an_access_denied() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let lee = user_with_keys(&root, "lee").await;
    let capture = CaptureHeader::new("x-gatehouse-encoded-authorization-message");
    let e = api_error(
        server
            .iam(&lee)
            .create_user()
            .user_name("mallory")
            .customize()
            .interceptor(capture.clone())
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    let encoded = capture
        .value()
        .expect("AccessDenied carries x-gatehouse-encoded-authorization-message");

    // lee may not decode it; the root user may.
    let e = api_error(
        server
            .sts(&lee)
            .decode_authorization_message()
            .encoded_message(&encoded)
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    let decoded = ok(server
        .root_sts(PROD)
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await);
    let message = json(decoded.decoded_message().unwrap());
    assert_eq!(message["allowed"], false);
    assert_eq!(message["explicitDeny"], false);
    assert_eq!(message["context"]["action"], "iam:CreateUser");
    assert_eq!(
        message["context"]["resource"],
        "arn:aws:iam::111111111111:user/mallory"
    );
    assert_eq!(
        message["context"]["principal"]["arn"],
        "arn:aws:iam::111111111111:user/lee"
    );

    // A message the server did not issue.
    assert_error(
        server
            .root_sts(PROD)
            .decode_authorization_message()
            .encoded_message("bm90LWEtbWVzc2FnZQ")
            .send()
            .await,
        "InvalidAuthorizationMessageException",
        "The message is invalid or was not issued by this server.",
    );
}
