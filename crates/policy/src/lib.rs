//! The AWS IAM policy language: parse, validate, compile, evaluate and explain.
//!
//! This crate does no I/O. A document is parsed once into a [`Policy`] (actions lower-cased,
//! ARN patterns split into fields, CIDRs, dates and numbers pre-parsed); [`evaluate`] then
//! decides a [`Request`] against a [`PolicySet`] as AWS does, returning a [`Decision`] that
//! carries its reason and AWS's `AccessDenied` text.
//!
//! ```
//! use std::sync::Arc;
//! use gatehouse_policy::*;
//!
//! let policy = Policy::parse(
//!     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::log-bucket/*"}}"#,
//!     PolicyKind::Inline,
//! ).unwrap();
//! let identity = [Arc::new(policy)];
//! let set = PolicySet { identity: &identity, ..PolicySet::default() };
//! let principal = Principal::parse("arn:aws:iam::111122223333:user/alice", None, None).unwrap();
//! let action = Action::parse("s3:GetObject").unwrap();
//! let resource = Resource::parse("arn:aws:s3:::log-bucket/example.log").unwrap();
//! let context = RequestContext::new();
//! let request = Request { principal: &principal, action: &action, resource: &resource, resource_account: None, context: &context };
//! assert!(evaluate(&set, &request).is_allowed());
//! ```

mod arn;
mod case;
mod condition;
mod context;
mod decision;
mod error;
mod evaluate;
mod explain;
mod json;
mod parse;
mod policy;
mod principal;
mod request;
mod resource;
mod wildcard;

pub use arn::{AccountId, Arn, InvalidArn};
pub use case::{CaseError, CasePolicies, CaseReport, CaseRequest, CompiledCase, PolicyCase};
pub use condition::{BaseOperator, Condition, ConditionValues, Operator, SetQualifier};
pub use context::{ContextValue, RequestContext};
pub use decision::{
    Decision, Entitlement, MessageStyle, Outcome, PolicyType, Reason, StatementRef,
};
pub use error::{PolicyError, PolicyErrorCode};
pub use evaluate::{Mismatch, PolicyLevel, PolicySet, evaluate, statement_applies};
pub use explain::{TraceLine, Verdict, trace};
pub use policy::{
    ActionClause, Effect, Policy, PolicyId, PolicyKind, PrincipalClause, ResourceClause, Statement,
    Version, size_without_whitespace,
};
pub use principal::{InvalidPrincipal, PrincipalEntry, PrincipalMatch, PrincipalSet};
pub use request::{Action, Principal, Request, Resource};
pub use resource::{ActionPattern, ArnPattern, BadAction, BadArnPattern, ResourcePattern};
pub use wildcard::{NoVariables, Pattern, PatternSyntax, Piece, Variable, VariableSource};
