//! Operations served over the query protocol (IAM, STS): each one's description, from the
//! core [`Operation`] type, beside the handler that serves it. A service's table is a
//! `&[QueryOperation]` written with [`query_operations!`].

use gatehouse_core::operation::Operation;

use crate::error::ApiError;
use crate::query::QueryParams;
use crate::request::RequestCtx;

/// What a query-protocol handler returns: the XML body, or the error to answer.
pub(crate) type Handled = Result<String, ApiError>;

/// A query-protocol handler.
pub(crate) type Handler = fn(&RequestCtx, &QueryParams) -> Handled;

/// One operation of a query-protocol service and its handler.
#[derive(Debug)]
pub(crate) struct QueryOperation {
    /// What the operation is: action, resource, context keys, read-only flag.
    pub operation: Operation,
    /// The function that serves it.
    pub handler: Handler,
}

/// Writes a service's table: `Name: read|write RESOURCE [, further_actions = &[…]] [, context_keys = &[…]]
/// => handler;` per operation. The IAM action is `<prefix>:<Name>`.
macro_rules! query_operations {
    ($service:ident, $prefix:literal; $(
        $name:ident: $access:ident $resource:expr $(, $field:ident = $value:expr)* => $handler:path;
    )*) => {
        &[$(
            $crate::operations::QueryOperation {
                operation: gatehouse_core::operation::Operation {
                    $($field: $value,)*
                    ..gatehouse_core::operation::Operation {
                        service: gatehouse_core::operation::AwsService::$service,
                        name: stringify!($name),
                        action: concat!($prefix, ":", stringify!($name)),
                        resource: $resource,
                        further_actions: &[],
                        context_keys: &[],
                        read_only: $crate::operations::query_operations!(@read_only $access),
                    }
                },
                handler: $handler,
            },
        )*]
    };
    (@read_only read) => { true };
    (@read_only write) => { false };
}
pub(crate) use query_operations;

/// The condition keys of a request that carries tags.
pub(crate) const TAG_KEYS: &[&str] = &["aws:RequestTag/${TagKey}", "aws:TagKeys"];
