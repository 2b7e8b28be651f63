//! Account-level IAM operations.

use super::{Handled, respond};
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// `GetAccountSummary`: the account's entity counts and quotas, as a `SummaryMap`.
pub(super) fn summary(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), "*")?;
    let summary = ctx.app.iam.account_summary(ctx.account())?;
    Ok(respond(ctx, |x| {
        // A query-protocol map: `<entry><key>…</key><value>…</value></entry>`.
        x.elem("SummaryMap", |x| {
            for (key, value) in &summary {
                x.elem("entry", |x| {
                    x.text("key", key).text("value", &value.to_string());
                });
            }
        });
    }))
}
