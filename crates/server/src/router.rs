//! Where a request goes, decided once: the query protocol (IAM, STS), AWS JSON 1.1
//! (`X-Amz-Target`, Organizations), REST-JSON (Access Analyzer) or S3's REST-XML (s3s). The
//! operation tables of the query services are looked up here too.

use std::collections::HashMap;
use std::sync::OnceLock;

use gatehouse_core::operation::{AwsService, Operation, is_aws_operation};
use http::{HeaderMap, Method, Uri};

use crate::error::Service;
use crate::operations::QueryOperation;
use crate::{iam_api, sts_api};

/// The endpoint a request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// IAM or STS over the query protocol: the service of the signature's credential scope, or
    /// `None` for an unsigned request, whose action decides ([`unsigned_query_service`]).
    Query(Option<Service>),
    /// A service Gatehouse routes but does not serve yet, named by the request's credential
    /// scope or `X-Amz-Target`; `target` is the JSON 1.1 target, when there is one.
    NotServed {
        /// The service.
        service: AwsService,
        /// `X-Amz-Target` (`AWSOrganizationsV20161128.CreateOrganization`), if sent.
        target: Option<String>,
    },
    /// S3, served by s3s; `signed` when the request carries a `SigV4` credential scope.
    S3 {
        /// Whether the request is signed (header or presigned query).
        signed: bool,
    },
}

/// The signing service of a request's credential scope, if it is signed with `SigV4`.
fn scope_service<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> Option<String> {
    let from_header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|text| text.split("Credential=").nth(1))
        .and_then(|cred| cred.split('/').nth(3))
        .map(|s| s.trim_end_matches(',').to_owned());
    from_header.or_else(|| {
        uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "X-Amz-Credential")
                .and_then(|(_, v)| v.split('/').nth(3).map(str::to_owned))
        })
    })
}

/// The JSON 1.1 target of a request (`X-Amz-Target`).
fn json_target(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The service a JSON 1.1 target prefix belongs to.
fn target_service(target: &str) -> Option<AwsService> {
    target
        .starts_with("AWSOrganizationsV20161128.")
        .then_some(AwsService::Organizations)
}

/// Decides the endpoint of a request from its credential scope, or, unsigned, from its shape:
/// an `Action` (query string, or a form posted to `/`) is the query protocol, an
/// `X-Amz-Target` is JSON 1.1, anything else is S3.
pub(crate) fn route(method: &Method, uri: &Uri, headers: &HeaderMap) -> Endpoint {
    let not_served = |service| Endpoint::NotServed {
        service,
        target: json_target(headers),
    };
    if let Some(scope) = scope_service(headers, uri) {
        return match AwsService::from_signing_name(&scope) {
            Some(AwsService::Iam) => Endpoint::Query(Some(Service::Iam)),
            Some(AwsService::Sts) => Endpoint::Query(Some(Service::Sts)),
            Some(service @ (AwsService::Organizations | AwsService::AccessAnalyzer)) => {
                not_served(service)
            }
            // S3, and services Gatehouse has never heard of: s3s answers them as S3 does.
            Some(AwsService::S3) | None => Endpoint::S3 { signed: true },
        };
    }
    if let Some(service) = json_target(headers).as_deref().and_then(target_service) {
        return not_served(service);
    }
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let action_in_query = uri
        .query()
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "Action"));
    if action_in_query || (method == Method::POST && uri.path() == "/" && form) {
        // Which query service is decided by the action, once the body is read.
        Endpoint::Query(None)
    } else {
        Endpoint::S3 { signed: false }
    }
}

/// The query service of an unsigned request, from its action: STS's when STS's API has it.
pub(crate) fn unsigned_query_service(action: Option<&str>) -> Service {
    match action {
        Some(a) if is_aws_operation(AwsService::Sts, a) => Service::Sts,
        _ => Service::Iam,
    }
}

