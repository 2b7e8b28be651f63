//! Action and resource patterns of the `Action`/`NotAction` and `Resource`/`NotResource`
//! elements, and ARN patterns shared with the ARN condition operators.

use crate::request::{Action, Resource};
use crate::wildcard::{NoVariables, Pattern, PatternSyntax, VariableSource};

/// One entry of `Action`/`NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionPattern {
    /// `*`: every action of every service.
    Any,
    /// `service:pattern`, both lower-cased.
    Service {
        /// The service prefix, e.g. `s3` (no wildcards).
        service: Box<str>,
        /// The action name pattern, e.g. `get*`.
        name: Pattern,
    },
}

/// Why an action entry is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadAction {
    /// No `service:` prefix.
    NoVendor,
    /// More than one colon.
    TwoColons,
}

impl ActionPattern {
    /// Parses one entry.
    pub fn parse(text: &str) -> Result<Self, BadAction> {
        if text == "*" {
            return Ok(ActionPattern::Any);
        }
        let (service, name) = text.split_once(':').ok_or(BadAction::NoVendor)?;
        if name.contains(':') {
            return Err(BadAction::TwoColons);
        }
        if service.is_empty()
            || name.is_empty()
            || !service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(BadAction::NoVendor);
        }
        let syntax = PatternSyntax {
            wildcards: true,
            variables: false,
        };
        let name = Pattern::parse(name, syntax)
            .map_err(|_| BadAction::NoVendor)?
            .to_lowercase();
        Ok(ActionPattern::Service {
            service: service.to_ascii_lowercase().into(),
            name,
        })
    }

    /// True when the entry covers `action`.
    pub fn matches(&self, action: &Action) -> bool {
        match self {
            ActionPattern::Any => true,
            ActionPattern::Service { service, name } => {
                **service == *action.service_lower()
                    && name
                        .matches(action.name_lower(), &NoVariables, false)
                        .unwrap_or(false)
            }
        }
    }

    /// The service prefix, or `None` for `*`.
    pub fn service(&self) -> Option<&str> {
        match self {
            ActionPattern::Any => None,
            ActionPattern::Service { service, .. } => Some(service),
        }
    }
}

/// Text that is neither `*` nor an ARN pattern (`arn:partition:service…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ARN pattern: {0}")]
pub struct BadArnPattern(pub String);

/// An ARN pattern: six colon-separated fields, each with its own wildcards. A field pattern
/// that ends in `*` may also consume the fields after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnPattern {
    text: Box<str>,
    fields: Box<[Pattern]>,
    /// When some field before the resource ends in `*`: its index, and the pattern of the
    /// text from that field to the end.
    greedy: Option<(usize, Pattern)>,
    /// When the first five fields are plain text (almost always): `arn:aws:s3:::`, tested
    /// as one prefix before the resource part is matched.
    head: Option<Box<str>>,
}

impl ArnPattern {
    /// Parses an ARN pattern; fields missing at the end count as `*`. Variables are read in
    /// the resource part only, and only when `variables` is true.
    pub fn parse(text: &str, variables: bool) -> Result<Self, BadArnPattern> {
        let bad = || BadArnPattern(text.to_owned());
        let mut fields_text: Vec<&str> = text.splitn(6, ':').collect();
        if fields_text.first() != Some(&"arn") || fields_text.len() < 3 {
            return Err(bad());
        }
        while fields_text.len() < 6 {
            fields_text.push("*");
        }
        let plain = PatternSyntax {
            wildcards: true,
            variables: false,
        };
        let with_vars = PatternSyntax {
            wildcards: true,
            variables,
        };
        let mut fields = Vec::with_capacity(6);
        for (i, f) in fields_text.iter().enumerate() {
            fields.push(
                Pattern::parse(f, if i == 5 { with_vars } else { plain }).map_err(|_| bad())?,
            );
        }
        let greedy = match (0..5).find(|&i| fields_text[i].ends_with('*')) {
            Some(i) => {
                let tail = fields_text[i..].join(":");
                Some((i, Pattern::parse(&tail, with_vars).map_err(|_| bad())?))
            }
            None => None,
        };
        let plain_head = fields_text[..5].iter().all(|f| !f.contains(['*', '?']));
        let head = plain_head.then(|| format!("{}:", fields_text[..5].join(":")).into_boxed_str());
        Ok(Self {
            text: text.into(),
            fields: fields.into_boxed_slice(),
            greedy,
            head,
        })
    }

