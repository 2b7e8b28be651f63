//! The AWS Service Authorization Reference as data: every service's actions with their access
//! level, resource types and condition keys; every resource type's ARN format; every condition
//! key's type. Generated into `data/service-reference.tsv` by `scripts/gen-aws-data.py`.
//!
//! Like the managed-policy catalog it is compiled in as text and indexed on first use, so a
//! server that never asks pays nothing for it.

use std::collections::HashMap;
use std::sync::OnceLock;

const REFERENCE: &str = include_str!("../data/service-reference.tsv");

/// One action of a service, e.g. `s3:GetObject`.
#[derive(Debug)]
pub struct ActionReference {
    /// The service prefix, e.g. `s3`.
    pub service: &'static str,
    /// The action name as AWS spells it, e.g. `GetObject`.
    pub name: &'static str,
    /// `List`, `Read`, `Write`, `Permissions management` or `Tagging`.
    pub access_level: &'static str,
    /// The resource types the action applies to, with whether each is required; empty for
    /// actions that support no resource type (they take `"Resource": "*"`).
    pub resource_types: Vec<(&'static str, bool)>,
    /// The condition keys the action supports beyond the global ones.
    pub condition_keys: Vec<&'static str>,
}

/// One resource type of a service, e.g. S3's `object`.
#[derive(Debug)]
pub struct ResourceTypeReference {
    /// The service prefix.
    pub service: &'static str,
    /// The resource type's name, e.g. `object`.
    pub name: &'static str,
    /// The ARN format, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arn_format: &'static str,
    /// The condition keys the resource type supports.
    pub condition_keys: Vec<&'static str>,
}

impl ResourceTypeReference {
    /// Whether `arn` has this resource type's format: a `${…}` placeholder stands for one or
    /// more characters; a name or id never holds `:` or `/`, a path or object key may.
    pub fn matches(&self, arn: &str) -> bool {
        format_matches(self.arn_format, arn)
    }
}

fn format_matches(format: &str, text: &str) -> bool {
    let Some(start) = format.find("${") else {
        return format == text;
    };
    let Some(text) = text.strip_prefix(&format[..start]) else {
        return false;
    };
    let (placeholder, rest) = format[start + 2..]
        .split_once('}')
        .unwrap_or((&format[start + 2..], ""));
    // OIDC provider names are issuer URLs without `https://`, paths included (EKS's
    // `oidc.eks.<region>.amazonaws.com/id/<id>`), though the reference calls them names.
    let takes_paths = placeholder.contains("Path")
        || placeholder == "ObjectName"
        || placeholder == "OidcProviderName";
    text.char_indices()
        .take_while(|(_, c)| takes_paths || (*c != ':' && *c != '/'))
        .map(|(i, c)| i + c.len_utf8())
        .any(|end| format_matches(rest, &text[end..]))
}

struct Index {
    actions: HashMap<String, ActionReference>,
    /// Service prefix → resource type name → entry.
    resource_types: HashMap<&'static str, HashMap<&'static str, ResourceTypeReference>>,
    condition_keys: HashMap<String, &'static str>,
}

fn list(field: &'static str) -> impl Iterator<Item = &'static str> {
    field.split(',').filter(|s| !s.is_empty())
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut out = Index {
            actions: HashMap::new(),
            resource_types: HashMap::new(),
            condition_keys: HashMap::new(),
        };
        for line in REFERENCE.lines() {
            let f: Vec<&'static str> = line.split('\t').collect();
            match f.as_slice() {
                ["A", service, name, level, types, keys] => {
                    let action = ActionReference {
                        service,
                        name,
                        access_level: level,
                        resource_types: list(types)
                            .map(|t| t.strip_suffix('*').map_or((t, false), |t| (t, true)))
                            .collect(),
                        condition_keys: list(keys).collect(),
                    };
                    let key = format!("{service}:{name}").to_ascii_lowercase();
                    out.actions.insert(key, action);
                }
                ["R", service, name, format, keys] => {
                    let resource = ResourceTypeReference {
                        service,
                        name,
                        arn_format: format,
                        condition_keys: list(keys).collect(),
                    };
                    out.resource_types
                        .entry(service)
                        .or_default()
                        .insert(name, resource);
                }
                ["K", key, kind] => {
                    out.condition_keys.insert(key.to_ascii_lowercase(), kind);
                }
                _ => {}
            }
        }
        out
    })
}

/// The reference entry of an action (`service:Name`, any case).
pub fn action(action: &str) -> Option<&'static ActionReference> {
    index().actions.get(&action.to_ascii_lowercase())
}

