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

from conftest import PROD, boto3_client, err

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
        iam.list_open_id_connect_providers()
    status, code, message = err(e)
    assert (status, code) == (400, "InvalidAction")
    assert "ListOpenIDConnectProviders" in message


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
