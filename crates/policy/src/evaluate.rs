//! The IAM decision procedure (semantics spec §5): explicit deny, organization policies,
//! then the grant phase with its same-account and cross-account rules.

use std::sync::Arc;

use crate::decision::{Decision, Entitlement, Outcome, PolicyType, Reason, StatementRef};
use crate::policy::{
    ActionClause, Effect, Policy, PolicyKind, PrincipalClause, ResourceClause, Statement,
};
use crate::principal::PrincipalMatch;
use crate::request::{Principal, Request, Resource};
use crate::resource::ResourcePattern;

/// Organization policies on one level of the hierarchy (root, an OU, or the account).
pub type PolicyLevel = Vec<Arc<Policy>>;

/// Every policy that bears on one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicySet<'a> {
    /// Policies of the caller's user (with its groups) or role.
    pub identity: &'a [Arc<Policy>],
    /// The resource's policy: bucket policy, role trust policy, …
    pub resource: Option<&'a Policy>,
    /// The caller entity's permissions boundary.
    pub boundary: Option<&'a Policy>,
    /// The session policies of the caller's session.
    pub session: &'a [Arc<Policy>],
    /// SCP levels from the root to the caller's account; empty outside an organization or in
    /// its management account.
    pub scps: &'a [PolicyLevel],
    /// RCP levels from the root to the resource's account; empty when none apply.
    pub rcps: &'a [PolicyLevel],
}

/// Why a statement does not apply, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// The action is not covered.
    Action,
    /// The resource is not covered.
    Resource,
    /// The principal is not named (or is exempted by `NotPrincipal`).
    Principal,
    /// The condition with this index in the statement is false.
    Condition(usize),
}

/// Tests one statement against a request: `Ok(kind)` when it applies, with how the principal
/// matched (always `Direct` for statements without a principal).
pub fn statement_applies(
    st: &Statement,
    req: &Request<'_>,
    has_boundary: bool,
) -> Result<PrincipalMatch, Mismatch> {
    let action_listed = |patterns: &[crate::resource::ActionPattern]| {
        patterns.iter().any(|p| p.matches(req.action))
    };
    let action_ok = match &st.action {
        ActionClause::Action(ps) => action_listed(ps),
        ActionClause::NotAction(ps) => !action_listed(ps),
    };
    if !action_ok {
        return Err(Mismatch::Action);
    }
    // An action with no resource type is matched against its service-wide ARN.
    let service_wide = matches!(req.resource, Resource::Any).then(|| req.service_wide_arn());
    let resource_listed = |patterns: &[ResourcePattern]| {
        patterns.iter().any(|p| match (p, &service_wide) {
            (ResourcePattern::Arn(arn), Some(all)) => {
                arn.matches_text(all, req.context) == Some(true)
            }
            _ => p.matches(req.resource, req.context) == Some(true),
        })
    };
    let resource_ok = match &st.resource {
        None => true,
        Some(ResourceClause::Resource(ps)) => resource_listed(ps),
        Some(ResourceClause::NotResource(ps)) => !resource_listed(ps),
    };
    if !resource_ok {
        return Err(Mismatch::Resource);
    }
    let kind = match &st.principal {
        None => PrincipalMatch::Direct,
        Some(PrincipalClause::Principal(set)) => {
            set.match_kind(req.principal).ok_or(Mismatch::Principal)?
        }
        Some(PrincipalClause::NotPrincipal(set)) => {
            // A NotPrincipal exemption never covers a principal that has a boundary.
            if !has_boundary && set.exempts(req.principal) {
                return Err(Mismatch::Principal);
            }
            PrincipalMatch::Direct
        }
    };
    if let Some(i) = st.conditions.iter().position(|c| !c.evaluate(req.context)) {
        return Err(Mismatch::Condition(i));
    }
    Ok(kind)
}

struct Evaluator<'s, 'r> {
    req: &'r Request<'r>,
    has_boundary: bool,
    _set: std::marker::PhantomData<&'s ()>,
}

