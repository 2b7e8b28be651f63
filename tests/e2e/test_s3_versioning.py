"""Versioned buckets with boto3 and the AWS CLI, as S3 answers them: version ids on every write,
noncurrent versions kept, delete markers, the `null` version of suspended buckets, paging
through versions, versioned tagging and copies, the versioned IAM actions, and the clean-up
routines test suites run between cases.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import PROD, REGION, boto3_client, err


@pytest.fixture(scope="module")
def endpoint(fresh_server):
    return fresh_server.endpoint


@pytest.fixture(scope="module")
def s3(endpoint):
    return boto3_client("s3", endpoint, PROD.access_key_id, PROD.secret_access_key)


def versioned_bucket(s3, name: str, status: str = "Enabled") -> str:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    return name


def body(s3, bucket: str, key: str, **kw) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def headers(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return exc.value.response["ResponseMetadata"]["HTTPHeaders"]


def all_versions(s3, bucket: str, **kw) -> tuple[list[dict], list[dict]]:
    resp = s3.list_object_versions(Bucket=bucket, **kw)
    return resp.get("Versions", []), resp.get("DeleteMarkers", [])


def test_versioning_status_moves_between_enabled_and_suspended(s3):
    s3.create_bucket(Bucket="vers-status")
    assert "Status" not in s3.get_bucket_versioning(Bucket="vers-status")
    s3.put_bucket_versioning(Bucket="vers-status", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="vers-status")["Status"] == "Enabled"
    s3.put_bucket_versioning(
        Bucket="vers-status", VersioningConfiguration={"Status": "Suspended", "MFADelete": "Disabled"}
    )
    resp = s3.get_bucket_versioning(Bucket="vers-status")
    assert (resp["Status"], resp["MFADelete"]) == ("Suspended", "Disabled")
    # Switching MFA Delete on needs an MFA this server cannot check; nothing changes.
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(
            Bucket="vers-status", VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
        )
    assert err(e)[:2] == (400, "InvalidRequest")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket="vers-status", VersioningConfiguration={"Status": "Off"})
    assert err(e)[:2] == (400, "MalformedXML")
    assert s3.get_bucket_versioning(Bucket="vers-status")["Status"] == "Suspended"


def test_versioned_round_trip(s3):
    b = versioned_bucket(s3, "vers-round-trip")
    v1 = s3.put_object(Bucket=b, Key="doc", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="doc", Body=b"two")["VersionId"]
    assert v1 != v2 and "null" not in (v1, v2)
    assert body(s3, b, "doc") == b"two"
    assert s3.get_object(Bucket=b, Key="doc")["VersionId"] == v2
    assert body(s3, b, "doc", VersionId=v1) == b"one"
    assert s3.head_object(Bucket=b, Key="doc", VersionId=v1)["ContentLength"] == 3

    versions, markers = all_versions(s3, b)
    assert [(v["VersionId"], v["IsLatest"], v["Size"]) for v in versions] == [(v2, True, 3), (v1, False, 3)]
    assert markers == []

    # A delete without a version id puts a delete marker on top.
    deleted = s3.delete_object(Bucket=b, Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=b, Key="doc")
    assert err(e)[:2] == (404, "NoSuchKey")
    assert headers(e)["x-amz-delete-marker"] == "true"
    assert headers(e)["x-amz-version-id"] == marker
    assert s3.list_objects_v2(Bucket=b).get("KeyCount") == 0
    assert body(s3, b, "doc", VersionId=v1) == b"one"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=b, Key="doc", VersionId=marker)
    assert err(e)[:2] == (405, "MethodNotAllowed")
    assert headers(e)["x-amz-delete-marker"] == "true"

    versions, markers = all_versions(s3, b)
    assert [(m["VersionId"], m["IsLatest"]) for m in markers] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(v2, False), (v1, False)]

    # Removing the marker brings the newest version back.
    removed = s3.delete_object(Bucket=b, Key="doc", VersionId=marker)
    assert (removed["DeleteMarker"], removed["VersionId"]) == (True, marker)
    assert body(s3, b, "doc") == b"two"

    # Removing the current version for good makes the one before it current.
    removed = s3.delete_object(Bucket=b, Key="doc", VersionId=v2)
    assert removed["VersionId"] == v2 and "DeleteMarker" not in removed
    assert body(s3, b, "doc") == b"one"
    versions, markers = all_versions(s3, b)
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(v1, True)] and markers == []


def test_missing_and_malformed_version_ids(s3):
    b = versioned_bucket(s3, "vers-missing")
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=b, Key="k", VersionId=v1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=b, Key="k", VersionId=v1)
    assert err(e)[:2] == (404, "NoSuchVersion")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=b, Key="k", VersionId="not-a-version")
    assert err(e)[0] == 400
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=b, Key="k", VersionId="not-a-version")
    assert err(e)[:2] == (400, "InvalidArgument")


def test_objects_from_before_versioning_are_the_null_version(s3):
    s3.create_bucket(Bucket="vers-legacy")
    s3.put_object(Bucket="vers-legacy", Key="old", Body=b"legacy")
    s3.put_bucket_versioning(Bucket="vers-legacy", VersioningConfiguration={"Status": "Enabled"})
    assert s3.head_object(Bucket="vers-legacy", Key="old")["VersionId"] == "null"
    new = s3.put_object(Bucket="vers-legacy", Key="old", Body=b"fresh")["VersionId"]
    versions, _ = all_versions(s3, "vers-legacy")
    assert [v["VersionId"] for v in versions] == [new, "null"]
    assert body(s3, "vers-legacy", "old", VersionId="null") == b"legacy"


def test_suspended_buckets_replace_the_null_version(s3):
    b = versioned_bucket(s3, "vers-suspended")
    kept = s3.put_object(Bucket=b, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    # A write of the null version does not name it; reads do.
    assert "VersionId" not in s3.put_object(Bucket=b, Key="k", Body=b"null-1")
    assert s3.head_object(Bucket=b, Key="k")["VersionId"] == "null"
    s3.put_object(Bucket=b, Key="k", Body=b"null-2")
    versions, _ = all_versions(s3, b)
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert body(s3, b, "k") == b"null-2"

    deleted = s3.delete_object(Bucket=b, Key="k")
    assert (deleted["DeleteMarker"], deleted["VersionId"]) == (True, "null")
    versions, markers = all_versions(s3, b)
    # The null object gave way to a null delete marker; the enabled-era version stays.
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(kept, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in markers] == [("null", True)]
    assert body(s3, b, "k", VersionId=kept) == b"kept"


def test_paging_through_versions_with_markers(s3):
    b = versioned_bucket(s3, "vers-paging")
    expected = []
    for key in ("a", "b/1", "b/2", "c"):
        ids = [s3.put_object(Bucket=b, Key=key, Body=f"{key}{n}".encode())["VersionId"] for n in range(3)]
        expected += [(key, i) for i in reversed(ids)]
    s3.delete_object(Bucket=b, Key="c")

    full_versions, full_markers = all_versions(s3, b)
    assert [(v["Key"], v["VersionId"]) for v in full_versions] == expected
    assert len(full_markers) == 1

    seen, kw = [], {}
    while True:
        resp = s3.list_object_versions(Bucket=b, MaxKeys=2, **kw)
        page = resp.get("Versions", []) + resp.get("DeleteMarkers", [])
        assert len(page) <= 2
        seen += [(v["Key"], v["VersionId"]) for v in page]
        if not resp["IsTruncated"]:
            break
        kw = {"KeyMarker": resp["NextKeyMarker"], "VersionIdMarker": resp["NextVersionIdMarker"]}
    assert sorted(seen) == sorted(expected + [("c", full_markers[0]["VersionId"])])
    assert len(seen) == len(set(seen))

    # The paginator, a delimiter and a prefix.
    pages = s3.get_paginator("list_object_versions").paginate(
        Bucket=b, Delimiter="/", PaginationConfig={"PageSize": 2}
    )
    prefixes, keys = set(), []
    for page in pages:
        prefixes |= {p["Prefix"] for p in page.get("CommonPrefixes", [])}
        keys += [v["Key"] for v in page.get("Versions", [])]
    assert prefixes == {"b/"} and sorted(set(keys)) == ["a", "c"]
    versions, _ = all_versions(s3, b, Prefix="b/", MaxKeys=1000)
    assert [v["Key"] for v in versions] == ["b/1"] * 3 + ["b/2"] * 3


def test_copies_uploads_and_tags_name_versions(s3):
    b = versioned_bucket(s3, "vers-copy")
    old = s3.put_object(Bucket=b, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=b, Key="src", Body=b"new")
    copied = s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src", "VersionId": old})
    assert copied["CopySourceVersionId"] == old and copied["VersionId"] not in (None, "null")
    assert body(s3, b, "dst") == b"old"

    up = s3.create_multipart_upload(Bucket=b, Key="big")
    part = s3.upload_part(Bucket=b, Key="big", UploadId=up["UploadId"], PartNumber=1, Body=b"p" * 10)
    done = s3.complete_multipart_upload(
        Bucket=b,
        Key="big",
        UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert s3.head_object(Bucket=b, Key="big")["VersionId"] == done["VersionId"]

    s3.put_object_tagging(Bucket=b, Key="src", VersionId=old, Tagging={"TagSet": [{"Key": "era", "Value": "old"}]})
    tags = s3.get_object_tagging(Bucket=b, Key="src", VersionId=old)
    assert tags["TagSet"] == [{"Key": "era", "Value": "old"}] and tags["VersionId"] == old
    assert s3.get_object_tagging(Bucket=b, Key="src")["TagSet"] == []
    s3.delete_object_tagging(Bucket=b, Key="src", VersionId=old)
    assert s3.get_object_tagging(Bucket=b, Key="src", VersionId=old)["TagSet"] == []


def test_bucket_policy_protects_old_versions_from_a_role(s3, endpoint):
    b = versioned_bucket(s3, "vers-protected")
    v1 = s3.put_object(Bucket=b, Key="audit.log", Body=b"entry")["VersionId"]
    iam = boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD.id}:root"}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="VersionCleaner", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(
        RoleName="VersionCleaner",
        PolicyName="s3",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": role["Arn"]},
                "Action": "s3:DeleteObjectVersion",
                "Resource": f"arn:aws:s3:::{b}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(policy))
    # Roots may not assume roles: a user that may.
    iam.create_user(UserName="version-operator")
    iam.put_user_policy(
        UserName="version-operator",
        PolicyName="assume",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role["Arn"]}]}),
    )
    key = iam.create_access_key(UserName="version-operator")["AccessKey"]
    sts = boto3_client("sts", endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="cleaner")["Credentials"]
    as_role = boto3_client("s3", endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])

    with pytest.raises(ClientError) as e:
        as_role.delete_object(Bucket=b, Key="audit.log", VersionId=v1)
    assert err(e)[:2] == (403, "AccessDenied")
    # A plain delete only hides the object behind a marker; the version survives.
    marker = as_role.delete_object(Bucket=b, Key="audit.log")["VersionId"]
    resp = as_role.delete_objects(
        Bucket=b, Delete={"Objects": [{"Key": "audit.log", "VersionId": v1}, {"Key": "audit.log", "VersionId": marker}]}
    )
    assert [x["Code"] for x in resp.get("Errors", [])] == ["AccessDenied", "AccessDenied"]
    assert body(s3, b, "audit.log", VersionId=v1) == b"entry"
    # The owner is not denied.
    s3.delete_object(Bucket=b, Key="audit.log", VersionId=marker)
    assert body(s3, b, "audit.log") == b"entry"


def test_delete_objects_with_version_ids_reports_markers(s3):
    b = versioned_bucket(s3, "vers-batch")
    v = s3.put_object(Bucket=b, Key="x", Body=b"1")["VersionId"]
    resp = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "x"}, {"Key": "y"}]})
    made = {d["Key"]: d for d in resp["Deleted"]}
    assert made["x"]["DeleteMarker"] is True and made["x"]["DeleteMarkerVersionId"]
    assert made["y"]["DeleteMarker"] is True
    marker = made["x"]["DeleteMarkerVersionId"]
    resp = s3.delete_objects(
        Bucket=b, Delete={"Objects": [{"Key": "x", "VersionId": marker}, {"Key": "x", "VersionId": v}]}
    )
    by_version = {d["VersionId"]: d for d in resp["Deleted"]}
    assert by_version[marker]["DeleteMarker"] is True and by_version[marker]["DeleteMarkerVersionId"] == marker
    assert "DeleteMarker" not in by_version[v]
    versions, markers = all_versions(s3, b, Prefix="x")
    assert versions == [] and markers == []


def empty_and_delete(s3, bucket: str) -> None:
    """The clean-up helper test suites run: every version and marker, then the bucket."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if doomed:
            resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
            assert not resp.get("Errors")
    s3.delete_bucket(Bucket=bucket)


