//! Wildcard patterns (`*`, `?`) with policy variables, as IAM matches actions, resources and
//! condition values.
//!
//! A pattern keeps a literal `*` (from `${*}` or from a non-wildcard operator) apart from the
//! wildcard `*`, so substituted text is always matched literally.

use smallvec::SmallVec;

/// Where policy variables get their values: single-valued context keys by lower-cased name.
pub trait VariableSource {
    /// The value of the single-valued key `lower_key`, if the request has one.
    fn variable(&self, lower_key: &str) -> Option<&str>;
}

/// A source with no values at all.
pub struct NoVariables;

impl VariableSource for NoVariables {
    fn variable(&self, _lower_key: &str) -> Option<&str> {
        None
    }
}

/// A policy variable `${key}` or `${key, 'default'}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The context key, lower-cased (keys are case-insensitive).
    pub key: Box<str>,
    /// The value used when the key is absent.
    pub default: Option<Box<str>>,
}

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text matched as is (compared case-folded when the pattern is case-insensitive).
    Literal(Box<str>),
    /// The wildcard `*`: any run of characters, including none.
    AnyRun,
    /// The wildcard `?`: exactly one character.
    AnyChar,
    /// A policy variable, replaced by its value and matched literally.
    Variable(Variable),
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pieces: Box<[Piece]>,
    /// A fast path for the common shapes, decided once at compile time.
    shape: Shape,
}

/// The shape of a pattern, for fast matching of the common cases.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// One literal: equality.
    Exact(Box<str>),
    /// A literal followed by one `*`: a prefix test.
    Prefix(Box<str>),
    /// A lone `*`: always true.
    Any,
    /// Anything else: the general matcher.
    General,
}

/// How `Pattern::parse` reads its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternSyntax {
    /// `*` and `?` are wildcards (otherwise literal).
    pub wildcards: bool,
    /// `${...}` is a policy variable (Version 2012-10-17 and a place that admits variables).
    pub variables: bool,
}

/// A `${` that does not close, or an empty variable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadVariable;

/// A token of a pattern whose variables have been resolved.
#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    Literal(&'a str),
    AnyRun,
    AnyChar,
}

impl Pattern {
    /// Parses `text` into a pattern under `syntax`.
    pub fn parse(text: &str, syntax: PatternSyntax) -> Result<Self, BadVariable> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if syntax.variables && rest.starts_with("${") {
                let end = rest.find('}').ok_or(BadVariable)?;
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                match inner {
                    "*" | "?" | "$" => literal.push_str(inner),
                    _ => {
                        flush(&mut literal, &mut pieces);
                        pieces.push(Piece::Variable(parse_variable(inner)?));
                    }
                }
                continue;
            }
            rest = &rest[c.len_utf8()..];
            match c {
                '*' if syntax.wildcards => {
                    flush(&mut literal, &mut pieces);
                    pieces.push(Piece::AnyRun);
                }
                '?' if syntax.wildcards => {
                    flush(&mut literal, &mut pieces);
                    pieces.push(Piece::AnyChar);
                }
                _ => literal.push(c),
            }
        }
        flush(&mut literal, &mut pieces);
        Ok(Self::from_pieces(pieces))
    }

    fn from_pieces(pieces: Vec<Piece>) -> Self {
        let shape = match pieces.as_slice() {
            [] => Shape::Exact("".into()),
            [Piece::Literal(l)] => Shape::Exact(l.clone()),
            [Piece::Literal(l), Piece::AnyRun] => Shape::Prefix(l.clone()),
            [Piece::AnyRun] => Shape::Any,
            _ => Shape::General,
        };
        Self {
            pieces: pieces.into_boxed_slice(),
            shape,
        }
    }

    /// The same pattern with every literal lower-cased (for case-insensitive matching).
    #[must_use]
    pub fn to_lowercase(&self) -> Self {
        let pieces = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(l) => Piece::Literal(l.to_lowercase().into()),
                other => other.clone(),
            })
            .collect();
        Self::from_pieces(pieces)
    }

    /// The pieces of the pattern.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// True when the pattern contains a policy variable.
    pub fn has_variables(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Variable(_)))
    }

    /// True when the pattern is exactly one `*`.
    pub fn is_any(&self) -> bool {
        matches!(&*self.pieces, [Piece::AnyRun])
    }

    /// Matches `text`; `None` when a variable has no value and no default.
    ///
    /// With `fold_case`, characters of `text` are lower-cased before comparison, so the
    /// pattern must already be lower-case (see [`Pattern::to_lowercase`]).
    pub fn matches(&self, text: &str, vars: &dyn VariableSource, fold_case: bool) -> Option<bool> {
        match &self.shape {
            Shape::Exact(exact) if fold_case => return Some(eq_folded(exact, text)),
            Shape::Exact(exact) => return Some(**exact == *text),
            Shape::Prefix(prefix) if fold_case => return Some(starts_with_folded(text, prefix)),
            Shape::Prefix(prefix) => return Some(text.starts_with(&**prefix)),
            Shape::Any => return Some(true),
            Shape::General => {}
        }
        let mut tokens: SmallVec<[Token<'_>; 8]> = SmallVec::new();
        for piece in &self.pieces {
            tokens.push(match piece {
                Piece::Literal(l) => Token::Literal(l),
                Piece::AnyRun => Token::AnyRun,
                Piece::AnyChar => Token::AnyChar,
                Piece::Variable(v) => Token::Literal(resolve(v, vars)?),
            });
        }
        Some(glob(&tokens, text, fold_case))
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => f.write_str(l)?,
                Piece::AnyRun => f.write_str("*")?,
                Piece::AnyChar => f.write_str("?")?,
                Piece::Variable(v) => match &v.default {
                    Some(d) => write!(f, "${{{}, '{}'}}", v.key, d)?,
                    None => write!(f, "${{{}}}", v.key)?,
                },
            }
        }
        Ok(())
    }
}

