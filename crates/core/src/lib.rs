//! The Gatehouse domain: accounts, IAM entities, credentials, STS sessions, and the authorizer
//! that builds a request context and asks the policy engine.
//!
//! State lives in memory for reads and is written through to a [`gatehouse_store::Store`].
//! Methods block on the store when they write; call them from a blocking context in async
//! code.

pub mod authorizer;
pub mod aws_managed;
pub mod caller;
pub mod credentials;
pub mod entities;
pub mod error;
pub mod iam;
pub mod ids;
pub mod operation;
pub mod page;
pub mod seal;
pub mod service_reference;
pub mod state;
pub mod sts;
pub mod validate;

pub use authorizer::{AuthzDecision, AuthzRequest};
pub use caller::{Caller, Identity, Session};
pub use credentials::{Credential, IssuedCredentials};
pub use error::{Error, Result};
pub use iam::{AccountSetup, AccountSpec, Iam};
pub use ids::{AccessKeyId, SecretAccessKey};
pub use seal::Sealer;
