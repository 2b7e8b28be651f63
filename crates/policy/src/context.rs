//! The request context: the condition keys and values a request carries.

use crate::wildcard::VariableSource;

/// The value of one context key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key such as `aws:SourceIp`.
    Single(Box<str>),
    /// A multivalued key such as `aws:TagKeys`.
    Multi(Vec<Box<str>>),
}

impl ContextValue {
    /// The values as a slice-like iterator (one item for a single-valued key).
    pub fn values(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&str>, &[Box<str>]) = match self {
            ContextValue::Single(v) => (Some(v), &[]),
            ContextValue::Multi(vs) => (None, vs),
        };
        one.into_iter().chain(many.iter().map(|v| &**v))
    }

    /// True when the key carries no value at all (an empty multivalued key).
    pub fn is_empty(&self) -> bool {
        matches!(self, ContextValue::Multi(vs) if vs.is_empty())
    }
}

impl From<&str> for ContextValue {
    fn from(v: &str) -> Self {
        ContextValue::Single(v.into())
    }
}

impl From<String> for ContextValue {
    fn from(v: String) -> Self {
        ContextValue::Single(v.into())
    }
}

impl From<Vec<String>> for ContextValue {
    fn from(vs: Vec<String>) -> Self {
        ContextValue::Multi(vs.into_iter().map(Into::into).collect())
    }
}

/// Condition keys and their values. Key names are case-insensitive; values are not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    entries: Vec<(Box<str>, ContextValue)>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: impl Into<ContextValue>) {
        let lower = key.to_ascii_lowercase();
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| **k == *lower) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((lower.into(), value)),
        }
    }

    /// Removes `key` (any case).
    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    /// The value of `key`, which must already be lower-case.
    pub fn get_lower(&self, lower_key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| **k == *lower_key)
            .map(|(_, v)| v)
    }

    /// The value of `key` in any case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// Every key (lower-cased) with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }
}

impl VariableSource for RequestContext {
    fn variable(&self, lower_key: &str) -> Option<&str> {
        match self.get_lower(lower_key)? {
            ContextValue::Single(v) => Some(v),
            ContextValue::Multi(_) => None,
        }
    }
}
