//! `OpenID` Connect providers.

use super::principals::authorize_create;
use super::{Handled, render, respond, respond_empty};
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// `CreateOpenIDConnectProvider`: tags need `iam:TagOpenIDConnectProvider` too.
pub(super) fn create(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let url = p.require("Url")?;
    let tags = p.tags("Tags");
    // AWS checks the URL before it authorizes: the provider's name is in the ARN.
    let name = gatehouse_core::iam::oidc_providers::provider_url(url)?;
    let arn = format!("arn:aws:iam::{}:oidc-provider/{name}", ctx.account());
    authorize_create(ctx, &arn, &tags, None)?;
    let provider = ctx.app.iam.create_oidc_provider(
        ctx.account(),
        url,
        &p.list("ClientIDList", None),
        &p.list("ThumbprintList", None),
        tags,
    )?;
    Ok(respond(ctx, |x| {
        x.text("OpenIDConnectProviderArn", &provider.arn());
        render::tags(x, &provider.tags);
    }))
}

/// `GetOpenIDConnectProvider`.
pub(super) fn get(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("OpenIDConnectProviderArn")?;
    ctx.authorize(ctx.action(), arn)?;
    let provider = ctx.app.iam.get_oidc_provider(ctx.account(), arn)?;
    Ok(respond(ctx, |x| {
        x.text("Url", &provider.url);
        x.list("ClientIDList", &provider.client_ids, |x, id| {
            x.open_text(id);
        });
        x.list("ThumbprintList", &provider.thumbprints, |x, t| {
            x.open_text(t);
        });
        x.text("CreateDate", &render::time(provider.created));
        render::tags(x, &provider.tags);
    }))
}

/// `ListOpenIDConnectProviders`: every provider's ARN (the API does not page it).
pub(super) fn list(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    ctx.authorize(
        ctx.action(),
        &format!("arn:aws:iam::{}:oidc-provider/", ctx.account()),
    )?;
    let providers = ctx.app.iam.list_oidc_providers(ctx.account())?;
    Ok(respond(ctx, |x| {
        x.list("OpenIDConnectProviderList", &providers, |x, o| {
            x.text("Arn", &o.arn());
        });
    }))
}

/// `DeleteOpenIDConnectProvider`.
pub(super) fn delete(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("OpenIDConnectProviderArn")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app.iam.delete_oidc_provider(ctx.account(), arn)?;
    Ok(respond_empty(ctx))
}

/// `AddClientIDToOpenIDConnectProvider`.
pub(super) fn add_client_id(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("OpenIDConnectProviderArn")?;
    let client_id = p.require("ClientID")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app
        .iam
        .add_oidc_client_id(ctx.account(), arn, client_id)?;
    Ok(respond_empty(ctx))
}

/// `RemoveClientIDFromOpenIDConnectProvider`.
pub(super) fn remove_client_id(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("OpenIDConnectProviderArn")?;
    let client_id = p.require("ClientID")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app
        .iam
        .remove_oidc_client_id(ctx.account(), arn, client_id)?;
    Ok(respond_empty(ctx))
}

/// `UpdateOpenIDConnectProviderThumbprint`.
pub(super) fn update_thumbprints(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("OpenIDConnectProviderArn")?;
    ctx.authorize(ctx.action(), arn)?;
    ctx.app
        .iam
        .update_oidc_thumbprints(ctx.account(), arn, &p.list("ThumbprintList", None))?;
    Ok(respond_empty(ctx))
}
