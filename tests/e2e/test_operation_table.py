"""What the operation table gives every request, through real clients: the condition keys an
operation's table entry declares reach the policy (iam:PermissionsBoundary on CreateUser and
CreateRole), services Gatehouse routes but does not serve yet answer in their own protocol, and
each request's log line names its operation, read-only flag and the action it was authorized as.
"""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client, err, user_client

BOUNDARY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture(scope="module")
def iam(fresh_server):
    return boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def delegated_admin(fresh_server, iam):
    """A user who may create users and roles only with the S3 read-only boundary."""
    iam.create_user(UserName="delegated-admin")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:CreateUser", "iam:CreateRole"],
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}},
            }
        ],
    }
    iam.put_user_policy(UserName="delegated-admin", PolicyName="boundaries", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="delegated-admin")["AccessKey"]
    return boto3_client("iam", fresh_server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])


def test_create_user_sees_the_boundary_it_asks_for(iam, delegated_admin):
    created = delegated_admin.create_user(UserName="bounded", PermissionsBoundary=BOUNDARY)["User"]
    assert created["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    for extra in ({}, {"PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"}):
        with pytest.raises(ClientError) as e:
            delegated_admin.create_user(UserName="unbounded", **extra)
        assert err(e)[:2] == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        iam.get_user(UserName="unbounded")
    assert err(e)[:2] == (404, "NoSuchEntity")


def test_create_role_sees_the_boundary_it_asks_for(iam, delegated_admin):
    delegated_admin.create_role(RoleName="bounded-role", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=BOUNDARY)
    with pytest.raises(ClientError) as e:
        delegated_admin.create_role(RoleName="unbounded-role", AssumeRolePolicyDocument=TRUST)
    assert err(e)[:2] == (403, "AccessDenied")
    assert iam.get_role(RoleName="bounded-role")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY


def test_a_routed_but_unserved_service_answers_in_its_protocol(fresh_server):
    orgs = boto3_client("organizations", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    with pytest.raises(ClientError) as e:
        orgs.list_roots()
    status, code, message = err(e)
    assert (status, code) == (400, "UnknownOperationException")
    assert "ListRoots" in message


def test_unknown_iam_operation_is_invalid_action(fresh_server):
    iam = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    # An operation of IAM's API model that Gatehouse does not serve yet.
    with pytest.raises(ClientError) as e:
        iam.list_virtual_mfa_devices()
    status, code, message = err(e)
    assert (status, code) == (400, "InvalidAction")
    assert "ListVirtualMFADevices" in message


def test_log_lines_name_the_operation(fresh_server, iam):
    iam.list_users()
    iam.create_group(GroupName="logged-group")
    lines = fresh_server.log_path.read_text().splitlines()
    listing = [l for l in lines if 'operation="ListUsers"' in l]
    assert listing, "no ListUsers log line"
    assert re.search(r'read_only="true" action=iam:ListUsers resource=arn:aws:iam::111111111111:user/ decision=Allow', listing[-1])
    create = [l for l in lines if 'operation="CreateGroup"' in l]
    assert create and 'read_only="false" action=iam:CreateGroup' in create[-1]
    assert PROD.secret_access_key not in "\n".join(lines)


# ----- Operations added through the table: UpdateGroup, GetAccountSummary -----


def test_update_group_renames_and_moves_with_its_members(iam):
    iam.create_group(GroupName="Managers")
    iam.create_user(UserName="manager-1")
    iam.add_user_to_group(GroupName="Managers", UserName="manager-1")
    iam.put_group_policy(GroupName="Managers", PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    ))
    iam.update_group(GroupName="Managers", NewGroupName="MGRs", NewPath="/teams/")
    group = iam.get_group(GroupName="MGRs")
    assert group["Group"]["Arn"] == "arn:aws:iam::111111111111:group/teams/MGRs"
    assert group["Group"]["Path"] == "/teams/"
    assert [u["UserName"] for u in group["Users"]] == ["manager-1"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="manager-1")["Groups"]] == ["MGRs"]
    assert iam.list_group_policies(GroupName="MGRs")["PolicyNames"] == ["p"]
    with pytest.raises(ClientError) as e:
        iam.get_group(GroupName="Managers")
    assert err(e)[:2] == (404, "NoSuchEntity")


def test_update_group_errors(iam):
    iam.create_group(GroupName="taken-a")
    iam.create_group(GroupName="taken-b")
    with pytest.raises(ClientError) as e:
        iam.update_group(GroupName="taken-a", NewGroupName="TAKEN-B")
    assert err(e)[:2] == (409, "EntityAlreadyExists")
    with pytest.raises(ClientError) as e:
        iam.update_group(GroupName="absent-group", NewGroupName="whatever")
    assert err(e)[:2] == (404, "NoSuchEntity")
    with pytest.raises(ClientError) as e:
        iam.update_group(GroupName="taken-a", NewPath="no-slashes")
    assert err(e)[:2] == (400, "ValidationError")
    assert iam.get_group(GroupName="taken-a")["Group"]["Path"] == "/"


