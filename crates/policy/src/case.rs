//! Policy test cases in the vectors schema (semantics spec §10): policies, one request and the
//! expected outcome. Teams keep files of these as regression tests for their own policies.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::arn::AccountId;
use crate::context::{ContextValue, RequestContext};
use crate::decision::{MessageStyle, Outcome};
use crate::error::PolicyError;
use crate::evaluate::{PolicyLevel, PolicySet, evaluate};
use crate::explain::{TraceLine, trace};
use crate::policy::{Policy, PolicyKind};
use crate::request::{Action, Principal, Request, Resource};

/// One test case.
#[derive(Debug, Deserialize)]
pub struct PolicyCase {
    /// A name for reports.
    pub name: String,
    /// Where the scenario comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// The policies in force.
    pub policies: CasePolicies,
    /// The request.
    pub request: CaseRequest,
    /// Whether caller and resource share an account (informative; the engine derives it).
    #[serde(default)]
    pub same_account: Option<bool>,
    /// The outcome the case expects: `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub expected: String,
    /// Caveats.
    #[serde(default)]
    pub notes: Option<String>,
}

/// The policies of a case, as JSON documents.
#[derive(Debug, Deserialize, Default)]
pub struct CasePolicies {
    /// Identity policies of the caller.
    #[serde(default)]
    pub identity: Vec<Box<RawValue>>,
    /// The resource's policy (bucket, trust, queue…).
    #[serde(default)]
    pub resource: Option<Box<RawValue>>,
    /// The caller's permissions boundary.
    #[serde(default)]
    pub boundary: Option<Box<RawValue>>,
    /// Session policies.
    #[serde(default)]
    pub session: Vec<Box<RawValue>>,
    /// SCP levels, root to account.
    #[serde(default)]
    pub scps: Vec<Vec<Box<RawValue>>>,
    /// RCP levels, root to account.
    #[serde(default)]
    pub rcps: Vec<Vec<Box<RawValue>>>,
}

/// The request of a case.
#[derive(Debug, Deserialize)]
pub struct CaseRequest {
    /// A principal ARN, `anonymous`, or a service principal name.
    pub principal: String,
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// Condition keys: a string, or an array of strings for multivalued keys.
    #[serde(default)]
    pub context: BTreeMap<String, serde_json::Value>,
    /// The resource's account, for ARNs that carry none (S3).
    #[serde(default)]
    pub resource_account: Option<String>,
    /// The IAM user behind a federated-user session.
    #[serde(default)]
    pub federating_user: Option<String>,
}

/// Why a case could not be run.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A policy of the case is invalid.
    #[error("{place}: {error}{}", error.location.as_deref().map(|l| format!(" (at {l})")).unwrap_or_default())]
    Policy {
        /// Which policy.
        place: String,
        /// The validation error.
        error: PolicyError,
    },
    /// The request is malformed.
    #[error("request: {0}")]
    Request(String),
}

/// The result of running a case.
#[derive(Debug)]
pub struct CaseReport {
    /// The outcome the engine reached.
    pub outcome: Outcome,
    /// True when it is the expected one.
    pub passed: bool,
    /// The decision with its reason, as text.
    pub decision: String,
    /// AWS's `AccessDenied` message, when denied.
    pub message: Option<String>,
    /// Every statement's verdict.
    pub trace: Vec<TraceLine>,
}

/// A case with its policies compiled, ready to evaluate repeatedly.
#[derive(Debug)]
pub struct CompiledCase {
    identity: Vec<Arc<Policy>>,
    resource: Option<Policy>,
    boundary: Option<Policy>,
    session: Vec<Arc<Policy>>,
    scps: Vec<PolicyLevel>,
    rcps: Vec<PolicyLevel>,
    principal: Principal,
    action: Action,
    resource_arn: Resource,
    resource_account: Option<AccountId>,
    context: RequestContext,
}

fn compile(raw: &RawValue, kind: PolicyKind, place: String) -> Result<Policy, CaseError> {
    Policy::parse(raw.get(), kind)
        .map(|p| p.named(place.clone()))
        .map_err(|error| CaseError::Policy { place, error })
}

/// The document kind a case's resource policy is read as, from the action's service.
fn resource_kind(action: &Action) -> PolicyKind {
    match action.service_lower() {
        "sts" => PolicyKind::Trust,
        "s3" => PolicyKind::Bucket,
        _ => PolicyKind::Resource,
    }
}

