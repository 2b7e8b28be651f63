//! STS: `AssumeRole` (trust policy and caller permissions, both sides cross-account), session
//! policies, tags and source identity, role chaining, and `GetSessionToken`.

use gatehouse_policy::{
    AccountId, Arn, MessageStyle, PolicyKind, RequestContext, size_without_whitespace,
};
use jiff::SignedDuration;

use crate::authorizer::{AuthzDecision, AuthzRequest};
use crate::caller::{Caller, Identity, Session};
use crate::credentials::IssuedCredentials;
use crate::entities::Tag;
use crate::error::{Error, Result};
use crate::iam::{Iam, resolve_policy_arn};
use crate::validate;

/// The parameters of `AssumeRole`.
#[derive(Debug, Clone, Default)]
pub struct AssumeRole {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `DurationSeconds`.
    pub duration_seconds: Option<i64>,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `Policy`.
    pub policy: Option<String>,
    /// `PolicyArns.member.N.arn`.
    pub policy_arns: Vec<String>,
    /// `Tags.member.N`.
    pub tags: Vec<Tag>,
    /// `TransitiveTagKeys.member.N`.
    pub transitive_tag_keys: Vec<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
    /// `SerialNumber` (MFA device).
    pub serial_number: Option<String>,
    /// `TokenCode` (MFA code).
    pub token_code: Option<String>,
}

/// The result of `AssumeRole`.
#[derive(Debug, Clone)]
pub struct AssumedRole {
    /// The credentials.
    pub credentials: IssuedCredentials,
    /// `arn:aws:sts::A:assumed-role/<role>/<session>`.
    pub arn: String,
    /// `<role id>:<session>`.
    pub assumed_role_id: String,
    /// Percentage of the packed-policy allowance used.
    pub packed_policy_size: Option<u32>,
    /// The source identity, when set.
    pub source_identity: Option<String>,
}

fn check_duration(value: i64, max: i64) -> Result<()> {
    if value < 900 {
        return Err(validate::constraint(
            "durationSeconds",
            &value.to_string(),
            "Member must have value greater than or equal to 900",
        ));
    }
    if value > max {
        return Err(validate::constraint(
            "durationSeconds",
            &value.to_string(),
            &format!("Member must have value less than or equal to {max}"),
        ));
    }
    Ok(())
}

fn check_identifier(field: &str, value: &str, min: usize, max: usize, extra: &str) -> Result<()> {
    validate::length(field, value, min, max)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c))
    {
        let pattern = format!("[\\w+=,.@{extra}-]*").replace('/', "\\/");
        return Err(validate::constraint(
            field,
            value,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        ));
    }
    Ok(())
}

impl AssumeRole {
    fn validate(&self) -> Result<()> {
        validate::length("roleArn", &self.role_arn, 20, 2048)?;
        validate::role_session_name(&self.session_name)?;
        if let Some(d) = self.duration_seconds {
            check_duration(d, 43200)?;
        }
        if let Some(e) = &self.external_id {
            check_identifier("externalId", e, 2, 1224, ":/")?;
        }
        if let Some(p) = &self.policy {
            validate::length("policy", p, 1, 2048)?;
        }
        if self.policy_arns.len() > 10 {
            return Err(validate::constraint(
                "policyArns",
                &format!("{:?}", self.policy_arns),
                "Member must have length less than or equal to 10",
            ));
        }
        if let Some(s) = &self.source_identity {
            check_identifier("sourceIdentity", s, 2, 64, "")?;
            if s.to_ascii_lowercase().starts_with("aws:") {
                return Err(Error::Validation(
                    "SourceIdentity must not begin with 'aws:'".into(),
                ));
            }
        }
        if let Some(code) = &self.token_code
            && (code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(validate::constraint(
                "tokenCode",
                code,
                "Member must satisfy regular expression pattern: [\\d]*",
            ));
        }
        if self.tags.len() > 50 {
            return Err(validate::constraint(
                "tags",
                "[...]",
                "Member must have length less than or equal to 50",
            ));
        }
        for t in &self.tags {
            validate::tag(&t.key, &t.value)?;
        }
        Ok(())
    }

