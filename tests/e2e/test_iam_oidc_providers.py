"""OpenID Connect providers through boto3, as CI set-ups create them (GitHub Actions, EKS):
create with client ids, thumbprints and tags; get (URL without its scheme, thumbprints
lower-cased); list; client ids and thumbprints changed; tags; AWS's URL and thumbprint checks;
delete; kept across a restart; and every call authorized on the provider's ARN."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client, err

GITHUB = "https://token.actions.githubusercontent.com"
GITHUB_ARN = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
THUMB = "6938FD4D98BAB03FAADB97B34396831E3780AEA1"


@pytest.fixture(scope="module")
def iam(fresh_server):
    return boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


def test_provider_lifecycle(fresh_server, iam):
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    created = iam.create_open_id_connect_provider(
        Url=GITHUB, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB], Tags=[{"Key": "ci", "Value": "gha"}]
    )
    assert created["OpenIDConnectProviderArn"] == GITHUB_ARN
    assert created["Tags"] == [{"Key": "ci", "Value": "gha"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"]
    assert got["ThumbprintList"] == [THUMB.lower()]
    assert got["CreateDate"] is not None
    with pytest.raises(ClientError) as e:
        iam.create_open_id_connect_provider(Url=GITHUB, ThumbprintList=[THUMB])
    assert err(e)[:2] == (409, "EntityAlreadyExists")

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, ClientID="api://ci")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, ClientID="api://ci")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=GITHUB_ARN, ThumbprintList=["b" * 40, "c" * 40])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN, TagKeys=["ci"])

    eks = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    eks_arn = iam.create_open_id_connect_provider(Url=eks, ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]
    assert eks_arn.endswith(":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=eks_arn)["ThumbprintList"] == []
    assert iam.get_account_summary()["SummaryMap"]["Providers"] == 2

    fresh_server.restart()
    iam2 = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    listed = sorted(p["Arn"] for p in iam2.list_open_id_connect_providers()["OpenIDConnectProviderList"])
    assert listed == sorted([GITHUB_ARN, eks_arn])
    got = iam2.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert got["ClientIDList"] == ["api://ci"]
    assert got["ThumbprintList"] == ["b" * 40, "c" * 40]
    assert got["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert iam2.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=GITHUB_ARN)["Tags"] == [
        {"Key": "env", "Value": "prod"}
    ]

    iam2.delete_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    for call in (
        lambda: iam2.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN),
        lambda: iam2.delete_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e)[:2] == (404, "NoSuchEntity")


@pytest.mark.parametrize(
    "url,code,message",
    [
        ("example.com", "ValidationError", "Invalid Open ID Connect Provider URL"),
        ("http://example.com", "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://."),
        ("https://", "ValidationError", "Invalid Open ID Connect Provider URL"),
        ("https://user:pass@example.com", "InvalidInput", "Invalid Open ID Connect Provider URL."),
        ("https://example.com?foo=1", "InvalidInput", "Invalid Open ID Connect Provider URL."),
        ("https://exa_mple.com", "InvalidInput", "Invalid Open ID Connect Provider URL."),
    ],
)
def test_urls_are_checked_as_aws_checks_them(iam, url, code, message):
    with pytest.raises(ClientError) as e:
        iam.create_open_id_connect_provider(Url=url, ThumbprintList=[THUMB])
    assert err(e) == (400, code, message)


def test_thumbprints_and_client_ids_are_checked(fresh_server):
    # boto3 checks lengths itself; the server must too, for clients that do not.
    iam = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key, validate_params=False)
    with pytest.raises(ClientError) as e:
        iam.create_open_id_connect_provider(Url="https://a.example.com", ThumbprintList=["a" * 39])
    assert err(e) == (400, "InvalidInput", "Thumbprint must be exactly 40 characters.")
    with pytest.raises(ClientError) as e:
        iam.create_open_id_connect_provider(Url="https://a.example.com", ThumbprintList=["a" * 40] * 6)
    assert err(e) == (400, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
    with pytest.raises(ClientError) as e:
        iam.create_open_id_connect_provider(Url="https://a.example.com", ClientIDList=[str(i) for i in range(101)])
    assert err(e)[:2] == (409, "LimitExceeded")
    arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert not any(a.endswith("/a.example.com") for a in arns)


def test_calls_are_authorized_on_the_provider_arn(fresh_server, iam):
    iam.create_open_id_connect_provider(Url="https://auth.example.com", ThumbprintList=[THUMB])
    arn = "arn:aws:iam::111111111111:oidc-provider/auth.example.com"
    iam.create_user(UserName="oidc-reader")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviders"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:GetOpenIDConnectProvider", "Resource": "arn:aws:iam::*:oidc-provider/secret.example.com"},
    ]}
    iam.put_user_policy(UserName="oidc-reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="oidc-reader")["AccessKey"]
    reader = boto3_client("iam", fresh_server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert reader.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Url"] == "auth.example.com"
    assert arn in [p["Arn"] for p in reader.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    with pytest.raises(ClientError) as e:
        reader.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert err(e)[:2] == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        reader.get_open_id_connect_provider(OpenIDConnectProviderArn="arn:aws:iam::111111111111:oidc-provider/secret.example.com")
    assert err(e)[:2] == (403, "AccessDenied")
