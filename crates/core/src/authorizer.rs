//! The authorizer: gathers the caller's policies, completes the request context with the
//! principal's keys, asks the policy engine, and words denials as AWS does.

use std::sync::Arc;

use gatehouse_policy::{
    AccountId, Action, Arn, Decision, MessageStyle, Outcome, Policy, PolicyKind, PolicySet,
    PolicyType, Request, RequestContext, Resource, evaluate, trace,
};
use jiff::Timestamp;
use serde_json::json;

use crate::caller::{Caller, Identity};
use crate::entities::Tag;
use crate::error::{Error, Result};
use crate::iam::{Iam, resolve_policy_arn};
use crate::state::IamState;

/// One authorization question from a service.
#[derive(Debug, Clone)]
pub struct AuthzRequest<'a> {
    /// The caller; `None` for anonymous requests.
    pub caller: Option<&'a Caller>,
    /// The action, e.g. `iam:CreateRole`.
    pub action: &'a str,
    /// The resource ARN, or `*`.
    pub resource: &'a str,
    /// The account owning the resource (`None`: the caller's).
    pub resource_account: Option<AccountId>,
    /// The resource's own policy (bucket policy, trust policy), if any.
    pub resource_policy: Option<&'a Policy>,
    /// Request keys the service knows (network, request tags, service keys); principal keys
    /// are added here.
    pub context: RequestContext,
    /// How denials are worded.
    pub style: MessageStyle,
}

/// The answer, owned, for logs and responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthzDecision {
    /// Allow, explicit or implicit deny.
    pub outcome: Outcome,
    /// The deciding layer for denials, or the granting layer.
    pub policy_type: Option<PolicyType>,
    /// AWS's `AccessDenied` message, when denied.
    pub message: Option<String>,
    /// The decision and its reason, worded for denials (empty when allowed: `policy_type` names
    /// the granting layer).
    pub reason: String,
}

impl AuthzDecision {
    /// True when allowed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allow
    }
}

/// The policies that apply to a caller.
#[derive(Debug, Default)]
pub struct CallerPolicies {
    /// Identity policies (user with its groups, or role).
    pub identity: Vec<Arc<Policy>>,
    /// The permissions boundary.
    pub boundary: Option<Arc<Policy>>,
    /// Session policies.
    pub session: Vec<Arc<Policy>>,
}

fn managed(
    state: &IamState,
    account: AccountId,
    arns: impl IntoIterator<Item = impl AsRef<str>>,
) -> Vec<Arc<Policy>> {
    arns.into_iter()
        .filter_map(|arn| resolve_policy_arn(state, account, arn.as_ref()).ok())
        .filter_map(|p| p.default_document())
        .map(|d| d.compiled().clone())
        .collect()
}