impl<'s> Evaluator<'s, '_> {
    /// The first statement of `effect` in `policy` that applies, with its principal match.
    fn find(
        &self,
        policy: &'s Policy,
        effect: Effect,
        policy_type: PolicyType,
    ) -> Option<(PrincipalMatch, StatementRef<'s>)> {
        policy
            .statements
            .iter()
            .filter(|st| st.effect == effect)
            .find_map(|st| {
                statement_applies(st, self.req, self.has_boundary)
                    .ok()
                    .map(|kind| {
                        (
                            kind,
                            StatementRef {
                                policy_type,
                                policy,
                                statement: st,
                            },
                        )
                    })
            })
    }

    fn find_in(
        &self,
        policies: &'s [Arc<Policy>],
        effect: Effect,
        policy_type: PolicyType,
    ) -> Option<StatementRef<'s>> {
        policies
            .iter()
            .find_map(|p| self.find(p, effect, policy_type).map(|(_, s)| s))
    }

    /// The strongest Allow match in a resource policy.
    fn best_resource_allow(
        &self,
        policy: &'s Policy,
        policy_type: PolicyType,
    ) -> Option<(PrincipalMatch, StatementRef<'s>)> {
        let mut best: Option<(PrincipalMatch, StatementRef<'s>)> = None;
        for st in policy
            .statements
            .iter()
            .filter(|st| st.effect == Effect::Allow)
        {
            if let Ok(kind) = statement_applies(st, self.req, self.has_boundary)
                && best.as_ref().is_none_or(|(k, _)| kind > *k)
            {
                best = Some((
                    kind,
                    StatementRef {
                        policy_type,
                        policy,
                        statement: st,
                    },
                ));
                if kind == PrincipalMatch::Direct {
                    break;
                }
            }
        }
        best
    }
}

fn deny(s: StatementRef<'_>) -> Decision<'_> {
    Decision {
        outcome: Outcome::ExplicitDeny,
        reason: Reason::Denied(s),
    }
}

fn not_allowed<'a>(t: PolicyType) -> Decision<'a> {
    Decision {
        outcome: Outcome::ImplicitDeny,
        reason: Reason::NotAllowed(t),
    }
}

fn allowed<'a>(by: StatementRef<'a>, also: Option<StatementRef<'a>>) -> Decision<'a> {
    Decision {
        outcome: Outcome::Allow,
        reason: Reason::Allowed { by, also },
    }
}

fn entitled<'a>(e: Entitlement) -> Decision<'a> {
    Decision {
        outcome: Outcome::Allow,
        reason: Reason::Entitled(e),
    }
}

/// Facts about a request that several phases need.
struct Facts<'s> {
    same_account: bool,
    scps: &'s [PolicyLevel],
    owner_root_manages_policy: bool,
    resource_type: PolicyType,
}

impl<'s> Facts<'s> {
    fn of(set: &PolicySet<'s>, req: &Request<'_>) -> Self {
        let principal = req.principal;
        let principal_account = principal.account();
        let resource_account = req.resource_account.copied().or(principal_account);
        let same_account = principal_account.is_some() && principal_account == resource_account;
        // SCPs bind principals of the organization's accounts only.
        let organization_caller =
            !matches!(principal, Principal::Anonymous | Principal::Service { .. });
        let owner_root_manages_policy = matches!(principal, Principal::Root { .. })
            && same_account
            && matches!(
                req.action.lower(),
                "s3:getbucketpolicy" | "s3:putbucketpolicy" | "s3:deletebucketpolicy"
            );
        let resource_type = match set.resource {
            Some(p) if p.kind == PolicyKind::Trust => PolicyType::RoleTrust,
            _ => PolicyType::ResourceBased,
        };
        Self {
            same_account,
            scps: if organization_caller { set.scps } else { &[] },
            owner_root_manages_policy,
            resource_type,
        }
    }
}

/// Decides `req` against `set` exactly as AWS IAM does, with the reason.
pub fn evaluate<'s>(set: &PolicySet<'s>, req: &Request<'_>) -> Decision<'s> {
    if req.action.lower() == "sts:getcalleridentity" {
        return entitled(Entitlement::CallerIdentity);
    }
    let facts = Facts::of(set, req);
    let ev = Evaluator {
        req,
        has_boundary: set.boundary.is_some(),
        _set: std::marker::PhantomData,
    };
    if let Some(denied) = explicit_deny(&ev, set, &facts) {
        return denied;
    }
    if let Some(denied) = organization_gate(&ev, set, &facts) {
        return denied;
    }
    if facts.owner_root_manages_policy {
        return entitled(Entitlement::BucketOwnerRoot);
    }
    grant(&ev, set, &facts)
}

