//! STS over HTTP with the AWS SDK: caller identities, `AssumeRole` in the same account and
//! across accounts, its refusals (root callers, `ExternalId`, durations, role chaining, session
//! tags), session policies, `GetSessionToken`, `GetAccessKeyInfo`, forged tokens, and decoding the
//! authorization message of an `AccessDenied`.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_sts::types::Tag;
use common::{
    CaptureHeader, DEV, Keys, OTHER, PROD, Server, allow, api_error, assert_error, json, ok, trust,
    user_with_keys,
};

/// Creates role `name` in the root client's account with `trust_policy`, optionally with an
/// inline policy allowing `actions`, and returns its ARN.
async fn role(
    root: &aws_sdk_iam::Client,
    name: &str,
    trust_policy: &str,
    actions: &[&str],
) -> String {
    let out = ok(root
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust_policy)
        .send()
        .await);
    if !actions.is_empty() {
        ok(root
            .put_role_policy()
            .role_name(name)
            .policy_name("perms")
            .policy_document(allow(actions))
            .send()
            .await);
    }
    out.role()
        .expect("CreateRole returns the role")
        .arn()
        .to_owned()
}

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
async fn same_account_trust_naming_the_user_needs_no_identity_policy() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let bob = user_with_keys(&root, "bob").await;
    let role_arn = role(
        &root,
        "Deployer",
        &trust("arn:aws:iam::111111111111:user/bob"),
        &["iam:ListRoles"],
    )
    .await;
    let assumed = ok(server
        .sts(&bob)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("deploy")
        .send()
        .await);
    let session = Keys::from_sts(assumed.credentials());
    // The session has the role's permissions, not bob's (bob has none).
    ok(server.iam(&session).list_roles().send().await);
    assert_error(
        server.iam(&session).list_users().send().await,
        "AccessDenied",
        "User: arn:aws:sts::111111111111:assumed-role/Deployer/deploy is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111111111111:user/ because no identity-based policy allows the iam:ListUsers action",
    );

    // A trust policy naming the account instead needs the caller's identity permission.
    let account_role = role(&root, "ByAccount", &trust(PROD), &[]).await;
    let e = assert_error(
        server
            .sts(&bob)
            .assume_role()
            .role_arn(&account_role)
            .role_session_name("s1")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/ByAccount because no identity-based policy allows the sts:AssumeRole action",
    );
    assert_eq!(e.status, 403);
    ok(root
        .put_user_policy()
        .user_name("bob")
        .policy_name("assume")
        .policy_document(allow(&["sts:AssumeRole"]))
        .send()
        .await);
    ok(server
        .sts(&bob)
        .assume_role()
        .role_arn(&account_role)
        .role_session_name("s1")
        .send()
        .await);
}

