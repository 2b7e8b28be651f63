//! Parameter constraints, reported in AWS's standard validation message format.

use crate::error::Error;

/// `1 validation error detected: Value '<v>' at '<field>' failed to satisfy constraint: <c>`.
pub fn constraint(field: &str, value: &str, constraint: &str) -> Error {
    Error::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

fn check_length(field: &str, value: &str, min: usize, max: usize) -> Result<(), Error> {
    let n = value.chars().count();
    if n < min {
        return Err(constraint(
            field,
            value,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(constraint(
            field,
            value,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// An entity name: `[\w+=,.@-]+` within `max` characters.
pub fn name(field: &str, value: &str, max: usize) -> Result<(), Error> {
    check_length(field, value, 1, max)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    {
        return Err(constraint(
            field,
            value,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ));
    }
    Ok(())
}

/// A path: `/` or `/…/`, at most 512 characters of printable ASCII.
pub fn path(field: &str, value: &str) -> Result<(), Error> {
    check_length(field, value, 1, 512)?;
    let ok = value.starts_with('/')
        && value.ends_with('/')
        && value.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    if !ok {
        return Err(constraint(
            field,
            value,
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ));
    }
    Ok(())
}

/// A path prefix filter for listings.
pub fn path_prefix(field: &str, value: &str) -> Result<(), Error> {
    check_length(field, value, 1, 512)?;
    if !value.starts_with('/') {
        return Err(constraint(
            field,
            value,
            "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*",
        ));
    }
    Ok(())
}

/// An inline policy name: any printable ASCII but none of `\ / * ?`, 1–128 characters.
pub fn policy_name(field: &str, value: &str) -> Result<(), Error> {
    name(field, value, 128)
}

/// `MaxItems`: 1–1000.
pub fn max_items(value: Option<&str>) -> Result<usize, Error> {
    let Some(v) = value else { return Ok(100) };
    let n: i64 = v
        .parse()
        .map_err(|_| Error::Validation(format!("Invalid value for MaxItems: {v}")))?;
    if n < 1 {
        return Err(constraint(
            "maxItems",
            v,
            "Member must have value greater than or equal to 1",
        ));
    }
    if n > 1000 {
        return Err(constraint(
            "maxItems",
            v,
            "Member must have value less than or equal to 1000",
        ));
    }
    Ok(usize::try_from(n).unwrap_or(100))
}

/// A role session name: 2–64 characters of `[\w+=,.@-]`.
pub fn role_session_name(value: &str) -> Result<(), Error> {
    check_length("roleSessionName", value, 2, 64)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    {
        return Err(constraint(
            "roleSessionName",
            value,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ));
    }
    Ok(())
}

/// A tag key (1–128) and value (0–256) of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
pub fn tag(key: &str, value: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    check_length("tags.member.key", key, 1, 128)?;
    if !key.chars().all(allowed) {
        return Err(constraint(
            "tags.member.key",
            key,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
        ));
    }
    check_length("tags.member.value", value, 0, 256)?;
    if !value.chars().all(allowed) {
        return Err(constraint(
            "tags.member.value",
            value,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
        ));
    }
    Ok(())
}

/// Length limits of other string parameters.
pub fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), Error> {
    check_length(field, value, min, max)
}
