"""Bad input over raw HTTP: every malformed, oversized, unsigned, stale or forged request gets
AWS's error (code, HTTP status, message) in the query protocol's XML envelope, quickly, and
changes nothing.

Requests are built by hand (urllib) and signed with botocore's SigV4Auth, so the tests control
every byte; every request has a timeout so nothing can hang the suite.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from conftest import HTTP_TIMEOUT, PROD, REGION

FORM = "application/x-www-form-urlencoded; charset=utf-8"
IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"
AMZ_DATE = r"\d{8}T\d{6}Z"


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def error(self) -> dict:
        """The fields of an `<ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>`."""
        try:
            root = ET.fromstring(self.body)
        except ET.ParseError as e:
            raise AssertionError(f"HTTP {self.status}: not an XML error response ({e}): {self.text()[:500]!r}")
        strip = lambda tag: tag.rsplit("}", 1)[-1]  # noqa: E731
        assert strip(root.tag) == "ErrorResponse", self.text()[:500]
        out = {}
        for child in root:
            if strip(child.tag) == "Error":
                for field in child:
                    out[strip(field.tag)] = field.text or ""
            else:
                out[strip(child.tag)] = child.text or ""
        return out


def send(url: str, body: bytes | None, headers: dict, method: str = "POST") -> Reply:
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
            return Reply(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, dict(e.headers), e.read())


def sign(
    endpoint: str,
    body: bytes,
    *,
    key: str = PROD.access_key_id,
    secret: str = PROD.secret_access_key,
    token: str | None = None,
    service: str = "iam",
    when: dt.datetime | None = None,
    content_type: str = FORM,
) -> dict:
    """SigV4 headers for a POST of `body` to `endpoint`, dated `when` (default: now)."""
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={"Content-Type": content_type})
    signer = SigV4Auth(Credentials(key, secret, token), service, REGION)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
            signer.add_auth(request)
    return dict(request.headers.items())


def call(server, params: dict | bytes, *, service: str = "iam", **kw) -> Reply:
    """A signed query-protocol request (form body) from `params`, or exactly the bytes given."""
    if isinstance(params, dict):
        version = IAM_VERSION if service == "iam" else STS_VERSION
        body = urllib.parse.urlencode({"Version": version, **params}).encode()
    else:
        body = params
    headers = sign(server.endpoint, body, service=service, **kw)
    return send(server.endpoint + "/", body, headers)


@pytest.fixture(scope="module")
def iam(server):
    return boto3.session.Session(
        aws_access_key_id=PROD.access_key_id,
        aws_secret_access_key=PROD.secret_access_key,
        region_name=REGION,
    ).client(
        "iam",
        endpoint_url=server.endpoint,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30),
    )


def snapshot(iam) -> dict:
    """What a failed write must leave as it was: the account's users, roles, groups and
    customer-managed policies, and each user's inline policies."""
    users = sorted(u["UserName"] for u in iam.list_users(MaxItems=1000)["Users"])
    return {
        "users": users,
        "roles": sorted(r["RoleName"] for r in iam.list_roles(MaxItems=1000)["Roles"]),
        "groups": sorted(g["GroupName"] for g in iam.list_groups(MaxItems=1000)["Groups"]),
        "policies": sorted(p["Arn"] for p in iam.list_policies(Scope="Local", MaxItems=1000)["Policies"]),
        "user_policies": {u: iam.list_user_policies(UserName=u)["PolicyNames"] for u in users},
    }


@pytest.fixture
def unchanged(iam):
    """Asserts, after the test, that the account is exactly as before it."""
    before = snapshot(iam)
    yield
    assert snapshot(iam) == before


def assert_error(reply: Reply, status: int, code: str, message: str | None = None, pattern: str | None = None) -> dict:
    err = reply.error()
    assert (reply.status, err.get("Code")) == (status, code), f"{reply.status} {err}"
    assert err.get("Type") == ("Receiver" if status >= 500 else "Sender"), err
    assert err.get("RequestId"), err
    if message is not None:
        assert err.get("Message") == message, err
    if pattern is not None:
        assert re.fullmatch(pattern, err.get("Message", "")), err
    assert reply.headers.get("Content-Type", reply.headers.get("content-type", "")).startswith("text/xml"), reply.headers
    return err


