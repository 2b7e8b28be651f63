"""Instance profiles through boto3 and the AWS CLI, as Terraform's aws_iam_instance_profile and
aws_iam_role use them: create (path, tags), get, list, the one role inside, the role's
profiles, tags, the delete conflicts, `iam:PassRole` to add a role, and all of it kept across a
restart."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client, err, user_client

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture(scope="module")
def iam(fresh_server):
    return boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


def test_instance_profile_lifecycle(fresh_server, iam):
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName="batch", AssumeRolePolicyDocument=TRUST)
    created = iam.create_instance_profile(
        InstanceProfileName="web-profile", Path="/apps/", Tags=[{"Key": "team", "Value": "web"}]
    )["InstanceProfile"]
    assert created["Arn"] == "arn:aws:iam::111111111111:instance-profile/apps/web-profile"
    assert created["InstanceProfileId"].startswith("AIPA") and len(created["InstanceProfileId"]) == 21
    assert created["Roles"] == []
    assert created["Tags"] == [{"Key": "team", "Value": "web"}]
    with pytest.raises(ClientError) as e:
        iam.create_instance_profile(InstanceProfileName="WEB-profile")
    assert err(e)[:2] == (409, "EntityAlreadyExists")

    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    got = iam.get_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["web"]
    assert got["Roles"][0]["Arn"] == "arn:aws:iam::111111111111:role/web"
    with pytest.raises(ClientError) as e:
        iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="batch")
    assert err(e)[:2] == (409, "LimitExceeded")
    for_role = iam.list_instance_profiles_for_role(RoleName="web")["InstanceProfiles"]
    assert [i["InstanceProfileName"] for i in for_role] == ["web-profile"]
    assert iam.list_instance_profiles_for_role(RoleName="batch")["InstanceProfiles"] == []
    assert [i["InstanceProfileName"] for i in iam.list_instance_profiles(PathPrefix="/apps/")["InstanceProfiles"]] == [
        "web-profile"
    ]
    assert iam.list_instance_profiles(PathPrefix="/other/")["InstanceProfiles"] == []
    assert iam.get_account_summary()["SummaryMap"]["InstanceProfiles"] == 1

    with pytest.raises(ClientError) as e:
        iam.delete_role(RoleName="web")
    assert err(e)[:2] == (409, "DeleteConflict")
    with pytest.raises(ClientError) as e:
        iam.delete_instance_profile(InstanceProfileName="web-profile")
    assert err(e)[:2] == (409, "DeleteConflict")

    fresh_server.restart()
    iam2 = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    got = iam2.get_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["web"] and got["Path"] == "/apps/"

    iam2.remove_role_from_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    with pytest.raises(ClientError) as e:
        iam2.remove_role_from_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    assert err(e)[:2] == (404, "NoSuchEntity")
    iam2.delete_instance_profile(InstanceProfileName="web-profile")
    with pytest.raises(ClientError) as e:
        iam2.get_instance_profile(InstanceProfileName="web-profile")
    assert err(e)[:2] == (404, "NoSuchEntity")
    iam2.delete_role(RoleName="web")


def test_instance_profile_tags(fresh_server):
    iam = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    iam.create_instance_profile(InstanceProfileName="tagged-profile")
    iam.tag_instance_profile(InstanceProfileName="tagged-profile", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_instance_profile(InstanceProfileName="tagged-profile", TagKeys=["A"])
    assert iam.list_instance_profile_tags(InstanceProfileName="tagged-profile")["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as e:
        iam.list_instance_profile_tags(InstanceProfileName="no-such-profile")
    assert err(e)[:2] == (404, "NoSuchEntity")


def test_adding_a_role_needs_pass_role(fresh_server, iam):
    iam.create_role(RoleName="passed", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="pass-profile")
    no_pass = user_client(fresh_server.endpoint, "iam", "no-pass", [
        {"Effect": "Allow", "Action": "iam:AddRoleToInstanceProfile", "Resource": "*"}
    ])
    with pytest.raises(ClientError) as e:
        no_pass.add_role_to_instance_profile(InstanceProfileName="pass-profile", RoleName="passed")
    status, code, message = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert "iam:PassRole" in message and "arn:aws:iam::111111111111:role/passed" in message
    assert iam.get_instance_profile(InstanceProfileName="pass-profile")["InstanceProfile"]["Roles"] == []
    with_pass = user_client(fresh_server.endpoint, "iam", "with-pass", [
        {"Effect": "Allow", "Action": "iam:AddRoleToInstanceProfile", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111111111111:role/passed",
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
    ])
    with_pass.add_role_to_instance_profile(InstanceProfileName="pass-profile", RoleName="passed")
    assert [r["RoleName"] for r in iam.get_instance_profile(InstanceProfileName="pass-profile")["InstanceProfile"]["Roles"]] == ["passed"]


def test_cli_round_trip(fresh_cli):
    fresh_cli.json("iam", "create-instance-profile", "--instance-profile-name", "cli-profile", profile="prod-account")
    listed = fresh_cli.json("iam", "list-instance-profiles", profile="prod-account")
    assert "cli-profile" in [i["InstanceProfileName"] for i in listed["InstanceProfiles"]]


def test_authorization_details_list_a_roles_instance_profiles(fresh_server, iam):
    iam.create_role(RoleName="detailed", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="detailed-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="detailed-profile", RoleName="detailed")
    roles = iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]
    detail = next(r for r in roles if r["RoleName"] == "detailed")
    assert [i["InstanceProfileName"] for i in detail["InstanceProfileList"]] == ["detailed-profile"]
    assert detail["InstanceProfileList"][0]["Roles"][0]["RoleName"] == "detailed"
