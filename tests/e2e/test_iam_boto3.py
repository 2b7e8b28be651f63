"""IAM and STS through boto3: botocore must parse every response into the documented shape
(including the URL-encoded policy documents it decodes into dicts), and every error must carry
AWS's code, message and HTTP status."""

from __future__ import annotations

import json
from datetime import datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import PROD, REGION

TRUST_ANY_PROD = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sts:AssumeRole",
            # '%' and '+' survive only if IAM URL-encodes the document as AWS does
            # (botocore percent-decodes it before parsing the JSON).
            "Condition": {"StringEquals": {"sts:ExternalId": "a%41b+c d&e"}},
        }
    ],
}

READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}],
}


def client(server, service: str, key: str, secret: str, token: str | None = None):
    session = boto3.session.Session(
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=REGION,
    )
    return session.client(
        service,
        endpoint_url=server.endpoint,
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


@pytest.fixture(scope="module")
def iam(server):
    return client(server, "iam", PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def sts(server):
    return client(server, "sts", PROD.access_key_id, PROD.secret_access_key)


def error_of(excinfo) -> tuple[str, str, int]:
    e = excinfo.value
    return (
        e.response["Error"]["Code"],
        e.response["Error"]["Message"],
        e.response["ResponseMetadata"]["HTTPStatusCode"],
    )


def user_client(server, iam, unique, service="iam", policy: dict | None = None):
    """A new IAM user of prod (with `policy` inline, if given) and a client signed by its key."""
    name = unique("u")
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="Inline", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, client(server, service, key["AccessKeyId"], key["SecretAccessKey"])


# ---------------------------------------------------------------- response shapes


def test_create_get_list_users(iam, unique):
    name = unique("user")
    created = iam.create_user(UserName=name, Path="/e2e/", Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert created["UserName"] == name
    assert created["Path"] == "/e2e/"
    assert created["Arn"] == f"arn:aws:iam::111111111111:user/e2e/{name}"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    assert isinstance(created["CreateDate"], datetime)
    assert created["Tags"] == [{"Key": "team", "Value": "blue"}]

    got = iam.get_user(UserName=name)["User"]
    for field in ("UserName", "Path", "Arn", "UserId", "CreateDate"):
        assert got[field] == created[field], field
    assert got["Tags"] == [{"Key": "team", "Value": "blue"}]

    listed = iam.list_users(PathPrefix="/e2e/")
    assert listed["IsTruncated"] is False
    assert name in [u["UserName"] for u in listed["Users"]]
    assert all(u["Path"].startswith("/e2e/") for u in listed["Users"])


def test_get_user_without_name_is_the_caller(iam):
    me = iam.get_user()["User"]
    assert me["Arn"] == "arn:aws:iam::111111111111:root"
    assert me["UserId"] == PROD.id


def test_list_users_pagination(iam, unique):
    path = f"/{unique('page')}/"
    names = sorted(unique("p") for _ in range(3))
    for n in names:
        iam.create_user(UserName=n, Path=path)
    first = iam.list_users(PathPrefix=path, MaxItems=2)
    assert first["IsTruncated"] is True and first["Marker"]
    second = iam.list_users(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert second["IsTruncated"] is False
    seen = [u["UserName"] for u in first["Users"] + second["Users"]]
    assert sorted(seen) == names
    paged = [u["UserName"] for page in iam.get_paginator("list_users").paginate(PathPrefix=path, PaginationConfig={"PageSize": 1}) for u in page["Users"]]
    assert sorted(paged) == names


def test_create_get_role_decodes_trust_policy(iam, unique):
    name = unique("role")
    created = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(TRUST_ANY_PROD),
        Description="e2e role",
        MaxSessionDuration=7200,
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::111111111111:role/{name}"
    assert created["RoleId"].startswith("AROA")
    assert isinstance(created["AssumeRolePolicyDocument"], dict)
    assert created["AssumeRolePolicyDocument"] == TRUST_ANY_PROD

    got = iam.get_role(RoleName=name)["Role"]
    assert isinstance(got["AssumeRolePolicyDocument"], dict)
    assert got["AssumeRolePolicyDocument"] == TRUST_ANY_PROD
    assert got["Description"] == "e2e role"
    assert got["MaxSessionDuration"] == 7200
    assert isinstance(got["CreateDate"], datetime)
    assert name in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_role_inline_policy_document_is_a_dict(iam, unique):
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ANY_PROD))
    iam.put_role_policy(RoleName=name, PolicyName="Read", PolicyDocument=json.dumps(READ_ONLY))
    got = iam.get_role_policy(RoleName=name, PolicyName="Read")
    assert got["RoleName"] == name
    assert got["PolicyName"] == "Read"
    assert isinstance(got["PolicyDocument"], dict)
    assert got["PolicyDocument"] == READ_ONLY
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["Read"]


def test_list_policies_aws_scope_has_administrator_access(iam):
    arns = {}
    for page in iam.get_paginator("list_policies").paginate(Scope="AWS"):
        for p in page["Policies"]:
            arns[p["PolicyName"]] = p
    admin = arns.get("AdministratorAccess")
    assert admin is not None, f"AdministratorAccess not in {len(arns)} AWS-managed policies"
    assert admin["Arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert admin["IsAttachable"] is True
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in arns.values())
    version = iam.get_policy_version(PolicyArn=admin["Arn"], VersionId=admin["DefaultVersionId"])["PolicyVersion"]
    assert version["Document"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


def test_managed_policy_versions(iam, unique):
    name = unique("pol")
    policy = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(READ_ONLY), Description="e2e")["Policy"]
    arn = f"arn:aws:iam::111111111111:policy/{name}"
    assert policy["Arn"] == arn
    assert policy["PolicyName"] == name
    assert policy["PolicyId"].startswith("ANPA")
    assert policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0
    assert policy["IsAttachable"] is True
    assert isinstance(policy["CreateDate"], datetime)

    v2_doc = {**READ_ONLY, "Statement": [{**READ_ONLY["Statement"][0], "Action": "iam:Get*"}]}
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2_doc), SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2"
    assert v2["IsDefaultVersion"] is True

    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert {v["VersionId"]: v["IsDefaultVersion"] for v in versions} == {"v1": False, "v2": True}
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert isinstance(got["Document"], dict)
    assert got["Document"] == READ_ONLY
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]


