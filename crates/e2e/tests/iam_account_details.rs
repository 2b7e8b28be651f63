//! `GetAccountAuthorizationDetails` over HTTP with the AWS SDK: every user, group, role and
//! policy of an account with their attachments.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_iam::types::EntityType;
use common::iam::READ_ONLY;
use common::{PROD, Server, allow, decode_document, json, ok, trust};

#[tokio::test]
async fn account_authorization_details() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("uma").send().await);
    ok(iam
        .put_user_policy()
        .user_name("uma")
        .policy_name("inline-u")
        .policy_document(allow(&["s3:GetObject"]))
        .send()
        .await);
    ok(iam.create_group().group_name("grp").send().await);
    ok(iam
        .add_user_to_group()
        .group_name("grp")
        .user_name("uma")
        .send()
        .await);
    ok(iam
        .put_group_policy()
        .group_name("grp")
        .policy_name("inline-g")
        .policy_document(allow(&["s3:PutObject"]))
        .send()
        .await);
    let trust_policy = trust("arn:aws:iam::111111111111:user/uma");
    ok(iam
        .create_role()
        .role_name("Rol")
        .assume_role_policy_document(&trust_policy)
        .send()
        .await);
    let created = ok(iam
        .create_policy()
        .policy_name("Managed")
        .policy_document(allow(&["s3:ListBucket"]))
        .send()
        .await);
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    ok(iam
        .attach_role_policy()
        .role_name("Rol")
        .policy_arn(&arn)
        .send()
        .await);
    ok(iam
        .attach_user_policy()
        .user_name("uma")
        .policy_arn(READ_ONLY)
        .send()
        .await);
    ok(iam
        .put_user_permissions_boundary()
        .user_name("uma")
        .permissions_boundary(&arn)
        .send()
        .await);
    // Another account's entities never show.
    ok(server
        .root_iam(common::DEV)
        .create_user()
        .user_name("stranger")
        .send()
        .await);

    let details = ok(iam.get_account_authorization_details().send().await);
    let users = details.user_detail_list();
    assert_eq!(users.len(), 1);
    let uma = &users[0];
    assert_eq!(uma.user_name(), Some("uma"));
    assert_eq!(uma.group_list(), ["grp"]);
    let inline: Vec<&str> = uma
        .user_policy_list()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(inline, ["inline-u"]);
    assert_eq!(
        decode_document(uma.user_policy_list()[0].policy_document().unwrap()),
        json(&allow(&["s3:GetObject"]))
    );
    let attached: Vec<&str> = uma
        .attached_managed_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    assert_eq!(attached, [READ_ONLY]);
    assert_eq!(
        uma.permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some(arn.as_str())
    );

    let groups = details.group_detail_list();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].group_name(), Some("grp"));
    assert_eq!(groups[0].group_policy_list().len(), 1);

    let roles = details.role_detail_list();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role_name(), Some("Rol"));
    assert_eq!(
        decode_document(roles[0].assume_role_policy_document().unwrap()),
        json(&trust_policy)
    );
    assert_eq!(
        roles[0]
            .attached_managed_policies()
            .iter()
            .filter_map(|p| p.policy_name())
            .collect::<Vec<_>>(),
        ["Managed"]
    );

    // The customer-managed policies, and the AWS-managed ones in use in the account.
    let policies = details.policies();
    let mut arns: Vec<&str> = policies.iter().filter_map(|p| p.arn()).collect();
    arns.sort_unstable();
    assert_eq!(arns, [arn.as_str(), READ_ONLY]);
    let managed = policies
        .iter()
        .find(|p| p.arn() == Some(arn.as_str()))
        .unwrap();
    assert_eq!(managed.attachment_count(), Some(1));
    assert_eq!(managed.permissions_boundary_usage_count(), Some(1));
    let versions = managed.policy_version_list();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].is_default_version());
    assert_eq!(
        decode_document(versions[0].document().unwrap()),
        json(&allow(&["s3:ListBucket"]))
    );
    let aws = policies
        .iter()
        .find(|p| p.arn() == Some(READ_ONLY))
        .unwrap();
    assert_eq!(aws.policy_name(), Some("ReadOnlyAccess"));
    assert_eq!(aws.attachment_count(), Some(1));
    assert_eq!(aws.policy_version_list().len(), 1);
    assert!(aws.policy_version_list()[0].is_default_version());

    // Filtered to local managed policies only.
    let only_policies = ok(iam
        .get_account_authorization_details()
        .filter(EntityType::LocalManagedPolicy)
        .send()
        .await);
    assert!(only_policies.user_detail_list().is_empty());
    assert!(only_policies.role_detail_list().is_empty());
    assert_eq!(only_policies.policies().len(), 1);
    assert_eq!(only_policies.policies()[0].arn(), Some(arn.as_str()));
    let only_aws = ok(iam
        .get_account_authorization_details()
        .filter(EntityType::AwsManagedPolicy)
        .send()
        .await);
    let arns: Vec<&str> = only_aws.policies().iter().filter_map(|p| p.arn()).collect();
    assert_eq!(arns, [READ_ONLY]);
}