/// Gathers the policies of `caller` from the current state.
pub fn caller_policies(state: &IamState, caller: &Caller) -> CallerPolicies {
    let mut out = CallerPolicies::default();
    match &caller.identity {
        Identity::Root { .. } => {}
        Identity::User {
            account,
            name,
            user_id,
            ..
        } => {
            let Some(acct) = state.accounts.get(account) else {
                return out;
            };
            let Some(user) = acct
                .users
                .get(&name.to_lowercase())
                .filter(|u| u.common.id == *user_id)
            else {
                return out;
            };
            out.identity
                .extend(user.inline.values().map(|d| d.compiled().clone()));
            out.identity
                .extend(managed(state, *account, &user.attached));
            for g in user.groups.iter().filter_map(|g| acct.groups.get(g)) {
                out.identity
                    .extend(g.inline.values().map(|d| d.compiled().clone()));
                out.identity.extend(managed(state, *account, &g.attached));
            }
            out.boundary = user
                .boundary
                .as_ref()
                .and_then(|b| managed(state, *account, [b]).pop());
        }
        Identity::Role {
            account,
            name,
            role_id,
            ..
        } => {
            let Some(role) = state
                .accounts
                .get(account)
                .and_then(|a| a.roles.get(&name.to_lowercase()))
                .filter(|r| r.common.id == *role_id)
            else {
                return out;
            };
            out.identity
                .extend(role.inline.values().map(|d| d.compiled().clone()));
            out.identity
                .extend(managed(state, *account, &role.attached));
            out.boundary = role
                .boundary
                .as_ref()
                .and_then(|b| managed(state, *account, [b]).pop());
        }
    }
    if let Some(session) = &caller.session {
        if let Some(text) = &session.policy
            && let Ok(p) = Policy::parse(text, PolicyKind::Session)
        {
            out.session.push(Arc::new(p.named("session policy")));
        }
        let account = caller.account();
        out.session
            .extend(managed(state, account, &session.policy_arns));
        if session.has_session_policies() && out.session.is_empty() {
            // Session policies were passed but none resolves any more: the session keeps no
            // permissions, which a policy that allows nothing (and denies nothing) expresses.
            if let Ok(p) = Policy::parse(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","Resource":"*"}]}"#,
                PolicyKind::Session,
            ) {
                out.session.push(Arc::new(p.named("session policy")));
            }
        }
    }
    out
}

/// The tags of the caller's entity merged with its session tags (session tags win, keys
/// compared without case).
fn principal_tags(state: &IamState, caller: &Caller) -> Vec<Tag> {
    let mut tags = match &caller.identity {
        Identity::User { account, name, .. } => state
            .accounts
            .get(account)
            .and_then(|a| a.users.get(&name.to_lowercase()))
            .map(|u| u.tags.clone())
            .unwrap_or_default(),
        Identity::Role { account, name, .. } => state
            .accounts
            .get(account)
            .and_then(|a| a.roles.get(&name.to_lowercase()))
            .map(|r| r.tags.clone())
            .unwrap_or_default(),
        Identity::Root { .. } => Vec::new(),
    };
    if let Some(session) = &caller.session {
        crate::iam::merge_tags(&mut tags, &session.tags);
    }
    tags
}

fn set_default(ctx: &mut RequestContext, key: &str, value: impl Into<String>) {
    if ctx.get(key).is_none() {
        ctx.insert(key, value.into());
    }
}

/// Adds the principal, session and time keys of the semantics spec §6 that the service did not
/// set.
pub fn complete_context(
    state: &IamState,
    caller: Option<&Caller>,
    ctx: &mut RequestContext,
    resource_account: Option<AccountId>,
    now: Timestamp,
) {
    set_default(
        ctx,
        "aws:CurrentTime",
        now.round(jiff::Unit::Second).unwrap_or(now).to_string(),
    );
    set_default(ctx, "aws:EpochTime", now.as_second().to_string());
    let Some(caller) = caller else {
        set_default(ctx, "aws:PrincipalAccount", "anonymous");
        set_default(ctx, "aws:PrincipalType", "Anonymous");
        set_default(ctx, "aws:userid", "anonymous");
        if let Some(a) = resource_account {
            set_default(ctx, "aws:ResourceAccount", a.to_string());
        }
        return;
    };
    set_default(ctx, "aws:PrincipalArn", caller.principal_arn());
    set_default(ctx, "aws:PrincipalAccount", caller.account().to_string());
    set_default(ctx, "aws:PrincipalType", caller.principal_type());
    set_default(ctx, "aws:userid", caller.user_id());
    set_default(ctx, "aws:PrincipalIsAWSService", "false");
    set_default(
        ctx,
        "aws:ResourceAccount",
        resource_account
            .unwrap_or_else(|| caller.account())
            .to_string(),
    );
    if let Identity::User { name, .. } = &caller.identity {
        set_default(ctx, "aws:username", name.clone());
    }
    for tag in principal_tags(state, caller) {
        set_default(ctx, &format!("aws:PrincipalTag/{}", tag.key), tag.value);
    }
    if let Some(session) = &caller.session {
        set_default(ctx, "aws:TokenIssueTime", session.issued.to_string());
        set_default(
            ctx,
            "aws:MultiFactorAuthPresent",
            if session.mfa { "true" } else { "false" },
        );
        if let Some(si) = &session.source_identity {
            set_default(ctx, "aws:SourceIdentity", si.clone());
        }
    }
}

