"""S3 error bodies and ids as real S3 sends them: `Code`, `Message`, the code's own elements in
AWS's order, `RequestId` and `HostId` (no `Resource`: real S3 bodies have none), and
`x-amz-request-id` plus `x-amz-id-2` on every response, success or not. botocore keeps every
element of `<Error>` but RequestId and HostId in the parsed error, so the parsed dict must hold
exactly AWS's elements."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import HTTP_TIMEOUT, PROD, boto3_client

REQUEST_ID = re.compile(r"^[A-Z0-9]{16}$")
HOST_ID = re.compile(r"^[A-Za-z0-9+/]{75}=$")


@pytest.fixture(scope="module")
def s3(fresh_server):
    return boto3_client("s3", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture(scope="module")
def bucket(s3):
    s3.create_bucket(Bucket="errors")
    s3.put_object(Bucket="errors", Key="five", Body=b"12345")
    return "errors"


@pytest.fixture(scope="module")
def versioned(s3):
    s3.create_bucket(Bucket="errors-versioned")
    s3.put_bucket_versioning(Bucket="errors-versioned", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="errors-versioned", Key="k", Body=b"v1")
    marker = s3.delete_object(Bucket="errors-versioned", Key="k")["VersionId"]
    return "errors-versioned", marker


def error_of(call) -> tuple[int, dict, dict, dict]:
    """(status, the parsed Error dict, ResponseMetadata, response headers) of a failing call."""
    with pytest.raises(ClientError) as e:
        call()
    resp = e.value.response
    meta = resp["ResponseMetadata"]
    return meta["HTTPStatusCode"], resp["Error"], meta, meta["HTTPHeaders"]


def assert_ids(meta: dict, headers: dict) -> None:
    assert REQUEST_ID.match(headers["x-amz-request-id"]), headers
    assert HOST_ID.match(headers["x-amz-id-2"]), headers
    assert meta["RequestId"] == headers["x-amz-request-id"]
    assert meta["HostId"] == headers["x-amz-id-2"]


def test_no_such_key(s3, bucket):
    status, error, meta, headers = error_of(lambda: s3.get_object(Bucket=bucket, Key="dir/missing key"))
    assert status == 404
    assert error == {"Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "dir/missing key"}
    assert_ids(meta, headers)


def test_no_such_bucket(s3):
    status, error, meta, headers = error_of(lambda: s3.list_objects_v2(Bucket="no-such-bucket-here"))
    assert status == 404
    assert error == {
        "Code": "NoSuchBucket",
        "Message": "The specified bucket does not exist",
        "BucketName": "no-such-bucket-here",
    }
    assert_ids(meta, headers)


def test_bucket_not_empty(s3, bucket):
    status, error, meta, headers = error_of(lambda: s3.delete_bucket(Bucket=bucket))
    assert status == 409
    assert error == {
        "Code": "BucketNotEmpty",
        "Message": "The bucket you tried to delete is not empty",
        "BucketName": bucket,
    }
    assert_ids(meta, headers)


def test_bucket_not_empty_of_a_versioned_bucket_asks_for_every_version(s3, versioned):
    name, _ = versioned
    status, error, _, _ = error_of(lambda: s3.delete_bucket(Bucket=name))
    assert (status, error["Code"], error["BucketName"]) == (409, "BucketNotEmpty", name)
    assert error["Message"].endswith("You must delete all versions in the bucket.")


def test_invalid_argument_on_a_bad_version_id(s3, bucket):
    status, error, meta, headers = error_of(lambda: s3.get_object(Bucket=bucket, Key="five", VersionId="not-a-version"))
    assert status == 400
    assert error == {
        "Code": "InvalidArgument",
        "Message": "Invalid version id specified",
        "ArgumentName": "versionId",
        "ArgumentValue": "not-a-version",
    }
    assert_ids(meta, headers)


def test_invalid_range(s3, bucket):
    status, error, meta, headers = error_of(lambda: s3.get_object(Bucket=bucket, Key="five", Range="bytes=100-200"))
    assert status == 416
    assert error == {
        "Code": "InvalidRange",
        "Message": "The requested range is not satisfiable",
        "RangeRequested": "bytes=100-200",
        "ActualObjectSize": "5",
    }
    assert_ids(meta, headers)


def test_precondition_failed_names_the_condition(s3, bucket):
    status, error, meta, headers = error_of(lambda: s3.get_object(Bucket=bucket, Key="five", IfMatch='"nope"'))
    assert status == 412
    assert error == {
        "Code": "PreconditionFailed",
        "Message": "At least one of the pre-conditions you specified did not hold",
        "Condition": "If-Match",
    }
    assert_ids(meta, headers)
    _, error, _, _ = error_of(
        lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "five"}, CopySourceIfMatch='"nope"')
    )
    assert error["Condition"] == "x-amz-copy-source-If-Match"
    _, error, _, _ = error_of(lambda: s3.put_object(Bucket=bucket, Key="five", Body=b"x", IfNoneMatch="*"))
    assert error["Condition"] == "If-None-Match"


def test_method_not_allowed_on_a_delete_marker(s3, versioned):
    name, marker = versioned
    status, error, meta, headers = error_of(lambda: s3.get_object(Bucket=name, Key="k", VersionId=marker))
    assert status == 405
    assert error == {
        "Code": "MethodNotAllowed",
        "Message": "The specified method is not allowed against this resource.",
        "Method": "GET",
        "ResourceType": "DeleteMarker",
    }
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker
    assert headers["allow"] == "DELETE"
    assert_ids(meta, headers)


def test_no_such_key_under_a_delete_marker_keeps_the_marker_headers(s3, versioned):
    name, marker = versioned
    status, error, _, headers = error_of(lambda: s3.get_object(Bucket=name, Key="k"))
    assert (status, error["Code"], error["Key"]) == (404, "NoSuchKey", "k")
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker


def test_no_such_upload_and_no_such_version_name_what_is_missing(s3, bucket, versioned):
    _, error, _, _ = error_of(lambda: s3.list_parts(Bucket=bucket, Key="five", UploadId="gone"))
    assert error["Code"] == "NoSuchUpload" and error["UploadId"] == "gone"
    name, _ = versioned
    missing = "0" * 32
    status, error, _, _ = error_of(lambda: s3.get_object(Bucket=name, Key="k", VersionId=missing))
    assert status == 404
    assert error == {
        "Code": "NoSuchVersion",
        "Message": "The specified version does not exist.",
        "Key": "k",
        "VersionId": missing,
    }


def test_the_raw_body_is_in_s3_order(s3, bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a&b<c>"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url, timeout=HTTP_TIMEOUT)
    body = e.value.read().decode()
    headers = e.value.headers
    assert e.value.code == 404
    assert headers["Content-Type"] == "application/xml"
    assert int(headers["Content-Length"]) == len(body.encode())
    expected = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
        "<Key>a&amp;b&lt;c&gt;</Key>"
        f"<RequestId>{headers['x-amz-request-id']}</RequestId><HostId>{headers['x-amz-id-2']}</HostId></Error>"
    )
    assert body == expected
    assert "x-gatehouse-error-element" not in {k.lower() for k in headers}


def test_head_errors_have_no_body_and_successes_carry_both_ids(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="missing")
    meta = e.value.response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 404
    assert_ids(meta, meta["HTTPHeaders"])
    ok = s3.get_object(Bucket=bucket, Key="five")["ResponseMetadata"]
    assert_ids(ok, ok["HTTPHeaders"])
    listed = s3.list_buckets()["ResponseMetadata"]
    assert_ids(listed, listed["HTTPHeaders"])