# ---------------------------------------------------------------- the control


def test_signed_raw_request_works(server):
    reply = call(server, {"Action": "ListUsers"})
    assert reply.status == 200, reply.text()
    assert b"<ListUsersResponse" in reply.body
    reply = call(server, {"Action": "GetCallerIdentity"}, service="sts")
    assert reply.status == 200, reply.text()
    assert b"<Arn>arn:aws:iam::111111111111:root</Arn>" in reply.body


# ---------------------------------------------------------------- malformed requests


@pytest.mark.parametrize(
    "body",
    [
        # Not a form at all.
        b'{"Action": "CreateUser", "UserName": "json-user"}',
        # Binary garbage with NULs and invalid UTF-8.
        b"\x00\xff\xfe\x80garbage\x00=\x01&&&==",
        # Only separators.
        b"&&&===&",
    ],
    ids=["json", "binary", "separators"],
)
def test_malformed_form_body(server, unchanged, body):
    reply = call(server, body)
    assert 400 <= reply.status < 500, (reply.status, reply.text())
    err = reply.error()
    assert err.get("Type") == "Sender", err
    assert err.get("Code"), err


def test_bad_percent_escapes_and_bytes_in_a_name(server, unchanged):
    # Broken escapes and a non-UTF-8 byte in the user name: not a valid name, so no user.
    body = f"Action=CreateUser&Version={IAM_VERSION}&UserName=ab%ZZc%FFd%".encode()
    reply = call(server, body)
    assert_error(reply, 400, "ValidationError")


def test_unknown_action(server, unchanged):
    reply = call(server, {"Action": "FrobnicateUsers"})
    assert_error(reply, 400, "InvalidAction", f"Could not find operation FrobnicateUsers for version {IAM_VERSION}")
    reply = call(server, {"Action": "FrobnicateSessions"}, service="sts")
    assert_error(reply, 400, "InvalidAction", f"Could not find operation FrobnicateSessions for version {STS_VERSION}")


def test_missing_action(server, unchanged):
    reply = call(server, {"UserName": "no-action-user"})
    assert_error(reply, 400, "MissingAction")


def test_missing_required_parameter(server, unchanged):
    reply = call(server, {"Action": "CreateUser"})
    assert_error(reply, 400, "MissingParameter", "The request must contain the parameter UserName")
    reply = call(server, {"Action": "PutUserPolicy", "UserName": "x", "PolicyName": "p"})
    assert_error(reply, 400, "MissingParameter", "The request must contain the parameter PolicyDocument")
    reply = call(server, {"Action": "AssumeRole", "RoleArn": "arn:aws:iam::111111111111:role/r"}, service="sts")
    assert_error(reply, 400, "MissingParameter", "The request must contain the parameter RoleSessionName")


NAME_PATTERN = r"[\w+=,.@-]+"


@pytest.mark.parametrize(
    "params, field, constraint",
    [
        ({"Action": "GetUser", "UserName": "bad name!"}, "userName", f"Member must satisfy regular expression pattern: {NAME_PATTERN}"),
        ({"Action": "GetUser", "UserName": "n" * 129}, "userName", "Member must have length less than or equal to 128"),
        ({"Action": "DeleteUser", "UserName": "n" * 129}, "userName", "Member must have length less than or equal to 128"),
        ({"Action": "GetRole", "RoleName": "r" * 65}, "roleName", "Member must have length less than or equal to 64"),
        (
            {"Action": "PutUserPolicy", "UserName": "no-such-user-here", "PolicyName": "bad name!", "PolicyDocument": "{}"},
            "policyName",
            f"Member must satisfy regular expression pattern: {NAME_PATTERN}",
        ),
        (
            {"Action": "PutUserPolicy", "UserName": "no-such-user-here", "PolicyName": "p", "PolicyDocument": ""},
            "policyDocument",
            "Member must have length greater than or equal to 1",
        ),
    ],
    ids=["get-user-pattern", "get-user-length", "delete-user-length", "get-role-length", "policy-name-no-user", "empty-doc-no-user"],
)
def test_parameter_constraints_are_checked_before_lookup(server, unchanged, params, field, constraint):
    """AWS validates every modelled parameter constraint before it looks anything up, so an
    invalid name is a ValidationError, never NoSuchEntity."""
    value = next(v for k, v in params.items() if k[0].lower() + k[1:] == field)
    reply = call(server, params)
    assert_error(
        reply,
        400,
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}",
    )