/// Adds the tags of the IAM user or role that `resource` names as `aws:ResourceTag/<k>` and
/// `iam:ResourceTag/<k>` (semantics spec §6.4), unless the service set them.
pub fn add_iam_resource_tags(state: &IamState, resource: &str, ctx: &mut RequestContext) {
    let Ok(arn) = Arn::parse(resource) else {
        return;
    };
    if arn.service() != "iam" {
        return;
    }
    let Some(acct) = arn.account_id().and_then(|a| state.accounts.get(&a)) else {
        return;
    };
    let Some((kind, rest)) = arn.resource().split_once('/') else {
        return;
    };
    let name = rest.rsplit('/').next().unwrap_or_default().to_lowercase();
    let tags = match kind {
        "user" => acct
            .users
            .get(&name)
            .filter(|u| u.arn() == resource)
            .map(|u| &u.tags),
        "role" => acct
            .roles
            .get(&name)
            .filter(|r| r.arn() == resource)
            .map(|r| &r.tags),
        _ => None,
    };
    for tag in tags.into_iter().flatten() {
        set_default(
            ctx,
            &format!("aws:ResourceTag/{}", tag.key),
            tag.value.clone(),
        );
        set_default(
            ctx,
            &format!("iam:ResourceTag/{}", tag.key),
            tag.value.clone(),
        );
    }
}

impl Iam {
    /// Decides a request as AWS would.
    pub fn authorize(&self, req: AuthzRequest<'_>) -> AuthzDecision {
        self.decide(req).0
    }

    /// Decides a request, and hands back the context as completed for the decision (a denial
    /// seals it into its encoded message).
    fn decide(&self, req: AuthzRequest<'_>) -> (AuthzDecision, RequestContext) {
        // Every service names its actions and resources as the service authorization reference
        // does; debug builds (every test suite) prove it on every request they make.
        #[cfg(debug_assertions)]
        if let Err(e) = crate::service_reference::check_request(req.action, req.resource) {
            panic!("authorization request outside the service reference: {e}");
        }
        let now = Timestamp::now();
        let state = self.state();
        let mut context = req.context;
        complete_context(&state, req.caller, &mut context, req.resource_account, now);
        add_iam_resource_tags(&state, req.resource, &mut context);
        let policies = req
            .caller
            .map(|c| caller_policies(&state, c))
            .unwrap_or_default();
        drop(state);
        let principal = req
            .caller
            .map_or(gatehouse_policy::Principal::Anonymous, Caller::principal);
        let Some(action) = Action::parse(req.action) else {
            let decision = AuthzDecision {
                outcome: Outcome::ImplicitDeny,
                policy_type: None,
                message: Some("Access Denied".into()),
                reason: format!("malformed action {}", req.action),
            };
            return (decision, context);
        };
        let resource = Resource::parse(req.resource).unwrap_or(Resource::Any);
        let set = PolicySet {
            identity: &policies.identity,
            resource: req.resource_policy,
            boundary: policies.boundary.as_deref(),
            session: &policies.session,
            scps: &[],
            rcps: &[],
        };
        let request = Request {
            principal: &principal,
            action: &action,
            resource: &resource,
            resource_account: req.resource_account.as_ref(),
            context: &context,
        };
        let decision: Decision<'_> = evaluate(&set, &request);
        let allowed = decision.outcome == Outcome::Allow;
        let policy_type = match decision.reason {
            gatehouse_policy::Reason::Allowed { by, .. } => Some(by.policy_type),
            _ => decision.denying_policy_type(),
        };
        let decision = AuthzDecision {
            outcome: decision.outcome,
            policy_type,
            message: decision.denial_message(&request, req.style),
            // Worded only when someone will read it: a denial's encoded message.
            reason: if allowed {
                String::new()
            } else {
                decision.to_string()
            },
        };
        (decision, context)
    }