    /// A deterministic estimate of AWS's packed size, in percent of the allowance: the
    /// session policy (without whitespace) and policy ARNs against 2,048 characters, and the
    /// session tags against the same allowance, whichever is fuller. AWS does not publish its
    /// packing, so this is an estimate by design.
    fn packed_size(&self) -> u32 {
        let policy = self.policy.as_deref().map_or(0, size_without_whitespace);
        let arns: usize = self.policy_arns.iter().map(String::len).sum();
        let tags: usize = self
            .tags
            .iter()
            .map(|t| t.key.len() + t.value.len() + 2)
            .sum();
        u32::try_from(((policy + arns) * 100 / 2048).max(tags * 100 / 2048)).unwrap_or(u32::MAX)
    }
}

fn role_of(state: &crate::state::IamState, arn: &str) -> Option<crate::entities::Role> {
    let parsed = Arn::parse(arn).ok()?;
    if parsed.service() != "iam" || !parsed.resource().starts_with("role/") {
        return None;
    }
    let name = parsed.resource().rsplit('/').next()?;
    state
        .accounts
        .get(&parsed.account_id()?)?
        .roles
        .get(&name.to_lowercase())
        .filter(|r| r.arn() == arn)
        .cloned()
}

impl Iam {
    /// `AssumeRole`. `context` carries the request's network keys.
    /// Every authorization made is pushed to `decisions`, for the request's log line.
    pub fn assume_role(
        &self,
        caller: &Caller,
        params: &AssumeRole,
        mut context: RequestContext,
        region: &str,
        decisions: &mut Vec<(&'static str, AuthzDecision)>,
    ) -> Result<AssumedRole> {
        params.validate()?;
        if matches!(caller.identity, Identity::Root { .. }) {
            return Err(Error::access_denied(
                "Roles may not be assumed by root accounts.",
            ));
        }
        let not_authorized = || {
            Error::access_denied(format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                caller.arn(),
                params.role_arn
            ))
        };
        let role = role_of(&self.state(), &params.role_arn).ok_or_else(not_authorized)?;
        let trust = crate::iam::effective_trust(&self.state(), &role);

        // Chained sessions inherit transitive tags and the source identity.
        let parent = caller.session.as_ref();
        let inherited: Vec<Tag> = parent
            .map(|s| {
                s.tags
                    .iter()
                    .filter(|t| {
                        s.transitive_tag_keys
                            .iter()
                            .any(|k| k.eq_ignore_ascii_case(&t.key))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if let Some(clash) = params
            .tags
            .iter()
            .find(|t| inherited.iter().any(|i| i.key.eq_ignore_ascii_case(&t.key)))
        {
            return Err(Error::InvalidInput(format!(
                "One or more of the specified transitive tag keys conflict with the inherited transitive tag key {}.",
                clash.key
            )));
        }
        let source_identity = parent
            .and_then(|s| s.source_identity.clone())
            .or_else(|| params.source_identity.clone());

        context.insert("sts:RoleSessionName", params.session_name.as_str());
        if let Some(e) = &params.external_id {
            context.insert("sts:ExternalId", e.as_str());
        }
        if let Some(s) = &params.source_identity {
            context.insert("sts:SourceIdentity", s.as_str());
        }
        if !params.tags.is_empty() {
            context.insert(
                "aws:TagKeys",
                params
                    .tags
                    .iter()
                    .map(|t| t.key.clone())
                    .collect::<Vec<_>>(),
            );
            for t in &params.tags {
                context.insert(&format!("aws:RequestTag/{}", t.key), t.value.as_str());
            }
        }
        if !params.transitive_tag_keys.is_empty() {
            context.insert("sts:TransitiveTagKeys", params.transitive_tag_keys.clone());
        }
        for t in &role.tags {
            context.insert(&format!("aws:ResourceTag/{}", t.key), t.value.as_str());
        }
        if params.token_code.is_some() && params.serial_number.is_some() {
            context.insert("aws:MultiFactorAuthPresent", "true");
            context.insert("aws:MultiFactorAuthAge", "0");
        }
        let role_arn = role.arn();
        let mut actions = vec!["sts:AssumeRole"];
        if !params.tags.is_empty() {
            actions.push("sts:TagSession");
        }
        if params.source_identity.is_some() {
            actions.push("sts:SetSourceIdentity");
        }
        for action in actions {
            let (decision, result) = self.require(AuthzRequest {
                caller: Some(caller),
                action,
                resource: &role_arn,
                resource_account: Some(role.common.account),
                resource_policy: Some(trust.compiled()),
                context: context.clone(),
                style: MessageStyle::Standard,
            });
            decisions.push((action, decision));
            result?;
        }

        let chained = caller.is_role_session();
        let duration = params.duration_seconds.unwrap_or(3600);
        if chained && duration > 3600 {
            return Err(Error::Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".into()));
        }
        if duration > i64::from(role.max_session_duration) {
            return Err(Error::Validation(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                    .into(),
            ));
        }
        if let Some(p) = &params.policy {
            gatehouse_policy::Policy::parse(p, PolicyKind::Session).map_err(|e| match e.code {
                gatehouse_policy::PolicyErrorCode::ValidationError => Error::Validation(e.message),
                _ => Error::MalformedPolicyDocument(e.message),
            })?;
        }
        for arn in &params.policy_arns {
            resolve_policy_arn(&self.state(), role.common.account, arn).map_err(|_| {
                Error::InvalidInput(format!(
                    "The policy ARN {arn} is not valid or does not exist."
                ))
            })?;
        }
        let packed = params.packed_size();
        if packed > 100 {
            return Err(Error::PackedPolicyTooLarge(format!(
                "Packed policy consumes {packed}% of allotted space, please use smaller policy."
            )));
        }
        let now = crate::entities::now();
        let mut tags = inherited.clone();
        tags.extend(params.tags.iter().cloned());
        let mut transitive: Vec<String> = inherited.iter().map(|t| t.key.clone()).collect();
        transitive.extend(params.transitive_tag_keys.iter().cloned());
        let session = Session {
            access_key_id: caller.access_key_id.clone(),
            issued: now,
            expires: now + SignedDuration::from_secs(duration),
            policy: params.policy.clone(),
            policy_arns: params.policy_arns.clone(),
            tags,
            transitive_tag_keys: transitive,
            source_identity: source_identity.clone(),
            mfa: params.token_code.is_some() || parent.is_some_and(|s| s.mfa),
            user_session: false,
        };
        let identity = Identity::Role {
            account: role.common.account,
            name: role.common.name.clone(),
            path: role.common.path.clone(),
            role_id: role.common.id.clone(),
            session_name: params.session_name.clone(),
        };
        let credentials = self.issue_session(identity, session)?;
        self.note_role_used(role.common.account, &role.common.name, region);
        Ok(AssumedRole {
            credentials,
            arn: format!(
                "arn:aws:sts::{}:assumed-role/{}/{}",
                role.common.account, role.common.name, params.session_name
            ),
            assumed_role_id: format!("{}:{}", role.common.id, params.session_name),
            packed_policy_size: (params.policy.is_some()
                || !params.policy_arns.is_empty()
                || !params.tags.is_empty())
            .then_some(packed),
            source_identity,
        })
    }

    /// `GetSessionToken`: temporary credentials acting as the calling user or root.
    pub fn get_session_token(
        &self,
        caller: &Caller,
        duration_seconds: Option<i64>,
        mfa: bool,
    ) -> Result<IssuedCredentials> {
        if caller.session.is_some() {
            return Err(Error::access_denied(
                "Cannot call GetSessionToken with session credentials",
            ));
        }
        let is_root = matches!(caller.identity, Identity::Root { .. });
        let requested = duration_seconds.unwrap_or(if is_root { 3600 } else { 43200 });
        check_duration(requested, 129_600)?;
        // Root sessions are silently capped at one hour.
        let duration = if is_root {
            requested.min(3600)
        } else {
            requested
        };
        let now = crate::entities::now();
        let session = Session {
            access_key_id: caller.access_key_id.clone(),
            issued: now,
            expires: now + SignedDuration::from_secs(duration),
            policy: None,
            policy_arns: Vec::new(),
            tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
            source_identity: None,
            mfa,
            user_session: true,
        };
        self.issue_session(caller.identity.clone(), session)
    }

    /// `GetAccessKeyInfo`: the account an access key id belongs to.
    pub fn access_key_info(&self, access_key_id: &str) -> Result<AccountId> {
        let id = crate::ids::AccessKeyId::parse(access_key_id).ok_or_else(|| {
            validate::constraint(
                "accessKeyId",
                access_key_id,
                "Member must have length greater than or equal to 16",
            )
        })?;
        if let Some(key) = self.state().keys.get(&id) {
            return Ok(key.owner.account());
        }
        id.account()
            .ok_or_else(|| Error::access_denied("The access key ID is not valid."))
    }
}
