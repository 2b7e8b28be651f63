//! SAML providers.

use gatehouse_core::entities::SamlProvider;

use super::principals::authorize_create;
use super::{Handled, render, respond, respond_empty};
use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// Encrypted assertions need the identity provider's private keys, which Gatehouse does not keep yet: a
/// request that asks for them is refused, never accepted and ignored.
fn refuse_encryption(p: &QueryParams) -> Result<(), ApiError> {
    let required = p
        .get("AssertionEncryptionMode")
        .is_some_and(|m| m != "Allowed");
    if required || p.get("AddPrivateKey").is_some() || p.get("RemovePrivateKey").is_some() {
        return Err(ApiError::from(gatehouse_core::Error::InvalidInput(
            "Gatehouse does not support encrypted SAML assertions (AssertionEncryptionMode Required, AddPrivateKey, RemovePrivateKey) yet".into(),
        )));
    }
    Ok(())
}

/// `CreateSAMLProvider`: tags need `iam:TagSAMLProvider` too.
pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let name = p.require("Name")?;
    let metadata = p.require("SAMLMetadataDocument")?;
    refuse_encryption(p)?;
    // AWS checks the name before it authorizes: it is in the ARN.
    gatehouse_core::iam::saml_providers::check_name(name)?;
    let tags = p.tags("Tags");
    let arn = format!("arn:aws:iam::{}:saml-provider/{name}", ctx.account());
    authorize_create(ctx, &arn, &tags, None)?;
    let provider = ctx
        .app
        .iam
        .create_saml_provider(ctx.account(), name, metadata, tags)?;
    Ok(respond(ctx, |x| {
        x.text("SAMLProviderArn", &provider.arn());
        render::tags(x, &provider.tags);
    }))
}

/// `GetSAMLProvider`.
pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("SAMLProviderArn")?;
    ctx.authorize(ctx.action(), arn)?;
    let provider = ctx.app.iam.get_saml_provider(ctx.account(), arn)?;
    Ok(respond(ctx, |x| {
        x.text("SAMLProviderUUID", &provider.common.id)
            .text("SAMLMetadataDocument", &provider.metadata)
            .text("CreateDate", &render::time(provider.common.created))
            .text("ValidUntil", &render::time(provider.valid_until))
            .text("AssertionEncryptionMode", "Allowed");
        render::tags(x, &provider.tags);
    }))
}

/// `ListSAMLProviders`.
pub(super) fn list(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    ctx.authorize(
        ctx.action(),
        &format!("arn:aws:iam::{}:saml-provider/", ctx.account()),
    )?;
    let providers = ctx.app.iam.list_saml_providers(ctx.account())?;
    Ok(respond(ctx, |x| {
        x.list("SAMLProviderList", &providers, |x, p: &SamlProvider| {
            x.text("Arn", &p.arn())
                .text("ValidUntil", &render::time(p.valid_until))
                .text("CreateDate", &render::time(p.common.created));
        });
    }))
}

/// `UpdateSAMLProvider`.
pub(super) fn update(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("SAMLProviderArn")?;
    refuse_encryption(p)?;
    let metadata = p.require("SAMLMetadataDocument")?;
    ctx.authorize(ctx.action(), arn)?;
    let provider = ctx
        .app
        .iam
        .update_saml_provider(ctx.account(), arn, metadata)?;
    Ok(respond(ctx, |x| {
        x.text("SAMLProviderArn", &provider.arn());
    }))
}

/// `DeleteSAMLProvider`.
pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("SAMLProviderArn")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app.iam.delete_saml_provider(ctx.account(), arn)?;
    Ok(respond_empty(ctx))
}