def test_oversized_body_is_413(server, unchanged):
    # A signed, otherwise valid CreateUser whose body is just over 1 MiB.
    prefix = f"Action=CreateUser&Version={IAM_VERSION}&UserName=huge-user&Path=/".encode()
    body = prefix + b"a" * (1024 * 1024 + 1 - len(prefix) - 1) + b"/"
    assert len(body) == 1024 * 1024 + 1
    try:
        reply = call(server, body)
    except (ConnectionError, http.client.HTTPException, urllib.error.URLError, socket.timeout) as e:
        pytest.fail(f"no HTTP answer to an oversized body: {e!r}")
    assert_error(reply, 413, "RequestEntityTooLarge")
    # The server is still fine afterwards.
    assert call(server, {"Action": "ListUsers"}).status == 200


def test_body_of_exactly_one_mib_is_accepted(server, unchanged):
    prefix = f"Action=ListUsers&Version={IAM_VERSION}&PathPrefix=/".encode()
    body = prefix + b"a" * (1024 * 1024 - len(prefix) - 1) + b"/"
    assert len(body) == 1024 * 1024
    reply = call(server, body)
    # A path prefix longer than 512 characters is a validation error, but the body was read.
    assert reply.status in (200, 400), reply.text()[:300]
    if reply.status == 400:
        assert reply.error()["Code"] == "ValidationError"


@pytest.fixture(scope="module")
def victim(iam):
    """A user whose inline policies the malformed writes aim at."""
    name = "bad-input-victim"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="Keep",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        ),
    )
    return name


