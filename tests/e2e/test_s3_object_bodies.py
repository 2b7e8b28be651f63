"""Object bodies across the two places Gatehouse keeps them — inline in the object's record (16 KiB
or less) and blob files (larger) — and the in-memory cache of object records: every overwrite,
copy, tag change and delete is visible to the next request, racing writers of one key leave
exactly one intact winner, and acknowledged writes of both kinds survive `kill -9`.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client

INLINE_MAX = 16 * 1024
SIZES = [0, 1, INLINE_MAX - 1, INLINE_MAX, INLINE_MAX + 1, 300 * 1024]


@pytest.fixture(scope="module")
def s3(fresh_server):
    return boto3_client("s3", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def bucket(s3):
    s3.create_bucket(Bucket="prod-bodies")
    return "prod-bodies"


def body_of(s3, bucket: str, key: str, **kw) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def test_each_overwrite_is_read_back_across_sizes(s3, bucket):
    # Every size transition (inline → blob → inline …) on one key, read after each write so the
    # cached record of the previous version must be gone.
    for size in SIZES + list(reversed(SIZES)):
        data = os.urandom(size)
        etag = s3.put_object(Bucket=bucket, Key="same", Body=data)["ETag"]
        assert etag == f'"{hashlib.md5(data).hexdigest()}"'
        got = s3.get_object(Bucket=bucket, Key="same")
        assert got["ContentLength"] == size
        assert got["ETag"] == etag
        assert got["Body"].read() == data
        assert s3.head_object(Bucket=bucket, Key="same")["ContentLength"] == size


def test_ranges_of_inline_and_blob_bodies(s3, bucket):
    for size in (INLINE_MAX, INLINE_MAX + 1):
        data = os.urandom(size)
        s3.put_object(Bucket=bucket, Key=f"range-{size}", Body=data)
        assert body_of(s3, bucket, f"range-{size}", Range="bytes=10-99") == data[10:100]
        assert body_of(s3, bucket, f"range-{size}", Range="bytes=-5") == data[-5:]
        with pytest.raises(ClientError) as exc:
            s3.get_object(Bucket=bucket, Key=f"range-{size}", Range=f"bytes={size}-")
        assert exc.value.response["Error"]["Code"] == "InvalidRange"


def test_delete_copy_and_tags_are_seen_at_once(s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"small")
    assert body_of(s3, bucket, "gone") == b"small"
    s3.delete_object(Bucket=bucket, Key="gone")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="gone")
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"

    big = os.urandom(INLINE_MAX + 7)
    s3.put_object(Bucket=bucket, Key="src-big", Body=big)
    s3.put_object(Bucket=bucket, Key="dst", Body=b"old")
    assert body_of(s3, bucket, "dst") == b"old"
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src-big"})
    assert body_of(s3, bucket, "dst") == big
    s3.put_object(Bucket=bucket, Key="src-small", Body=b"tiny")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src-small"})
    assert body_of(s3, bucket, "dst") == b"tiny"

    s3.put_object_tagging(
        Bucket=bucket, Key="dst", Tagging={"TagSet": [{"Key": "team", "Value": "logs"}]}
    )
    assert s3.get_object(Bucket=bucket, Key="dst")["TagCount"] == 1
    assert body_of(s3, bucket, "dst") == b"tiny"
    s3.delete_object_tagging(Bucket=bucket, Key="dst")
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="dst")


def test_an_inline_object_is_a_valid_upload_part_copy_source(s3, bucket):
    s3.put_object(Bucket=bucket, Key="part-src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    part = s3.upload_part_copy(
        Bucket=bucket,
        Key="assembled",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "part-src"},
        CopySourceRange="bytes=2-5",
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="assembled",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]},
    )
    assert body_of(s3, bucket, "assembled") == b"2345"


def test_racing_writers_of_one_key_leave_one_intact_winner(s3, bucket):
    bodies = [os.urandom(size) for size in (100, 5000, INLINE_MAX + 1, 40_000) * 4]

    def put(data: bytes) -> None:
        s3.put_object(Bucket=bucket, Key="raced", Body=data)
        # Each writer reads something some writer wrote, never a mix.
        assert body_of(s3, bucket, "raced") in bodies

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, bodies))
    assert body_of(s3, bucket, "raced") in bodies


def test_acknowledged_inline_and_blob_writes_survive_kill9(fresh_server, s3, bucket):
    written = {f"durable-{size}": os.urandom(size) for size in SIZES}
    for key, data in written.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    assert fresh_server.restart(hard=True) == -9
    again = boto3_client("s3", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    for key, data in written.items():
        assert body_of(again, bucket, key) == data
