//! The STS API over the query protocol.

use gatehouse_core::sts::AssumeRole;

use crate::error::{ApiError, Service};
use crate::iam_api::render::time;
use crate::query::QueryParams;
use crate::request::RequestCtx;
use crate::xml::Xml;

const ACTIONS: [&str; 6] = [
    "AssumeRole",
    "GetCallerIdentity",
    "GetSessionToken",
    "GetAccessKeyInfo",
    "DecodeAuthorizationMessage",
    "GetFederationToken",
];

/// True for action names STS serves (used when a request carries no credential scope).
pub fn is_sts_action(action: &str) -> bool {
    ACTIONS.contains(&action) || action.starts_with("AssumeRole")
}

fn respond(ctx: &RequestCtx, action: &str, result: impl FnOnce(&mut Xml)) -> String {
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

/// Runs one STS action.
pub fn dispatch(ctx: &RequestCtx, action: &str, p: &QueryParams) -> Result<String, ApiError> {
    match action {
        "GetCallerIdentity" => {
            // Never denied: it needs no permission.
            let caller = &ctx.caller;
            Ok(respond(ctx, action, |x| {
                x.text("Arn", &caller.arn())
                    .text("UserId", &caller.user_id())
                    .text("Account", caller.account().as_str());
            }))
        }
        "AssumeRole" => {
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
            Ok(respond(ctx, action, |x| {
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
        "GetSessionToken" => {
            let mfa = p.get("TokenCode").is_some() && p.get("SerialNumber").is_some();
            let creds =
                ctx.app
                    .iam
                    .get_session_token(&ctx.caller, p.int("DurationSeconds")?, mfa)?;
            Ok(respond(ctx, action, |x| credentials(x, &creds)))
        }
        "GetAccessKeyInfo" => {
            let id = p.require("AccessKeyId")?;
            let account = ctx.app.iam.access_key_info(id)?;
            Ok(respond(ctx, action, |x| {
                x.text("Account", account.as_str());
            }))
        }
        "DecodeAuthorizationMessage" => {
            let encoded = p.require("EncodedMessage")?;
            ctx.authorize("sts:DecodeAuthorizationMessage", "*")?;
            let decoded = ctx.app.iam.decode_authorization_message(encoded)?;
            Ok(respond(ctx, action, |x| {
                x.text("DecodedMessage", &decoded);
            }))
        }
        _ => Err(ApiError::invalid_action(action, Service::Sts)),
    }
}
