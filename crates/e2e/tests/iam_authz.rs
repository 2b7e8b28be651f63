//! Authorization of IAM itself over HTTP with the AWS SDK: what a user without policies may
//! do, explicit denies in inline and managed policies (and AWS's wording of each), resource
//! ARNs with paths, and accounts kept apart.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::{
    DEV, Keys, PROD, Server, allow, api_error, assert_error, deny, ok, trust, user_with_keys,
};

#[tokio::test]
async fn a_user_without_policies_is_denied_everything_but_who_am_i() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let u = user_with_keys(&root, "u").await;
    let iam = server.iam(&u);
    let e = assert_error(
        iam.create_user().user_name("x").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/u is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/x because no identity-based policy allows the iam:CreateUser action",
    );
    assert_eq!(e.status, 403);
    assert_error(
        iam.get_user().user_name("u").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/u is not authorized to perform: iam:GetUser on resource: arn:aws:iam::111111111111:user/u because no identity-based policy allows the iam:GetUser action",
    );
    assert_error(
        iam.delete_role().role_name("Anything").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/u is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::111111111111:role/Anything because no identity-based policy allows the iam:DeleteRole action",
    );
    assert_error(
        iam.create_policy()
            .policy_name("P")
            .path("/team/")
            .policy_document(allow(&["s3:*"]))
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/u is not authorized to perform: iam:CreatePolicy on resource: arn:aws:iam::111111111111:policy/team/P because no identity-based policy allows the iam:CreatePolicy action",
    );
    // Nothing was created by the denied calls.
    assert_error(
        root.get_user().user_name("x").send().await,
        "NoSuchEntity",
        "The user with name x cannot be found.",
    );
    // GetCallerIdentity needs no permission.
    let me = ok(server.sts(&u).get_caller_identity().send().await);
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/u"));
}

#[tokio::test]
async fn explicit_deny_wins_and_names_the_managed_policy() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let admin = user_with_keys(&root, "admin").await;
    let iam = server.iam(&admin);
    ok(root
        .attach_user_policy()
        .user_name("admin")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await);
    ok(iam.create_user().user_name("first").send().await);

    // An inline deny: no policy ARN in the message.
    ok(root
        .put_user_policy()
        .user_name("admin")
        .policy_name("no-create")
        .policy_document(deny(&["iam:CreateUser"]))
        .send()
        .await);
    assert_error(
        iam.create_user().user_name("second").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/admin is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/second with an explicit deny in an identity-based policy",
    );
    ok(iam.list_users().send().await);
    ok(root
        .delete_user_policy()
        .user_name("admin")
        .policy_name("no-create")
        .send()
        .await);

    // A deny in a customer-managed policy attached through a group: the ARN is appended.
    let denying = ok(root
        .create_policy()
        .policy_name("DenyUserAdmin")
        .path("/guard/")
        .policy_document(deny(&["iam:CreateUser", "iam:DeleteUser"]))
        .send()
        .await);
    let arn = denying.policy().unwrap().arn().unwrap().to_owned();
    assert_eq!(arn, "arn:aws:iam::111111111111:policy/guard/DenyUserAdmin");
    ok(root.create_group().group_name("guarded").send().await);
    ok(root
        .attach_group_policy()
        .group_name("guarded")
        .policy_arn(&arn)
        .send()
        .await);
    ok(root
        .add_user_to_group()
        .group_name("guarded")
        .user_name("admin")
        .send()
        .await);
    assert_error(
        iam.delete_user().user_name("first").send().await,
        "AccessDenied",
        &format!(
            "User: arn:aws:iam::111111111111:user/admin is not authorized to perform: iam:DeleteUser on resource: arn:aws:iam::111111111111:user/first with an explicit deny in an identity-based policy: {arn}"
        ),
    );
    ok(root
        .remove_user_from_group()
        .group_name("guarded")
        .user_name("admin")
        .send()
        .await);
    ok(iam.delete_user().user_name("first").send().await);

    // A deny scoped by resource: only the matching users are protected.
    ok(root
        .put_user_policy()
        .user_name("admin")
        .policy_name("protect-breakglass")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "iam:*",
                               "Resource": "arn:aws:iam::111111111111:user/breakglass/*"}]
            })
            .to_string(),
        )
        .send()
        .await);
    ok(iam
        .create_user()
        .user_name("normal")
        .path("/people/")
        .send()
        .await);
    assert_error(
        iam.create_user()
            .user_name("emergency")
            .path("/breakglass/")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/admin is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/breakglass/emergency with an explicit deny in an identity-based policy",
    );
}

