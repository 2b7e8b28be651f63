//! What an AWS operation is to Gatehouse: its service and wire protocol, the IAM action it is
//! authorized as, the resource that action names, the condition keys Gatehouse adds for it, and
//! whether it only reads. Each service's table of [`Operation`]s (IAM and STS in the server, S3
//! in the S3 crate) is what routing, authorization and the request log read, and what the
//! simulator, metrics and the audit log will read.
//!
//! [`aws_operations`] lists every operation of AWS's own API models (generated into
//! `data/aws-operations.tsv`), so a table can say what it does not serve yet.

use crate::service_reference;

/// A service Gatehouse serves (or routes, to say it does not serve it yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AwsService {
    /// AWS Identity and Access Management.
    Iam,
    /// AWS Security Token Service.
    Sts,
    /// Amazon S3.
    S3,
    /// AWS Organizations.
    Organizations,
    /// IAM Access Analyzer.
    AccessAnalyzer,
}

impl AwsService {
    /// Every service, in a fixed order.
    pub const ALL: [AwsService; 5] = [
        Self::Iam,
        Self::Sts,
        Self::S3,
        Self::Organizations,
        Self::AccessAnalyzer,
    ];

    /// The service's name in `SigV4` credential scopes and in `data/aws-operations.tsv`.
    pub fn signing_name(self) -> &'static str {
        match self {
            Self::Iam => "iam",
            Self::Sts => "sts",
            Self::S3 => "s3",
            Self::Organizations => "organizations",
            Self::AccessAnalyzer => "access-analyzer",
        }
    }

    /// The service of a `SigV4` credential scope's service name.
    pub fn from_signing_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.signing_name() == name)
    }

    /// The prefix of the service's IAM actions (`iam:`, `s3:`…, without the colon).
    pub fn action_prefix(self) -> &'static str {
        match self {
            Self::AccessAnalyzer => "access-analyzer",
            other => other.signing_name(),
        }
    }

    /// The wire protocol the service's API uses.
    pub fn protocol(self) -> Protocol {
        match self {
            Self::Iam | Self::Sts => Protocol::Query,
            Self::S3 => Protocol::RestXml,
            Self::Organizations => Protocol::AwsJson11,
            Self::AccessAnalyzer => Protocol::RestJson,
        }
    }
}

/// The wire protocols of AWS APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Form-encoded `Action=…` requests, XML responses (IAM, STS).
    Query,
    /// `POST /` with `X-Amz-Target: <Prefix>.<Operation>` and JSON bodies (Organizations).
    AwsJson11,
    /// REST paths with JSON bodies (Access Analyzer).
    RestJson,
    /// REST paths with XML bodies (S3).
    RestXml,
}

/// The resource an operation's action is authorized on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The action has no resource type: it is authorized on `*` (IAM's listings name the
    /// service-wide prefix, e.g. `arn:aws:iam::<account>:user/`, as AWS's denials do).
    None,
    /// An ARN of a resource type of the service authorization reference (e.g. IAM's `user`),
    /// built from a request parameter (e.g. `UserName`), or from the caller when `param` is
    /// `None` (`GetUser` without a name names the caller).
    Typed {
        /// The resource type as the reference names it.
        resource_type: &'static str,
        /// The request parameter that names the resource.
        param: Option<&'static str>,
    },
}

impl Resource {
    /// A resource of `resource_type` named by request parameter `param`.
    pub const fn named(resource_type: &'static str, param: &'static str) -> Self {
        Self::Typed {
            resource_type,
            param: Some(param),
        }
    }
}

/// One operation of an AWS API, as Gatehouse serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The service.
    pub service: AwsService,
    /// The operation's name in AWS's API model, e.g. `CreateUser`.
    pub name: &'static str,
    /// The IAM action the operation is authorized as, e.g. `iam:CreateUser`.
    pub action: &'static str,
    /// The resource that action names.
    pub resource: Resource,
    /// Actions the operation also requires when its request asks for more (`iam:TagUser` when
    /// `CreateUser` carries tags, `s3:PutObjectAcl` when `PutObject` carries an ACL).
    pub further_actions: &'static [&'static str],
    /// The condition keys Gatehouse adds to the request context for this operation, beyond
    /// the global keys every request has.
    pub context_keys: &'static [&'static str],
    /// True when the operation changes nothing (`readOnly` in `CloudTrail`).
    pub read_only: bool,
}

