"""The S3 data plane driven by boto3 (SigV4 `s3v4`, path-style, and virtual-host style against
`http://localhost:PORT`) and the AWS CLI, against a server of its own with the prod, dev and
third accounts (fixed root keys). Every expectation is AWS's documented behaviour: status,
error code and, where S3 words it deterministically, the message.

Tests are independent except that each uses buckets of its own; the first test lists buckets,
so it runs before any other creates one.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from datetime import timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import DEV, HTTP_TIMEOUT, PROD, REGION, THIRD, boto3_client, err

MIB = 1024 * 1024


# ----- clients and helpers -----


@pytest.fixture(scope="module")
def endpoint(fresh_server):
    return fresh_server.endpoint


@pytest.fixture(scope="module")
def s3(endpoint):
    """Prod's root, path-style."""
    return boto3_client("s3", endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def dev_s3(endpoint):
    return boto3_client("s3", endpoint, DEV.access_key_id, DEV.secret_access_key)


@pytest.fixture(scope="module")
def third_s3(endpoint):
    return boto3_client("s3", endpoint, THIRD.access_key_id, THIRD.secret_access_key)


@pytest.fixture(scope="module")
def iam(endpoint):
    return boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def make_user(iam, endpoint):
    """`make_user(name, statements)`: a prod IAM user with an inline policy of `statements`,
    returned as (user ARN, boto3 S3 client)."""

    def make(name: str, statements: list[dict]):
        user = iam.create_user(UserName=name)["User"]
        iam.put_user_policy(
            UserName=name,
            PolicyName="inline",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return user["Arn"], boto3_client("s3", endpoint, key["AccessKeyId"], key["SecretAccessKey"])

    return make


def status_code(exc: pytest.ExceptionInfo) -> tuple[int, str]:
    s, c, _ = err(exc)
    return s, c


def quoted_md5(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def crc32_b64(data: bytes) -> str:
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli), reflected, as S3 computes it (awscrt is not required)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_b64(data: bytes) -> str:
    return b64(crc32c(data).to_bytes(4, "big"))


def sha256_b64(data: bytes) -> str:
    return b64(hashlib.sha256(data).digest())


def test_crc32c_reference_value():
    assert crc32c(b"123456789") == 0xE3069283


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def keys_of(listing: dict) -> list[str]:
    return [o["Key"] for o in listing.get("Contents", [])]


# ----- buckets -----


def test_list_buckets_only_own_account(s3, dev_s3, third_s3):
    s3.create_bucket(Bucket="prod-list-a")
    s3.create_bucket(Bucket="prod-list-b")
    dev_s3.create_bucket(Bucket="dev-list-a")
    prod = s3.list_buckets()
    assert sorted(b["Name"] for b in prod["Buckets"]) == ["prod-list-a", "prod-list-b"]
    for b in prod["Buckets"]:
        assert b["CreationDate"].tzinfo is not None
    assert "Owner" in prod
    assert [b["Name"] for b in dev_s3.list_buckets()["Buckets"]] == ["dev-list-a"]
    assert third_s3.list_buckets()["Buckets"] == []


def test_create_bucket_location_constraint(s3, endpoint):
    created = s3.create_bucket(Bucket="prod-eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert created["Location"]
    assert s3.get_bucket_location(Bucket="prod-eu-bucket")["LocationConstraint"] == "eu-west-1"
    eu_head = s3.head_bucket(Bucket="prod-eu-bucket")
    assert eu_head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"
    listed = {b["Name"]: b for b in s3.list_buckets()["Buckets"]}
    assert listed["prod-eu-bucket"]["BucketRegion"] == "eu-west-1"
    s3.create_bucket(Bucket="prod-us-bucket")
    # us-east-1 is reported as an empty (null) LocationConstraint.
    assert s3.get_bucket_location(Bucket="prod-us-bucket")["LocationConstraint"] is None
    head = s3.head_bucket(Bucket="prod-us-bucket")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"


def test_create_bucket_with_us_east_1_constraint_is_invalid(s3):
    """S3 refuses an explicit us-east-1 LocationConstraint (us-east-1 is the default, sent as
    no configuration)."""
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="prod-explicit-use1", CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert err(exc) == (400, "InvalidLocationConstraint", "The specified location-constraint is not valid")


def test_bucket_already_exists_across_accounts(s3, dev_s3):
    s3.create_bucket(Bucket="prod-taken")
    with pytest.raises(ClientError) as exc:
        dev_s3.create_bucket(Bucket="prod-taken")
    assert err(exc) == (
        409,
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the "
        "system. Please select a different name and try again.",
    )


def test_bucket_already_owned_by_you(s3):
    """Outside us-east-1 re-creating your own bucket is BucketAlreadyOwnedByYou (409)."""
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket="prod-owned-eu", CreateBucketConfiguration=config)
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="prod-owned-eu", CreateBucketConfiguration=config)
    assert err(exc) == (
        409,
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
    )


def test_recreating_own_bucket_in_us_east_1_is_200(s3):
    """S3's documented legacy behaviour: in us-east-1, re-creating a bucket you already own
    returns 200 OK (and the bucket is left as it was)."""
    s3.create_bucket(Bucket="prod-owned-use1")
    s3.put_object(Bucket="prod-owned-use1", Key="kept", Body=b"kept")
    again = s3.create_bucket(Bucket="prod-owned-use1")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_object(Bucket="prod-owned-use1", Key="kept")["Body"].read() == b"kept"


def test_head_bucket(s3, dev_s3):
    s3.create_bucket(Bucket="prod-head")
    assert s3.head_bucket(Bucket="prod-head")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket="no-such-bucket-anywhere")
    assert status_code(exc) == (404, "404")
    with pytest.raises(ClientError) as exc:
        dev_s3.head_bucket(Bucket="prod-head")
    assert status_code(exc) == (403, "403")