#[tokio::test]
async fn resource_scoped_grants_use_entity_paths() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let lead = user_with_keys(&root, "lead").await;
    ok(root
        .put_user_policy()
        .user_name("lead")
        .policy_name("team-users")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow",
                               "Action": ["iam:CreateUser", "iam:GetUser", "iam:TagUser"],
                               "Resource": "arn:aws:iam::111111111111:user/team/*"}]
            })
            .to_string(),
        )
        .send()
        .await);
    let iam = server.iam(&lead);
    ok(iam
        .create_user()
        .user_name("member")
        .path("/team/")
        .send()
        .await);
    ok(iam.get_user().user_name("member").send().await);
    assert_error(
        iam.create_user().user_name("outsider").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/lead is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/outsider because no identity-based policy allows the iam:CreateUser action",
    );
    // Tagging at creation also needs iam:TagUser, checked with the request's tags.
    ok(root
        .put_user_policy()
        .user_name("lead")
        .policy_name("no-cost-center")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "iam:TagUser", "Resource": "*",
                               "Condition": {"StringEquals": {"aws:RequestTag/cost-center": "finance"}}}]
            })
            .to_string(),
        )
        .send()
        .await);
    let finance = aws_sdk_iam::types::Tag::builder()
        .key("cost-center")
        .value("finance")
        .build()
        .unwrap();
    assert_error(
        iam.create_user()
            .user_name("tagged")
            .path("/team/")
            .tags(finance)
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/lead is not authorized to perform: iam:TagUser on resource: arn:aws:iam::111111111111:user/team/tagged with an explicit deny in an identity-based policy",
    );
    let ops = aws_sdk_iam::types::Tag::builder()
        .key("cost-center")
        .value("ops")
        .build()
        .unwrap();
    ok(iam
        .create_user()
        .user_name("tagged")
        .path("/team/")
        .tags(ops)
        .send()
        .await);

    // A user with a path appears with it in its own denials.
    let pathed = ok(root
        .create_user()
        .user_name("deep")
        .path("/a/b/")
        .send()
        .await);
    assert_eq!(
        pathed.user().unwrap().arn(),
        "arn:aws:iam::111111111111:user/a/b/deep"
    );
    let key = ok(root.create_access_key().user_name("deep").send().await);
    let deep = Keys::from_access_key(key.access_key().unwrap());
    assert_error(
        server.iam(&deep).list_roles().send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/a/b/deep is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::111111111111:role/ because no identity-based policy allows the iam:ListRoles action",
    );
}

