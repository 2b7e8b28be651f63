"""Login profiles through boto3, as Terraform's aws_iam_user_login_profile uses them: a
password checked against the account's password policy (or AWS's default), the profile read
back without the password, the reset flag updated, deletion, the delete conflict of a user
with a profile, and the password never in the server's log."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client, err

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture(scope="module")
def iam(fresh_server):
    return boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


def test_login_profile_lifecycle(fresh_server, iam):
    iam.create_user(UserName="console-user")
    created = iam.create_login_profile(UserName="console-user", Password=PASSWORD, PasswordResetRequired=True)
    assert created["LoginProfile"]["UserName"] == "console-user"
    assert created["LoginProfile"]["PasswordResetRequired"] is True
    with pytest.raises(ClientError) as e:
        iam.create_login_profile(UserName="console-user", Password=PASSWORD)
    assert err(e)[:2] == (409, "EntityAlreadyExists")
    got = iam.get_login_profile(UserName="console-user")["LoginProfile"]
    assert set(got) == {"UserName", "CreateDate", "PasswordResetRequired"}
    iam.update_login_profile(UserName="console-user", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="console-user")["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(ClientError) as e:
        iam.delete_user(UserName="console-user")
    assert err(e)[:2] == (409, "DeleteConflict")
    fresh_server.restart()
    iam2 = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    assert iam2.get_login_profile(UserName="console-user")["LoginProfile"]["UserName"] == "console-user"
    iam2.delete_login_profile(UserName="console-user")
    with pytest.raises(ClientError) as e:
        iam2.get_login_profile(UserName="console-user")
    assert err(e) == (404, "NoSuchEntity", "Login Profile for User console-user cannot be found.")
    iam2.delete_user(UserName="console-user")
    assert PASSWORD not in fresh_server.log_path.read_text()


def test_passwords_follow_the_policy(fresh_server):
    iam = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    iam.create_user(UserName="policy-user")
    # AWS's default policy: eight characters, three of the four kinds.
    with pytest.raises(ClientError) as e:
        iam.create_login_profile(UserName="policy-user", Password="alllowercase")
    assert err(e)[:2] == (400, "PasswordPolicyViolation")
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireSymbols=True)
    with pytest.raises(ClientError) as e:
        iam.create_login_profile(UserName="policy-user", Password="Corr3ct-Horse-Batt")
    assert err(e) == (400, "PasswordPolicyViolation", "Password should have a minimum length of 20")
    with pytest.raises(ClientError) as e:
        iam.create_login_profile(UserName="policy-user", Password="a" * 20)
    assert err(e) == (400, "PasswordPolicyViolation", "Password should have at least one symbol")
    with pytest.raises(ClientError) as e:
        iam.get_login_profile(UserName="policy-user")
    assert err(e)[:2] == (404, "NoSuchEntity")
    iam.create_login_profile(UserName="policy-user", Password="a" * 19 + "!")
    with pytest.raises(ClientError) as e:
        iam.update_login_profile(UserName="policy-user", Password="short!")
    assert err(e)[:2] == (400, "PasswordPolicyViolation")
    iam.delete_account_password_policy()
