//! Condition operators, their compiled values, and how a condition block is evaluated.

use std::net::IpAddr;

use base64::Engine as _;
use ipnet::IpNet;

use crate::context::{ContextValue, RequestContext};
use crate::resource::ArnPattern;
use crate::wildcard::{Pattern, PatternSyntax};

/// The family and exact test of a condition operator (without qualifiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOperator {
    /// `StringEquals` / `StringNotEquals`.
    StringEquals,
    /// `StringEqualsIgnoreCase` / `StringNotEqualsIgnoreCase`.
    StringEqualsIgnoreCase,
    /// `StringLike` / `StringNotLike`.
    StringLike,
    /// `NumericEquals` / `NumericNotEquals`.
    NumericEquals,
    /// `NumericLessThan`.
    NumericLessThan,
    /// `NumericLessThanEquals`.
    NumericLessThanEquals,
    /// `NumericGreaterThan`.
    NumericGreaterThan,
    /// `NumericGreaterThanEquals`.
    NumericGreaterThanEquals,
    /// `DateEquals` / `DateNotEquals`.
    DateEquals,
    /// `DateLessThan`.
    DateLessThan,
    /// `DateLessThanEquals`.
    DateLessThanEquals,
    /// `DateGreaterThan`.
    DateGreaterThan,
    /// `DateGreaterThanEquals`.
    DateGreaterThanEquals,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    BinaryEquals,
    /// `IpAddress` / `NotIpAddress`.
    IpAddress,
    /// `ArnEquals` / `ArnNotEquals` (identical to the Like forms).
    ArnEquals,
    /// `ArnLike` / `ArnNotLike`.
    ArnLike,
    /// `Null`.
    Null,
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    /// Every request value must satisfy the test (vacuously true when there are none).
    ForAllValues,
    /// At least one request value must satisfy the test.
    ForAnyValue,
}

/// A full condition operator as written in a policy, e.g. `ForAnyValue:StringNotLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    /// The base test.
    pub base: BaseOperator,
    /// True for the `Not` forms (`StringNotEquals`, `NotIpAddress`, …).
    pub negated: bool,
    /// The set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// True for the `…IfExists` forms.
    pub if_exists: bool,
}

impl Operator {
    /// Parses an operator name; `None` for anything IAM does not know.
    pub fn parse(name: &str) -> Option<Self> {
        use BaseOperator as B;
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (base, negated) = match rest {
            "StringEquals" => (B::StringEquals, false),
            "StringNotEquals" => (B::StringEquals, true),
            "StringEqualsIgnoreCase" => (B::StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (B::StringEqualsIgnoreCase, true),
            "StringLike" => (B::StringLike, false),
            "StringNotLike" => (B::StringLike, true),
            "NumericEquals" => (B::NumericEquals, false),
            "NumericNotEquals" => (B::NumericEquals, true),
            "NumericLessThan" => (B::NumericLessThan, false),
            "NumericLessThanEquals" => (B::NumericLessThanEquals, false),
            "NumericGreaterThan" => (B::NumericGreaterThan, false),
            "NumericGreaterThanEquals" => (B::NumericGreaterThanEquals, false),
            "DateEquals" => (B::DateEquals, false),
            "DateNotEquals" => (B::DateEquals, true),
            "DateLessThan" => (B::DateLessThan, false),
            "DateLessThanEquals" => (B::DateLessThanEquals, false),
            "DateGreaterThan" => (B::DateGreaterThan, false),
            "DateGreaterThanEquals" => (B::DateGreaterThanEquals, false),
            "Bool" => (B::Bool, false),
            "BinaryEquals" => (B::BinaryEquals, false),
            "IpAddress" => (B::IpAddress, false),
            "NotIpAddress" => (B::IpAddress, true),
            "ArnEquals" => (B::ArnEquals, false),
            "ArnNotEquals" => (B::ArnEquals, true),
            "ArnLike" => (B::ArnLike, false),
            "ArnNotLike" => (B::ArnLike, true),
            "Null" if !if_exists && qualifier.is_none() => (B::Null, false),
            _ => return None,
        };
        Some(Self {
            base,
            negated,
            qualifier,
            if_exists,
        })
    }
}

/// The policy values of one condition, compiled for their operator.
#[derive(Debug, Clone)]
pub enum ConditionValues {
    /// String operators: patterns (wildcards only for `StringLike`), lower-cased for
    /// `IgnoreCase`.
    Strings(Vec<Pattern>),
    /// Numeric operators.
    Numbers(Vec<f64>),
    /// Date operators, as seconds since the epoch (with fraction).
    Dates(Vec<f64>),
    /// `Bool`.
    Bools(Vec<bool>),
    /// `BinaryEquals`, decoded from base64.
    Binary(Vec<Vec<u8>>),
    /// `IpAddress`.
    Networks(Vec<IpNet>),
    /// ARN operators.
    Arns(Vec<ArnPattern>),
    /// `Null`: `true` means "the key must be absent".
    Null(Vec<bool>),
}

/// One compiled test: operator, key, and values.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The operator as written.
    pub operator_name: Box<str>,
    /// The key as written.
    pub key: Box<str>,
    /// The key lower-cased for lookup.
    pub key_lower: Box<str>,
    /// The compiled values.
    pub values: ConditionValues,
}