#[tokio::test]
async fn cross_account_needs_trust_and_identity_permission() {
    let server = Server::start();
    let prod = server.root_iam(PROD);
    let dev = server.root_iam(DEV);
    let carol = user_with_keys(&prod, "carol").await;
    let role_arn = role(
        &dev,
        "CrossAccount",
        &trust("arn:aws:iam::111111111111:root"),
        &["iam:ListUsers"],
    )
    .await;
    assert_eq!(role_arn, "arn:aws:iam::222222222222:role/CrossAccount");

    // Trusted by the other account, but carol's own account grants her nothing.
    assert_error(
        server
            .sts(&carol)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("xacct")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/carol is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/CrossAccount because no identity-based policy allows the sts:AssumeRole action",
    );
    ok(prod
        .put_user_policy()
        .user_name("carol")
        .policy_name("assume-dev")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Resource": "arn:aws:iam::222222222222:role/*"}]
            })
            .to_string(),
        )
        .send()
        .await);
    let assumed = ok(server
        .sts(&carol)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("xacct")
        .send()
        .await);
    let session = Keys::from_sts(assumed.credentials());
    let me = ok(server.sts(&session).get_caller_identity().send().await);
    assert_eq!(me.account(), Some(DEV));
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::222222222222:assumed-role/CrossAccount/xacct")
    );
    // The session acts in the role's account.
    let dev_users = ok(server.iam(&session).list_users().send().await);
    assert!(dev_users.users().is_empty());

    // An account the role does not trust is refused by the trust policy, even with
    // identity permission.
    let other = server.root_iam(OTHER);
    let dave = user_with_keys(&other, "dave").await;
    ok(other
        .put_user_policy()
        .user_name("dave")
        .policy_name("assume-any")
        .policy_document(allow(&["sts:AssumeRole"]))
        .send()
        .await);
    let e = api_error(
        server
            .sts(&dave)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("xacct")
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    assert_eq!(
        e.message,
        "User: arn:aws:iam::333333333333:user/dave is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/CrossAccount because no role trust policy allows the sts:AssumeRole action"
    );
}

#[tokio::test]
async fn root_cannot_assume_roles() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let role_arn = role(&root, "Any", &trust(PROD), &[]).await;
    let e = assert_error(
        server
            .root_sts(PROD)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("root")
            .send()
            .await,
        "AccessDenied",
        "Roles may not be assumed by root accounts.",
    );
    assert_eq!(e.status, 403);
}

#[tokio::test]
async fn external_id_condition() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let erin = user_with_keys(&root, "erin").await;
    let trust_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:user/erin"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "opensesame"}}
        }]
    })
    .to_string();
    let role_arn = role(&root, "Vendor", &trust_policy, &[]).await;
    let sts = server.sts(&erin);
    for external_id in [None, Some("wrong-id")] {
        let e = api_error(
            sts.assume_role()
                .role_arn(&role_arn)
                .role_session_name("vendor")
                .set_external_id(external_id.map(str::to_owned))
                .send()
                .await,
        );
        assert_eq!(e.code, "AccessDenied", "{external_id:?}");
        assert_eq!(
            e.message,
            "User: arn:aws:iam::111111111111:user/erin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Vendor because no role trust policy allows the sts:AssumeRole action"
        );
    }
    ok(sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("vendor")
        .external_id("opensesame")
        .send()
        .await);
}

#[tokio::test]
async fn duration_limits_and_role_chaining() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let frank = user_with_keys(&root, "frank").await;
    let first = role(
        &root,
        "First",
        &trust("arn:aws:iam::111111111111:user/frank"),
        &["sts:AssumeRole"],
    )
    .await;
    let sts = server.sts(&frank);

    // The role's MaxSessionDuration is the default hour.
    assert_error(
        sts.assume_role()
            .role_arn(&first)
            .role_session_name("long")
            .duration_seconds(7200)
            .send()
            .await,
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    assert_error(
        sts.assume_role()
            .role_arn(&first)
            .role_session_name("short")
            .duration_seconds(600)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    // Raising the role's maximum allows it.
    ok(root
        .update_role()
        .role_name("First")
        .max_session_duration(7200)
        .send()
        .await);
    let assumed = ok(sts
        .assume_role()
        .role_arn(&first)
        .role_session_name("long")
        .duration_seconds(7200)
        .send()
        .await);
    let creds = assumed.credentials().unwrap();
    let lifetime = creds.expiration().secs()
        - aws_sdk_sts::primitives::DateTime::from(std::time::SystemTime::now()).secs();
    assert!((7100..=7201).contains(&lifetime), "{lifetime}");
    let session = Keys::from_sts(Some(creds));

    // Chaining from the First session into Second, whose own maximum is 12 hours.
    let second_trust = trust("arn:aws:iam::111111111111:role/First");
    ok(root
        .create_role()
        .role_name("Second")
        .assume_role_policy_document(&second_trust)
        .max_session_duration(43200)
        .send()
        .await);
    let second = "arn:aws:iam::111111111111:role/Second";
    assert_error(
        server
            .sts(&session)
            .assume_role()
            .role_arn(second)
            .role_session_name("chained")
            .duration_seconds(7200)
            .send()
            .await,
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    let chained = ok(server
        .sts(&session)
        .assume_role()
        .role_arn(second)
        .role_session_name("chained")
        .duration_seconds(3600)
        .send()
        .await);
    let me = ok(server
        .sts(&Keys::from_sts(chained.credentials()))
        .get_caller_identity()
        .send()
        .await);
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::111111111111:assumed-role/Second/chained")
    );
}

#[tokio::test]
async fn session_policy_narrows_the_session() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let gina = user_with_keys(&root, "gina").await;
    let role_arn = role(
        &root,
        "Admin",
        &trust("arn:aws:iam::111111111111:user/gina"),
        &["iam:*"],
    )
    .await;
    let assumed = ok(server
        .sts(&gina)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("narrow")
        .policy(allow(&["iam:ListRoles"]))
        .send()
        .await);
    let session = server.iam(&Keys::from_sts(assumed.credentials()));
    ok(session.list_roles().send().await);
    assert_error(
        session.list_users().send().await,
        "AccessDenied",
        "User: arn:aws:sts::111111111111:assumed-role/Admin/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111111111111:user/ because no session policy allows the iam:ListUsers action",
    );
    // A session policy never grants more than the role has.
    let assumed = ok(server
        .sts(&gina)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("wide")
        .policy(allow(&["iam:ListRoles", "sts:DecodeAuthorizationMessage"]))
        .send()
        .await);
    let e = api_error(
        server
            .sts(&Keys::from_sts(assumed.credentials()))
            .decode_authorization_message()
            .encoded_message("x")
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message.ends_with(
            "because no identity-based policy allows the sts:DecodeAuthorizationMessage action"
        ),
        "{}",
        e.message
    );
    // A malformed session policy is refused.
    assert_error(
        server
            .sts(&gina)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("bad")
            .policy(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles"}]}"#,
            )
            .send()
            .await,
        "MalformedPolicyDocument",
        "Policy statement must contain resources.",
    );
}

#[tokio::test]
async fn session_tags_need_sts_tag_session() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let hal = user_with_keys(&root, "hal").await;
    let role_arn = role(
        &root,
        "Tagged",
        &trust("arn:aws:iam::111111111111:user/hal"),
        &[],
    )
    .await;
    // The role may list users only for sessions tagged team=blue.
    ok(root
        .put_role_policy()
        .role_name("Tagged")
        .policy_name("by-tag")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                               "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]
            })
            .to_string(),
        )
        .send()
        .await);
    let tag = Tag::builder().key("team").value("blue").build().unwrap();
    let e = api_error(
        server
            .sts(&hal)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("tagged")
            .tags(tag.clone())
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    assert_eq!(
        e.message,
        "User: arn:aws:iam::111111111111:user/hal is not authorized to perform: sts:TagSession on resource: arn:aws:iam::111111111111:role/Tagged because no role trust policy allows the sts:TagSession action"
    );

    let tagging_trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Principal": {"AWS": "arn:aws:iam::111111111111:user/hal"},
                       "Action": ["sts:AssumeRole", "sts:TagSession"]}]
    })
    .to_string();
    ok(root
        .update_assume_role_policy()
        .role_name("Tagged")
        .policy_document(&tagging_trust)
        .send()
        .await);
    let untagged = ok(server
        .sts(&hal)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("plain")
        .send()
        .await);
    assert_eq!(
        api_error(
            server
                .iam(&Keys::from_sts(untagged.credentials()))
                .list_users()
                .send()
                .await
        )
        .code,
        "AccessDenied"
    );
    let tagged = ok(server
        .sts(&hal)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("tagged")
        .tags(tag)
        .send()
        .await);
    ok(server
        .iam(&Keys::from_sts(tagged.credentials()))
        .list_users()
        .send()
        .await);
}

#[tokio::test]
async fn get_session_token_acts_as_the_user() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let ivy = user_with_keys(&root, "ivy").await;
    let token = ok(server
        .sts(&ivy)
        .get_session_token()
        .duration_seconds(900)
        .send()
        .await);
    let session = Keys::from_sts(token.credentials());
    assert!(session.id.starts_with("ASIA"), "{}", session.id);
    let me = ok(server.sts(&session).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/ivy"));
    assert_eq!(me.account(), Some(PROD));
    // The session can assume a role that trusts the user, as the user.
    let role_arn = role(
        &root,
        "ForIvy",
        &trust("arn:aws:iam::111111111111:user/ivy"),
        &[],
    )
    .await;
    let assumed = ok(server
        .sts(&session)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("via-token")
        .send()
        .await);
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::111111111111:assumed-role/ForIvy/via-token"
    );
    // Without MFA they cannot call IAM at all (semantics spec §7.4).
    assert_error(
        server.iam(&session).list_users().send().await,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    // Session credentials cannot get another session token.
    assert_error(
        server.sts(&session).get_session_token().send().await,
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
    );
    assert_error(
        server
            .sts(&ivy)
            .get_session_token()
            .duration_seconds(129_601)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    );
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

#[tokio::test]
async fn assume_role_parameters_are_validated() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let nia = user_with_keys(&root, "nia").await;
    let role_arn = role(
        &root,
        "Target",
        &trust("arn:aws:iam::111111111111:user/nia"),
        &[],
    )
    .await;
    let sts = server.sts(&nia);
    assert_error(
        sts.assume_role()
            .role_arn(&role_arn)
            .role_session_name("x y")
            .send()
            .await,
        "ValidationError",
        r"1 validation error detected: Value 'x y' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*",
    );
    assert_error(
        sts.assume_role()
            .role_arn(&role_arn)
            .role_session_name("ok-name")
            .duration_seconds(43201)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );
    // A role that does not exist is indistinguishable from one that does not trust you.
    assert_error(
        sts.assume_role()
            .role_arn("arn:aws:iam::111111111111:role/Missing")
            .role_session_name("ok-name")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/nia is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Missing",
    );
    // Session policies by ARN must exist in the role's account.
    assert_error(
        sts.assume_role()
            .role_arn(&role_arn)
            .role_session_name("ok-name")
            .policy_arns(
                aws_sdk_sts::types::PolicyDescriptorType::builder()
                    .arn("arn:aws:iam::111111111111:policy/Nope")
                    .build(),
            )
            .send()
            .await,
        "InvalidInput",
        "The policy ARN arn:aws:iam::111111111111:policy/Nope is not valid or does not exist.",
    );
}

#[tokio::test]
async fn managed_session_policies_and_source_identity() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let omar = user_with_keys(&root, "omar").await;
    let trust_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Principal": {"AWS": "arn:aws:iam::111111111111:user/omar"},
                       "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]}]
    })
    .to_string();
    let role_arn = role(&root, "Wide", &trust_policy, &["iam:*", "sts:*"]).await;
    // A managed session policy limits the session like an inline one.
    let session = ok(server
        .sts(&omar)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("managed")
        .policy_arns(
            aws_sdk_sts::types::PolicyDescriptorType::builder()
                .arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
                .build(),
        )
        .source_identity("omar@example.com")
        .send()
        .await);
    assert_eq!(session.source_identity(), Some("omar@example.com"));
    let keys = Keys::from_sts(session.credentials());
    ok(server.iam(&keys).list_users().send().await);
    assert_error(
        server
            .iam(&keys)
            .create_user()
            .user_name("nope")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:sts::111111111111:assumed-role/Wide/managed is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/nope because no session policy allows the iam:CreateUser action",
    );

    // Chaining keeps the source identity and transitive tags; passing an inherited tag key
    // again is refused.
    let tagged = ok(server
        .sts(&omar)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("tagged")
        .source_identity("omar@example.com")
        .tags(
            Tag::builder()
                .key("project")
                .value("apollo")
                .build()
                .unwrap(),
        )
        .transitive_tag_keys("project")
        .send()
        .await);
    let chain_trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Principal": {"AWS": "arn:aws:iam::111111111111:role/Wide"},
                       "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                       "Condition": {"StringEquals": {"aws:PrincipalTag/project": "apollo"}}}]
    })
    .to_string();
    let next = role(&root, "Next", &chain_trust, &["iam:ListRoles"]).await;
    let first = Keys::from_sts(tagged.credentials());
    let chained = ok(server
        .sts(&first)
        .assume_role()
        .role_arn(&next)
        .role_session_name("chained")
        .send()
        .await);
    assert_eq!(chained.source_identity(), Some("omar@example.com"));
    assert_error(
        server
            .sts(&first)
            .assume_role()
            .role_arn(&next)
            .role_session_name("clash")
            .tags(
                Tag::builder()
                    .key("Project")
                    .value("gemini")
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
        "InvalidInput",
        "One or more of the specified transitive tag keys conflict with the inherited transitive tag key Project.",
    );
}

#[tokio::test]
async fn root_session_tokens_last_at_most_an_hour() {
    let server = Server::start();
    let token = ok(server
        .root_sts(PROD)
        .get_session_token()
        .duration_seconds(7200)
        .send()
        .await);
    let creds = token.credentials().unwrap();
    let now = aws_sdk_sts::primitives::DateTime::from(std::time::SystemTime::now()).secs();
    let lifetime = creds.expiration().secs() - now;
    assert!((3500..=3601).contains(&lifetime), "{lifetime}");
    let session = Keys::from_sts(Some(creds));
    let me = ok(server.sts(&session).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:root"));
    // A user's default is 12 hours.
    let root = server.root_iam(PROD);
    let pia = user_with_keys(&root, "pia").await;
    let token = ok(server.sts(&pia).get_session_token().send().await);
    let lifetime = token.credentials().unwrap().expiration().secs() - now;
    assert!((43100..=43201).contains(&lifetime), "{lifetime}");
}

#[tokio::test]
async fn roles_and_users_with_paths() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    ok(root
        .create_user()
        .user_name("pathy")
        .path("/eng/")
        .send()
        .await);
    let key = ok(root.create_access_key().user_name("pathy").send().await);
    let pathy = Keys::from_access_key(key.access_key().unwrap());
    ok(root
        .create_role()
        .role_name("Nested")
        .path("/service/app/")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/eng/pathy"))
        .send()
        .await);
    let role_arn = "arn:aws:iam::111111111111:role/service/app/Nested";
    let assumed = ok(server
        .sts(&pathy)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("nested")
        .send()
        .await);
    // The session ARN has no path; aws:PrincipalArn is the role's ARN with it.
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::111111111111:assumed-role/Nested/nested"
    );
    ok(root
        .put_role_policy()
        .role_name("Nested")
        .policy_name("by-arn")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                               "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/service/*"}}}]
            })
            .to_string(),
        )
        .send()
        .await);
    ok(server
        .iam(&Keys::from_sts(assumed.credentials()))
        .list_roles()
        .send()
        .await);
    // The ARN without the role's path names no role.
    assert_error(
        server
            .sts(&pathy)
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/Nested")
            .role_session_name("nested")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/eng/pathy is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Nested",
    );
}