def test_clean_up_routines_empty_every_kind_of_bucket(s3, endpoint):
    plain = "vers-cleanup-plain"
    s3.create_bucket(Bucket=plain)
    s3.put_object(Bucket=plain, Key="p", Body=b"p")
    versioned = versioned_bucket(s3, "vers-cleanup-versioned")
    for n in range(3):
        s3.put_object(Bucket=versioned, Key="v", Body=str(n).encode())
    s3.delete_object(Bucket=versioned, Key="v")
    s3.delete_object(Bucket=versioned, Key="only-a-marker")
    # Versions and markers keep a bucket from being empty.
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=versioned)
    assert err(e)[:2] == (409, "BucketNotEmpty")
    empty_and_delete(s3, plain)
    empty_and_delete(s3, versioned)

    # The boto3 resource API's one-liner, as many suites write it.
    res = boto3.resource(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=PROD.access_key_id,
        aws_secret_access_key=PROD.secret_access_key,
    )
    versioned_bucket(s3, "vers-cleanup-resource")
    bucket = res.Bucket("vers-cleanup-resource")
    for n in range(5):
        bucket.put_object(Key=f"k{n % 2}", Body=b"x")
    bucket.object_versions.delete()
    bucket.delete()
    assert "vers-cleanup-resource" not in [x["Name"] for x in s3.list_buckets()["Buckets"]]


