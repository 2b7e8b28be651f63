"""The cross-account walkthrough (shared/seed/cross-account-access.txt) verbatim with the real
AWS CLI against `gatehouse serve --demo --write-aws-config DIR`, then the denials AWS would
give in the same world.

The demo builds what the walkthrough assumes exists: prod (111111111111) owns `log-bucket`
with `example.log`; dev (222222222222) has the LogAnalysts group with user `analyst`, allowed
to sts:AssumeRole on the role. The written profiles (`prod-account` = prod's root key,
`dev-account` = the analyst's key) carry the endpoint, so the commands run exactly as printed:
only DEV_ACCOUNT_ID and PROD_ACCOUNT_ID are substituted.

The tests of this module run in order and build on each other (one world).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import HTTP_TIMEOUT, THIRD, boto3_client, cli_error, creds_env

PROD_ID = "111111111111"
DEV_ID = "222222222222"
ROLE_ARN = f"arn:aws:iam::{PROD_ID}:role/DevLogAccessRole"
SESSION_ARN = f"arn:aws:sts::{PROD_ID}:assumed-role/DevLogAccessRole/LogAnalysisSession"

# The demo's example.log (crates/gatehouse/src/demo.rs).
EXAMPLE_LOG = (
    b"2026-11-28T09:00:00Z INFO  payment-service started\n"
    b"2026-11-28T09:00:02Z WARN  payment-service slow upstream (812 ms)\n"
    b"2026-11-28T09:00:05Z INFO  payment-service healthy\n"
)

# ----- The seed's documents, character for character, with the account ids substituted -----

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
""".replace("DEV_ACCOUNT_ID", DEV_ID)

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

BUCKET_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowDevRoleAccess",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::PROD_ACCOUNT_ID:role/DevLogAccessRole"
      },
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
""".replace("PROD_ACCOUNT_ID", PROD_ID)

# ----- The seed's commands, exactly as printed (PROD_ACCOUNT_ID substituted) -----

STEP1 = """
aws iam create-role \\
  --role-name DevLogAccessRole \\
  --assume-role-policy-document file://trust-policy.json \\
  --description "Allows Dev account to access logs" \\
  --profile prod-account
"""

STEP2 = """
aws iam put-role-policy \\
  --role-name DevLogAccessRole \\
  --policy-name S3LogAccess \\
  --policy-document file://s3-access-policy.json \\
  --profile prod-account
"""

STEP3 = """
aws s3api put-bucket-policy \\
  --bucket log-bucket \\
  --policy file://bucket-policy.json \\
  --profile prod-account
"""

STEP4 = """
aws sts assume-role \\
  --role-arn arn:aws:iam::PROD_ACCOUNT_ID:role/DevLogAccessRole \\
  --role-session-name LogAnalysisSession \\
  --profile dev-account > assume-role-output.json

export AWS_ACCESS_KEY_ID=$(jq -r '.Credentials.AccessKeyId' assume-role-output.json)
export AWS_SECRET_ACCESS_KEY=$(jq -r '.Credentials.SecretAccessKey' assume-role-output.json)
export AWS_SESSION_TOKEN=$(jq -r '.Credentials.SessionToken' assume-role-output.json)