def test_update_group_needs_permission_on_the_old_and_the_new_name(fresh_server, iam):
    iam.create_group(GroupName="Ops")
    old_only = user_client(fresh_server.endpoint, "iam", "renamer-old-only", [
        {"Effect": "Allow", "Action": "iam:UpdateGroup", "Resource": "arn:aws:iam::111111111111:group/Ops"}
    ])
    with pytest.raises(ClientError) as e:
        old_only.update_group(GroupName="Ops", NewGroupName="Operations")
    status, code, message = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert "arn:aws:iam::111111111111:group/Operations" in message
    assert iam.get_group(GroupName="Ops")["Group"]["GroupName"] == "Ops"
    both = user_client(fresh_server.endpoint, "iam", "renamer-both", [
        {"Effect": "Allow", "Action": "iam:UpdateGroup", "Resource": [
            "arn:aws:iam::111111111111:group/Ops", "arn:aws:iam::111111111111:group/Operations"
        ]}
    ])
    both.update_group(GroupName="Ops", NewGroupName="Operations")
    assert iam.get_group(GroupName="Operations")["Group"]["GroupName"] == "Operations"


def test_account_summary_counts_what_the_account_has(fresh_server, iam):
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_user(UserName="summary-user")
    iam.create_role(RoleName="summary-role", AssumeRolePolicyDocument=TRUST)
    iam.create_policy(PolicyName="summary-policy", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    ))
    after = iam.get_account_summary()["SummaryMap"]
    assert after["Users"] == before["Users"] + 1
    assert after["Roles"] == before["Roles"] + 1
    assert after["Policies"] == before["Policies"] + 1
    assert after["PolicyVersionsInUse"] == before["PolicyVersionsInUse"] + 1
    assert after["AccessKeysPerUserQuota"] == 2
    assert after["GroupsPerUserQuota"] == 10
    assert after["UserPolicySizeQuota"] == 2048
    assert after["AccountAccessKeysPresent"] == 1
    assert after["MFADevices"] == 0
    denied = user_client(fresh_server.endpoint, "iam", "summary-denied", [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
    ])
    with pytest.raises(ClientError) as e:
        denied.get_account_summary()
    assert err(e)[:2] == (403, "AccessDenied")
    allowed = user_client(fresh_server.endpoint, "iam", "summary-allowed", [
        {"Effect": "Allow", "Action": "iam:GetAccountSummary", "Resource": "*"}
    ])
    assert allowed.get_account_summary()["SummaryMap"]["Users"] == after["Users"] + 2


def test_s3_log_lines_name_the_operation(fresh_server):
    s3 = boto3_client("s3", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    s3.create_bucket(Bucket="logged-bucket")
    s3.head_bucket(Bucket="logged-bucket")
    lines = fresh_server.log_path.read_text().splitlines()
    create = [l for l in lines if 'operation="CreateBucket"' in l]
    assert create and 'read_only="false" action=s3:CreateBucket' in create[-1]
    head = [l for l in lines if 'operation="HeadBucket"' in l]
    assert head and 'read_only="true" action=s3:ListBucket resource=arn:aws:s3:::logged-bucket' in head[-1]


def test_policy_tags(fresh_server, iam):
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="tagged-policy", PolicyDocument=doc, Tags=[{"Key": "team", "Value": "a"}])["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "Team", "Value": "b"}, {"Key": "env", "Value": "ci"}])
    tags = iam.list_policy_tags(PolicyArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("Team", "b"), ("env", "ci")]
    assert {t["Key"] for t in iam.get_policy(PolicyArn=arn)["Policy"]["Tags"]} == {"Team", "env"}
    iam.untag_policy(PolicyArn=arn, TagKeys=["TEAM"])
    assert [t["Key"] for t in iam.list_policy_tags(PolicyArn=arn)["Tags"]] == ["env"]
    assert iam.list_policy_tags(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Tags"] == []
    with pytest.raises(ClientError) as e:
        iam.list_policy_tags(PolicyArn="arn:aws:iam::111111111111:policy/absent")
    assert err(e)[:2] == (404, "NoSuchEntity")
    with pytest.raises(ClientError) as e:
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert err(e)[:2] == (409, "LimitExceeded")
    assert [t["Key"] for t in iam.list_policy_tags(PolicyArn=arn)["Tags"]] == ["env"]
    # Tagging is authorized with the request's tags.
    tagger = user_client(fresh_server.endpoint, "iam", "policy-tagger", [
        {"Effect": "Allow", "Action": "iam:TagPolicy", "Resource": arn,
         "Condition": {"StringEquals": {"aws:RequestTag/env": "ci"}}}
    ])
    tagger.tag_policy(PolicyArn=arn, Tags=[{"Key": "env", "Value": "ci"}])
    with pytest.raises(ClientError) as e:
        tagger.tag_policy(PolicyArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert err(e)[:2] == (403, "AccessDenied")