    /// Decides a request and turns a denial into AWS's `AccessDenied`, carrying an encoded
    /// account of the decision for `sts:DecodeAuthorizationMessage`. The decision is returned
    /// either way, for logs.
    pub fn require(&self, req: AuthzRequest<'_>) -> (AuthzDecision, Result<()>) {
        let AuthzRequest {
            caller,
            action,
            resource,
            resource_account,
            resource_policy,
            ..
        } = req;
        let (decision, context) = self.decide(req);
        if decision.is_allowed() {
            return (decision, Ok(()));
        }
        let encoded = self.encode_authorization_message(
            caller,
            action,
            resource,
            resource_account,
            resource_policy,
            context,
            &decision,
        );
        let error = Error::AccessDenied {
            message: decision
                .message
                .clone()
                .unwrap_or_else(|| "Access Denied".into()),
            encoded: Some(encoded),
        };
        (decision, Err(error))
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "the parts of one authorization request, re-evaluated with a trace"
    )]
    fn encode_authorization_message(
        &self,
        caller: Option<&Caller>,
        action: &str,
        resource: &str,
        resource_account: Option<AccountId>,
        resource_policy: Option<&Policy>,
        mut context: RequestContext,
        decision: &AuthzDecision,
    ) -> String {
        let state = self.state();
        complete_context(
            &state,
            caller,
            &mut context,
            resource_account,
            Timestamp::now(),
        );
        add_iam_resource_tags(&state, resource, &mut context);
        let policies = caller
            .map(|c| caller_policies(&state, c))
            .unwrap_or_default();
        drop(state);
        let principal = caller.map_or(gatehouse_policy::Principal::Anonymous, Caller::principal);
        let lines: Vec<String> = match (Action::parse(action), Resource::parse(resource)) {
            (Some(a), Ok(r)) => {
                let set = PolicySet {
                    identity: &policies.identity,
                    resource: resource_policy,
                    boundary: policies.boundary.as_deref(),
                    session: &policies.session,
                    scps: &[],
                    rcps: &[],
                };
                let request = Request {
                    principal: &principal,
                    action: &a,
                    resource: &r,
                    resource_account: resource_account.as_ref(),
                    context: &context,
                };
                trace(&set, &request)
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            }
            _ => Vec::new(),
        };
        let conditions: Vec<serde_json::Value> = context
            .iter()
            .map(|(k, v)| json!({"key": k, "values": {"items": v.values().map(|x| json!({"value": x})).collect::<Vec<_>>()}}))
            .collect();
        let message = json!({
            "allowed": decision.is_allowed(),
            "explicitDeny": decision.outcome == Outcome::ExplicitDeny,
            "matchedStatements": {"items": []},
            "failures": {"items": []},
            "context": {
                "principal": caller.map(|c| json!({"id": c.user_id(), "arn": c.arn()})),
                "action": action,
                "resource": resource,
                "conditions": {"items": conditions},
            },
            "decision": decision.reason,
            "trace": lines,
        });
        self.sealer()
            .seal("authorization-message", message.to_string().as_bytes())
    }

    /// `sts:DecodeAuthorizationMessage`: the decision account sealed into an `AccessDenied`.
    pub fn decode_authorization_message(&self, encoded: &str) -> Result<String> {
        let plain = self
            .sealer()
            .open("authorization-message", encoded)
            .map_err(|_| {
                Error::InvalidAuthorizationMessage(
                    "The message is invalid or was not issued by this server.".into(),
                )
            })?;
        String::from_utf8(plain).map_err(|e| Error::Internal(e.to_string()))
    }
}