aws s3 ls s3://log-bucket
aws s3 cp s3://log-bucket/example.log .
""".replace("PROD_ACCOUNT_ID", PROD_ID)


@pytest.fixture(scope="module")
def prod_s3(demo_server):
    """boto3 S3 as prod's root (the `prod-account` profile's key)."""
    return boto3_client("s3", demo_server.endpoint, *demo_server.profile_key("prod-account"))


@pytest.fixture(scope="module")
def prod_iam(demo_server):
    return boto3_client("iam", demo_server.endpoint, *demo_server.profile_key("prod-account"))


def session_creds(demo_cli) -> dict:
    return json.loads((demo_cli.workdir / "assume-role-output.json").read_text())["Credentials"]


@pytest.fixture
def session_s3(demo_server, demo_cli):
    """boto3 S3 with the walkthrough's role session (LogAnalysisSession)."""
    c = session_creds(demo_cli)
    return boto3_client("s3", demo_server.endpoint, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def error_of(exc: pytest.ExceptionInfo) -> tuple[int, str, str]:
    resp = exc.value.response
    return resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"]["Code"], resp["Error"]["Message"]


def denied_message(action: str, resource: str, reason: str) -> str:
    return f'User: {SESSION_ARN} is not authorized to perform: {action} on resource: "{resource}" {reason}'


NO_IDENTITY = "because no identity-based policy allows the {action} action"
EXPLICIT_DENY_RESOURCE = "with an explicit deny in a resource-based policy"


# ----- The walkthrough -----


def test_written_profiles_carry_the_endpoint(demo_server):
    config = demo_server.config_file.read_text()
    for profile in ("[default]", "[profile prod-account]", "[profile dev-account]"):
        assert profile in config
    assert config.count(f"endpoint_url = {demo_server.endpoint}") == 3
    creds = demo_server.credentials_file.read_text()
    assert "[prod-account]" in creds and "[dev-account]" in creds


def test_step1_create_role(demo_cli):
    (demo_cli.workdir / "trust-policy.json").write_text(TRUST_POLICY)
    role = json.loads(demo_cli.bash(STEP1).stdout)["Role"]
    assert role["RoleName"] == "DevLogAccessRole"
    assert role["Arn"] == ROLE_ARN
    assert role["Description"] == "Allows Dev account to access logs"
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_POLICY)


def test_step2_put_role_policy(demo_cli):
    (demo_cli.workdir / "s3-access-policy.json").write_text(S3_ACCESS_POLICY)
    assert demo_cli.bash(STEP2).stdout.strip() == ""
    got = demo_cli.json(
        "iam", "get-role-policy", "--role-name", "DevLogAccessRole", "--policy-name", "S3LogAccess",
        profile="prod-account",
    )
    assert got["PolicyDocument"] == json.loads(S3_ACCESS_POLICY)


def test_step3_put_bucket_policy(demo_cli):
    (demo_cli.workdir / "bucket-policy.json").write_text(BUCKET_POLICY)
    assert demo_cli.bash(STEP3).stdout.strip() == ""
    got = demo_cli.json("s3api", "get-bucket-policy", "--bucket", "log-bucket", profile="prod-account")
    assert json.loads(got["Policy"]) == json.loads(BUCKET_POLICY)


def test_step4_assume_role_list_and_copy(demo_cli, prod_s3):
    proc = demo_cli.bash(STEP4)
    lines = proc.stdout.splitlines()
    listed = [line for line in lines if line.rstrip().endswith(" example.log")]
    assert len(listed) == 1, proc.stdout
    # `aws s3 ls` prints: date time size key
    assert listed[0].split()[-2:] == [str(len(EXAMPLE_LOG)), "example.log"], listed
    assert any(line.startswith("download: s3://log-bucket/example.log to ") for line in lines), proc.stdout

    out = json.loads((demo_cli.workdir / "assume-role-output.json").read_text())
    assert out["AssumedRoleUser"]["Arn"] == SESSION_ARN
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")

    downloaded = (demo_cli.workdir / "example.log").read_bytes()
    original = prod_s3.get_object(Bucket="log-bucket", Key="example.log")["Body"].read()
    assert original == EXAMPLE_LOG
    assert downloaded == original


# ----- The denials AWS would give in the same world -----


def test_session_cannot_put_object(demo_cli):
    c = session_creds(demo_cli)
    (demo_cli.workdir / "x.log").write_text("not allowed\n")
    proc = demo_cli.run(
        "s3api", "put-object", "--bucket", "log-bucket", "--key", "x.log", "--body", "x.log",
        check=False, env=creds_env(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]),
    )
    code, message = cli_error(proc)
    assert code == "AccessDenied"
    assert message == denied_message(
        "s3:PutObject", "arn:aws:s3:::log-bucket/x.log", NO_IDENTITY.format(action="s3:PutObject")
    )