    /// Matches an ARN given as text; `None` when a variable has no value.
    pub fn matches_text(&self, arn: &str, vars: &dyn VariableSource) -> Option<bool> {
        if let Some(head) = &self.head {
            // The head holds exactly five colons, so what follows it is the resource part.
            return match arn.strip_prefix(&**head) {
                Some(resource) => self.fields[5].matches(resource, vars, false),
                None => Some(false),
            };
        }
        let mut starts = [0usize; 6];
        let mut n = 1;
        for (i, b) in arn.bytes().enumerate() {
            if n == 6 {
                break;
            }
            if b == b':' {
                starts[n] = i + 1;
                n += 1;
            }
        }
        if n < 6 {
            return Some(false);
        }
        let field = |i: usize| -> &str {
            let end = if i == 5 { arn.len() } else { starts[i + 1] - 1 };
            &arn[starts[i]..end]
        };
        let upto = self.greedy.as_ref().map_or(5, |(i, _)| *i);
        for i in 0..upto {
            if !self.fields[i].matches(field(i), vars, false)? {
                return Some(false);
            }
        }
        match &self.greedy {
            Some((i, tail)) => tail.matches(&arn[starts[*i]..], vars, false),
            None => self.fields[5].matches(field(5), vars, false),
        }
    }

    /// True when the resource part contains a policy variable.
    pub fn has_variables(&self) -> bool {
        self.fields[5].has_variables()
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// One entry of `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePattern {
    /// `*`: every resource, including the `*` of actions without a resource type.
    Any,
    /// An ARN pattern.
    Arn(ArnPattern),
}

impl ResourcePattern {
    /// Parses `*` or an ARN pattern.
    pub fn parse(text: &str, variables: bool) -> Result<Self, BadArnPattern> {
        if text == "*" {
            Ok(ResourcePattern::Any)
        } else {
            ArnPattern::parse(text, variables).map(ResourcePattern::Arn)
        }
    }

    /// Whether the entry covers `resource`; `None` when a variable has no value (such an
    /// entry matches nothing).
    pub fn matches(&self, resource: &Resource, vars: &dyn VariableSource) -> Option<bool> {
        match (self, resource) {
            (ResourcePattern::Any, _) => Some(true),
            (ResourcePattern::Arn(_), Resource::Any) => Some(false),
            (ResourcePattern::Arn(p), Resource::Arn(arn)) => p.matches_text(arn.as_str(), vars),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(p: &str, r: &str) -> bool {
        ResourcePattern::parse(p, true)
            .unwrap()
            .matches(&Resource::parse(r).unwrap(), &NoVariables)
            .unwrap()
    }

    #[test]
    fn resource_wildcards_cross_slashes() {
        assert!(res(
            "arn:aws:s3:::b/*/test/*",
            "arn:aws:s3:::b/1/2/test/3/o.jpg"
        ));
        assert!(!res("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b/test/o.jpg"));
        assert!(res("arn:aws:s3:::*log*", "arn:aws:s3:::x-logs/r.txt"));
        assert!(res("*", "*"));
        assert!(!res("arn:aws:s3:::*", "*"));
        assert!(res(
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::123456789012:user/a"
        ));
        assert!(!res(
            "arn:aws:iam::111:user/*",
            "arn:aws:iam::123456789012:user/a"
        ));
    }

    #[test]
    fn trailing_star_consumes_following_fields_and_short_arns_complete() {
        assert!(res("arn:aws:sqs", "arn:aws:sqs:us-east-1:123456789012:q"));
        assert!(res("arn:aws:s3:*", "arn:aws:s3:::b/k"));
        assert!(res(
            "arn:aws:ec2:us-east-1:*",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1"
        ));
        assert!(!res(
            "arn:aws:ec2:us-west-2:*",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1"
        ));
        assert!(res(
            "arn:aws:logs:*:*:log-group:a:*",
            "arn:aws:logs:r:1:log-group:a:log-stream:x"
        ));
    }

    #[test]
    fn actions_are_case_insensitive() {
        let a = Action::parse("S3:GetObject").unwrap();
        assert!(ActionPattern::parse("s3:get*").unwrap().matches(&a));
        assert!(ActionPattern::parse("S3:*Object").unwrap().matches(&a));
        assert!(!ActionPattern::parse("s3:Put*").unwrap().matches(&a));
        assert!(!ActionPattern::parse("ec2:GetObject").unwrap().matches(&a));
        assert!(ActionPattern::parse("*").unwrap().matches(&a));
        assert_eq!(ActionPattern::parse("GetObject"), Err(BadAction::NoVendor));
        assert_eq!(ActionPattern::parse("s3:a:b"), Err(BadAction::TwoColons));
    }
}