/// Every query-protocol operation served, by service and name.
fn query_index() -> &'static HashMap<(Service, &'static str), &'static QueryOperation> {
    static INDEX: OnceLock<HashMap<(Service, &'static str), &'static QueryOperation>> =
        OnceLock::new();
    INDEX.get_or_init(|| {
        let iam = iam_api::OPERATIONS.iter().map(|op| (Service::Iam, op));
        let sts = sts_api::OPERATIONS.iter().map(|op| (Service::Sts, op));
        iam.chain(sts)
            .map(|(service, op)| ((service, op.operation.name), op))
            .collect()
    })
}

/// The operation `name` of a query service, if Gatehouse serves it.
pub(crate) fn query_operation(service: Service, name: &str) -> Option<&'static QueryOperation> {
    query_index().get(&(service, name)).copied()
}

/// Every operation Gatehouse serves, of every service.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    iam_api::OPERATIONS
        .iter()
        .chain(sts_api::OPERATIONS)
        .map(|op| &op.operation)
        .chain(gatehouse_s3::operations::OPERATIONS)
}

#[cfg(test)]
mod tests {
    use gatehouse_core::operation::Coverage;

    use super::*;

    #[test]
    fn every_operation_agrees_with_the_service_reference() {
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for op in operations() {
            if !seen.insert((op.service, op.name)) {
                problems.push(format!("{} is in the table twice", op.name));
            }
            if !is_aws_operation(op.service, op.name) {
                problems.push(format!("{} is not in AWS's API model", op.name));
            }
            if let Err(e) = op.check_against_reference() {
                problems.push(e);
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        for service in AwsService::ALL {
            println!("{}", Coverage::of(service, operations()));
        }
    }

    #[test]
    fn query_operations_are_found_by_service_and_name() {
        let op = query_operation(Service::Iam, "CreateUser").unwrap();
        assert_eq!(op.operation.action, "iam:CreateUser");
        assert!(query_operation(Service::Sts, "CreateUser").is_none());
        assert!(query_operation(Service::Sts, "AssumeRole").is_some());
        assert!(query_operation(Service::Iam, "createuser").is_none());
    }

    #[test]
    fn requests_are_routed_by_scope_target_and_shape() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let auth = |service: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
            )
        };
        let root: Uri = "/".parse().unwrap();
        let post = Method::POST;
        let cases = [
            (
                headers(&[("authorization", &auth("iam"))]),
                Endpoint::Query(Some(Service::Iam)),
            ),
            (
                headers(&[("authorization", &auth("sts"))]),
                Endpoint::Query(Some(Service::Sts)),
            ),
            (
                headers(&[("authorization", &auth("s3"))]),
                Endpoint::S3 { signed: true },
            ),
            (
                headers(&[
                    ("authorization", &auth("organizations")),
                    ("x-amz-target", "AWSOrganizationsV20161128.ListRoots"),
                ]),
                Endpoint::NotServed {
                    service: AwsService::Organizations,
                    target: Some("AWSOrganizationsV20161128.ListRoots".into()),
                },
            ),
            (
                headers(&[("content-type", "application/x-www-form-urlencoded")]),
                Endpoint::Query(None),
            ),
            (headers(&[]), Endpoint::S3 { signed: false }),
        ];
        for (h, want) in cases {
            assert_eq!(route(&post, &root, &h), want, "{h:?}");
        }
        let presigned: Uri =
            "/bucket/key?X-Amz-Credential=AKIA%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
                .parse()
                .unwrap();
        assert_eq!(
            route(&Method::GET, &presigned, &headers(&[])),
            Endpoint::S3 { signed: true }
        );
        let query: Uri = "/?Action=GetCallerIdentity".parse().unwrap();
        assert_eq!(
            route(&Method::GET, &query, &headers(&[])),
            Endpoint::Query(None)
        );
        assert_eq!(
            unsigned_query_service(Some("GetCallerIdentity")),
            Service::Sts
        );
        assert_eq!(unsigned_query_service(Some("ListUsers")), Service::Iam);
    }
}