def test_session_cannot_put_object_boto3(session_s3, prod_s3):
    with pytest.raises(ClientError) as exc:
        session_s3.put_object(Bucket="log-bucket", Key="x.log", Body=b"nope")
    assert error_of(exc) == (
        403,
        "AccessDenied",
        denied_message("s3:PutObject", "arn:aws:s3:::log-bucket/x.log", NO_IDENTITY.format(action="s3:PutObject")),
    )
    keys = [o["Key"] for o in prod_s3.list_objects_v2(Bucket="log-bucket").get("Contents", [])]
    assert keys == ["example.log"]


def test_session_cannot_delete_object(demo_cli, session_s3, prod_s3):
    c = session_creds(demo_cli)
    proc = demo_cli.run(
        "s3api", "delete-object", "--bucket", "log-bucket", "--key", "example.log",
        check=False, env=creds_env(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]),
    )
    code, message = cli_error(proc)
    assert code == "AccessDenied"
    expected = denied_message(
        "s3:DeleteObject", "arn:aws:s3:::log-bucket/example.log", NO_IDENTITY.format(action="s3:DeleteObject")
    )
    assert message == expected
    with pytest.raises(ClientError) as exc:
        session_s3.delete_object(Bucket="log-bucket", Key="example.log")
    assert error_of(exc) == (403, "AccessDenied", expected)
    assert prod_s3.get_object(Bucket="log-bucket", Key="example.log")["Body"].read() == EXAMPLE_LOG


def test_dev_user_without_the_role_cannot_list_the_bucket(demo_cli, demo_server):
    """The analyst's own key: cross-account, and the bucket grants only the role."""
    proc = demo_cli.run("s3", "ls", "s3://log-bucket", profile="dev-account", check=False)
    code, message = cli_error(proc)
    assert (code, message) == ("AccessDenied", "Access Denied")
    proc = demo_cli.run("s3api", "list-objects-v2", "--bucket", "log-bucket", profile="dev-account", check=False)
    assert cli_error(proc) == ("AccessDenied", "Access Denied")
    dev = boto3_client("s3", demo_server.endpoint, *demo_server.profile_key("dev-account"))
    with pytest.raises(ClientError) as exc:
        dev.get_object(Bucket="log-bucket", Key="example.log")
    assert error_of(exc) == (403, "AccessDenied", "Access Denied")


def test_third_account_user_cannot_assume_the_role(demo_cli, demo_server):
    third_iam = boto3_client("iam", demo_server.endpoint, THIRD.access_key_id, THIRD.secret_access_key)
    third_iam.create_user(UserName="carol")
    third_iam.put_user_policy(
        UserName="carol",
        PolicyName="AssumeProdRole",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}]}
        ),
    )
    key = third_iam.create_access_key(UserName="carol")["AccessKey"]
    proc = demo_cli.run(
        "sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "LogAnalysisSession",
        check=False, env=creds_env(key["AccessKeyId"], key["SecretAccessKey"]),
    )
    code, message = cli_error(proc)
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:iam::{THIRD.id}:user/carol is not authorized to perform: sts:AssumeRole on resource: "
        f"{ROLE_ARN} because no role trust policy allows the sts:AssumeRole action"
    )


# Same account (the role and the bucket are both prod's): an Allow in either the role's
# identity policy or the bucket policy is enough; with neither, access is denied.


def _remove_role_policy(prod_iam):
    prod_iam.delete_role_policy(RoleName="DevLogAccessRole", PolicyName="S3LogAccess")


def _restore_role_policy(prod_iam):
    prod_iam.put_role_policy(RoleName="DevLogAccessRole", PolicyName="S3LogAccess", PolicyDocument=S3_ACCESS_POLICY)


