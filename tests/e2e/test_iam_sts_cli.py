"""Issue 3's "Done means", driven with the real AWS CLI against a fresh server: the
cross-account walkthrough (docs: shared/seed/cross-account-access.txt, steps 1, 2 and 4 up to
get-caller-identity), its denials, and persistence across restarts.

The tests of this module run in order and build on each other (one walkthrough).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from conftest import DEV, PROD, THIRD, cli_error

ROLE_ARN = "arn:aws:iam::111111111111:role/DevLogAccessRole"
SESSION_ARN = "arn:aws:sts::111111111111:assumed-role/DevLogAccessRole/LogAnalysisSession"

# Exactly as the walkthrough shows them, DEV_ACCOUNT_ID replaced by the dev account's id.
TRUST_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::DEV_ACCOUNT_ID:root"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}
""".replace("DEV_ACCOUNT_ID", DEV.id)

S3_ACCESS_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:ListBucket",
        "s3:GetObject"
      ],
      "Resource": [
        "arn:aws:s3:::log-bucket",
        "arn:aws:s3:::log-bucket/*"
      ]
    }
  ]
}
"""

ASSUME_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}],
    }
)

# Step 4 of the walkthrough, verbatim but for the account id and the analyst's profile.
ASSUME_AND_EXPORT = """
aws sts assume-role \\
  --role-arn arn:aws:iam::111111111111:role/DevLogAccessRole \\
  --role-session-name LogAnalysisSession \\
  --profile dev-analyst > assume-role-output.json

export AWS_ACCESS_KEY_ID=$(jq -r '.Credentials.AccessKeyId' assume-role-output.json)
export AWS_SECRET_ACCESS_KEY=$(jq -r '.Credentials.SecretAccessKey' assume-role-output.json)
export AWS_SESSION_TOKEN=$(jq -r '.Credentials.SessionToken' assume-role-output.json)

aws sts get-caller-identity
"""

ANALYST = "alice-analyst"
OUTSIDER = "bob-outsider"
THIRD_USER = "carol-third"


@pytest.fixture(scope="module")
def state():
    """What the walkthrough's steps hand on to the next ones."""
    return {}


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def make_user_with_key(cli, profile: str, user: str, key_profile: str) -> dict:
    cli.json("iam", "create-user", "--user-name", user, profile=profile)
    key = cli.json("iam", "create-access-key", "--user-name", user, profile=profile)["AccessKey"]
    cli.add_profile(key_profile, key["AccessKeyId"], key["SecretAccessKey"])
    return key


def test_root_identities(fresh_cli):
    for account in (PROD, DEV, THIRD):
        ident = fresh_cli.json("sts", "get-caller-identity", profile=account.profile)
        assert ident == {
            "UserId": account.id,
            "Account": account.id,
            "Arn": f"arn:aws:iam::{account.id}:root",
        }


def test_fresh_data_dir_has_no_entities(fresh_cli):
    assert fresh_cli.json("iam", "list-users", profile="prod-account")["Users"] == []
    assert fresh_cli.json("iam", "list-roles", profile="prod-account")["Roles"] == []
    assert fresh_cli.json("iam", "list-groups", profile="dev-account")["Groups"] == []


def test_step1_create_role_in_prod(fresh_cli, state):
    (fresh_cli.workdir / "trust-policy.json").write_text(TRUST_POLICY)
    proc = fresh_cli.bash(
        """
aws iam create-role \\
  --role-name DevLogAccessRole \\
  --assume-role-policy-document file://trust-policy.json \\
  --description "Allows Dev account to access logs" \\
  --profile prod-account
"""
    )
    role = json.loads(proc.stdout)["Role"]
    assert role["RoleName"] == "DevLogAccessRole"
    assert role["Arn"] == ROLE_ARN
    assert role["Path"] == "/"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    # The CLI decodes IAM's URL-encoded document into JSON.
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_POLICY)
    parse_time(role["CreateDate"])
    state["role_id"] = role["RoleId"]

    got = fresh_cli.json("iam", "get-role", "--role-name", "DevLogAccessRole", profile="prod-account")["Role"]
    assert got["Arn"] == ROLE_ARN
    assert got["RoleId"] == role["RoleId"]
    assert got["Description"] == "Allows Dev account to access logs"
    assert got["MaxSessionDuration"] == 3600
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST_POLICY)