impl PolicyCase {
    /// Reads a JSON array of cases (or a single case object).
    pub fn parse_many(text: &str) -> Result<Vec<PolicyCase>, serde_json::Error> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            serde_json::from_str(text)
        } else {
            serde_json::from_str(text).map(|c| vec![c])
        }
    }

    /// The expected outcome.
    pub fn expected_outcome(&self) -> Option<Outcome> {
        match self.expected.as_str() {
            "Allow" => Some(Outcome::Allow),
            "ExplicitDeny" => Some(Outcome::ExplicitDeny),
            "ImplicitDeny" => Some(Outcome::ImplicitDeny),
            _ => None,
        }
    }

    /// Compiles the case's policies and request.
    pub fn compile(&self) -> Result<CompiledCase, CaseError> {
        let r = &self.request;
        let action = Action::parse(&r.action)
            .ok_or_else(|| CaseError::Request(format!("bad action {:?}", r.action)))?;
        let resource_arn =
            Resource::parse(&r.resource).map_err(|e| CaseError::Request(e.to_string()))?;
        let mut context = RequestContext::new();
        for (k, v) in &r.context {
            let value = match v {
                serde_json::Value::String(s) => ContextValue::Single(s.as_str().into()),
                serde_json::Value::Array(items) => ContextValue::Multi(
                    items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map_or_else(|| i.to_string(), str::to_owned)
                                .into()
                        })
                        .collect(),
                ),
                other => ContextValue::Single(other.to_string().into()),
            };
            context.insert(k, value);
        }
        let role_arn = match context.get("aws:PrincipalArn") {
            Some(ContextValue::Single(v)) if v.contains(":role/") => Some(v.to_string()),
            _ => None,
        };
        let principal = Principal::parse(
            &r.principal,
            role_arn.as_deref(),
            r.federating_user.as_deref(),
        )
        .map_err(|e| CaseError::Request(format!("principal: {e}")))?;
        let resource_account = match &r.resource_account {
            Some(a) => Some(
                AccountId::parse(a)
                    .ok_or_else(|| CaseError::Request(format!("bad resource_account {a:?}")))?,
            ),
            None => match &resource_arn {
                Resource::Arn(arn) => arn.account_id(),
                Resource::Any => None,
            },
        };
        let p = &self.policies;
        let list =
            |docs: &[Box<RawValue>], kind, place: &str| -> Result<Vec<Arc<Policy>>, CaseError> {
                docs.iter()
                    .enumerate()
                    .map(|(i, d)| compile(d, kind, format!("{place}[{i}]")).map(Arc::new))
                    .collect()
            };
        let levels = |levels: &[Vec<Box<RawValue>>],
                      kind,
                      place: &str|
         -> Result<Vec<PolicyLevel>, CaseError> {
            levels
                .iter()
                .enumerate()
                .map(|(l, docs)| list(docs, kind, &format!("{place}[{l}]")))
                .collect()
        };
        Ok(CompiledCase {
            identity: list(&p.identity, PolicyKind::Inline, "identity")?,
            resource: p
                .resource
                .as_deref()
                .map(|d| compile(d, resource_kind(&action), "resource".into()))
                .transpose()?,
            boundary: p
                .boundary
                .as_deref()
                .map(|d| compile(d, PolicyKind::Boundary, "boundary".into()))
                .transpose()?,
            session: list(&p.session, PolicyKind::Session, "session")?,
            scps: levels(&p.scps, PolicyKind::Scp, "scps")?,
            rcps: levels(&p.rcps, PolicyKind::Rcp, "rcps")?,
            principal,
            action,
            resource_arn,
            resource_account,
            context,
        })
    }

    /// Compiles and evaluates the case.
    pub fn run(&self) -> Result<CaseReport, CaseError> {
        let compiled = self.compile()?;
        let outcome_expected = self.expected_outcome();
        let set = compiled.policy_set();
        let req = compiled.request();
        let decision = evaluate(&set, &req);
        let style = if compiled.action.service_lower() == "s3" {
            MessageStyle::S3
        } else {
            MessageStyle::Standard
        };
        Ok(CaseReport {
            outcome: decision.outcome,
            passed: outcome_expected == Some(decision.outcome),
            decision: decision.to_string(),
            message: decision.denial_message(&req, style),
            trace: trace(&set, &req),
        })
    }
}

impl CompiledCase {
    /// The policies, borrowed for evaluation.
    pub fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: &self.identity,
            resource: self.resource.as_ref(),
            boundary: self.boundary.as_ref(),
            session: &self.session,
            scps: &self.scps,
            rcps: &self.rcps,
        }
    }

    /// The request, borrowed for evaluation.
    pub fn request(&self) -> Request<'_> {
        Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource_arn,
            resource_account: self.resource_account.as_ref(),
            context: &self.context,
        }
    }
}