def test_delete_bucket(s3, dev_s3):
    s3.create_bucket(Bucket="prod-delete")
    s3.put_object(Bucket="prod-delete", Key="one", Body=b"1")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket="prod-delete")
    assert err(exc) == (409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
    with pytest.raises(ClientError) as exc:
        dev_s3.delete_bucket(Bucket="prod-delete")
    assert status_code(exc) == (403, "AccessDenied")
    s3.delete_object(Bucket="prod-delete", Key="one")
    resp = s3.delete_bucket(Bucket="prod-delete")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket="prod-delete")
    assert status_code(exc) == (404, "404")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket="prod-delete")
    assert err(exc) == (404, "NoSuchBucket", "The specified bucket does not exist")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket="prod-delete", Key="one")
    assert err(exc) == (404, "NoSuchBucket", "The specified bucket does not exist")
    assert "prod-delete" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


# ----- objects -----


@pytest.fixture(scope="module")
def obj_bucket(s3):
    s3.create_bucket(Bucket="prod-objects")
    return "prod-objects"


def test_put_get_round_trips_headers_and_metadata(s3, obj_bucket):
    body = b"id,name\n1,alice\n"
    put = s3.put_object(
        Bucket=obj_bucket,
        Key="data/report.csv",
        Body=body,
        ContentType="text/csv; charset=utf-8",
        Metadata={"color": "blue", "Owner-Team": "analytics"},
        CacheControl="max-age=3600, public",
        ContentDisposition='attachment; filename="report.csv"',
        ContentLanguage="en-GB",
    )
    assert put["ETag"] == quoted_md5(body)
    for got in (
        s3.get_object(Bucket=obj_bucket, Key="data/report.csv"),
        s3.head_object(Bucket=obj_bucket, Key="data/report.csv"),
    ):
        assert got["ETag"] == quoted_md5(body)
        assert got["ContentLength"] == len(body)
        assert got["ContentType"] == "text/csv; charset=utf-8"
        # User metadata keys come back lower-cased.
        assert got["Metadata"] == {"color": "blue", "owner-team": "analytics"}
        assert got["CacheControl"] == "max-age=3600, public"
        assert got["ContentDisposition"] == 'attachment; filename="report.csv"'
        assert got["ContentLanguage"] == "en-GB"
        assert got["LastModified"].tzinfo is not None
        assert got["ResponseMetadata"]["HTTPHeaders"]["accept-ranges"] == "bytes"
    assert s3.get_object(Bucket=obj_bucket, Key="data/report.csv")["Body"].read() == body


def test_get_object_response_overrides(s3, obj_bucket):
    s3.put_object(Bucket=obj_bucket, Key="override.txt", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=obj_bucket,
        Key="override.txt",
        ResponseContentType="application/json",
        ResponseContentDisposition="inline",
        ResponseCacheControl="no-cache",
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"


def test_range_get(s3, obj_bucket):
    body = b"abcdefghijklmnopqrstuvwxyz"
    s3.put_object(Bucket=obj_bucket, Key="alphabet", Body=body)
    got = s3.get_object(Bucket=obj_bucket, Key="alphabet", Range="bytes=2-5")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == b"cdef"
    assert got["ContentRange"] == "bytes 2-5/26"
    assert got["ContentLength"] == 4
    got = s3.get_object(Bucket=obj_bucket, Key="alphabet", Range="bytes=-3")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == b"xyz"
    assert got["ContentRange"] == "bytes 23-25/26"
    got = s3.get_object(Bucket=obj_bucket, Key="alphabet", Range="bytes=20-")
    assert got["Body"].read() == b"uvwxyz"
    assert got["ContentRange"] == "bytes 20-25/26"
    # A last byte past the end is clamped.
    got = s3.get_object(Bucket=obj_bucket, Key="alphabet", Range="bytes=24-100")
    assert got["Body"].read() == b"yz"
    assert got["ContentRange"] == "bytes 24-25/26"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="alphabet", Range="bytes=100-200")
    assert err(exc) == (416, "InvalidRange", "The requested range is not satisfiable")


def test_conditional_gets(s3, obj_bucket):
    body = b"conditional body"
    put = s3.put_object(Bucket=obj_bucket, Key="cond", Body=body)
    etag = put["ETag"]
    modified = s3.head_object(Bucket=obj_bucket, Key="cond")["LastModified"]
    past = modified - timedelta(days=1)
    future = modified + timedelta(days=1)

    assert s3.get_object(Bucket=obj_bucket, Key="cond", IfMatch=etag)["Body"].read() == body
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="cond", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert err(exc) == (412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="cond", IfNoneMatch=etag)
    assert status_code(exc) == (304, "304")
    assert s3.get_object(Bucket=obj_bucket, Key="cond", IfNoneMatch='"other"')["Body"].read() == body

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="cond", IfModifiedSince=future)
    assert status_code(exc) == (304, "304")
    assert s3.get_object(Bucket=obj_bucket, Key="cond", IfModifiedSince=past)["Body"].read() == body

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="cond", IfUnmodifiedSince=past)
    assert err(exc) == (412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
    assert s3.get_object(Bucket=obj_bucket, Key="cond", IfUnmodifiedSince=future)["Body"].read() == body

    # RFC 7232 precedence, as S3 documents it: If-Match true + If-Unmodified-Since false → 200;
    # If-None-Match false + If-Modified-Since true → 304.
    assert s3.get_object(Bucket=obj_bucket, Key="cond", IfMatch=etag, IfUnmodifiedSince=past)["Body"].read() == body
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="cond", IfNoneMatch=etag, IfModifiedSince=past)
    assert status_code(exc) == (304, "304")

    # HeadObject honours them too.
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=obj_bucket, Key="cond", IfNoneMatch=etag)
    assert status_code(exc) == (304, "304")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=obj_bucket, Key="cond", IfMatch='"nope"')
    assert status_code(exc) == (412, "412")


