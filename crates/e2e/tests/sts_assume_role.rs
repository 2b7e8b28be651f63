//! `AssumeRole` over HTTP with the AWS SDK: in the same account and across accounts, its
//! refusals (root callers, `ExternalId`, durations, role chaining), parameter validation, and
//! roles and users with paths.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::iam::role;
use common::{
    DEV, Keys, OTHER, PROD, Server, allow, api_error, assert_error, ok, trust, user_with_keys,
};

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