/// A condition value that does not suit its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadConditionValue(pub String);

impl Condition {
    /// Compiles one (operator, key, values) triple. `variables` is true under Version
    /// 2012-10-17.
    pub fn compile(
        operator_name: &str,
        operator: Operator,
        key: &str,
        raw: &[String],
        variables: bool,
    ) -> Result<Self, BadConditionValue> {
        use BaseOperator as B;
        let bad = |v: &str| BadConditionValue(v.to_owned());
        let values = match operator.base {
            B::StringEquals | B::StringEqualsIgnoreCase | B::StringLike => {
                let syntax = PatternSyntax {
                    wildcards: operator.base == B::StringLike,
                    variables,
                };
                let mut out = Vec::with_capacity(raw.len());
                for v in raw {
                    let p = Pattern::parse(v, syntax).map_err(|_| bad(v))?;
                    out.push(if operator.base == B::StringEqualsIgnoreCase {
                        p.to_lowercase()
                    } else {
                        p
                    });
                }
                ConditionValues::Strings(out)
            }
            B::NumericEquals
            | B::NumericLessThan
            | B::NumericLessThanEquals
            | B::NumericGreaterThan
            | B::NumericGreaterThanEquals => ConditionValues::Numbers(
                raw.iter()
                    .map(|v| parse_number(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            B::DateEquals
            | B::DateLessThan
            | B::DateLessThanEquals
            | B::DateGreaterThan
            | B::DateGreaterThanEquals => ConditionValues::Dates(
                raw.iter()
                    .map(|v| parse_date(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            B::Bool => ConditionValues::Bools(
                raw.iter()
                    .map(|v| parse_bool(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            B::Null => ConditionValues::Null(
                raw.iter()
                    .map(|v| parse_bool(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            B::BinaryEquals => ConditionValues::Binary(
                raw.iter()
                    .map(|v| {
                        base64::engine::general_purpose::STANDARD
                            .decode(v)
                            .map_err(|_| bad(v))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            B::IpAddress => ConditionValues::Networks(
                raw.iter()
                    .map(|v| parse_network(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            B::ArnEquals | B::ArnLike => ConditionValues::Arns(
                raw.iter()
                    .map(|v| ArnPattern::parse(v, variables).map_err(|_| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(Self {
            operator,
            operator_name: operator_name.into(),
            key: key.into(),
            key_lower: key.to_ascii_lowercase().into(),
            values,
        })
    }

    /// True when the condition holds for `context`.
    pub fn evaluate(&self, context: &RequestContext) -> bool {
        let op = self.operator;
        let value = context.get_lower(&self.key_lower);
        if let ConditionValues::Null(wants_absent) = &self.values {
            let present = value.is_some_and(|v| !v.is_empty());
            return wants_absent.iter().any(|&absent| absent != present);
        }
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return match op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => op.if_exists,
                None => op.if_exists || op.negated,
            };
        };
        let satisfies = |v: &str| -> bool {
            match self.any_value_matches(v, context) {
                Some(m) => m != op.negated,
                // An unusable request value (not a number, date, address…), or a policy
                // variable with no value: nothing equals it, so only negated tests hold.
                None => op.negated,
            }
        };
        match (op.qualifier, value) {
            (Some(SetQualifier::ForAllValues), v) => v.values().all(satisfies),
            (Some(SetQualifier::ForAnyValue), v) => v.values().any(satisfies),
            (None, ContextValue::Single(v)) => satisfies(v),
            // A multivalued key tested without a set qualifier: positive tests need some value
            // to match; negated ones need every value to miss.
            (None, v @ ContextValue::Multi(_)) => {
                if op.negated {
                    v.values().all(satisfies)
                } else {
                    v.values().any(satisfies)
                }
            }
        }
    }

    /// Whether the request value matches at least one policy value (ignoring negation);
    /// `None` when the request value cannot be read for this operator or no policy value could
    /// be resolved.
    fn any_value_matches(&self, v: &str, context: &RequestContext) -> Option<bool> {
        match &self.values {
            ConditionValues::Strings(patterns) => {
                let fold = self.operator.base == BaseOperator::StringEqualsIgnoreCase;
                let mut resolved_any = false;
                for p in patterns {
                    match p.matches(v, context, fold) {
                        Some(true) => return Some(true),
                        Some(false) => resolved_any = true,
                        None => {}
                    }
                }
                resolved_any.then_some(false)
            }
            ConditionValues::Numbers(ns) => {
                let x = parse_number(v)?;
                Some(ns.iter().any(|&n| compare(self.operator.base, x, n)))
            }
            ConditionValues::Dates(ds) => {
                let x = parse_date(v)?;
                Some(ds.iter().any(|&d| compare(self.operator.base, x, d)))
            }
            ConditionValues::Bools(bs) => {
                let x = parse_bool(v)?;
                Some(bs.contains(&x))
            }
            ConditionValues::Binary(bs) => {
                let x = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
                Some(bs.contains(&x))
            }
            ConditionValues::Networks(nets) => {
                let ip: IpAddr = v.trim().parse().ok()?;
                Some(nets.iter().any(|n| n.contains(&ip)))
            }
            ConditionValues::Arns(arns) => {
                let mut resolved_any = false;
                for a in arns {
                    match a.matches_text(v, context) {
                        Some(true) => return Some(true),
                        Some(false) => resolved_any = true,
                        None => {}
                    }
                }
                resolved_any.then_some(false)
            }
            ConditionValues::Null(_) => Some(false),
        }
    }

    /// True when some string value contains a policy variable.
    pub fn has_variables(&self) -> bool {
        match &self.values {
            ConditionValues::Strings(ps) => ps.iter().any(Pattern::has_variables),
            ConditionValues::Arns(ps) => ps.iter().any(ArnPattern::has_variables),
            _ => false,
        }
    }
}

fn compare(base: BaseOperator, x: f64, policy: f64) -> bool {
    use BaseOperator as B;
    match base {
        B::NumericEquals | B::DateEquals => (x - policy).abs() < f64::EPSILON * x.abs().max(1.0),
        B::NumericLessThan | B::DateLessThan => x < policy,
        B::NumericLessThanEquals | B::DateLessThanEquals => x <= policy,
        B::NumericGreaterThan | B::DateGreaterThan => x > policy,
        B::NumericGreaterThanEquals | B::DateGreaterThanEquals => x >= policy,
        _ => false,
    }
}

fn parse_number(v: &str) -> Option<f64> {
    let v = v.trim();
    if v.is_empty()
        || !v
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Reads a W3C ISO 8601 date or date-time, or epoch seconds, as epoch seconds.
pub(crate) fn parse_date(v: &str) -> Option<f64> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return v.parse::<f64>().ok();
    }
    if let Ok(ts) = v.parse::<jiff::Timestamp>() {
        #[allow(
            clippy::cast_precision_loss,
            reason = "second resolution is what IAM compares"
        )]
        return Some(ts.as_millisecond() as f64 / 1000.0);
    }
    if let Ok(date) = v.parse::<jiff::civil::Date>() {
        let ts = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
        #[allow(
            clippy::cast_precision_loss,
            reason = "second resolution is what IAM compares"
        )]
        return Some(ts.as_second() as f64);
    }
    if let Ok(dt) = v.parse::<jiff::civil::DateTime>() {
        let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
        #[allow(
            clippy::cast_precision_loss,
            reason = "second resolution is what IAM compares"
        )]
        return Some(ts.as_millisecond() as f64 / 1000.0);
    }
    None
}

fn parse_network(v: &str) -> Option<IpNet> {
    let v = v.trim();
    if let Ok(net) = v.parse::<IpNet>() {
        return Some(net.trunc());
    }
    v.parse::<IpAddr>().ok().map(IpNet::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        let raw: Vec<String> = values.iter().map(|s| (*s).to_owned()).collect();
        Condition::compile(op, Operator::parse(op).unwrap(), key, &raw, true).unwrap()
    }

    fn ctx(pairs: &[(&str, &str)]) -> RequestContext {
        let mut c = RequestContext::new();
        for (k, v) in pairs {
            c.insert(k, *v);
        }
        c
    }

    #[test]
    fn operators_parse_with_qualifiers() {
        let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.negated && op.if_exists);
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("stringequals").is_none());
        assert!(Operator::parse("StringEqualz").is_none());
    }

    #[test]
    fn missing_keys() {
        let empty = RequestContext::new();
        assert!(!cond("StringEquals", "aws:x", &["a"]).evaluate(&empty));
        assert!(cond("StringNotEquals", "aws:x", &["a"]).evaluate(&empty));
        assert!(cond("StringEqualsIfExists", "aws:x", &["a"]).evaluate(&empty));
        assert!(cond("ForAllValues:StringEquals", "aws:x", &["a"]).evaluate(&empty));
        assert!(!cond("ForAnyValue:StringEquals", "aws:x", &["a"]).evaluate(&empty));
        assert!(cond("Null", "aws:x", &["true"]).evaluate(&empty));
        assert!(!cond("Null", "aws:x", &["false"]).evaluate(&empty));
    }

    #[test]
    fn numbers_dates_ips_bools() {
        let c = ctx(&[
            ("s3:max-keys", "10"),
            ("aws:CurrentTime", "2020-05-15T12:00:00Z"),
            ("aws:SourceIp", "203.0.113.1"),
        ]);
        assert!(cond("NumericLessThanEquals", "s3:max-keys", &["10"]).evaluate(&c));
        assert!(!cond("NumericLessThan", "s3:max-keys", &["10"]).evaluate(&c));
        assert!(
            cond(
                "DateGreaterThan",
                "aws:CurrentTime",
                &["2020-04-01T00:00:00Z"]
            )
            .evaluate(&c)
        );
        assert!(cond("DateLessThan", "aws:CurrentTime", &["2020-06-30"]).evaluate(&c));
        assert!(cond("DateLessThan", "aws:CurrentTime", &["1593475200"]).evaluate(&c));
        assert!(cond("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]).evaluate(&c));
        assert!(
            cond(
                "NotIpAddress",
                "aws:SourceIp",
                &["198.51.100.0/24", "2001:DB8::/32"]
            )
            .evaluate(&c)
        );
        assert!(!cond("IpAddress", "aws:SourceIp", &["203.0.113.2"]).evaluate(&c));
        let b = ctx(&[("aws:SecureTransport", "false")]);
        assert!(cond("Bool", "aws:securetransport", &["false"]).evaluate(&b));
        assert!(!cond("Bool", "aws:SecureTransport", &["true"]).evaluate(&b));
    }

    #[test]
    fn negated_operators_are_nor_over_values() {
        let c = ctx(&[("aws:username", "mary")]);
        assert!(!cond("StringNotEquals", "aws:username", &["bob", "mary"]).evaluate(&c));
        assert!(cond("StringNotEquals", "aws:username", &["bob", "alice"]).evaluate(&c));
    }

    #[test]
    fn set_operators() {
        let mut c = RequestContext::new();
        c.insert(
            "aws:TagKeys",
            vec!["environment".to_owned(), "dept".to_owned()],
        );
        assert!(cond("ForAnyValue:StringEquals", "aws:TagKeys", &["environment"]).evaluate(&c));
        assert!(!cond("ForAllValues:StringEquals", "aws:TagKeys", &["environment"]).evaluate(&c));
        assert!(
            cond(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["environment", "dept"]
            )
            .evaluate(&c)
        );
        assert!(
            cond(
                "ForAnyValue:StringNotEquals",
                "aws:TagKeys",
                &["environment"]
            )
            .evaluate(&c)
        );
        assert!(
            !cond(
                "ForAllValues:StringNotEquals",
                "aws:TagKeys",
                &["environment"]
            )
            .evaluate(&c)
        );
    }

    #[test]
    fn unresolved_variables_are_null() {
        let c = ctx(&[("s3:ExistingObjectTag/Team", "blue")]);
        assert!(
            cond(
                "StringNotEquals",
                "s3:ExistingObjectTag/Team",
                &["${aws:PrincipalTag/Team}"]
            )
            .evaluate(&c)
        );
        assert!(
            !cond(
                "StringEquals",
                "s3:ExistingObjectTag/Team",
                &["${aws:PrincipalTag/Team}"]
            )
            .evaluate(&c)
        );
    }
}
