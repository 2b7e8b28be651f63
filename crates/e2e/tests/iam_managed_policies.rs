//! Customer-managed policies over HTTP with the AWS SDK: their versions, and policy listings
//! that page through everything once.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_iam::types::PolicyScopeType;
use common::iam::READ_ONLY;
use common::{PROD, Server, allow, assert_error, decode_document, json, ok, trust};

#[tokio::test]
async fn customer_managed_policy_versions() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    let v1 = allow(&["s3:GetObject"]);
    let created = ok(iam
        .create_policy()
        .policy_name("Reader")
        .path("/team/")
        .description("reads objects")
        .policy_document(&v1)
        .send()
        .await);
    let policy = created.policy().unwrap();
    let arn = policy.arn().unwrap().to_owned();
    assert_eq!(arn, "arn:aws:iam::111111111111:policy/team/Reader");
    assert_eq!(policy.default_version_id(), Some("v1"));
    assert_eq!(policy.attachment_count(), Some(0));
    assert!(policy.policy_id().unwrap().starts_with("ANPA"));
    assert_error(
        iam.create_policy()
            .policy_name("reader")
            .policy_document(&v1)
            .send()
            .await,
        "EntityAlreadyExists",
        "A policy called reader already exists. Duplicate names are not allowed.",
    );

    let got = ok(iam.get_policy().policy_arn(&arn).send().await);
    let got = got.policy().unwrap();
    assert_eq!(got.policy_name(), Some("Reader"));
    assert_eq!(got.path(), Some("/team/"));
    assert_eq!(got.description(), Some("reads objects"));
    let missing = "arn:aws:iam::111111111111:policy/Missing";
    let e = assert_error(
        iam.get_policy().policy_arn(missing).send().await,
        "NoSuchEntity",
        &format!("Policy {missing} was not found."),
    );
    assert_eq!(e.status, 404);

    // Scope=Local lists only the account's own policies.
    ok(iam
        .create_policy()
        .policy_name("Writer")
        .policy_document(allow(&["s3:PutObject"]))
        .send()
        .await);
    let local = ok(iam
        .list_policies()
        .scope(PolicyScopeType::Local)
        .send()
        .await);
    let mut names: Vec<&str> = local
        .policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Reader", "Writer"]);
    let aws = list_arns(&iam, Some(PolicyScopeType::Aws), 1000).await;
    assert!(
        aws.len() > 1000,
        "the whole catalog, not a sample: {}",
        aws.len()
    );
    assert!(aws.iter().any(|a| a == READ_ONLY));
    assert!(
        aws.iter()
            .all(|a| a.starts_with("arn:aws:iam::aws:policy/"))
    );

    // Versions: four more make five, the sixth is refused.
    for i in 2..=5 {
        let version = ok(iam
            .create_policy_version()
            .policy_arn(&arn)
            .policy_document(allow(&["s3:GetObject", &format!("s3:GetObjectTagging{i}")]))
            .send()
            .await);
        let version = version.policy_version().unwrap();
        assert_eq!(version.version_id(), Some(format!("v{i}").as_str()));
        assert!(!version.is_default_version());
    }
    let e = assert_error(
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(&v1)
            .send()
            .await,
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    );
    assert_eq!(e.status, 409);

    ok(iam
        .set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await);
    let got = ok(iam.get_policy().policy_arn(&arn).send().await);
    assert_eq!(got.policy().unwrap().default_version_id(), Some("v3"));
    let versions = ok(iam.list_policy_versions().policy_arn(&arn).send().await);
    let listed: Vec<(&str, bool)> = versions
        .versions()
        .iter()
        .map(|v| (v.version_id().unwrap(), v.is_default_version()))
        .collect();
    assert_eq!(
        listed,
        [
            ("v5", false),
            ("v4", false),
            ("v3", true),
            ("v2", false),
            ("v1", false)
        ]
    );
    let v3 = ok(iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await);
    let v3 = v3.policy_version().unwrap();
    assert!(v3.is_default_version());
    assert_eq!(
        decode_document(v3.document().unwrap()),
        json(&allow(&["s3:GetObject", "s3:GetObjectTagging3"]))
    );

    let e = assert_error(
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id("v3")
            .send()
            .await,
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
    );
    assert_eq!(e.status, 409);
    assert_error(
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id("v9")
            .send()
            .await,
        "NoSuchEntity",
        &format!("Policy {arn} version v9 does not exist or is not attachable."),
    );
    for v in ["v1", "v2", "v4"] {
        ok(iam
            .delete_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await);
    }
    // A new version after deletions gets the next number, and can become the default.
    let v6 = ok(iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(&v1)
        .set_as_default(true)
        .send()
        .await);
    let v6 = v6.policy_version().unwrap();
    assert_eq!(v6.version_id(), Some("v6"));
    assert!(v6.is_default_version());
    let versions = ok(iam.list_policy_versions().policy_arn(&arn).send().await);
    let ids: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(ids, ["v6", "v5", "v3"]);
    let e = assert_error(
        iam.delete_policy().policy_arn(&arn).send().await,
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    assert_eq!(e.status, 409);

    for v in ["v3", "v5"] {
        ok(iam
            .delete_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await);
    }
    ok(iam.delete_policy().policy_arn(&arn).send().await);
    assert_error(
        iam.get_policy().policy_arn(&arn).send().await,
        "NoSuchEntity",
        &format!("Policy {arn} was not found."),
    );
}

