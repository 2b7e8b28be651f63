//! Tags of managed policies.

use gatehouse_policy::ContextValue;

use super::principals::authorize_tagged;
use super::{Handled, page, respond, respond_empty, truncation};
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// `TagPolicy`.
pub(super) fn tag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let tags = p.tags("Tags");
    authorize_tagged(ctx, ctx.action(), arn, &tags, None)?;
    ctx.app.iam.tag_policy(ctx.account(), arn, &tags)?;
    Ok(respond_empty(ctx))
}

/// `UntagPolicy`.
pub(super) fn untag(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    let keys = p.list("TagKeys", None);
    ctx.authorize_with(
        ctx.action(),
        arn,
        &[(
            "aws:TagKeys",
            ContextValue::Multi(keys.iter().map(|k| k.as_str().into()).collect()),
        )],
    )?;
    ctx.app.iam.untag_policy(ctx.account(), arn, &keys)?;
    Ok(respond_empty(ctx))
}

/// `ListPolicyTags`.
pub(super) fn list(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let arn = p.require("PolicyArn")?;
    ctx.authorize(ctx.action(), arn)?;
    let tags = ctx.app.iam.policy_tags(ctx.account(), arn)?;
    let page = page(
        p,
        tags.into_iter()
            .enumerate()
            .map(|(i, t)| (format!("{i:08}"), t)),
    )?;
    Ok(respond(ctx, |x| {
        x.list("Tags", &page.items, |x, t| {
            x.text("Key", &t.key).text("Value", &t.value);
        });
        truncation(x, &page);
    }))
}