def _remove_bucket_policy(prod_s3):
    prod_s3.delete_bucket_policy(Bucket="log-bucket")


def _restore_bucket_policy(prod_s3):
    prod_s3.put_bucket_policy(Bucket="log-bucket", Policy=BUCKET_POLICY)


def _assert_session_reads(session_s3):
    listed = session_s3.list_objects_v2(Bucket="log-bucket")
    assert [o["Key"] for o in listed["Contents"]] == ["example.log"]
    assert session_s3.get_object(Bucket="log-bucket", Key="example.log")["Body"].read() == EXAMPLE_LOG


@pytest.mark.parametrize(
    "remove_role_policy, remove_bucket_policy",
    [(False, False), (True, False), (False, True), (True, True)],
    ids=["both-policies", "bucket-policy-only", "role-policy-only", "neither"],
)
def test_identity_or_bucket_policy_matrix(remove_role_policy, remove_bucket_policy, session_s3, prod_s3, prod_iam):
    if remove_role_policy:
        _remove_role_policy(prod_iam)
    if remove_bucket_policy:
        _remove_bucket_policy(prod_s3)
    try:
        if remove_role_policy and remove_bucket_policy:
            with pytest.raises(ClientError) as exc:
                session_s3.list_objects_v2(Bucket="log-bucket")
            assert error_of(exc) == (
                403,
                "AccessDenied",
                denied_message("s3:ListBucket", "arn:aws:s3:::log-bucket", NO_IDENTITY.format(action="s3:ListBucket")),
            )
            with pytest.raises(ClientError) as exc:
                session_s3.get_object(Bucket="log-bucket", Key="example.log")
            assert error_of(exc) == (
                403,
                "AccessDenied",
                denied_message(
                    "s3:GetObject", "arn:aws:s3:::log-bucket/example.log", NO_IDENTITY.format(action="s3:GetObject")
                ),
            )
        else:
            _assert_session_reads(session_s3)
    finally:
        if remove_role_policy:
            _restore_role_policy(prod_iam)
        if remove_bucket_policy:
            _restore_bucket_policy(prod_s3)
    _assert_session_reads(session_s3)


def test_explicit_deny_in_bucket_policy_beats_the_role_allow(session_s3, prod_s3):
    policy = json.loads(BUCKET_POLICY)
    policy["Statement"].append(
        {
            "Sid": "DenyDevRoleReads",
            "Effect": "Deny",
            "Principal": {"AWS": ROLE_ARN},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::log-bucket/*",
        }
    )
    prod_s3.put_bucket_policy(Bucket="log-bucket", Policy=json.dumps(policy))
    try:
        with pytest.raises(ClientError) as exc:
            session_s3.get_object(Bucket="log-bucket", Key="example.log")
        assert error_of(exc) == (
            403,
            "AccessDenied",
            denied_message("s3:GetObject", "arn:aws:s3:::log-bucket/example.log", EXPLICIT_DENY_RESOURCE),
        )
        # Listing is not denied.
        assert [o["Key"] for o in session_s3.list_objects_v2(Bucket="log-bucket")["Contents"]] == ["example.log"]
    finally:
        _restore_bucket_policy(prod_s3)
    _assert_session_reads(session_s3)


def test_anonymous_get_is_denied(demo_server):
    url = f"{demo_server.endpoint}/log-bucket/example.log"
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url, timeout=HTTP_TIMEOUT).read()
    assert exc.value.code == 403
    body = exc.value.read().decode()
    assert "<Code>AccessDenied</Code>" in body
    assert "<Message>Access Denied</Message>" in body
    # Anonymous listing too.
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{demo_server.endpoint}/log-bucket?list-type=2", timeout=HTTP_TIMEOUT).read()
    assert exc.value.code == 403
    assert "<Code>AccessDenied</Code>" in exc.value.read().decode()
