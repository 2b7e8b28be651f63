//! Account-level IAM operations: the summary, the account alias, the password policy.

use gatehouse_core::entities::PasswordPolicy;

use super::{Handled, respond, respond_empty};
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

/// `CreateAccountAlias`.
pub(super) fn create_alias(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let alias = p.require("AccountAlias")?;
    ctx.authorize(ctx.action(), "*")?;
    ctx.app.iam.create_account_alias(ctx.account(), alias)?;
    Ok(respond_empty(ctx))
}

/// `DeleteAccountAlias`.
pub(super) fn delete_alias(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let alias = p.require("AccountAlias")?;
    ctx.authorize(ctx.action(), "*")?;
    ctx.app.iam.delete_account_alias(ctx.account(), alias)?;
    Ok(respond_empty(ctx))
}

/// `ListAccountAliases`.
pub(super) fn list_aliases(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), "*")?;
    let aliases = ctx.app.iam.account_aliases(ctx.account())?;
    Ok(respond(ctx, |x| {
        x.list("AccountAliases", &aliases, |x, a| {
            x.open_text(a);
        });
        x.text("IsTruncated", "false");
    }))
}

/// `GetAccountPasswordPolicy`.
pub(super) fn get_password_policy(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), "*")?;
    let policy = ctx.app.iam.password_policy(ctx.account())?;
    let flag = |b: bool| if b { "true" } else { "false" };
    Ok(respond(ctx, |x| {
        x.elem("PasswordPolicy", |x| {
            x.text("MinimumPasswordLength", &policy.minimum_length.to_string())
                .text("RequireSymbols", flag(policy.require_symbols))
                .text("RequireNumbers", flag(policy.require_numbers))
                .text("RequireUppercaseCharacters", flag(policy.require_uppercase))
                .text("RequireLowercaseCharacters", flag(policy.require_lowercase))
                .text(
                    "AllowUsersToChangePassword",
                    flag(policy.allow_users_to_change),
                )
                .text("ExpirePasswords", flag(policy.max_age_days.is_some()));
            if let Some(days) = policy.max_age_days {
                x.text("MaxPasswordAge", &days.to_string());
            }
            if let Some(n) = policy.reuse_prevention {
                x.text("PasswordReusePrevention", &n.to_string());
            }
            if policy.hard_expiry {
                x.text("HardExpiry", "true");
            }
        });
    }))
}

/// `UpdateAccountPasswordPolicy`: what the request leaves out takes AWS's default (a
/// six-character minimum, nothing required).
pub(super) fn update_password_policy(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let number = |name: &str| -> Result<Option<u32>, crate::ApiError> {
        Ok(p.int(name)?
            .map(|v| u32::try_from(v.clamp(0, i64::from(u32::MAX))).unwrap_or(u32::MAX)))
    };
    let policy = PasswordPolicy {
        minimum_length: number("MinimumPasswordLength")?.unwrap_or(6),
        require_symbols: p.bool("RequireSymbols")?.unwrap_or(false),
        require_numbers: p.bool("RequireNumbers")?.unwrap_or(false),
        require_uppercase: p.bool("RequireUppercaseCharacters")?.unwrap_or(false),
        require_lowercase: p.bool("RequireLowercaseCharacters")?.unwrap_or(false),
        allow_users_to_change: p.bool("AllowUsersToChangePassword")?.unwrap_or(false),
        max_age_days: number("MaxPasswordAge")?,
        reuse_prevention: number("PasswordReusePrevention")?,
        hard_expiry: p.bool("HardExpiry")?.unwrap_or(false),
    };
    ctx.authorize(ctx.action(), "*")?;
    ctx.app.iam.update_password_policy(ctx.account(), policy)?;
    Ok(respond_empty(ctx))
}

/// `DeleteAccountPasswordPolicy`.
pub(super) fn delete_password_policy(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    ctx.authorize(ctx.action(), "*")?;
    ctx.app.iam.delete_password_policy(ctx.account())?;
    Ok(respond_empty(ctx))
}