#[tokio::test]
async fn policy_listings_page_through_everything_once() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    for name in ["Zeta", "Alpha", "Mid"] {
        ok(iam
            .create_policy()
            .policy_name(name)
            .policy_document(allow(&["s3:GetObject"]))
            .send()
            .await);
    }
    let mut everything = list_arns(&iam, None, 1000).await;
    let total = everything.len();
    everything.sort();
    everything.dedup();
    assert_eq!(everything.len(), total, "no policy listed twice");
    let aws = list_arns(&iam, Some(PolicyScopeType::Aws), 1000).await;
    let mut local = list_arns(&iam, Some(PolicyScopeType::Local), 2).await;
    assert_eq!(total, aws.len() + local.len(), "All is AWS plus Local");
    local.sort();
    assert_eq!(
        local,
        ["Alpha", "Mid", "Zeta"].map(|n| format!("arn:aws:iam::111111111111:policy/{n}")),
        "two per page, every local policy exactly once"
    );
    let mut odd_pages = list_arns(&iam, None, 97).await;
    odd_pages.sort();
    assert_eq!(
        odd_pages, everything,
        "pages of 97 list every policy exactly once"
    );

    // The entities a policy is attached to, one per page.
    let arn = "arn:aws:iam::111111111111:policy/Mid";
    ok(iam.create_user().user_name("zed").send().await);
    ok(iam.create_group().group_name("grp").send().await);
    ok(iam
        .create_role()
        .role_name("Rol")
        .assume_role_policy_document(trust(PROD))
        .send()
        .await);
    ok(iam
        .attach_user_policy()
        .user_name("zed")
        .policy_arn(arn)
        .send()
        .await);
    ok(iam
        .attach_group_policy()
        .group_name("grp")
        .policy_arn(arn)
        .send()
        .await);
    ok(iam
        .attach_role_policy()
        .role_name("Rol")
        .policy_arn(arn)
        .send()
        .await);
    let (mut users, mut groups, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = ok(iam
            .list_entities_for_policy()
            .policy_arn(arn)
            .max_items(1)
            .set_marker(marker.clone())
            .send()
            .await);
        pages += 1;
        users.extend(
            page.policy_users()
                .iter()
                .filter_map(|u| u.user_name().map(str::to_owned)),
        );
        groups.extend(
            page.policy_groups()
                .iter()
                .filter_map(|g| g.group_name().map(str::to_owned)),
        );
        roles.extend(
            page.policy_roles()
                .iter()
                .filter_map(|r| r.role_name().map(str::to_owned)),
        );
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(
        (users, groups, roles),
        (
            vec!["zed".to_owned()],
            vec!["grp".to_owned()],
            vec!["Rol".to_owned()]
        )
    );
    assert_eq!(pages, 3);
}

/// Every policy ARN `ListPolicies` returns in `scope`, following markers `per_page` at a time.
async fn list_arns(
    iam: &aws_sdk_iam::Client,
    scope: Option<PolicyScopeType>,
    per_page: i32,
) -> Vec<String> {
    let mut arns = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..1000 {
        let page = ok(iam
            .list_policies()
            .set_scope(scope.clone())
            .max_items(per_page)
            .set_marker(marker.clone())
            .send()
            .await);
        arns.extend(
            page.policies()
                .iter()
                .filter_map(|p| p.arn().map(str::to_owned)),
        );
        if !page.is_truncated() {
            return arns;
        }
        marker = page.marker().map(str::to_owned);
    }
    panic!("ListPolicies never stopped paging");
}
