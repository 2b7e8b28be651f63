//! A statement-by-statement account of an evaluation, for people reading why a decision came
//! out as it did. Not used on the hot path.

use std::fmt;

use crate::decision::PolicyType;
use crate::evaluate::{Mismatch, PolicySet, statement_applies};
use crate::policy::{Effect, Policy};
use crate::principal::PrincipalMatch;
use crate::request::Request;

/// What one statement did for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// The layer of the policy.
    pub policy_type: PolicyType,
    /// The policy's ARN or name, or its position.
    pub policy: String,
    /// The statement's Sid or `#index`.
    pub statement: String,
    /// Allow or Deny.
    pub effect: Effect,
    /// How the statement fared.
    pub verdict: Verdict,
}

/// The result of testing one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It applies; the principal matched this way.
    Applies(PrincipalMatch),
    /// It does not apply, for this reason.
    Skipped(String),
}

impl fmt::Display for TraceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let effect = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        write!(
            f,
            "{} {} statement {} ({effect}): ",
            self.policy_type, self.policy, self.statement
        )?;
        match &self.verdict {
            Verdict::Applies(PrincipalMatch::Direct) => f.write_str("applies"),
            Verdict::Applies(PrincipalMatch::RoleOrUser) => {
                f.write_str("applies (names the role or federating user: limited by boundary and session policies)")
            }
            Verdict::Applies(PrincipalMatch::Account) => {
                f.write_str("applies (names the account: delegates to its IAM policies)")
            }
            Verdict::Skipped(why) => write!(f, "does not apply: {why}"),
        }
    }
}

/// Tests every statement of every policy in `set` against `req`.
pub fn trace(set: &PolicySet<'_>, req: &Request<'_>) -> Vec<TraceLine> {
    let mut lines = Vec::new();
    let has_boundary = set.boundary.is_some();
    let mut add = |policy_type: PolicyType, label: String, policy: &Policy| {
        let name = policy
            .id
            .arn
            .as_deref()
            .or(policy.id.name.as_deref())
            .map_or(label, str::to_owned);
        for st in &policy.statements {
            let verdict = match statement_applies(st, req, has_boundary) {
                Ok(kind) => Verdict::Applies(kind),
                Err(Mismatch::Action) => {
                    Verdict::Skipped(format!("action {} not covered", req.action))
                }
                Err(Mismatch::Resource) => {
                    Verdict::Skipped(format!("resource {} not covered", req.resource.as_str()))
                }
                Err(Mismatch::Principal) => Verdict::Skipped(format!(
                    "principal {} not matched",
                    req.principal.arn_string()
                )),
                Err(Mismatch::Condition(i)) => {
                    let c = &st.conditions[i];
                    let actual = req.context.get(&c.key).map_or_else(
                        || "absent".to_owned(),
                        |v| format!("{:?}", v.values().collect::<Vec<_>>()),
                    );
                    Verdict::Skipped(format!(
                        "condition {} on {} is false (request value: {actual})",
                        c.operator_name, c.key
                    ))
                }
            };
            lines.push(TraceLine {
                policy_type,
                policy: name.clone(),
                statement: st.label(),
                effect: st.effect,
                verdict,
            });
        }
    };
    for (l, level) in set.scps.iter().enumerate() {
        for (i, p) in level.iter().enumerate() {
            add(PolicyType::ServiceControl, format!("scps[{l}][{i}]"), p);
        }
    }
    for (l, level) in set.rcps.iter().enumerate() {
        for (i, p) in level.iter().enumerate() {
            add(PolicyType::ResourceControl, format!("rcps[{l}][{i}]"), p);
        }
    }
    if let Some(p) = set.resource {
        let t = if p.kind == crate::policy::PolicyKind::Trust {
            PolicyType::RoleTrust
        } else {
            PolicyType::ResourceBased
        };
        add(t, "resource".to_owned(), p);
    }
    for (i, p) in set.identity.iter().enumerate() {
        add(PolicyType::IdentityBased, format!("identity[{i}]"), p);
    }
    if let Some(p) = set.boundary {
        add(PolicyType::PermissionsBoundary, "boundary".to_owned(), p);
    }
    for (i, p) in set.session.iter().enumerate() {
        add(PolicyType::Session, format!("session[{i}]"), p);
    }
    lines
}