/// A resource type of a service.
pub fn resource_type(service: &str, name: &str) -> Option<&'static ResourceTypeReference> {
    index().resource_types.get(service)?.get(name)
}

/// The type of a condition key (`String`, `ArrayOfString`, `Bool`, `Date`, `Numeric`, `ARN`…),
/// if the reference lists it.
pub fn condition_key_type(key: &str) -> Option<&'static str> {
    index()
        .condition_keys
        .get(&key.to_ascii_lowercase())
        .copied()
}

/// How many actions the reference holds.
pub fn action_count() -> usize {
    index().actions.len()
}

impl ActionReference {
    /// Checks that `resource` is what AWS authorizes this action against: an ARN of one of its
    /// resource types, or — for actions with no resource type — `*` or the service-wide prefix
    /// a listing names (`arn:aws:iam::111111111111:role/` for `iam:ListRoles`, as AWS's denial
    /// messages do).
    pub fn check_resource(&self, resource: &str) -> Result<(), String> {
        if self.resource_types.is_empty() {
            let listing_prefix = resource.starts_with(&format!("arn:aws:{}:", self.service))
                && resource.ends_with('/');
            return if resource == "*" || listing_prefix {
                Ok(())
            } else {
                Err(format!(
                    "{}:{} has no resource type, so it is authorized on \"*\", not {resource}",
                    self.service, self.name
                ))
            };
        }
        // The account root stands where a user would (`iam:GetUser` with no name, called by
        // the root user, names the root).
        let root_as_user =
            resource.ends_with(":root") && self.resource_types.iter().any(|(t, _)| *t == "user");
        let fits = root_as_user
            || self
                .resource_types
                .iter()
                .filter_map(|(t, _)| resource_type(self.service, t))
                .any(|t| t.matches(resource));
        if fits {
            Ok(())
        } else {
            Err(format!(
                "{}:{} applies to {:?}, and {resource} is none of them",
                self.service, self.name, self.resource_types
            ))
        }
    }
}

/// Checks that a service of Gatehouse asks about an action AWS has, on the resource AWS would
/// name: the authorizer runs it in debug builds, so every request of the test suites checks the
/// action → resource mapping against the reference.
pub fn check_request(action_name: &str, resource: &str) -> Result<(), String> {
    let entry = action(action_name)
        .ok_or_else(|| format!("{action_name} is not in the service authorization reference"))?;
    entry.check_resource(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_indexes_every_line() {
        assert!(action_count() > 20_000, "{}", action_count());
        let get = action("S3:getobject").unwrap();
        assert_eq!(
            (get.service, get.name, get.access_level),
            ("s3", "GetObject", "Read")
        );
        assert!(get.resource_types.contains(&("object", false)));
        assert!(get.condition_keys.contains(&"s3:ExistingObjectTag/<key>"));
        let assume = action("sts:AssumeRole").unwrap();
        assert_eq!(assume.resource_types, vec![("role", true)]);
        assert_eq!(condition_key_type("iam:PassedToService"), Some("String"));
        assert_eq!(condition_key_type("s3:max-keys"), Some("Numeric"));
        assert!(action("s3:NoSuchAction").is_none());
    }

    #[test]
    fn resources_are_checked_against_their_types() {
        let ok = [
            ("s3:GetObject", "arn:aws:s3:::log-bucket/example.log"),
            ("s3:ListBucket", "arn:aws:s3:::log-bucket"),
            ("s3:ListAllMyBuckets", "*"),
            (
                "sts:AssumeRole",
                "arn:aws:iam::111111111111:role/DevLogAccessRole",
            ),
            ("iam:CreateRole", "arn:aws:iam::111111111111:role/a/b/Role"),
            ("iam:ListRoles", "arn:aws:iam::111111111111:role/"),
            ("sts:GetCallerIdentity", "*"),
            ("iam:GetUser", "arn:aws:iam::111111111111:root"),
        ];
        for (a, r) in ok {
            assert_eq!(check_request(a, r), Ok(()), "{a} {r}");
        }
        let wrong = [
            ("s3:GetObject", "arn:aws:s3:::log-bucket"),
            ("s3:ListBucket", "arn:aws:s3:::log-bucket/key"),
            ("sts:AssumeRole", "arn:aws:iam::111111111111:user/alice"),
            ("s3:ListAllMyBuckets", "arn:aws:s3:::log-bucket"),
            ("s3:GetObjectt", "*"),
        ];
        for (a, r) in wrong {
            assert!(check_request(a, r).is_err(), "{a} {r}");
        }
    }
}
