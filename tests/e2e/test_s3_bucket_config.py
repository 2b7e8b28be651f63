"""Bucket configuration through boto3 as tools read and write it: default encryption (SSE-S3
reported for every bucket; KMS and SSE-C refused, never ignored), Object Ownership, and the ACL
answers of an ACL-disabled bucket. Each configuration action is authorized as IAM names it."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client, err


@pytest.fixture(scope="module")
def endpoint(fresh_server):
    return fresh_server.endpoint


@pytest.fixture(scope="module")
def s3(endpoint):
    return boto3_client("s3", endpoint, PROD.access_key_id, PROD.secret_access_key)


@pytest.fixture
def bucket(s3, request):
    name = "cfg-" + request.node.name.replace("_", "-")[5:45].lower().strip("-")
    s3.create_bucket(Bucket=name)
    return name


def user_s3(endpoint, name: str, allow: list[str], deny: list[str] = ()):
    iam = boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key)
    iam.create_user(UserName=name)
    statements = [{"Effect": "Allow", "Action": allow, "Resource": "*"}]
    if deny:
        statements.append({"Effect": "Deny", "Action": list(deny), "Resource": "*"})
    policy = {"Version": "2012-10-17", "Statement": statements}
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3_client("s3", endpoint, key["AccessKeyId"], key["SecretAccessKey"])


def default_rule(resp) -> dict:
    rules = resp["ServerSideEncryptionConfiguration"]["Rules"]
    assert len(rules) == 1
    return rules[0]


def test_every_bucket_reports_sse_s3(s3, bucket):
    rule = default_rule(s3.get_bucket_encryption(Bucket=bucket))
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert rule["BucketKeyEnabled"] is False


def test_encryption_round_trip_and_delete_returns_the_default(s3, bucket):
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    assert default_rule(s3.get_bucket_encryption(Bucket=bucket))["BucketKeyEnabled"] is True
    s3.delete_bucket_encryption(Bucket=bucket)
    assert default_rule(s3.get_bucket_encryption(Bucket=bucket))["BucketKeyEnabled"] is False


def test_kms_default_encryption_is_refused_and_nothing_changes(s3, bucket):
    for algorithm in ("aws:kms", "aws:kms:dsse"):
        with pytest.raises(ClientError) as e:
            s3.put_bucket_encryption(
                Bucket=bucket,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {
                                "SSEAlgorithm": algorithm,
                                "KMSMasterKeyID": "arn:aws:kms:us-east-1:111111111111:key/k",
                            }
                        }
                    ]
                },
            )
        status, code, message = err(e)
        assert (status, code) == (501, "NotImplemented")
        assert "KMS" in message
    rule = default_rule(s3.get_bucket_encryption(Bucket=bucket))
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_aes256_with_a_kms_key_is_invalid(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]
            },
        )
    assert err(e)[:2] == (400, "InvalidArgument")


def test_object_writes_accept_sse_s3_and_refuse_kms_and_sse_c(s3, bucket):
    s3.put_object(Bucket=bucket, Key="aes", Body=b"x", ServerSideEncryption="AES256")
    assert s3.get_object(Bucket=bucket, Key="aes")["Body"].read() == b"x"
    refused = [
        dict(ServerSideEncryption="aws:kms"),
        dict(ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/mine"),
        dict(SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32),
    ]
    for extra in refused:
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket=bucket, Key="kms", Body=b"y", **extra)
        assert err(e)[:2] == (501, "NotImplemented"), extra
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=bucket, Key="kms", CopySource={"Bucket": bucket, "Key": "aes"}, **extra)
        assert err(e)[:2] == (501, "NotImplemented"), extra
        with pytest.raises(ClientError) as e:
            s3.create_multipart_upload(Bucket=bucket, Key="kms", **extra)
        assert err(e)[:2] == (501, "NotImplemented"), extra
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="kms")
    assert err(e)[0] == 404
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_ownership_controls_default_put_and_delete(s3, bucket):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_ownership_controls(Bucket=bucket)
    assert err(e)[:2] == (404, "OwnershipControlsNotFoundError")


def test_create_bucket_with_ownership_header(s3):
    s3.create_bucket(Bucket="cfg-writer-owned", ObjectOwnership="BucketOwnerPreferred")
    rules = s3.get_bucket_ownership_controls(Bucket="cfg-writer-owned")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}]


def test_create_bucket_with_a_public_acl_is_refused(s3):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="cfg-public", ACL="public-read")
    assert err(e)[:2] == (400, "InvalidBucketAclWithObjectOwnership")
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket="cfg-public")
    assert err(e)[0] == 404


def test_acls_of_an_acl_disabled_bucket(s3, bucket):
    owner = s3.list_buckets()["Owner"]["ID"]
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == owner
    assert [(g["Grantee"]["ID"], g["Grantee"]["Type"], g["Permission"]) for g in acl["Grants"]] == [
        (owner, "CanonicalUser", "FULL_CONTROL")
    ]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert err(e)[:2] == (400, "AccessControlListNotSupported")

    s3.put_object(Bucket=bucket, Key="owned", Body=b"o", ACL="bucket-owner-full-control")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="public", Body=b"p", ACL="public-read")
    assert err(e)[:2] == (400, "AccessControlListNotSupported")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="public")
    assert err(e)[0] == 404
    object_acl = s3.get_object_acl(Bucket=bucket, Key="owned")
    assert object_acl["Owner"]["ID"] == owner
    assert [g["Permission"] for g in object_acl["Grants"]] == ["FULL_CONTROL"]
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket=bucket, Key="owned", ACL="public-read")
    assert err(e)[:2] == (400, "AccessControlListNotSupported")
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket=bucket, Key="absent")
    assert err(e)[:2] == (404, "NoSuchKey")


def test_configuration_actions_are_authorized(endpoint, s3, bucket):
    reader = user_s3(
        endpoint,
        "cfg-reader",
        ["s3:GetEncryptionConfiguration", "s3:GetBucketOwnershipControls", "s3:GetBucketAcl"],
    )
    default_rule(reader.get_bucket_encryption(Bucket=bucket))
    reader.get_bucket_ownership_controls(Bucket=bucket)
    reader.get_bucket_acl(Bucket=bucket)
    writes = [
        lambda: reader.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
            },
        ),
        lambda: reader.delete_bucket_encryption(Bucket=bucket),
        lambda: reader.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        ),
        lambda: reader.delete_bucket_ownership_controls(Bucket=bucket),
    ]
    for write in writes:
        with pytest.raises(ClientError) as e:
            write()
        assert err(e)[:2] == (403, "AccessDenied")
    assert default_rule(s3.get_bucket_encryption(Bucket=bucket))["BucketKeyEnabled"] is False
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    # An object write with an ACL needs s3:PutObjectAcl as well as s3:PutObject.
    writer = user_s3(endpoint, "cfg-writer", ["s3:PutObject"])
    writer.put_object(Bucket=bucket, Key="plain", Body=b"p")
    with pytest.raises(ClientError) as e:
        writer.put_object(Bucket=bucket, Key="with-acl", Body=b"a", ACL="bucket-owner-full-control")
    assert err(e)[:2] == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="with-acl")
    assert err(e)[0] == 404
