"""The AWS-managed policy catalog through boto3: every policy of the generated catalog is listed
with `Scope=AWS`, readable with GetPolicy / GetPolicyVersion exactly as shipped, attachable, and
enforced as its document says.

Ten policies are chosen at random (the seed is printed; set GATEHOUSE_TEST_SEED to replay one),
attached to fresh users, and each user's real S3 and IAM calls are compared with the decision a
plain reading of the document gives."""

from __future__ import annotations

import json
import os
import random
import re
import time

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, REPO, boto3_client

CATALOG = REPO / "crates" / "core" / "data" / "aws-managed-policies.tsv"


def catalog() -> dict[str, dict]:
    out = {}
    for line in CATALOG.read_text().splitlines():
        name, path, version, _created, _updated, document = line.split("\t")
        out[name] = {"path": path, "version": version, "document": json.loads(document)}
    return out


def arn_of(name: str, entry: dict) -> str:
    return f"arn:aws:iam::aws:policy{entry['path']}{name}"


@pytest.fixture(scope="module")
def iam(server):
    return boto3_client("iam", server.endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def probe_bucket(server, unique):
    """A prod bucket with one object, the S3 resource the probes read."""
    s3 = boto3_client("s3", server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    bucket = unique("managed-probe")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="probe.txt", Body=b"probe")
    return bucket


def test_scope_aws_lists_the_whole_catalog(iam):
    shipped = catalog()
    listed = {}
    for page in iam.get_paginator("list_policies").paginate(Scope="AWS"):
        for p in page["Policies"]:
            listed[p["PolicyName"]] = p
    assert len(listed) == len(shipped) > 1400
    for name, entry in shipped.items():
        got = listed[name]
        assert got["Arn"] == arn_of(name, entry)
        assert got["Path"] == entry["path"]
        assert got["DefaultVersionId"] == entry["version"]
        assert got["PolicyId"].startswith("ANPA") and len(got["PolicyId"]) == 21
        assert got["IsAttachable"] is True
    assert listed["AdministratorAccess"]["PolicyId"] == "ANPAIWMBCKSKIEE64ZLYK"
    ids = [p["PolicyId"] for p in listed.values()]
    assert len(set(ids)) == len(ids), "policy ids must be unique"
    service_roles = [p for p in listed.values() if p["Path"] == "/service-role/"]
    assert service_roles, "service-role policies are part of the catalog"
    only = iam.list_policies(Scope="AWS", PathPrefix="/job-function/")["Policies"]
    assert only and all(p["Path"] == "/job-function/" for p in only)


def test_get_policy_and_version_return_the_shipped_document(iam):
    shipped = catalog()
    for name in ("AmazonEC2ReadOnlyAccess", "AWSLambdaBasicExecutionRole", "AdministratorAccess"):
        entry = shipped[name]
        arn = arn_of(name, entry)
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        assert policy["PolicyName"] == name and policy["Arn"] == arn
        assert policy["DefaultVersionId"] == entry["version"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=entry["version"])["PolicyVersion"]
        assert version["IsDefaultVersion"] is True
        assert version["Document"] == entry["document"]
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        assert [v["VersionId"] for v in versions] == [entry["version"]]
    with pytest.raises(ClientError) as e:
        iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess", VersionId="v999")
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"
    with pytest.raises(ClientError) as e:
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/NoSuchManagedPolicyAnywhere")
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"


# ---------------------------------------------------------------- decisions


def _pattern(glob: str) -> re.Pattern:
    """An IAM wildcard (`*`, `?`) as a case-insensitive full-match regex."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob), re.I | re.S)


def _listed(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _matches(statement: dict, field: str, value: str, case_sensitive: bool = False) -> bool:
    positive, negative = field, "Not" + field
    if positive in statement:
        patterns = _listed(statement[positive])
        inverted = False
    else:
        patterns = _listed(statement[negative])
        inverted = True
    hit = any(
        (_pattern(p).fullmatch(value) if not case_sensitive else re.fullmatch(_pattern(p).pattern, value, re.S))
        for p in patterns
    )
    return hit != inverted


def expected_decision(document: dict, action: str, resource: str) -> str | None:
    """"allow"/"deny" as the document's statements read, or None when a statement that could apply
    has a condition (the probe cannot know the condition's answer, so it is not checked)."""
    statements = document["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    allowed = denied = False
    for st in statements:
        if not _matches(st, "Action", action):
            continue
        if not _matches(st, "Resource", resource, case_sensitive=True):
            continue
        if "Condition" in st:
            return None
        if st["Effect"] == "Deny":
            denied = True
        else:
            allowed = True
    return "allow" if allowed and not denied else "deny"


def _outcome(call) -> str:
    try:
        call()
        return "allow"
    except ClientError as e:
        code = e.response["Error"]["Code"]
        assert code == "AccessDenied", e.response["Error"]
        return "deny"


def _mentions(entry: dict, *services: str) -> bool:
    """Whether any statement's Action names one of `services` (or is `*`)."""
    statements = entry["document"]["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    actions = [a.lower() for st in statements for a in _listed(st.get("Action", []))]
    return any(a == "*" or a.split(":")[0] in services for a in actions)


def test_ten_random_policies_decide_as_their_documents(server, iam, unique, probe_bucket):
    shipped = catalog()
    seed = int(os.environ.get("GATEHOUSE_TEST_SEED", time.time_ns() % 1_000_000))
    print(f"GATEHOUSE_TEST_SEED={seed}")
    rng = random.Random(seed)
    names = sorted(shipped)
    # Half from policies that speak to S3 or IAM (so decisions go both ways), half from anywhere.
    relevant = [n for n in names if _mentions(shipped[n], "s3", "iam")]
    chosen = rng.sample(relevant, 5)
    chosen += rng.sample([n for n in names if n not in chosen], 5)

    def probes(group: str) -> dict:
        return {
        "s3:ListAllMyBuckets": ("arn:aws:s3:::*", lambda s3, iam_: s3.list_buckets()),
        "s3:GetObject": (
            f"arn:aws:s3:::{probe_bucket}/probe.txt",
            lambda s3, iam_: s3.get_object(Bucket=probe_bucket, Key="probe.txt")["Body"].read(),
        ),
        "s3:PutObject": (
            f"arn:aws:s3:::{probe_bucket}/written-by-probe",
            lambda s3, iam_: s3.put_object(Bucket=probe_bucket, Key="written-by-probe", Body=b"x"),
        ),
        "iam:ListRoles": ("arn:aws:iam::111111111111:role/", lambda s3, iam_: iam_.list_roles()),
        "iam:CreateGroup": (
            f"arn:aws:iam::111111111111:group/{group}",
            lambda s3, iam_: iam_.create_group(GroupName=group),
        ),
        }
    checked = {"allow": 0, "deny": 0}
    for name in chosen:
        entry = shipped[name]
        arn = arn_of(name, entry)
        user = unique("managed")
        iam.create_user(UserName=user)
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
        attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
        assert attached == [{"PolicyName": name, "PolicyArn": arn}]
        entities = iam.list_entities_for_policy(PolicyArn=arn)
        assert user in [u["UserName"] for u in entities["PolicyUsers"]], name
        assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] >= 1
        key = iam.create_access_key(UserName=user)["AccessKey"]
        s3 = boto3_client("s3", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
        user_iam = boto3_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
        for action, (resource, call) in probes(unique("probe-group")).items():
            want = expected_decision(entry["document"], action, resource)
            if want is None:
                continue
            got = _outcome(lambda: call(s3, user_iam))
            assert got == want, f"{name} ({arn}) on {action} {resource}: got {got}, document says {want}"
            checked[want] += 1
        iam.detach_user_policy(UserName=user, PolicyArn=arn)
        assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    print(f"policies {chosen}: decisions checked {checked}")
    assert checked["allow"] + checked["deny"] >= 25, checked
    assert checked["deny"] > 0, checked