/// The value a variable takes in this request, if any.
pub(crate) fn resolve<'a>(var: &'a Variable, vars: &'a dyn VariableSource) -> Option<&'a str> {
    vars.variable(&var.key).or(var.default.as_deref())
}

fn flush(literal: &mut String, pieces: &mut Vec<Piece>) {
    if !literal.is_empty() {
        pieces.push(Piece::Literal(std::mem::take(literal).into()));
    }
}

fn parse_variable(inner: &str) -> Result<Variable, BadVariable> {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let default = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .ok_or(BadVariable)?;
            (key.trim(), Some(default.into()))
        }
        None => (inner.trim(), None),
    };
    if key.is_empty() {
        return Err(BadVariable);
    }
    Ok(Variable {
        key: key.to_ascii_lowercase().into(),
        default,
    })
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn eq_folded(lower: &str, text: &str) -> bool {
    let mut a = lower.chars();
    let mut b = text.chars();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == fold(y) => {}
            _ => return false,
        }
    }
}

fn starts_with_folded(text: &str, lower_prefix: &str) -> bool {
    let mut t = text.chars();
    lower_prefix
        .chars()
        .all(|p| t.next().is_some_and(|c| fold(c) == p))
}

/// Classic wildcard matching with one backtrack point (the last `*`), linear in practice.
fn glob(tokens: &[Token<'_>], text: &str, fold_case: bool) -> bool {
    // Pattern position: (token index, byte offset inside a literal token).
    let mut p = (0usize, 0usize);
    let mut s = 0usize;
    let mut backtrack: Option<((usize, usize), usize)> = None;
    loop {
        // Skip finished literal tokens.
        while let Some(Token::Literal(l)) = tokens.get(p.0) {
            if p.1 < l.len() {
                break;
            }
            p = (p.0 + 1, 0);
        }
        let Some(c) = text[s..].chars().next() else {
            return p.1 == 0
                && tokens[p.0..]
                    .iter()
                    .all(|t| matches!(t, Token::AnyRun | Token::Literal("")));
        };
        let advanced = match tokens.get(p.0) {
            // A final `*` matches whatever is left.
            Some(Token::AnyRun) if p.0 + 1 == tokens.len() => return true,
            Some(Token::AnyRun) => {
                p = (p.0 + 1, 0);
                backtrack = Some((p, s));
                continue;
            }
            Some(Token::AnyChar) => {
                p = (p.0 + 1, 0);
                s += c.len_utf8();
                true
            }
            Some(Token::Literal(l)) => {
                let pc = l[p.1..].chars().next().unwrap_or('\0');
                let tc = if fold_case { fold(c) } else { c };
                if pc == tc {
                    p.1 += pc.len_utf8();
                    s += c.len_utf8();
                    true
                } else {
                    false
                }
            }
            None => false,
        };
        if !advanced {
            match backtrack {
                Some((bp, bs)) => {
                    let skipped = text[bs..].chars().next().map_or(1, char::len_utf8);
                    let bs = bs + skipped;
                    if bs > text.len() {
                        return false;
                    }
                    backtrack = Some((bp, bs));
                    p = bp;
                    s = bs;
                }
                None => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WILD: PatternSyntax = PatternSyntax {
        wildcards: true,
        variables: true,
    };
    const EXACT: PatternSyntax = PatternSyntax {
        wildcards: false,
        variables: true,
    };

    fn m(pattern: &str, text: &str) -> bool {
        Pattern::parse(pattern, WILD)
            .unwrap()
            .matches(text, &NoVariables, false)
            .unwrap()
    }

    #[test]
    fn stars_and_question_marks() {
        assert!(m("*", ""));
        assert!(m("*", "anything/at:all"));
        assert!(m("a*c", "abc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "ab"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*/test/*", "1/2/test/3/o.jpg"));
        assert!(m("*/test/*", "//test/o.jpg"));
        assert!(!m("*/test/*", "test/o.jpg"));
        assert!(!m("*/test/*", "1-test/o.jpg"));
        assert!(m("*log*", "bucket-logs/x"));
        assert!(m("a*b*c", "aXbYbZc"));
        assert!(!m("a*b*c", "aXbYbZ"));
        assert!(m("??", "éa"));
        assert!(!m("abc", "abcd"));
        assert!(!m("abcd", "abc"));
    }

    #[test]
    fn special_variables_are_literal_characters() {
        let p = Pattern::parse("a${*}b", WILD).unwrap();
        assert!(p.matches("a*b", &NoVariables, false).unwrap());
        assert!(!p.matches("axxb", &NoVariables, false).unwrap());
        let p = Pattern::parse("${?}${$}", WILD).unwrap();
        assert!(p.matches("?$", &NoVariables, false).unwrap());
    }

    struct Vars;
    impl VariableSource for Vars {
        fn variable(&self, key: &str) -> Option<&str> {
            (key == "aws:username").then_some("a*b")
        }
    }

    #[test]
    fn substituted_values_never_act_as_wildcards() {
        let p = Pattern::parse("home/${aws:username}/*", WILD).unwrap();
        assert!(p.matches("home/a*b/x", &Vars, false).unwrap());
        assert!(!p.matches("home/aXb/x", &Vars, false).unwrap());
        let missing = Pattern::parse("${aws:PrincipalTag/team}", WILD).unwrap();
        assert_eq!(missing.matches("x", &Vars, false), None);
        let defaulted = Pattern::parse("b-${aws:PrincipalTag/team, 'company-wide'}", WILD).unwrap();
        assert!(defaulted.matches("b-company-wide", &Vars, false).unwrap());
    }

    #[test]
    fn exact_syntax_keeps_star_literal_and_folds_case() {
        let p = Pattern::parse("a*", EXACT).unwrap();
        assert!(p.matches("a*", &NoVariables, false).unwrap());
        assert!(!p.matches("ab", &NoVariables, false).unwrap());
        let p = Pattern::parse("S3:Get*", WILD).unwrap().to_lowercase();
        assert!(p.matches("S3:GETOBJECT", &NoVariables, true).unwrap());
    }

    #[test]
    fn malformed_variables_are_errors() {
        assert!(Pattern::parse("${aws:username", WILD).is_err());
        assert!(Pattern::parse("${}", WILD).is_err());
        assert!(Pattern::parse("${a, b}", WILD).is_err());
    }
}
