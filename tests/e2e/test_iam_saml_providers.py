"""SAML providers through boto3: create from IdP metadata (checked as IAM checks it), get the
document back with its ValidUntil, list, update, tags, delete; encrypted-assertion options are
refused rather than ignored; kept across a restart; authorized on the provider's ARN."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import PROD, boto3_client, err

CERT = "MIIC" + "A" * 1200


def metadata(valid_until: str | None = None, descriptor: str = "IDPSSODescriptor") -> str:
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="https://idp.example.com/saml"{until}>'
        f'<md:{descriptor} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f"<ds:X509Data><ds:X509Certificate>{CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.com/sso"/>'
        f"</md:{descriptor}></md:EntityDescriptor>"
    )


@pytest.fixture(scope="module")
def iam(fresh_server):
    return boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)


def test_saml_provider_lifecycle(fresh_server, iam):
    arn = iam.create_saml_provider(
        Name="Okta", SAMLMetadataDocument=metadata("2031-06-01T00:00:00Z"), Tags=[{"Key": "idp", "Value": "okta"}]
    )["SAMLProviderArn"]
    assert arn == "arn:aws:iam::111111111111:saml-provider/Okta"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == metadata("2031-06-01T00:00:00Z")
    assert got["ValidUntil"].year == 2031
    assert got["Tags"] == [{"Key": "idp", "Value": "okta"}]
    with pytest.raises(ClientError) as e:
        iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata())
    assert err(e)[:2] == (409, "EntityAlreadyExists")

    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata())
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["ValidUntil"].year >= got["CreateDate"].year + 99
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn]
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["idp"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]

    fresh_server.restart()
    iam2 = boto3_client("iam", fresh_server.endpoint, PROD.access_key_id, PROD.secret_access_key)
    assert iam2.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == metadata()
    iam2.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as e:
        iam2.get_saml_provider(SAMLProviderArn=arn)
    assert err(e)[:2] == (404, "NoSuchEntity")


def test_bad_metadata_and_unsupported_options_change_nothing(iam):
    for doc in (metadata(descriptor="SPSSODescriptor"), metadata("not-a-date"), "<html>" + "x" * 1200 + "</html>"):
        with pytest.raises(ClientError) as e:
            iam.create_saml_provider(Name="Broken", SAMLMetadataDocument=doc)
        assert err(e) == (400, "InvalidInput", "Could not parse metadata")
    with pytest.raises(ClientError) as e:
        iam.create_saml_provider(Name="Encrypted", SAMLMetadataDocument=metadata(), AssertionEncryptionMode="Required")
    assert err(e)[:2] == (400, "InvalidInput")
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_calls_are_authorized_on_the_provider_arn(fresh_server, iam):
    import json

    arn = iam.create_saml_provider(Name="AzureAD", SAMLMetadataDocument=metadata())["SAMLProviderArn"]
    iam.create_user(UserName="saml-reader")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:GetSAMLProvider", "iam:ListSAMLProviders"], "Resource": "*"}
    ]}
    iam.put_user_policy(UserName="saml-reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="saml-reader")["AccessKey"]
    reader = boto3_client("iam", fresh_server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert reader.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == metadata()
    with pytest.raises(ClientError) as e:
        reader.delete_saml_provider(SAMLProviderArn=arn)
    assert err(e)[:2] == (403, "AccessDenied")
    iam.delete_saml_provider(SAMLProviderArn=arn)