def test_head_and_delete_object(s3, obj_bucket):
    s3.put_object(Bucket=obj_bucket, Key="gone-soon", Body=b"12345")
    head = s3.head_object(Bucket=obj_bucket, Key="gone-soon")
    assert head["ContentLength"] == 5
    assert head["ETag"] == quoted_md5(b"12345")
    resp = s3.delete_object(Bucket=obj_bucket, Key="gone-soon")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=obj_bucket, Key="gone-soon")
    assert status_code(exc) == (404, "404")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=obj_bucket, Key="gone-soon")
    assert err(exc) == (404, "NoSuchKey", "The specified key does not exist.")
    # Deleting a missing key succeeds.
    assert s3.delete_object(Bucket=obj_bucket, Key="gone-soon")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_objects_with_one_key_denied(s3, make_user):
    bucket = "prod-multi-delete"
    s3.create_bucket(Bucket=bucket)
    arn, user_s3 = make_user(
        "deleter",
        [{"Effect": "Allow", "Action": ["s3:*"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}],
    )
    for key in ("a.txt", "protected.txt", "b.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Sid": "KeepProtected",
                "Effect": "Deny",
                "Principal": {"AWS": arn},
                "Action": "s3:DeleteObject",
                "Resource": f"arn:aws:s3:::{bucket}/protected.txt",
            }
        ),
    )
    resp = user_s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": k} for k in ("a.txt", "protected.txt", "b.txt", "never-existed.txt")]},
    )
    assert sorted(d["Key"] for d in resp["Deleted"]) == ["a.txt", "b.txt", "never-existed.txt"]
    assert [(e["Key"], e["Code"]) for e in resp["Errors"]] == [("protected.txt", "AccessDenied")]
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["protected.txt"]
    first_errors = resp["Errors"]

    # Quiet mode reports only the errors.
    s3.put_object(Bucket=bucket, Key="c.txt", Body=b"c")
    resp = user_s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "c.txt"}, {"Key": "protected.txt"}], "Quiet": True}
    )
    assert resp.get("Deleted", []) == []
    assert [e["Key"] for e in resp["Errors"]] == ["protected.txt"]
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["protected.txt"]
    # A per-key error of DeleteObjects carries S3's generic text (as in the API reference's
    # sample response), not the AccessDenied text of a whole request.
    assert first_errors == [{"Key": "protected.txt", "Code": "AccessDenied", "Message": "Access Denied"}]


def test_copy_object(s3, obj_bucket):
    s3.put_object(
        Bucket=obj_bucket, Key="copy-src", Body=b"copy me", ContentType="text/plain", Metadata={"origin": "src"}
    )
    s3.create_bucket(Bucket="prod-copy-dst")
    resp = s3.copy_object(Bucket="prod-copy-dst", Key="copied", CopySource={"Bucket": obj_bucket, "Key": "copy-src"})
    assert resp["CopyObjectResult"]["ETag"] == quoted_md5(b"copy me")
    got = s3.get_object(Bucket="prod-copy-dst", Key="copied")
    assert got["Body"].read() == b"copy me"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"origin": "src"}
    # MetadataDirective REPLACE takes the request's metadata.
    s3.copy_object(
        Bucket="prod-copy-dst",
        Key="replaced",
        CopySource={"Bucket": obj_bucket, "Key": "copy-src"},
        MetadataDirective="REPLACE",
        ContentType="application/octet-stream",
        Metadata={"origin": "replaced"},
    )
    got = s3.head_object(Bucket="prod-copy-dst", Key="replaced")
    assert got["ContentType"] == "application/octet-stream"
    assert got["Metadata"] == {"origin": "replaced"}
    # Copying an object onto itself without changing anything is refused.
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=obj_bucket, Key="copy-src", CopySource={"Bucket": obj_bucket, "Key": "copy-src"})
    assert status_code(exc) == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket="prod-copy-dst", Key="x", CopySource={"Bucket": obj_bucket, "Key": "no-such-source"})
    assert status_code(exc) == (404, "NoSuchKey")


