"""Account settings through boto3, as Terraform's aws_iam_account_alias and
aws_iam_account_password_policy use them: one alias per account, unique on the server; the
password policy set, read back with AWS's defaults and `ExpirePasswords`, replaced, deleted;
AWS's validation messages; kept across a restart; authorized as IAM names the actions."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import DEV, PROD, boto3_client, err


@pytest.fixture(scope="module")
def iam(fresh_server):
    return boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


def test_account_alias(fresh_server, iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="prod-co")
    assert iam.list_account_aliases()["AccountAliases"] == ["prod-co"]
    iam.create_account_alias(AccountAlias="prod-company")
    assert iam.list_account_aliases()["AccountAliases"] == ["prod-company"]
    dev = boto3_client("iam", fresh_server.endpoint, DEV.access_key_id, DEV.secret_access_key)
    with pytest.raises(ClientError) as e:
        dev.create_account_alias(AccountAlias="prod-company")
    assert err(e)[:2] == (409, "EntityAlreadyExists")
    assert dev.list_account_aliases()["AccountAliases"] == []
    for bad in ("ab", "Prod", "a--b", "-abc"):
        with pytest.raises(ClientError) as e:
            boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key, validate_params=False).create_account_alias(AccountAlias=bad)
        assert err(e)[:2] == (400, "ValidationError"), bad
    with pytest.raises(ClientError) as e:
        iam.delete_account_alias(AccountAlias="not-mine")
    assert err(e)[:2] == (404, "NoSuchEntity")
    fresh_server.restart()
    iam2 = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    assert iam2.list_account_aliases()["AccountAliases"] == ["prod-company"]
    iam2.delete_account_alias(AccountAlias="prod-company")
    assert iam2.list_account_aliases()["AccountAliases"] == []


def test_password_policy(fresh_server):
    iam = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    with pytest.raises(ClientError) as e:
        iam.get_account_password_policy()
    assert err(e) == (404, "NoSuchEntity", "The Password Policy with domain name 111111111111 cannot be found.")
    iam.update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True, MaxPasswordAge=90,
        PasswordReusePrevention=24, AllowUsersToChangePassword=True,
    )
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24,
    }
    iam.update_account_password_policy(RequireLowercaseCharacters=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and policy["ExpirePasswords"] is False
    assert "MaxPasswordAge" not in policy and policy["RequireLowercaseCharacters"] is True
    for bad in (dict(MinimumPasswordLength=5), dict(MaxPasswordAge=1096), dict(PasswordReusePrevention=25)):
        with pytest.raises(ClientError) as e:
            boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key, validate_params=False).update_account_password_policy(**bad)
        assert err(e)[:2] == (400, "ValidationError"), bad
    assert iam.get_account_password_policy()["PasswordPolicy"]["RequireLowercaseCharacters"] is True
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as e:
        iam.delete_account_password_policy()
    assert err(e)[:2] == (404, "NoSuchEntity")


def test_settings_are_authorized(fresh_server, iam):
    iam.create_user(UserName="settings-reader")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:ListAccountAliases", "iam:GetAccountPasswordPolicy"], "Resource": "*"}
    ]}
    iam.put_user_policy(UserName="settings-reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="settings-reader")["AccessKey"]
    reader = boto3_client("iam", fresh_server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    reader.list_account_aliases()
    for call in (
        lambda: reader.create_account_alias(AccountAlias="sneaky-alias"),
        lambda: reader.update_account_password_policy(MinimumPasswordLength=8),
        lambda: reader.delete_account_password_policy(),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e)[:2] == (403, "AccessDenied")