#[tokio::test]
async fn accounts_are_separate() {
    let server = Server::start();
    let prod = server.root_iam(PROD);
    let dev = server.root_iam(DEV);
    ok(prod.create_user().user_name("shared-name").send().await);
    // The same name in another account is another user.
    let in_dev = ok(dev.create_user().user_name("shared-name").send().await);
    assert_eq!(
        in_dev.user().unwrap().arn(),
        "arn:aws:iam::222222222222:user/shared-name"
    );
    ok(prod.create_user().user_name("prod-only").send().await);
    let names: Vec<String> = ok(dev.list_users().send().await)
        .users()
        .iter()
        .map(|u| u.user_name().to_owned())
        .collect();
    assert_eq!(names, ["shared-name"]);
    assert_error(
        dev.get_user().user_name("prod-only").send().await,
        "NoSuchEntity",
        "The user with name prod-only cannot be found.",
    );
    // An admin of one account has no power over another's IAM: the caller's own account
    // is always the one acted on.
    let admin = user_with_keys(&dev, "dev-admin").await;
    ok(dev
        .attach_user_policy()
        .user_name("dev-admin")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await);
    ok(server
        .iam(&admin)
        .delete_user()
        .user_name("shared-name")
        .send()
        .await);
    ok(prod.get_user().user_name("shared-name").send().await);
    // A customer-managed policy of another account cannot be attached.
    let created = ok(prod
        .create_policy()
        .policy_name("ProdPolicy")
        .policy_document(allow(&["s3:*"]))
        .send()
        .await);
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    assert_error(
        dev.attach_user_policy()
            .user_name("dev-admin")
            .policy_arn(&arn)
            .send()
            .await,
        "NoSuchEntity",
        &format!("Policy {arn} does not exist or is not attachable."),
    );
}

#[tokio::test]
async fn trust_policies_follow_the_principal_not_the_name() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let first = user_with_keys(&root, "temp").await;
    ok(root
        .create_role()
        .role_name("Pinned")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/temp"))
        .send()
        .await);
    ok(server
        .sts(&first)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/Pinned")
        .role_session_name("first")
        .send()
        .await);
    let old_id = ok(root.get_user().user_name("temp").send().await)
        .user()
        .unwrap()
        .user_id()
        .to_owned();

    // Deleted and re-created under the same name, the user is someone else to the role.
    ok(root
        .delete_access_key()
        .user_name("temp")
        .access_key_id(&first.id)
        .send()
        .await);
    ok(root.delete_user().user_name("temp").send().await);
    let second = user_with_keys(&root, "temp").await;
    let e = api_error(
        server
            .sts(&second)
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/Pinned")
            .role_session_name("second")
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message.starts_with(
            "User: arn:aws:iam::111111111111:user/temp is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Pinned"
        ),
        "{}",
        e.message
    );
    // IAM shows the old principal's unique id in the trust policy.
    let role = ok(root.get_role().role_name("Pinned").send().await);
    let document =
        common::decode_document(role.role().unwrap().assume_role_policy_document().unwrap());
    assert_eq!(
        document["Statement"][0]["Principal"]["AWS"],
        old_id.as_str()
    );
}

#[tokio::test]
async fn resource_tags_of_users_and_roles_in_conditions() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let tagger = user_with_keys(&root, "tagger").await;
    let blue = aws_sdk_iam::types::Tag::builder()
        .key("team")
        .value("blue")
        .build()
        .unwrap();
    for name in ["BlueRole", "RedRole"] {
        ok(root
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust(PROD))
            .send()
            .await);
    }
    ok(root
        .tag_role()
        .role_name("BlueRole")
        .tags(blue.clone())
        .send()
        .await);
    ok(root
        .create_user()
        .user_name("blue-user")
        .tags(blue)
        .send()
        .await);
    ok(root.create_user().user_name("red-user").send().await);
    // Attribute-based access: only entities tagged team=blue.
    ok(root
        .put_user_policy()
        .user_name("tagger")
        .policy_name("abac")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow",
                               "Action": ["iam:UpdateRoleDescription", "iam:GetUser"],
                               "Resource": "*",
                               "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]
            })
            .to_string(),
        )
        .send()
        .await);
    let iam = server.iam(&tagger);
    ok(iam
        .update_role_description()
        .role_name("BlueRole")
        .description("blue")
        .send()
        .await);
    assert_error(
        iam.update_role_description()
            .role_name("RedRole")
            .description("red")
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/tagger is not authorized to perform: iam:UpdateRoleDescription on resource: arn:aws:iam::111111111111:role/RedRole because no identity-based policy allows the iam:UpdateRoleDescription action",
    );
    ok(iam.get_user().user_name("blue-user").send().await);
    assert_error(
        iam.get_user().user_name("red-user").send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/tagger is not authorized to perform: iam:GetUser on resource: arn:aws:iam::111111111111:user/red-user because no identity-based policy allows the iam:GetUser action",
    );
}