def test_access_key_and_last_used(server, iam, unique):
    name = unique("keyuser")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    assert key["UserName"] == name
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40
    assert key["Status"] == "Active"
    assert isinstance(key["CreateDate"], datetime)

    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed[0]

    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert never["UserName"] == name
    assert never["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert never["AccessKeyLastUsed"]["Region"] == "N/A"
    assert "LastUsedDate" not in never["AccessKeyLastUsed"]

    # Using the key (even for a denied call) records it.
    user_iam = client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError):
        user_iam.list_users()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "iam"
    assert used["Region"] == REGION
    assert isinstance(used["LastUsedDate"], datetime)


def test_caller_identity_of_user_and_session(server, iam, sts, unique):
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::111111111111:root"
    name, user_sts = user_client(server, iam, unique, service="sts")
    ident = user_sts.get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::111111111111:user/{name}"
    assert ident["Account"] == PROD.id
    assert ident["UserId"] == iam.get_user(UserName=name)["User"]["UserId"]


def test_assume_role_same_account(server, iam, unique):
    role = unique("role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=role, PolicyName="Read", PolicyDocument=json.dumps(READ_ONLY))
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::111111111111:role/{role}"}],
    }
    _, user_sts = user_client(server, iam, unique, service="sts", policy=allow)
    out = user_sts.assume_role(RoleArn=f"arn:aws:iam::111111111111:role/{role}", RoleSessionName="s1", DurationSeconds=900)
    creds = out["Credentials"]
    assert isinstance(creds["Expiration"], datetime)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::111111111111:assumed-role/{role}/s1"
    session_iam = client(server, "iam", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert role in [r["RoleName"] for r in session_iam.list_roles()["Roles"]]
    with pytest.raises(ClientError) as e:
        session_iam.create_user(UserName=unique("nope"))
    code, message, status = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:sts::111111111111:assumed-role/{role}/s1 is not authorized to perform: iam:CreateUser on resource: ")


# ---------------------------------------------------------------- errors


def test_no_such_entity_404(iam, unique):
    missing = unique("ghost")
    with pytest.raises(ClientError) as e:
        iam.get_user(UserName=missing)
    assert error_of(e) == ("NoSuchEntity", f"The user with name {missing} cannot be found.", 404)
    with pytest.raises(ClientError) as e:
        iam.get_role(RoleName=missing)
    assert error_of(e) == ("NoSuchEntity", f"The role with name {missing} cannot be found.", 404)
    with pytest.raises(ClientError) as e:
        iam.get_policy(PolicyArn=f"arn:aws:iam::111111111111:policy/{missing}")
    code, message, status = error_of(e)
    assert (code, status) == ("NoSuchEntity", 404)
    assert message == f"Policy arn:aws:iam::111111111111:policy/{missing} was not found."
    name = unique("user")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as e:
        iam.attach_user_policy(UserName=name, PolicyArn=f"arn:aws:iam::111111111111:policy/{missing}")
    assert error_of(e) == (
        "NoSuchEntity",
        f"Policy arn:aws:iam::111111111111:policy/{missing} does not exist or is not attachable.",
        404,
    )
    with pytest.raises(ClientError) as e:
        iam.get_user_policy(UserName=name, PolicyName="Nope")
    assert error_of(e) == ("NoSuchEntity", f"The user policy with name Nope cannot be found.", 404)


def test_entity_already_exists_409(iam, unique):
    name = unique("dup")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as e:
        iam.create_user(UserName=name)
    assert error_of(e) == ("EntityAlreadyExists", f"User with name {name} already exists.", 409)
    # IAM names are case-insensitive.
    with pytest.raises(ClientError) as e:
        iam.create_user(UserName=name.upper())
    assert error_of(e)[0::2] == ("EntityAlreadyExists", 409)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ANY_PROD))
    with pytest.raises(ClientError) as e:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ANY_PROD))
    assert error_of(e) == ("EntityAlreadyExists", f"Role with name {name} already exists.", 409)