def test_versions_survive_a_restart(s3, fresh_server):
    b = versioned_bucket(s3, "vers-durable")
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"first")["VersionId"]
    s3.put_object(Bucket=b, Key="k", Body=b"second")
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    fresh_server.restart(hard=True)
    again = boto3_client("s3", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    assert again.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
    versions, markers = all_versions(again, b)
    assert [m["VersionId"] for m in markers] == [marker] and len(versions) == 2
    assert body(again, b, "k", VersionId=v1) == b"first"


def test_cli_lists_and_deletes_versions(fresh_cli, s3):
    b = versioned_bucket(s3, "vers-cli")
    v = s3.put_object(Bucket=b, Key="f.txt", Body=b"cli")["VersionId"]
    listed = fresh_cli.json("s3api", "list-object-versions", "--bucket", b, profile=PROD.profile)
    assert [x["VersionId"] for x in listed["Versions"]] == [v]
    fresh_cli.run("s3api", "delete-object", "--bucket", b, "--key", "f.txt", "--version-id", v, profile=PROD.profile)
    listed = fresh_cli.json("s3api", "list-object-versions", "--bucket", b, profile=PROD.profile)
    assert "Versions" not in listed or listed["Versions"] == []


def test_concurrent_writes_to_one_key_keep_every_version(s3):
    from concurrent.futures import ThreadPoolExecutor

    b = versioned_bucket(s3, "vers-concurrent")

    def write(n: int) -> str:
        if n % 5 == 4:
            return s3.delete_object(Bucket=b, Key="hot")["VersionId"]
        return s3.put_object(Bucket=b, Key="hot", Body=str(n).encode())["VersionId"]

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(write, range(60)))
    versions, markers = all_versions(s3, b)
    listed = [v["VersionId"] for v in versions + markers]
    assert sorted(listed) == sorted(ids) and len(set(ids)) == 60
    assert sum(1 for v in versions + markers if v["IsLatest"]) == 1


def test_list_all_my_buckets_matches_the_service_wide_arn(s3, endpoint):
    """The AWS documentation's own example: ListAllMyBuckets on arn:aws:s3:::* lets a user run
    `aws s3 ls`; the matching Deny (with s3:* allowed) stops it; one bucket's ARN grants nothing."""
    iam = boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key)

    def user_with(name: str, statements: list[dict]):
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name,
            PolicyName="p",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return boto3_client("s3", endpoint, key["AccessKeyId"], key["SecretAccessKey"])

    lister = user_with("bucket-lister", [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"}])
    assert "Buckets" in lister.list_buckets()
    denied = user_with(
        "bucket-lister-denied",
        [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"},
        ],
    )
    with pytest.raises(ClientError) as e:
        denied.list_buckets()
    assert err(e)[:2] == (403, "AccessDenied")
    scoped = user_with("bucket-lister-scoped", [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::one-bucket"}])
    with pytest.raises(ClientError) as e:
        scoped.list_buckets()
    assert err(e)[:2] == (403, "AccessDenied")