def test_step2_put_role_policy(fresh_cli):
    (fresh_cli.workdir / "s3-access-policy.json").write_text(S3_ACCESS_POLICY)
    proc = fresh_cli.bash(
        """
aws iam put-role-policy \\
  --role-name DevLogAccessRole \\
  --policy-name S3LogAccess \\
  --policy-document file://s3-access-policy.json \\
  --profile prod-account
"""
    )
    assert proc.stdout.strip() == ""
    got = fresh_cli.json(
        "iam", "get-role-policy", "--role-name", "DevLogAccessRole", "--policy-name", "S3LogAccess",
        profile="prod-account",
    )
    assert got["RoleName"] == "DevLogAccessRole"
    assert got["PolicyName"] == "S3LogAccess"
    assert got["PolicyDocument"] == json.loads(S3_ACCESS_POLICY)
    listed = fresh_cli.json("iam", "list-role-policies", "--role-name", "DevLogAccessRole", profile="prod-account")
    assert listed["PolicyNames"] == ["S3LogAccess"]


def test_dev_log_analysts_group(fresh_cli, state):
    group = fresh_cli.json("iam", "create-group", "--group-name", "LogAnalysts", profile="dev-account")["Group"]
    assert group["Arn"] == "arn:aws:iam::222222222222:group/LogAnalysts"
    assert group["GroupId"].startswith("AGPA")
    key = make_user_with_key(fresh_cli, "dev-account", ANALYST, "dev-analyst")
    assert key["UserName"] == ANALYST
    assert key["Status"] == "Active"
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40
    state["analyst_key"] = key
    fresh_cli.run("iam", "add-user-to-group", "--group-name", "LogAnalysts", "--user-name", ANALYST, profile="dev-account")
    fresh_cli.run(
        "iam", "put-group-policy", "--group-name", "LogAnalysts", "--policy-name", "AssumeDevLogAccessRole",
        "--policy-document", ASSUME_POLICY, profile="dev-account",
    )
    got = fresh_cli.json("iam", "get-group", "--group-name", "LogAnalysts", profile="dev-account")
    assert [u["UserName"] for u in got["Users"]] == [ANALYST]
    ident = fresh_cli.json("sts", "get-caller-identity", profile="dev-analyst")
    assert ident["Arn"] == f"arn:aws:iam::222222222222:user/{ANALYST}"
    assert ident["Account"] == DEV.id


def test_step4_assume_role_and_export(fresh_cli, state):
    proc = fresh_cli.bash(ASSUME_AND_EXPORT)
    ident = json.loads(proc.stdout)
    assert ident["Arn"] == SESSION_ARN
    assert ident["Account"] == PROD.id
    assert ident["UserId"] == f"{state['role_id']}:LogAnalysisSession"

    out = json.loads((fresh_cli.workdir / "assume-role-output.json").read_text())
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": f"{state['role_id']}:LogAnalysisSession",
        "Arn": SESSION_ARN,
    }
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert len(creds["SecretAccessKey"]) == 40
    assert creds["SessionToken"]
    expiration = parse_time(creds["Expiration"])
    remaining = expiration - datetime.now(timezone.utc)
    assert timedelta(minutes=55) < remaining <= timedelta(hours=1, minutes=1)
    state["session"] = creds


def test_outsider_in_dev_is_denied(fresh_cli):
    make_user_with_key(fresh_cli, "dev-account", OUTSIDER, "dev-outsider")
    proc = fresh_cli.run(
        "sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "LogAnalysisSession",
        profile="dev-outsider", check=False,
    )
    code, message = cli_error(proc)
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:iam::222222222222:user/{OUTSIDER} is not authorized to perform: "
        f"sts:AssumeRole on resource: {ROLE_ARN} because no identity-based policy allows the "
        "sts:AssumeRole action"
    )


def test_third_account_user_is_denied_by_trust_policy(fresh_cli):
    make_user_with_key(fresh_cli, "third-account", THIRD_USER, "third-user")
    fresh_cli.run(
        "iam", "put-user-policy", "--user-name", THIRD_USER, "--policy-name", "AssumeProdRole",
        "--policy-document", ASSUME_POLICY, profile="third-account",
    )
    proc = fresh_cli.run(
        "sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "LogAnalysisSession",
        profile="third-user", check=False,
    )
    code, message = cli_error(proc)
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:iam::333333333333:user/{THIRD_USER} is not authorized to perform: "
        f"sts:AssumeRole on resource: {ROLE_ARN} because no role trust policy allows the "
        "sts:AssumeRole action"
    )


