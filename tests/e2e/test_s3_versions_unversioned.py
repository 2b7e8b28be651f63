"""Object versions on buckets whose versioning was never enabled, as S3 answers them: every
object is its key's one version, `null`. Clean-up helpers (list every version, delete them,
delete the bucket) must work on such buckets, and the versioned actions are what IAM checks.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import PROD, REGION, boto3_client, err


@pytest.fixture(scope="module")
def endpoint(fresh_server):
    return fresh_server.endpoint


@pytest.fixture(scope="module")
def s3(endpoint):
    return boto3_client("s3", endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def bucket(s3):
    s3.create_bucket(Bucket="prod-versions")
    for key in ("a", "b/c", "b/d", "e"):
        s3.put_object(Bucket="prod-versions", Key=key, Body=key.encode())
    return "prod-versions"


def user_s3(endpoint, name: str, actions: list[str]):
    iam = boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key)
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3_client("s3", endpoint, key["AccessKeyId"], key["SecretAccessKey"])


def test_versioning_status_is_absent(s3, bucket):
    resp = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in resp and "MFADelete" not in resp


def test_every_object_is_its_null_version(s3, bucket):
    resp = s3.list_object_versions(Bucket=bucket)
    versions = resp["Versions"]
    assert [v["Key"] for v in versions] == ["a", "b/c", "b/d", "e"]
    for v in versions:
        assert v["VersionId"] == "null"
        assert v["IsLatest"] is True
        assert v["Size"] == len(v["Key"])
        assert v["StorageClass"] == "STANDARD"
        head = s3.head_object(Bucket=bucket, Key=v["Key"])
        assert v["ETag"] == head["ETag"]
    assert resp["IsTruncated"] is False
    assert "DeleteMarkers" not in resp


def test_paging_and_delimiter(s3, bucket):
    seen = []
    kwargs = {"Bucket": bucket, "MaxKeys": 1}
    while True:
        resp = s3.list_object_versions(**kwargs)
        seen += [v["Key"] for v in resp.get("Versions", [])]
        if not resp["IsTruncated"]:
            break
        assert resp["NextVersionIdMarker"] == "null"
        kwargs.update(KeyMarker=resp["NextKeyMarker"], VersionIdMarker=resp["NextVersionIdMarker"])
    assert seen == ["a", "b/c", "b/d", "e"]

    resp = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [v["Key"] for v in resp["Versions"]] == ["a", "e"]
    assert [p["Prefix"] for p in resp["CommonPrefixes"]] == ["b/"]
    resp = s3.list_object_versions(Bucket=bucket, Prefix="b/", KeyMarker="b/c")
    assert [v["Key"] for v in resp["Versions"]] == ["b/d"]


def test_marker_errors(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="null")
    assert err(exc) == (400, "InvalidArgument", "A version-id marker cannot be specified without a key marker.")
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker="3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
    assert err(exc) == (400, "InvalidArgument", "Invalid version id specified")


def test_reads_and_deletes_by_version_id(s3, bucket):
    s3.put_object(Bucket=bucket, Key="by-version", Body=b"v")
    got = s3.get_object(Bucket=bucket, Key="by-version", VersionId="null")
    assert got["Body"].read() == b"v" and got["VersionId"] == "null"
    assert s3.head_object(Bucket=bucket, Key="by-version", VersionId="null")["VersionId"] == "null"
    for call in (s3.get_object, s3.delete_object):
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, Key="by-version", VersionId="3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
        assert err(exc)[:2] == (400, "InvalidArgument")
    assert s3.delete_object(Bucket=bucket, Key="by-version", VersionId="null")["VersionId"] == "null"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="by-version")
    assert err(exc)[0] == 404


def test_the_versioned_actions_are_what_iam_checks(endpoint, s3, bucket):
    plain = user_s3(endpoint, "plain-reader", ["s3:GetObject", "s3:ListBucket", "s3:DeleteObject"])
    assert plain.get_object(Bucket=bucket, Key="a")["Body"].read() == b"a"
    for call in (
        lambda: plain.get_object(Bucket=bucket, Key="a", VersionId="null"),
        lambda: plain.list_object_versions(Bucket=bucket),
        lambda: plain.delete_object(Bucket=bucket, Key="a", VersionId="null"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert err(exc)[:2] == (403, "AccessDenied")
    versioned = user_s3(endpoint, "version-reader", ["s3:GetObjectVersion", "s3:ListBucketVersions"])
    assert versioned.get_object(Bucket=bucket, Key="a", VersionId="null")["Body"].read() == b"a"
    assert len(versioned.list_object_versions(Bucket=bucket)["Versions"]) >= 4


def test_the_boto3_clean_up_idiom_empties_and_deletes_a_bucket(endpoint, s3):
    s3.create_bucket(Bucket="prod-cleanup")
    for i in range(5):
        s3.put_object(Bucket="prod-cleanup", Key=f"k{i}", Body=b"x")
    resource = boto3.resource(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=PROD.access_key_id,
        aws_secret_access_key=PROD.secret_access_key,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    resource.Bucket("prod-cleanup").object_versions.delete()
    assert "Contents" not in s3.list_objects_v2(Bucket="prod-cleanup")
    s3.delete_bucket(Bucket="prod-cleanup")
