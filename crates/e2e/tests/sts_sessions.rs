//! What an STS session may do, over HTTP with the AWS SDK: inline and managed session policies,
//! session tags, source identities, and `GetSessionToken` for users and root users.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_sts::types::Tag;
use common::iam::role;
use common::{Keys, PROD, Server, allow, api_error, assert_error, ok, trust, user_with_keys};

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