/// Step 1: any applicable Deny wins, reported in the order SCP, RCP, resource, identity,
/// boundary, session.
fn explicit_deny<'s>(
    ev: &Evaluator<'s, '_>,
    set: &PolicySet<'s>,
    facts: &Facts<'s>,
) -> Option<Decision<'s>> {
    use PolicyType as T;
    for level in facts.scps {
        if let Some(s) = ev.find_in(level, Effect::Deny, T::ServiceControl) {
            return Some(deny(s));
        }
    }
    for level in set.rcps {
        if let Some(s) = ev.find_in(level, Effect::Deny, T::ResourceControl) {
            return Some(deny(s));
        }
    }
    // The bucket owner's root can always manage the bucket policy, whatever it says.
    if !facts.owner_root_manages_policy
        && let Some((_, s)) = set
            .resource
            .and_then(|p| ev.find(p, Effect::Deny, facts.resource_type))
    {
        return Some(deny(s));
    }
    if let Some(s) = ev.find_in(set.identity, Effect::Deny, T::IdentityBased) {
        return Some(deny(s));
    }
    if let Some((_, s)) = set
        .boundary
        .and_then(|p| ev.find(p, Effect::Deny, T::PermissionsBoundary))
    {
        return Some(deny(s));
    }
    ev.find_in(set.session, Effect::Deny, T::Session).map(deny)
}

/// Steps 2–3: RCPs (resource side) and SCPs (caller side) need an Allow on every level.
fn organization_gate<'s>(
    ev: &Evaluator<'s, '_>,
    set: &PolicySet<'s>,
    facts: &Facts<'s>,
) -> Option<Decision<'s>> {
    if set.rcps.iter().any(|level| {
        ev.find_in(level, Effect::Allow, PolicyType::ResourceControl)
            .is_none()
    }) {
        return Some(not_allowed(PolicyType::ResourceControl));
    }
    if facts.scps.iter().any(|level| {
        ev.find_in(level, Effect::Allow, PolicyType::ServiceControl)
            .is_none()
    }) {
        return Some(not_allowed(PolicyType::ServiceControl));
    }
    None
}

/// Step 4: the grant phase, with the same-account table (§5.2) and the cross-account rule.
fn grant<'s>(ev: &Evaluator<'s, '_>, set: &PolicySet<'s>, facts: &Facts<'s>) -> Decision<'s> {
    use PolicyType as T;
    let principal = ev.req.principal;
    let resource_type = facts.resource_type;
    let resource_allow = set
        .resource
        .and_then(|p| ev.best_resource_allow(p, resource_type));
    let is_trust = resource_type == T::RoleTrust;
    match principal {
        Principal::Root { .. } if facts.same_account && !is_trust => {
            entitled(Entitlement::RootUser)
        }
        Principal::Root { .. } => match resource_allow {
            Some((_, s)) => allowed(s, None),
            None => not_allowed(resource_type),
        },
        Principal::Anonymous | Principal::Service { .. } => match resource_allow {
            Some((PrincipalMatch::Direct, s)) => allowed(s, None),
            _ => not_allowed(resource_type),
        },
        Principal::User { .. }
        | Principal::RoleSession { .. }
        | Principal::FederatedUser { .. } => {
            let identity_allow = ev.find_in(set.identity, Effect::Allow, T::IdentityBased);
            let boundary_ok = set
                .boundary
                .is_none_or(|p| ev.find(p, Effect::Allow, T::PermissionsBoundary).is_some());
            let session_ok = if set.session.is_empty() {
                // A federated session without a session policy has no permissions.
                !matches!(principal, Principal::FederatedUser { .. })
            } else {
                ev.find_in(set.session, Effect::Allow, T::Session).is_some()
            };
            let limits_ok = boundary_ok && session_ok;
            let first_failing_limit = if boundary_ok {
                T::Session
            } else {
                T::PermissionsBoundary
            };
            if facts.same_account {
                match (resource_allow, identity_allow) {
                    (Some((PrincipalMatch::Direct, s)), _) => allowed(s, None),
                    (Some((PrincipalMatch::RoleOrUser, s)), _) if limits_ok => allowed(s, None),
                    (Some((PrincipalMatch::RoleOrUser, _)), _) => not_allowed(first_failing_limit),
                    // A trust policy must itself allow the caller; an identity grant alone
                    // never suffices.
                    (None, _) if is_trust => not_allowed(T::RoleTrust),
                    (_, Some(s)) if limits_ok => allowed(s, None),
                    (_, Some(_)) => not_allowed(first_failing_limit),
                    (_, None) => not_allowed(T::IdentityBased),
                }
            } else {
                match (identity_allow, resource_allow) {
                    (None, _) => not_allowed(T::IdentityBased),
                    (Some(_), _) if !limits_ok => not_allowed(first_failing_limit),
                    (Some(_), None) => not_allowed(resource_type),
                    (Some(id), Some((_, rs))) => allowed(id, Some(rs)),
                }
            }
        }
    }
}