impl Operation {
    /// Checks the entry against the service authorization reference: its actions exist, its
    /// resource type is one the action applies to (or none, when the action has none), its
    /// context keys are ones the action or its resource types support, and its read-only flag
    /// agrees with the action's access level.
    pub fn check_against_reference(&self) -> Result<(), String> {
        let reference = service_reference::action(self.action)
            .ok_or_else(|| format!("{}: {} is not in the reference", self.name, self.action))?;
        let types = &reference.resource_types;
        match self.resource {
            Resource::None if types.iter().any(|(_, required)| *required) => {
                return Err(format!(
                    "{}: {} requires a resource of {types:?}",
                    self.name, self.action
                ));
            }
            Resource::Typed { resource_type, .. }
                if !types.iter().any(|(t, _)| *t == resource_type) =>
            {
                return Err(format!(
                    "{}: {} applies to {types:?}, not {resource_type}",
                    self.name, self.action
                ));
            }
            _ => {}
        }
        for further in self.further_actions {
            if service_reference::action(further).is_none() {
                return Err(format!("{}: {further} is not in the reference", self.name));
            }
        }
        for key in self.context_keys {
            if !self.supports_key(key) {
                return Err(format!(
                    "{}: {} does not support the condition key {key}",
                    self.name, self.action
                ));
            }
        }
        let reads = reference
            .access_level
            .split(", ")
            .all(|level| matches!(level, "Read" | "List"));
        if reads != self.read_only {
            return Err(format!(
                "{}: read_only is {} but {} is at access level {}",
                self.name, self.read_only, self.action, reference.access_level
            ));
        }
        Ok(())
    }

    /// Whether the reference lists `key` (condition keys ignore case) for this operation's
    /// actions or their resource types.
    fn supports_key(&self, key: &str) -> bool {
        let listed = |keys: &[&str]| keys.iter().any(|k| k.eq_ignore_ascii_case(key));
        let of_action = |action: &str| {
            service_reference::action(action).is_some_and(|a| {
                listed(&a.condition_keys)
                    || a.resource_types.iter().any(|(t, _)| {
                        service_reference::resource_type(a.service, t)
                            .is_some_and(|r| listed(&r.condition_keys))
                    })
            })
        };
        of_action(self.action) || self.further_actions.iter().any(|a| of_action(a))
    }
}

/// The operations of `service` in AWS's API model, sorted by name.
pub fn aws_operations(service: AwsService) -> impl Iterator<Item = &'static str> {
    const MODEL: &str = include_str!("../data/aws-operations.tsv");
    MODEL.lines().filter_map(move |line| {
        let mut fields = line.split('\t');
        (fields.next()? == service.signing_name()).then_some(())?;
        fields.next()
    })
}

/// Whether `name` is an operation of `service` in AWS's API model.
pub fn is_aws_operation(service: AwsService, name: &str) -> bool {
    aws_operations(service).any(|op| op == name)
}

/// How a table covers a service's API: the operations it serves and those it does not yet.
#[derive(Debug)]
pub struct Coverage {
    /// The service.
    pub service: AwsService,
    /// Operations of the API model the table serves.
    pub served: Vec<&'static str>,
    /// Operations of the API model the table does not serve yet.
    pub missing: Vec<&'static str>,
}

impl Coverage {
    /// Compares `table` with AWS's API model of `service`.
    pub fn of<'a>(service: AwsService, table: impl IntoIterator<Item = &'a Operation>) -> Self {
        let names: Vec<&str> = table
            .into_iter()
            .filter(|op| op.service == service)
            .map(|op| op.name)
            .collect();
        let (served, missing) = aws_operations(service).partition(|op| names.contains(op));
        Self {
            service,
            served,
            missing,
        }
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} of {} operations served",
            self.service.signing_name(),
            self.served.len(),
            self.served.len() + self.missing.len()
        )?;
        if !self.missing.is_empty() {
            write!(f, "; not yet: {}", self.missing.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_models_list_every_service() {
        for service in AwsService::ALL {
            assert!(aws_operations(service).count() > 10, "{service:?}");
            assert_eq!(
                AwsService::from_signing_name(service.signing_name()),
                Some(service)
            );
        }
        assert!(is_aws_operation(AwsService::Iam, "CreateUser"));
        assert!(is_aws_operation(AwsService::S3, "GetObject"));
        assert!(!is_aws_operation(AwsService::Sts, "CreateUser"));
    }

    #[test]
    fn entries_are_checked_against_the_reference() {
        let good = Operation {
            service: AwsService::Iam,
            name: "CreateUser",
            action: "iam:CreateUser",
            resource: Resource::named("user", "UserName"),
            further_actions: &["iam:TagUser"],
            context_keys: &["aws:RequestTag/${TagKey}", "aws:TagKeys"],
            read_only: false,
        };
        assert_eq!(good.check_against_reference(), Ok(()));
        let wrong = [
            Operation {
                action: "iam:CreateUsr",
                ..good
            },
            Operation {
                resource: Resource::None,
                ..good
            },
            Operation {
                resource: Resource::named("role", "RoleName"),
                ..good
            },
            Operation {
                read_only: true,
                ..good
            },
            Operation {
                context_keys: &["s3:prefix"],
                ..good
            },
            Operation {
                further_actions: &["iam:TagUsers"],
                ..good
            },
        ];
        for op in wrong {
            assert!(op.check_against_reference().is_err(), "{op:?}");
        }
        let coverage = Coverage::of(AwsService::Iam, [&good]);
        assert_eq!(coverage.served, vec!["CreateUser"]);
        assert!(coverage.missing.contains(&"DeleteUser"));
    }
}