def test_copy_object_needs_get_on_source_and_put_on_target(s3, make_user):
    s3.create_bucket(Bucket="prod-copy-src2")
    s3.create_bucket(Bucket="prod-copy-dst2")
    s3.put_object(Bucket="prod-copy-src2", Key="secret.txt", Body=b"secret")
    arn, copier = make_user(
        "copier",
        [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::prod-copy-dst2/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::prod-copy-src2", "arn:aws:s3:::prod-copy-dst2"]},
        ],
    )
    with pytest.raises(ClientError) as exc:
        copier.copy_object(
            Bucket="prod-copy-dst2", Key="stolen.txt", CopySource={"Bucket": "prod-copy-src2", "Key": "secret.txt"}
        )
    assert err(exc) == (
        403,
        "AccessDenied",
        f'User: {arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::prod-copy-src2/secret.txt" '
        "because no identity-based policy allows the s3:GetObject action",
    )
    assert keys_of(s3.list_objects_v2(Bucket="prod-copy-dst2")) == []

    # With GetObject on the source but no PutObject on the target: denied on the target.
    arn2, reader = make_user(
        "copyreader",
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-copy-src2/*"}],
    )
    with pytest.raises(ClientError) as exc:
        reader.copy_object(
            Bucket="prod-copy-dst2", Key="stolen.txt", CopySource={"Bucket": "prod-copy-src2", "Key": "secret.txt"}
        )
    assert err(exc) == (
        403,
        "AccessDenied",
        f'User: {arn2} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::prod-copy-dst2/stolen.txt" '
        "because no identity-based policy allows the s3:PutObject action",
    )
    assert keys_of(s3.list_objects_v2(Bucket="prod-copy-dst2")) == []


# ----- listing -----


PAGE_KEYS = [f"page/key-{i:02d}" for i in range(25)]


@pytest.fixture(scope="module")
def list_bucket(s3):
    bucket = "prod-listing"
    s3.create_bucket(Bucket=bucket)
    for key in PAGE_KEYS + ["a/b/c.txt", "a/d.txt", "e/f.txt", "g.txt"]:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_list_v2_prefix_and_delimiter(s3, list_bucket):
    top = s3.list_objects_v2(Bucket=list_bucket, Delimiter="/")
    assert keys_of(top) == ["g.txt"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "e/", "page/"]
    assert top["KeyCount"] == 4
    assert top["IsTruncated"] is False
    under_a = s3.list_objects_v2(Bucket=list_bucket, Prefix="a/", Delimiter="/")
    assert keys_of(under_a) == ["a/d.txt"]
    assert [p["Prefix"] for p in under_a["CommonPrefixes"]] == ["a/b/"]
    assert under_a["Prefix"] == "a/"
    assert under_a["Delimiter"] == "/"
    assert keys_of(s3.list_objects_v2(Bucket=list_bucket, Prefix="a/")) == ["a/b/c.txt", "a/d.txt"]
    assert keys_of(s3.list_objects_v2(Bucket=list_bucket, Prefix="zzz")) == []
    entry = s3.list_objects_v2(Bucket=list_bucket, Prefix="g.txt")["Contents"][0]
    assert entry["Size"] == len(b"g.txt")
    assert entry["ETag"] == quoted_md5(b"g.txt")
    assert entry["StorageClass"] == "STANDARD"


def test_list_v1_prefix_and_delimiter(s3, list_bucket):
    top = s3.list_objects(Bucket=list_bucket, Delimiter="/")
    assert keys_of(top) == ["g.txt"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "e/", "page/"]
    under_a = s3.list_objects(Bucket=list_bucket, Prefix="a/", Delimiter="/")
    assert keys_of(under_a) == ["a/d.txt"]
    assert [p["Prefix"] for p in under_a["CommonPrefixes"]] == ["a/b/"]


def test_list_v2_paging_visits_every_key_once(s3, list_bucket):
    seen, pages, token = [], [], None
    while True:
        kwargs = {"Bucket": list_bucket, "Prefix": "page/", "MaxKeys": 7}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages.append(len(page.get("Contents", [])))
        assert page["KeyCount"] == pages[-1]
        assert page["MaxKeys"] == 7
        seen += keys_of(page)
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
        assert token
    assert pages == [7, 7, 7, 4]
    assert seen == PAGE_KEYS


def test_list_v2_paging_with_delimiter_counts_prefixes(s3, list_bucket):
    seen, token = [], None
    while True:
        kwargs = {"Bucket": list_bucket, "Delimiter": "/", "MaxKeys": 2}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        entries = keys_of(page) + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert len(entries) <= 2
        assert page["KeyCount"] == len(entries)
        seen += entries
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert sorted(seen) == ["a/", "e/", "g.txt", "page/"]


def test_list_v1_paging_with_marker(s3, list_bucket):
    seen, marker = [], ""
    while True:
        page = s3.list_objects(Bucket=list_bucket, Prefix="page/", MaxKeys=10, Marker=marker)
        seen += keys_of(page)
        if not page["IsTruncated"]:
            break
        marker = page.get("NextMarker") or seen[-1]
    assert seen == PAGE_KEYS


def test_list_start_after(s3, list_bucket):
    got = s3.list_objects_v2(Bucket=list_bucket, Prefix="page/", StartAfter="page/key-19")
    assert keys_of(got) == [f"page/key-{i}" for i in range(20, 25)]
    assert got["StartAfter"] == "page/key-19"
    # StartAfter is ignored once a continuation token is given.
    first = s3.list_objects_v2(Bucket=list_bucket, Prefix="page/", MaxKeys=3)
    second = s3.list_objects_v2(
        Bucket=list_bucket, Prefix="page/", MaxKeys=3, StartAfter="page/key-20",
        ContinuationToken=first["NextContinuationToken"],
    )
    assert keys_of(second) == ["page/key-03", "page/key-04", "page/key-05"]


ODD_KEYS = ["plain.txt", "with space/file name.txt", "unicodé/ü €.txt", "a+b=c&d.txt"]


def test_list_encoding_type_url(s3):
    bucket = "prod-odd-keys"
    s3.create_bucket(Bucket=bucket)
    for key in ODD_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"x"
    # botocore asks for encoding-type=url on its own and decodes the answer.
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == sorted(ODD_KEYS, key=lambda k: k.encode())
    assert keys_of(s3.list_objects(Bucket=bucket)) == sorted(ODD_KEYS, key=lambda k: k.encode())
    # Asked explicitly, the keys come back encoded (botocore leaves them as they are).
    for op in (s3.list_objects_v2, s3.list_objects):
        raw = op(Bucket=bucket, EncodingType="url")
        assert raw["EncodingType"] == "url"
        encoded = keys_of(raw)
        for k in encoded:
            assert " " not in k and k.isascii(), encoded
        assert [urllib.parse.unquote_plus(k) for k in encoded] == sorted(ODD_KEYS, key=lambda k: k.encode())
    # CommonPrefixes are encoded too.
    raw = s3.list_objects_v2(Bucket=bucket, EncodingType="url", Delimiter="/")
    assert sorted(urllib.parse.unquote_plus(p["Prefix"]) for p in raw["CommonPrefixes"]) == [
        "unicodé/",
        "with space/",
    ]
    for p in raw["CommonPrefixes"]:
        assert " " not in p["Prefix"] and p["Prefix"].isascii()


# ----- multipart -----


@pytest.fixture(scope="module")
def mp_bucket(s3):
    s3.create_bucket(Bucket="prod-multipart")
    return "prod-multipart"


def test_multipart_upload_complete(s3, mp_bucket):
    part1, part2 = os.urandom(5 * MIB), os.urandom(MIB + 17)
    up = s3.create_multipart_upload(
        Bucket=mp_bucket, Key="assembled.bin", ContentType="application/x-test", Metadata={"m": "1"}
    )
    upload_id = up["UploadId"]
    assert up["Bucket"] == mp_bucket and up["Key"] == "assembled.bin"
    e1 = s3.upload_part(Bucket=mp_bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=1, Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=mp_bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=2, Body=part2)["ETag"]
    assert (e1, e2) == (quoted_md5(part1), quoted_md5(part2))

    parts = s3.list_parts(Bucket=mp_bucket, Key="assembled.bin", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts["Parts"]] == [
        (1, len(part1), e1),
        (2, len(part2), e2),
    ]
    assert parts["UploadId"] == upload_id
    uploads = s3.list_multipart_uploads(Bucket=mp_bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads if u["UploadId"] == upload_id] == [("assembled.bin", upload_id)]
    # The object does not exist before completion.
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=mp_bucket, Key="assembled.bin")
    assert status_code(exc) == (404, "404")

    done = s3.complete_multipart_upload(
        Bucket=mp_bucket,
        Key="assembled.bin",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]},
    )
    expected_etag = '"' + hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest() + '-2"'
    assert done["ETag"] == expected_etag
    assert done["ETag"].endswith('-2"')
    got = s3.get_object(Bucket=mp_bucket, Key="assembled.bin")
    assert got["Body"].read() == part1 + part2
    assert got["ETag"] == expected_etag
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"m": "1"}
    # The upload is gone.
    assert upload_id not in [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=mp_bucket).get("Uploads", [])]
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=mp_bucket, Key="assembled.bin", UploadId=upload_id)
    assert status_code(exc) == (404, "NoSuchUpload")


def test_get_object_part_number(s3, mp_bucket):
    """GetObject/HeadObject with partNumber address one part of a multipart object (206,
    x-amz-mp-parts-count)."""
    part1, part2 = os.urandom(5 * MIB), b"second part"
    upload_id = s3.create_multipart_upload(Bucket=mp_bucket, Key="by-part.bin")["UploadId"]
    etags = [
        s3.upload_part(Bucket=mp_bucket, Key="by-part.bin", UploadId=upload_id, PartNumber=n, Body=body)["ETag"]
        for n, body in ((1, part1), (2, part2))
    ]
    s3.complete_multipart_upload(
        Bucket=mp_bucket, Key="by-part.bin", UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]},
    )
    only2 = s3.get_object(Bucket=mp_bucket, Key="by-part.bin", PartNumber=2)
    assert only2["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert only2["PartsCount"] == 2
    assert only2["ContentRange"] == f"bytes {len(part1)}-{len(part1) + len(part2) - 1}/{len(part1) + len(part2)}"
    assert only2["Body"].read() == part2
    head1 = s3.head_object(Bucket=mp_bucket, Key="by-part.bin", PartNumber=1)
    assert head1["ContentLength"] == len(part1)
    assert head1["PartsCount"] == 2


NO_SUCH_UPLOAD = (
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
)


def test_multipart_abort(s3, mp_bucket):
    upload_id = s3.create_multipart_upload(Bucket=mp_bucket, Key="aborted.bin")["UploadId"]
    s3.upload_part(Bucket=mp_bucket, Key="aborted.bin", UploadId=upload_id, PartNumber=1, Body=b"some bytes")
    resp = s3.abort_multipart_upload(Bucket=mp_bucket, Key="aborted.bin", UploadId=upload_id)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=mp_bucket, Key="aborted.bin", UploadId=upload_id)
    assert err(exc) == (404, "NoSuchUpload", NO_SUCH_UPLOAD)
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=mp_bucket, Key="aborted.bin", UploadId=upload_id, PartNumber=2, Body=b"more")
    assert err(exc) == (404, "NoSuchUpload", NO_SUCH_UPLOAD)
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=mp_bucket, Key="aborted.bin", UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": quoted_md5(b"some bytes")}]},
        )
    assert err(exc) == (404, "NoSuchUpload", NO_SUCH_UPLOAD)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=mp_bucket, Key="aborted.bin")
    assert status_code(exc) == (404, "404")


def test_multipart_entity_too_small(s3, mp_bucket):
    upload_id = s3.create_multipart_upload(Bucket=mp_bucket, Key="small.bin")["UploadId"]
    parts = []
    for n in (1, 2):
        etag = s3.upload_part(Bucket=mp_bucket, Key="small.bin", UploadId=upload_id, PartNumber=n, Body=b"x" * 1024)["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=mp_bucket, Key="small.bin", UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    assert err(exc) == (400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=mp_bucket, Key="small.bin")
    assert status_code(exc) == (404, "404")
    # A single small part is fine (the last part may be small).
    upload_id = s3.create_multipart_upload(Bucket=mp_bucket, Key="one-part.bin")["UploadId"]
    etag = s3.upload_part(Bucket=mp_bucket, Key="one-part.bin", UploadId=upload_id, PartNumber=1, Body=b"tiny")["ETag"]
    done = s3.complete_multipart_upload(
        Bucket=mp_bucket, Key="one-part.bin", UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert done["ETag"].endswith('-1"')
    assert s3.get_object(Bucket=mp_bucket, Key="one-part.bin")["Body"].read() == b"tiny"


def test_upload_part_copy_with_range(s3, mp_bucket):
    source = os.urandom(6 * MIB + 100)
    s3.put_object(Bucket=mp_bucket, Key="copy-source.bin", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=mp_bucket, Key="from-copy.bin")["UploadId"]
    r1 = s3.upload_part_copy(
        Bucket=mp_bucket, Key="from-copy.bin", UploadId=upload_id, PartNumber=1,
        CopySource={"Bucket": mp_bucket, "Key": "copy-source.bin"}, CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )
    assert r1["CopyPartResult"]["ETag"] == quoted_md5(source[: 5 * MIB])
    r2 = s3.upload_part_copy(
        Bucket=mp_bucket, Key="from-copy.bin", UploadId=upload_id, PartNumber=2,
        CopySource={"Bucket": mp_bucket, "Key": "copy-source.bin"}, CopySourceRange=f"bytes={5 * MIB}-{5 * MIB + 99}",
    )
    assert r2["CopyPartResult"]["ETag"] == quoted_md5(source[5 * MIB : 5 * MIB + 100])
    parts = s3.list_parts(Bucket=mp_bucket, Key="from-copy.bin", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 5 * MIB), (2, 100)]
    done = s3.complete_multipart_upload(
        Bucket=mp_bucket, Key="from-copy.bin", UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"]},
                {"PartNumber": 2, "ETag": r2["CopyPartResult"]["ETag"]},
            ]
        },
    )
    assert done["ETag"].endswith('-2"')
    assert s3.get_object(Bucket=mp_bucket, Key="from-copy.bin")["Body"].read() == source[: 5 * MIB + 100]


def test_upload_part_copy_range_past_the_end(s3, mp_bucket):
    """S3 answers 400 InvalidArgument (not 416) for an x-amz-copy-source-range past the end."""
    s3.put_object(Bucket=mp_bucket, Key="short-source.bin", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=mp_bucket, Key="from-short.bin")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(
            Bucket=mp_bucket, Key="from-short.bin", UploadId=upload_id, PartNumber=1,
            CopySource={"Bucket": mp_bucket, "Key": "short-source.bin"}, CopySourceRange="bytes=0-10",
        )
    assert err(exc) == (400, "InvalidArgument", "Range specified is not valid for source object of size: 10")
    s3.abort_multipart_upload(Bucket=mp_bucket, Key="from-short.bin", UploadId=upload_id)


def test_cli_cp_100_mib_round_trip(fresh_cli, s3, tmp_path):
    s3.create_bucket(Bucket="prod-cli-big")
    src = tmp_path / "big.bin"
    data = os.urandom(100 * MIB)
    src.write_bytes(data)
    started = time.monotonic()
    try:
        fresh_cli.run("s3", "cp", str(src), "s3://prod-cli-big/big.bin", profile="prod-account")
        head = s3.head_object(Bucket="prod-cli-big", Key="big.bin")
        assert head["ContentLength"] == len(data)
        # The CLI uploads 100 MiB in 8 MiB parts: a multipart ETag.
        assert head["ETag"].endswith('-13"'), head["ETag"]
        down = tmp_path / "down.bin"
        fresh_cli.run("s3", "cp", "s3://prod-cli-big/big.bin", str(down), profile="prod-account")
        elapsed = time.monotonic() - started
        assert hashlib.sha256(down.read_bytes()).digest() == hashlib.sha256(data).digest()
        assert elapsed < 60, f"100 MiB up and down took {elapsed:.1f}s"
    finally:
        # Keep a kept data directory (after a failure) small.
        s3.delete_object(Bucket="prod-cli-big", Key="big.bin")
        src.unlink(missing_ok=True)
        (tmp_path / "down.bin").unlink(missing_ok=True)


# ----- integrity: trailing checksums, Content-MD5, checksum headers -----


@pytest.fixture(scope="module")
def sum_bucket(s3):
    s3.create_bucket(Bucket="prod-checksums")
    return "prod-checksums"


def put_with_trailer(endpoint: str, bucket: str, key: str, data: bytes, algorithm: str, value: str):
    """PUT `data` as aws-chunked with STREAMING-UNSIGNED-PAYLOAD-TRAILER and a trailing
    `x-amz-checksum-<algorithm>: value`, signed as prod's root. Returns (status, body)."""
    trailer = f"x-amz-checksum-{algorithm}"
    body = (
        f"{len(data):x}\r\n".encode() + data + b"\r\n"
        + b"0\r\n" + f"{trailer}:{value}\r\n".encode() + b"\r\n"
    )
    url = f"{endpoint}/{bucket}/{urllib.parse.quote(key)}"
    request = AWSRequest(
        method="PUT",
        url=url,
        data=body,
        headers={
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(data)),
            "x-amz-trailer": trailer,
            "content-length": str(len(body)),
        },
    )
    SigV4Auth(Credentials(PROD.access_key_id, PROD.secret_access_key), "s3", REGION).add_auth(request)
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT)
    try:
        conn.request("PUT", parts.path, body=body, headers=dict(request.headers.items()))
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read().decode()
    finally:
        conn.close()


CHECKSUMS = {
    "crc32": (crc32_b64, "ChecksumCRC32"),
    "crc32c": (crc32c_b64, "ChecksumCRC32C"),
    "sha256": (sha256_b64, "ChecksumSHA256"),
}


@pytest.mark.parametrize("algorithm", sorted(CHECKSUMS))
def test_trailing_checksum_right(algorithm, s3, endpoint, sum_bucket):
    compute, field = CHECKSUMS[algorithm]
    data = os.urandom(70_000)
    key = f"trailer-ok-{algorithm}"
    status, headers, body = put_with_trailer(endpoint, sum_bucket, key, data, algorithm, compute(data))
    assert status == 200, body
    assert headers.get("ETag") == quoted_md5(data)
    assert headers.get(f"x-amz-checksum-{algorithm}") == compute(data)
    got = s3.get_object(Bucket=sum_bucket, Key=key, ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got[field] == compute(data)
    assert got["ContentLength"] == len(data)
    # The stored object is not aws-chunked.
    assert "ContentEncoding" not in got or got["ContentEncoding"] != "aws-chunked"


@pytest.mark.parametrize("algorithm", sorted(CHECKSUMS))
def test_trailing_checksum_wrong(algorithm, s3, endpoint, sum_bucket):
    compute, _ = CHECKSUMS[algorithm]
    data = os.urandom(70_000)
    key = f"trailer-bad-{algorithm}"
    status, _, body = put_with_trailer(endpoint, sum_bucket, key, data, algorithm, compute(b"something else"))
    assert status == 400, body
    assert "<Code>BadDigest</Code>" in body, body
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=sum_bucket, Key=key)
    assert status_code(exc) == (404, "404")


def test_content_md5_mismatch_is_bad_digest(s3, sum_bucket):
    data = b"the real body"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=sum_bucket, Key="md5-bad", Body=data, ContentMD5=b64(hashlib.md5(b"another").digest()))
    assert err(exc) == (400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=sum_bucket, Key="md5-bad")
    assert status_code(exc) == (404, "404")
    # The right one is accepted.
    put = s3.put_object(Bucket=sum_bucket, Key="md5-ok", Body=data, ContentMD5=b64(hashlib.md5(data).digest()))
    assert put["ETag"] == quoted_md5(data)


def test_checksum_sha256_header_mismatch_is_bad_digest(s3, sum_bucket):
    data = b"checksummed body"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=sum_bucket, Key="sha-bad", Body=data, ChecksumSHA256=sha256_b64(b"other"))
    status, code, _ = err(exc)
    assert (status, code) == (400, "BadDigest")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=sum_bucket, Key="sha-bad")
    assert status_code(exc) == (404, "404")
    put = s3.put_object(Bucket=sum_bucket, Key="sha-ok", Body=data, ChecksumSHA256=sha256_b64(data))
    assert put["ChecksumSHA256"] == sha256_b64(data)
    got = s3.head_object(Bucket=sum_bucket, Key="sha-ok", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == sha256_b64(data)


# ----- presigned URLs -----


def test_presigned_get(s3, obj_bucket):
    s3.put_object(Bucket=obj_bucket, Key="shared/doc.txt", Body=b"presigned body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": obj_bucket, "Key": "shared/doc.txt"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as resp:
        assert resp.status == 200
        assert resp.read() == b"presigned body"
    # Tampering with the key breaks the signature.
    bad = url.replace("doc.txt", "doc2.txt")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(bad, timeout=HTTP_TIMEOUT)
    assert exc.value.code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in exc.value.read().decode()


def test_presigned_expiry_over_a_week_is_rejected(s3, obj_bucket):
    s3.put_object(Bucket=obj_bucket, Key="shared/long.txt", Body=b"x")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": obj_bucket, "Key": "shared/long.txt"}, ExpiresIn=604801
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url, timeout=HTTP_TIMEOUT)
    assert exc.value.code == 400
    body = exc.value.read().decode()
    assert "<Code>AuthorizationQueryParametersError</Code>" in body, body
    assert "X-Amz-Expires must be less than a week (in seconds) that is 604800" in body
    # Exactly a week is allowed.
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": obj_bucket, "Key": "shared/long.txt"}, ExpiresIn=604800
    )
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as resp:
        assert resp.read() == b"x"


# ----- tagging -----


def test_bucket_tagging(s3):
    bucket = "prod-tagged"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert err(exc) == (404, "NoSuchTagSet", "The TagSet does not exist")
    tags = [{"Key": "team", "Value": "analytics"}, {"Key": "env", "Value": "prod"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert sorted(got, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert status_code(exc) == (404, "NoSuchTagSet")


def test_object_tagging(s3, obj_bucket):
    s3.put_object(Bucket=obj_bucket, Key="tagged.txt", Body=b"t", Tagging="project=gate&stage=one")
    got = s3.get_object_tagging(Bucket=obj_bucket, Key="tagged.txt")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in got) == [("project", "gate"), ("stage", "one")]
    assert s3.get_object(Bucket=obj_bucket, Key="tagged.txt")["TagCount"] == 2
    s3.put_object_tagging(Bucket=obj_bucket, Key="tagged.txt", Tagging={"TagSet": [{"Key": "only", "Value": "this"}]})
    assert s3.get_object_tagging(Bucket=obj_bucket, Key="tagged.txt")["TagSet"] == [{"Key": "only", "Value": "this"}]
    assert s3.delete_object_tagging(Bucket=obj_bucket, Key="tagged.txt")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=obj_bucket, Key="tagged.txt")["TagSet"] == []
    with pytest.raises(ClientError) as exc:
        s3.get_object_tagging(Bucket=obj_bucket, Key="no-such-key")
    assert status_code(exc) == (404, "NoSuchKey")


# ----- bucket policy and Block Public Access -----

PUBLIC_READ = {
    "Sid": "PublicRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::{bucket}/*",
}


def public_read(bucket: str) -> str:
    return policy({**PUBLIC_READ, "Resource": f"arn:aws:s3:::{bucket}/*"})


def test_bucket_policy_crud_and_status(s3):
    bucket = "prod-policy"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert err(exc) == (404, "NoSuchBucketPolicy", "The bucket policy does not exist")
    private = policy(
        {
            "Sid": "DevRead",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{DEV.id}:root"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
    )
    assert s3.put_bucket_policy(Bucket=bucket, Policy=private)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(private)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(public_read(bucket))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert status_code(exc) == (404, "NoSuchBucketPolicy")


def test_public_policy_allows_anonymous_get(s3, endpoint):
    bucket = "prod-public"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>hi</h1>")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{endpoint}/{bucket}/index.html", timeout=HTTP_TIMEOUT)
    assert exc.value.code == 403
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    with urllib.request.urlopen(f"{endpoint}/{bucket}/index.html", timeout=HTTP_TIMEOUT) as resp:
        assert resp.read() == b"<h1>hi</h1>"


def test_block_public_policy(s3):
    bucket = "prod-blocked"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_public_access_block(Bucket=bucket)
    assert err(exc) == (
        404,
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
    )
    config = {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=config)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == config
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    status, code, message = err(exc)
    assert (status, code) == (403, "AccessDenied")
    assert message.startswith(
        f'User: arn:aws:iam::{PROD.id}:root is not authorized to perform: s3:PutBucketPolicy on resource: '
        f'"arn:aws:s3:::{bucket}" because public policies are '
    ), message
    assert "BlockPublicPolicy" in message
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert status_code(exc) == (404, "NoSuchBucketPolicy")
    # A non-public policy is still allowed.
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{DEV.id}:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    assert s3.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_public_access_block(Bucket=bucket)
    assert status_code(exc) == (404, "NoSuchPublicAccessBlockConfiguration")
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True


def test_missing_key_is_access_denied_without_list_bucket(s3, make_user):
    bucket = "prod-nosuchkey"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="exists.txt", Body=b"here")
    _, getter = make_user(
        "getter", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]
    )
    _, lister = make_user(
        "getlister",
        [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        ],
    )
    assert getter.get_object(Bucket=bucket, Key="exists.txt")["Body"].read() == b"here"
    with pytest.raises(ClientError) as exc:
        getter.get_object(Bucket=bucket, Key="missing.txt")
    assert status_code(exc) == (403, "AccessDenied")
    with pytest.raises(ClientError) as exc:
        getter.head_object(Bucket=bucket, Key="missing.txt")
    assert status_code(exc) == (403, "403")
    with pytest.raises(ClientError) as exc:
        lister.get_object(Bucket=bucket, Key="missing.txt")
    assert err(exc) == (404, "NoSuchKey", "The specified key does not exist.")
    with pytest.raises(ClientError) as exc:
        lister.head_object(Bucket=bucket, Key="missing.txt")
    assert status_code(exc) == (404, "404")


def test_owner_root_can_always_manage_the_bucket_policy(s3):
    bucket = "prod-lockout"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    deny_all = policy(
        {
            "Sid": "DenyEverything",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_all)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k")
    assert err(exc) == (
        403,
        "AccessDenied",
        f'User: arn:aws:iam::{PROD.id}:root is not authorized to perform: s3:GetObject on resource: '
        f'"arn:aws:s3:::{bucket}/k" with an explicit deny in a resource-based policy',
    )
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket)
    assert status_code(exc) == (403, "AccessDenied")
    # Get, Put and Delete of the bucket policy stay allowed for the owner's root.
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(deny_all)
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_all)
    s3.delete_bucket_policy(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


# ----- virtual-host style -----


def test_virtual_host_addressing(fresh_server, localhost_subdomains, s3):
    virtual = boto3_client(
        "s3", f"http://localhost:{fresh_server.port}", PROD.access_key_id, PROD.secret_access_key,
        addressing_style="virtual",
    )
    hosts = []
    virtual.meta.events.register("before-send.s3", lambda request, **_: hosts.append(urllib.parse.urlsplit(request.url).hostname))
    virtual.create_bucket(Bucket="prod-virtual")
    virtual.put_object(Bucket="prod-virtual", Key="dir/v.txt", Body=b"virtual", ContentType="text/plain")
    got = virtual.get_object(Bucket="prod-virtual", Key="dir/v.txt")
    assert got["Body"].read() == b"virtual"
    assert got["ContentType"] == "text/plain"
    assert keys_of(virtual.list_objects_v2(Bucket="prod-virtual", Prefix="dir/")) == ["dir/v.txt"]
    assert virtual.get_object(Bucket="prod-virtual", Key="dir/v.txt", Range="bytes=1-3")["Body"].read() == b"irt"
    assert hosts and all(h == "prod-virtual.localhost" for h in hosts), hosts
    # The same bucket, path-style.
    assert s3.get_object(Bucket="prod-virtual", Key="dir/v.txt")["Body"].read() == b"virtual"
    url = virtual.generate_presigned_url("get_object", Params={"Bucket": "prod-virtual", "Key": "dir/v.txt"}, ExpiresIn=60)
    assert urllib.parse.urlsplit(url).hostname == "prod-virtual.localhost"
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as resp:
        assert resp.read() == b"virtual"
    virtual.delete_object(Bucket="prod-virtual", Key="dir/v.txt")
    virtual.delete_bucket(Bucket="prod-virtual")
    assert "prod-virtual" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_expect_continue_answered_early_closes_the_connection(endpoint, s3, mp_bucket):
    """A client that sends `Expect: 100-continue` and gets a final error withholds the body; the
    server must not keep the connection and read the client's next request as that body."""
    import socket
    from urllib.parse import urlparse

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{endpoint}/{mp_bucket}/withheld.bin?partNumber=1&uploadId=no-such-upload"
    request = AWSRequest(
        method="PUT",
        url=url,
        headers={"Expect": "100-continue", "Content-Length": "4", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    )
    S3SigV4Auth(Credentials(PROD.access_key_id, PROD.secret_access_key), "s3", REGION).add_auth(request)
    prepared = request.prepare()
    target = urlparse(url)
    head = f"PUT {target.path}?{target.query} HTTP/1.1\r\nHost: {target.netloc}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in prepared.headers.items() if k.lower() != "host"
    )
    with socket.create_connection((target.hostname, target.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(4096)
        # The body is withheld, as a client does on a final answer; the next request follows.
        sock.sendall(b"GET /" + mp_bucket.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        rest = b""
        try:
            while chunk := sock.recv(4096):
                rest += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    status_line, _, headers = reply.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 404"), reply
    assert b"connection: close" in headers.lower(), reply
    assert b"400 Bad Request" not in rest, rest
