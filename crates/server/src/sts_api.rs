//! The STS API over the query protocol: [`OPERATIONS`], its table, and the handlers.

use gatehouse_core::operation::Resource;
use gatehouse_core::sts::AssumeRole;

use crate::error::Service;
use crate::iam_api::render::time;
use crate::operations::{Handled, QueryOperation, query_operations};
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::Xml;

/// Every STS operation Gatehouse serves.
pub(crate) static OPERATIONS: &[QueryOperation] = query_operations! { Sts, "sts";
    // Never denied: it needs no permission (the action exists for SCPs and logs).
    GetCallerIdentity: read Resource::None => get_caller_identity;
    AssumeRole: write Resource::named("role", "RoleArn"),
        further_actions = &["sts:TagSession", "sts:SetSourceIdentity"],
        context_keys = &[
            "aws:RequestTag/${TagKey}", "aws:TagKeys", "sts:ExternalId", "sts:RoleSessionName",
            "sts:SourceIdentity", "sts:TransitiveTagKeys"
        ] => assume_role;
    GetSessionToken: read Resource::None => get_session_token;
    GetAccessKeyInfo: read Resource::None => get_access_key_info;
    DecodeAuthorizationMessage: write Resource::None => decode_authorization_message;
};

fn respond(ctx: &RequestCtx, result: impl FnOnce(&mut Xml)) -> String {
    let action = ctx.operation.name;
    let mut x = Xml::new();
    x.open_ns(&format!("{action}Response"), Service::Sts.namespace());
    x.elem(&format!("{action}Result"), result);
    x.elem("ResponseMetadata", |x| {
        x.text("RequestId", &ctx.request_id);
    });
    x.close(&format!("{action}Response"));
    x.finish()
}

fn credentials(x: &mut Xml, c: &gatehouse_core::IssuedCredentials) {
    x.elem("Credentials", |x| {
        x.text("AccessKeyId", c.access_key_id.as_str())
            .text("SecretAccessKey", c.secret.expose())
            .text("SessionToken", &c.session_token)
            .text("Expiration", &time(c.expiration));
    });
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every handler has the same signature, for the table"
)]
fn get_caller_identity(ctx: &RequestCtx, _: &QueryParams) -> Handled {
    let caller = &ctx.caller;
    Ok(respond(ctx, |x| {
        x.text("Arn", &caller.arn())
            .text("UserId", &caller.user_id())
            .text("Account", caller.account().as_str());
    }))
}

fn assume_role(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let params = AssumeRole {
        role_arn: p.require("RoleArn")?.to_owned(),
        session_name: p.require("RoleSessionName")?.to_owned(),
        duration_seconds: p.int("DurationSeconds")?,
        external_id: p.get("ExternalId").map(str::to_owned),
        policy: p.get("Policy").map(str::to_owned),
        policy_arns: p.list("PolicyArns", Some("arn")),
        tags: p.tags("Tags"),
        transitive_tag_keys: p.list("TransitiveTagKeys", None),
        source_identity: p.get("SourceIdentity").map(str::to_owned),
        serial_number: p.get("SerialNumber").map(str::to_owned),
        token_code: p.get("TokenCode").map(str::to_owned),
    };
    let mut decisions = Vec::new();
    let result = ctx.app.iam.assume_role(
        &ctx.caller,
        &params,
        ctx.network.clone(),
        &ctx.region,
        &mut decisions,
    );
    for (action, decision) in decisions {
        ctx.note(action, &params.role_arn, decision);
    }
    let assumed = result?;
    Ok(respond(ctx, |x| {
        x.opt("SourceIdentity", assumed.source_identity.as_deref());
        x.elem("AssumedRoleUser", |x| {
            x.text("AssumedRoleId", &assumed.assumed_role_id)
                .text("Arn", &assumed.arn);
        });
        credentials(x, &assumed.credentials);
        if let Some(n) = assumed.packed_policy_size {
            x.text("PackedPolicySize", &n.to_string());
        }
    }))
}

fn get_session_token(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let mfa = p.get("TokenCode").is_some() && p.get("SerialNumber").is_some();
    let creds = ctx
        .app
        .iam
        .get_session_token(&ctx.caller, p.int("DurationSeconds")?, mfa)?;
    Ok(respond(ctx, |x| credentials(x, &creds)))
}

fn get_access_key_info(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let id = p.require("AccessKeyId")?;
    let account = ctx.app.iam.access_key_info(id)?;
    Ok(respond(ctx, |x| {
        x.text("Account", account.as_str());
    }))
}

fn decode_authorization_message(ctx: &RequestCtx, p: &QueryParams) -> Handled {
    let encoded = p.require("EncodedMessage")?;
    ctx.authorize(ctx.action(), "*")?;
    let decoded = ctx.app.iam.decode_authorization_message(encoded)?;
    Ok(respond(ctx, |x| {
        x.text("DecodedMessage", &decoded);
    }))
}