def test_wrong_secret_is_signature_does_not_match(fresh_cli, state):
    key = state["analyst_key"]
    fresh_cli.add_profile("dev-analyst-wrong", key["AccessKeyId"], "x" * 40)
    for args in (
        ("sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "LogAnalysisSession"),
        ("sts", "get-caller-identity"),
        ("iam", "list-users"),
    ):
        proc = fresh_cli.run(*args, profile="dev-analyst-wrong", check=False)
        code, message = cli_error(proc)
        assert code == "SignatureDoesNotMatch", args
        assert message.startswith(
            "The request signature we calculated does not match the signature you provided."
        ), message


def test_unknown_access_key_is_invalid_client_token(fresh_cli):
    fresh_cli.add_profile("nobody", "AKIAE2ENOSUCHKEY0009", "y" * 40)
    code, message = cli_error(fresh_cli.run("sts", "get-caller-identity", profile="nobody", check=False))
    assert code == "InvalidClientTokenId"
    assert message == "The security token included in the request is invalid."


def test_session_can_read_nothing_in_iam(fresh_cli, state):
    """The role session has only S3 permissions: IAM calls are denied with AWS's text."""
    creds = state["session"]
    proc = fresh_cli.run(
        "iam", "list-users", check=False,
        env={
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        },
    )
    code, message = cli_error(proc)
    assert code == "AccessDenied"
    assert message.startswith(
        f"User: {SESSION_ARN} is not authorized to perform: iam:ListUsers on resource: "
    ), message
    assert message.endswith("because no identity-based policy allows the iam:ListUsers action"), message


def _assert_walkthrough_state(cli) -> None:
    role = cli.json("iam", "get-role", "--role-name", "DevLogAccessRole", profile="prod-account")["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_POLICY)
    assert role["Description"] == "Allows Dev account to access logs"
    policy = cli.json(
        "iam", "get-role-policy", "--role-name", "DevLogAccessRole", "--policy-name", "S3LogAccess",
        profile="prod-account",
    )
    assert policy["PolicyDocument"] == json.loads(S3_ACCESS_POLICY)
    group = cli.json("iam", "get-group", "--group-name", "LogAnalysts", profile="dev-account")
    assert [u["UserName"] for u in group["Users"]] == [ANALYST]
    gp = cli.json(
        "iam", "get-group-policy", "--group-name", "LogAnalysts", "--policy-name", "AssumeDevLogAccessRole",
        profile="dev-account",
    )
    assert gp["PolicyDocument"] == json.loads(ASSUME_POLICY)
    keys = cli.json("iam", "list-access-keys", "--user-name", ANALYST, profile="dev-account")["AccessKeyMetadata"]
    assert len(keys) == 1 and keys[0]["Status"] == "Active"
    ident = json.loads(cli.bash(ASSUME_AND_EXPORT).stdout)
    assert ident["Arn"] == SESSION_ARN


def test_restart_keeps_everything(fresh_server, fresh_cli, state):
    # SIGTERM is a graceful shutdown: exit status 0.
    assert fresh_server.restart() == 0, fresh_server.log_tail(20)
    fresh_cli.write_files()  # in case the port changed
    _assert_walkthrough_state(fresh_cli)
    # Temporary credentials issued before the restart stay valid until they expire.
    creds = state["session"]
    proc = fresh_cli.run(
        "sts", "get-caller-identity",
        env={
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        },
    )
    assert json.loads(proc.stdout)["Arn"] == SESSION_ARN
    # Denials are unchanged too.
    code, _ = cli_error(
        fresh_cli.run(
            "sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "LogAnalysisSession",
            profile="dev-outsider", check=False,
        )
    )
    assert code == "AccessDenied"


def test_kill9_keeps_acknowledged_writes(fresh_server, fresh_cli):
    """Every write the server answered 200 to survives SIGKILL (no graceful shutdown)."""
    fresh_cli.json("iam", "create-user", "--user-name", "dave-durable", profile="prod-account")
    fresh_cli.run(
        "iam", "put-user-policy", "--user-name", "dave-durable", "--policy-name", "P",
        "--policy-document", ASSUME_POLICY, profile="prod-account",
    )
    assert fresh_server.restart(hard=True) == -9
    fresh_cli.write_files()
    user = fresh_cli.json("iam", "get-user", "--user-name", "dave-durable", profile="prod-account")["User"]
    assert user["Arn"] == "arn:aws:iam::111111111111:user/dave-durable"
    names = fresh_cli.json("iam", "list-user-policies", "--user-name", "dave-durable", profile="prod-account")
    assert names["PolicyNames"] == ["P"]
    _assert_walkthrough_state(fresh_cli)
