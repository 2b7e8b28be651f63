"""A server started in a region other than us-east-1 (`--region eu-west-1`): what it records
and reports carries that region, never a hard-coded default."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, GatehouseServer, boto3_client

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def regional_server():
    root = Path(tempfile.mkdtemp(prefix="gatehouse-e2e-region-"))
    server = GatehouseServer(root, extra_args=("--region", REGION))
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_an_s3_request_records_the_servers_region_as_where_the_key_was_used(regional_server):
    endpoint = regional_server.endpoint
    iam = boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key, region=REGION)
    iam.create_user(UserName="regional")
    key = iam.create_access_key(UserName="regional")["AccessKey"]
    s3 = boto3_client("s3", endpoint, key["AccessKeyId"], key["SecretAccessKey"], region=REGION)
    # Denied (the user has no policy), but the key was used.
    with pytest.raises(ClientError):
        s3.list_buckets()
    # S3 records the use in the background, after answering.
    deadline = time.monotonic() + 5
    while True:
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        if used["ServiceName"] != "N/A" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert used["ServiceName"] == "s3"
    assert used["Region"] == REGION