@pytest.mark.parametrize(
    "document",
    [
        '{"Version": "2012-10-17", "Statement": [',
        "not json at all",
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",}]}',
        "",
    ],
    ids=["truncated", "text", "trailing-comma", "empty"],
)
def test_invalid_json_policy_document(server, iam, victim, unchanged, document):
    reply = call(server, {"Action": "PutUserPolicy", "UserName": victim, "PolicyName": "Keep", "PolicyDocument": document})
    if document == "":
        # An empty document violates the modelled minimum length (1) before it is parsed.
        assert_error(
            reply,
            400,
            "ValidationError",
            "1 validation error detected: Value '' at 'policyDocument' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        )
    else:
        assert_error(reply, 400, "MalformedPolicyDocument", "Syntax errors in policy.")
    kept = iam.get_user_policy(UserName=victim, PolicyName="Keep")["PolicyDocument"]
    assert kept["Statement"][0]["Action"] == "s3:GetObject"


def test_invalid_json_in_create_calls_creates_nothing(server, unchanged):
    bad = '{"Version": "2012-10-17", "Statement": ['
    reply = call(server, {"Action": "CreatePolicy", "PolicyName": "never-created", "PolicyDocument": bad})
    assert_error(reply, 400, "MalformedPolicyDocument", "Syntax errors in policy.")
    reply = call(server, {"Action": "CreateRole", "RoleName": "never-created", "AssumeRolePolicyDocument": bad})
    assert_error(reply, 400, "MalformedPolicyDocument", "Syntax errors in policy.")


# ---------------------------------------------------------------- authentication


def test_unsigned_request(server, unchanged):
    body = urllib.parse.urlencode({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": "unsigned-user"}).encode()
    reply = send(server.endpoint + "/", body, {"Content-Type": FORM})
    assert_error(reply, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    reply = send(server.endpoint + "/?Action=GetCallerIdentity&Version=2011-06-15", None, {}, method="GET")
    assert_error(reply, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")


def test_tampered_body_after_signing(server, unchanged):
    body = urllib.parse.urlencode({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": "tampered-a"}).encode()
    headers = sign(server.endpoint, body)
    reply = send(server.endpoint + "/", body.replace(b"tampered-a", b"tampered-b"), headers)
    err = assert_error(reply, 403, "SignatureDoesNotMatch")
    assert err["Message"].startswith("The request signature we calculated does not match the signature you provided.")


@pytest.mark.parametrize(
    "when",
    [
        dt.timedelta(minutes=-16),
        dt.timedelta(days=-1),
        dt.datetime(2001, 1, 1, 12, 0, 0),
    ],
    ids=["16-minutes-ago", "yesterday", "year-2001"],
)
def test_expired_date(server, unchanged, when):
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    stamp = now + when if isinstance(when, dt.timedelta) else when
    body = urllib.parse.urlencode({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": "stale-user"}).encode()
    reply = call(server, body, when=stamp)
    err = assert_error(reply, 403, "SignatureDoesNotMatch")
    assert re.fullmatch(
        rf"Signature expired: ({AMZ_DATE}) is now earlier than ({AMZ_DATE}) \(({AMZ_DATE}) - 15 min\.\)",
        err["Message"],
    ), err["Message"]
    assert err["Message"].split()[2] == stamp.strftime("%Y%m%dT%H%M%SZ")


def test_future_date(server, unchanged):
    stamp = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(hours=2)
    body = urllib.parse.urlencode({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": "future-user"}).encode()
    reply = call(server, body, when=stamp)
    err = assert_error(reply, 403, "SignatureDoesNotMatch")
    assert re.fullmatch(
        rf"Signature not yet current: {AMZ_DATE} is still later than {AMZ_DATE} \({AMZ_DATE} \+ 15 min\.\)",
        err["Message"],
    ), err["Message"]


def test_unknown_key_and_wrong_secret(server, unchanged):
    body = urllib.parse.urlencode({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": "forged-user"}).encode()
    reply = call(server, body, key="AKIAE2EUNKNOWNKEY999")
    assert_error(reply, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    reply = call(server, body, secret="z" * 40)
    assert_error(reply, 403, "SignatureDoesNotMatch")


@pytest.fixture(scope="module")
def session_creds(server):
    """Temporary credentials of prod's root (GetSessionToken), over raw HTTP."""
    reply = call(server, {"Action": "GetSessionToken", "DurationSeconds": "900"}, service="sts")
    assert reply.status == 200, reply.text()
    root = ET.fromstring(reply.body)
    found = {el.tag.rsplit("}", 1)[-1]: el.text for el in root.iter()}
    return found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"]


def _tamper(token: str, how: str) -> str:
    mid = len(token) // 2
    if how == "flip":
        c = token[mid]
        return token[:mid] + ("A" if c != "A" else "B") + token[mid + 1 :]
    if how == "truncate":
        return token[: len(token) - 8]
    if how == "append":
        return token + "AAAA"
    if how == "garbage":
        return "not-a-session-token"
    raise ValueError(how)


def test_valid_session_token_works(server, session_creds):
    key, secret, token = session_creds
    assert key.startswith("ASIA")
    reply = call(server, {"Action": "GetCallerIdentity"}, service="sts", key=key, secret=secret, token=token)
    assert reply.status == 200, reply.text()
    assert b"<Arn>arn:aws:iam::111111111111:root</Arn>" in reply.body


@pytest.mark.parametrize("how", ["flip", "truncate", "append", "garbage"])
def test_tampered_session_token(server, session_creds, unchanged, how):
    key, secret, token = session_creds
    bad = _tamper(token, how)
    for service, params in (
        ("sts", {"Action": "GetCallerIdentity"}),
        ("iam", {"Action": "CreateUser", "UserName": "token-forged-user"}),
    ):
        reply = call(server, params, service=service, key=key, secret=secret, token=bad)
        assert_error(reply, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")


def test_session_key_without_its_token(server, session_creds, unchanged):
    key, secret, _ = session_creds
    reply = call(server, {"Action": "GetCallerIdentity"}, service="sts", key=key, secret=secret)
    assert_error(reply, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")


def test_slow_or_empty_requests_do_not_hang(server):
    # A POST with no body and a GET with no query: answered, not waited on.
    reply = send(server.endpoint + "/", b"", {"Content-Type": FORM})
    assert reply.status in (400, 403), reply.text()
    reply.error()
    # An unsigned GET / is S3's anonymous ListBuckets, which S3 refuses with its own <Error>.
    reply = send(server.endpoint + "/", None, {}, method="GET")
    assert reply.status == 403, reply.text()
    assert b"<Error><Code>AccessDenied</Code>" in reply.body, reply.text()