#[tokio::test]
async fn request_context_keys_from_the_http_request_and_the_principal() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let eng = aws_sdk_iam::types::Tag::builder()
        .key("dept")
        .value("eng")
        .build()
        .unwrap();
    ok(root.create_user().user_name("ctx").tags(eng).send().await);
    let key = ok(root.create_access_key().user_name("ctx").send().await);
    let keys = Keys::from_access_key(key.access_key().unwrap());
    ok(root
        .put_user_policy()
        .user_name("ctx")
        .policy_name("conditions")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                     "Condition": {
                         "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                         "Bool": {"aws:SecureTransport": "false"},
                         "StringEquals": {"aws:RequestedRegion": "us-east-1",
                                          "aws:PrincipalTag/dept": "eng",
                                          "aws:PrincipalType": "User",
                                          "aws:username": "ctx",
                                          "aws:PrincipalAccount": "111111111111"},
                         "ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/ctx"},
                         "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                         "Null": {"aws:TokenIssueTime": "true", "aws:MultiFactorAuthPresent": "true"}
                     }},
                    {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
                    {"Effect": "Allow", "Action": "iam:ListGroups", "Resource": "*",
                     "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
                ]
            })
            .to_string(),
        )
        .send()
        .await);
    let iam = server.iam(&keys);
    ok(iam.list_users().send().await);
    assert_error(
        iam.list_roles().send().await,
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/ctx is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::111111111111:role/ because no identity-based policy allows the iam:ListRoles action",
    );
    assert_eq!(
        api_error(iam.list_groups().send().await).code,
        "AccessDenied"
    );
}

#[tokio::test]
async fn explicit_denies_in_boundaries_and_session_policies() {
    let server = Server::start();
    let root = server.root_iam(PROD);
    let guarded = user_with_keys(&root, "guarded").await;
    ok(root
        .attach_user_policy()
        .user_name("guarded")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await);
    let boundary = ok(root
        .create_policy()
        .policy_name("NoRoleDeletes")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "iam:DeleteRole", "Resource": "*"}
                ]
            })
            .to_string(),
        )
        .send()
        .await);
    let boundary_arn = boundary.policy().unwrap().arn().unwrap().to_owned();
    ok(root
        .put_user_permissions_boundary()
        .user_name("guarded")
        .permissions_boundary(&boundary_arn)
        .send()
        .await);
    ok(root
        .create_role()
        .role_name("Keep")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/guarded"))
        .send()
        .await);
    assert_error(
        server
            .iam(&guarded)
            .delete_role()
            .role_name("Keep")
            .send()
            .await,
        "AccessDenied",
        &format!(
            "User: arn:aws:iam::111111111111:user/guarded is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::111111111111:role/Keep with an explicit deny in a permissions boundary: {boundary_arn}"
        ),
    );
    ok(server.iam(&guarded).list_roles().send().await);

    ok(root
        .attach_role_policy()
        .role_name("Keep")
        .policy_arn("arn:aws:iam::aws:policy/IAMFullAccess")
        .send()
        .await);
    let session_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}
        ]
    })
    .to_string();
    let assumed = ok(server
        .sts(&guarded)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/Keep")
        .role_session_name("limited")
        .policy(session_policy)
        .send()
        .await);
    let session = server.iam(&Keys::from_sts(assumed.credentials()));
    ok(session.list_users().send().await);
    assert_error(
        session.create_user().user_name("blocked").send().await,
        "AccessDenied",
        "User: arn:aws:sts::111111111111:assumed-role/Keep/limited is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/blocked with an explicit deny in a session policy",
    );
    // The role records its use.
    let role = ok(root.get_role().role_name("Keep").send().await);
    let last_used = role.role().unwrap().role_last_used().unwrap();
    assert!(last_used.last_used_date().is_some());
    assert_eq!(last_used.region(), Some("us-east-1"));
}