def test_malformed_policy_document_400(iam, unique):
    name = unique("user")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as e:
        iam.put_user_policy(UserName=name, PolicyName="Bad", PolicyDocument='{"Version": "2012-10-17", "Statement": [')
    assert error_of(e) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    bad_effect = {"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Action": "s3:*", "Resource": "*"}]}
    with pytest.raises(ClientError) as e:
        iam.put_user_policy(UserName=name, PolicyName="Bad", PolicyDocument=json.dumps(bad_effect))
    code, _, status = error_of(e)
    assert (code, status) == ("MalformedPolicyDocument", 400)
    # A trust policy may not name a Resource.
    with pytest.raises(ClientError) as e:
        iam.create_role(
            RoleName=unique("role"),
            AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole", "Resource": "*"}]}
            ),
        )
    assert error_of(e) == ("MalformedPolicyDocument", "Has prohibited field Resource", 400)
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == []


def test_limit_exceeded_409(iam, unique):
    name = unique("pol")
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(READ_ONLY))["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ_ONLY))
    with pytest.raises(ClientError) as e:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ_ONLY))
    assert error_of(e) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        409,
    )
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5


def test_delete_conflict_409(iam, unique):
    name = unique("user")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    with pytest.raises(ClientError) as e:
        iam.delete_user(UserName=name)
    assert error_of(e) == ("DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.get_user(UserName=name)


def test_access_denied_403(server, iam, unique):
    name, user_iam = user_client(server, iam, unique)
    other = unique("other")
    iam.create_user(UserName=other)
    with pytest.raises(ClientError) as e:
        user_iam.get_user(UserName=other)
    code, message, status = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(
        f"User: arn:aws:iam::111111111111:user/{name} is not authorized to perform: iam:GetUser on resource: "
    ), message
    assert message.endswith("because no identity-based policy allows the iam:GetUser action"), message
    # An explicit deny says so.
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="DenyAll", PolicyDocument=json.dumps(deny))
    with pytest.raises(ClientError) as e:
        user_iam.list_users()
    code, message, status = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("with an explicit deny in an identity-based policy"), message


def test_read_only_user_can_read_but_not_write(server, iam, unique):
    _, user_iam = user_client(server, iam, unique, policy=READ_ONLY)
    assert isinstance(user_iam.list_users()["Users"], list)
    with pytest.raises(ClientError) as e:
        user_iam.create_user(UserName=unique("nope"))
    assert error_of(e)[0::2] == ("AccessDenied", 403)


def test_validation_error_400(iam, sts, unique):
    too_long = "a" * 65
    with pytest.raises(ClientError) as e:
        iam.create_user(UserName=too_long)
    code, message, status = error_of(e)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        f"1 validation error detected: Value '{too_long}' at 'userName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64"
    )
    with pytest.raises(ClientError) as e:
        iam.create_user(UserName="bad name!")
    code, message, status = error_of(e)
    assert (code, status) == ("ValidationError", 400)
    assert "at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern" in message
    with pytest.raises(ClientError) as e:
        iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=json.dumps(TRUST_ANY_PROD), MaxSessionDuration=100000)
    code, message, status = error_of(e)
    assert (code, status) == ("ValidationError", 400)
    assert "maxSessionDuration" in message
    # Root may not assume roles.
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/whatever-role", RoleSessionName="root-session")
    code, message, status = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert message == "Roles may not be assumed by root accounts."
    assert not [u for u in iam.list_users()["Users"] if u["UserName"] in (too_long, "bad name!")]


def test_concurrent_creates_of_one_name(server, iam, unique):
    """Racing CreateUser calls for one name: exactly one wins, the others get
    EntityAlreadyExists; distinct names all succeed."""
    from concurrent.futures import ThreadPoolExecutor

    name = unique("race")
    clients = [client(server, "iam", PROD.access_key_id, PROD.secret_access_key) for _ in range(8)]

    def create(c, n):
        try:
            c.create_user(UserName=n)
            return "ok"
        except ClientError as e:
            return e.response["Error"]["Code"]

    with ThreadPoolExecutor(8) as pool:
        same = list(pool.map(create, clients, [name] * 8))
        distinct_names = [unique("par") for _ in range(8)]
        distinct = list(pool.map(create, clients, distinct_names))
    assert sorted(same) == ["EntityAlreadyExists"] * 7 + ["ok"]
    assert distinct == ["ok"] * 8
    listed = {u["UserName"] for u in iam.list_users(MaxItems=1000)["Users"]}
    assert name in listed and set(distinct_names) <= listed
