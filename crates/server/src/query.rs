//! The AWS query protocol's parameters: `Action=…&Version=…&Tags.member.1.Key=…`.

use std::collections::BTreeMap;

use gatehouse_core::entities::Tag;

use crate::error::ApiError;

/// The decoded parameters of one query-protocol request.
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    values: BTreeMap<String, String>,
}

impl QueryParams {
    /// Decodes a URL query string and a form body (form values win), leaving out the `SigV4`
    /// query parameters. A repeated parameter keeps its last value.
    pub fn decode(query: &str, body: &[u8]) -> Self {
        let mut values = BTreeMap::new();
        for source in [query.as_bytes(), body] {
            for (k, v) in form_urlencoded::parse(source) {
                if k.starts_with("X-Amz-") {
                    continue;
                }
                values.insert(k.into_owned(), v.into_owned());
            }
        }
        Self { values }
    }

    /// A parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A required parameter, or `MissingParameter`.
    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::missing_parameter(name))
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::invalid_parameter_value(name, v))
            })
            .transpose()
    }

    /// A boolean parameter.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid_parameter_value(name, v)),
        }
    }

    /// A list `prefix.member.1`, `prefix.member.2`, … (`suffix` reads `prefix.member.N.suffix`).
    pub fn list(&self, prefix: &str, suffix: Option<&str>) -> Vec<String> {
        (1..)
            .map(|i| match suffix {
                Some(s) => self.get(&format!("{prefix}.member.{i}.{s}")),
                None => self.get(&format!("{prefix}.member.{i}")),
            })
            .take_while(Option::is_some)
            .flatten()
            .map(str::to_owned)
            .collect()
    }

    /// Tags `prefix.member.N.Key` / `.Value`.
    pub fn tags(&self, prefix: &str) -> Vec<Tag> {
        (1..)
            .map_while(|i| {
                let key = self.get(&format!("{prefix}.member.{i}.Key"))?;
                let value = self
                    .get(&format!("{prefix}.member.{i}.Value"))
                    .unwrap_or_default();
                Some(Tag {
                    key: key.to_owned(),
                    value: value.to_owned(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_lists_and_tags() {
        let p = QueryParams::decode(
            "Action=CreateRole",
            b"RoleName=R&Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=env&TagKeys.member.1=a&TagKeys.member.2=b&X-Amz-Date=1",
        )
        ;
        assert_eq!(p.get("Action"), Some("CreateRole"));
        assert_eq!(
            p.tags("Tags"),
            vec![
                Tag {
                    key: "team".into(),
                    value: "blue".into()
                },
                Tag {
                    key: "env".into(),
                    value: String::new()
                }
            ]
        );
        assert_eq!(p.list("TagKeys", None), vec!["a", "b"]);
        assert_eq!(p.get("X-Amz-Date"), None);
        assert!(p.require("Nope").is_err());
    }
}
