//! IAM groups and roles over HTTP with the AWS SDK: group membership and group policies, and the
//! lifecycle, trust policies and tags of roles.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::iam::tag;
use common::{Keys, PROD, Server, allow, assert_error, decode_document, json, ok, trust};

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
