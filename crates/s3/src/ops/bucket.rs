//! Bucket operations: create, list, head, delete, location, policy, policy status, Block
//! Public Access, and tags.

use gatehouse_policy::{ContextValue, Policy, PolicyKind};
use gatehouse_store::{Batch, KeyRange, StoreError, Table};
use s3s::dto::{
    BucketLocationConstraint, CreateBucketInput, CreateBucketOutput, DeleteBucketInput,
    DeleteBucketOutput, DeleteBucketPolicyInput, DeleteBucketPolicyOutput,
    DeleteBucketTaggingInput, DeleteBucketTaggingOutput, DeletePublicAccessBlockInput,
    DeletePublicAccessBlockOutput, GetBucketLocationInput, GetBucketLocationOutput,
    GetBucketPolicyInput, GetBucketPolicyOutput, GetBucketPolicyStatusInput,
    GetBucketPolicyStatusOutput, GetBucketTaggingInput, GetBucketTaggingOutput,
    GetPublicAccessBlockInput, GetPublicAccessBlockOutput, HeadBucketInput, HeadBucketOutput,
    ListBucketsInput, ListBucketsOutput, Owner, PolicyStatus, PublicAccessBlockConfiguration,
    PutBucketPolicyInput, PutBucketPolicyOutput, PutBucketTaggingInput, PutBucketTaggingOutput,
    PutPublicAccessBlockInput, PutPublicAccessBlockOutput, Timestamp,
};
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result, s3_error};

use crate::error::store_error;
use crate::error::{self, custom_error};
use crate::gateway::Gateway;
use crate::model::bucket_config::{ObjectOwnership, RequestedAcl, check_acl};
use crate::model::keys::object_key;
use crate::model::meta::{self, Bucket, PublicAccessBlock};
use crate::model::versioning::Versioning;

fn timestamp(t: jiff::Timestamp) -> Timestamp {
    Timestamp::from(std::time::SystemTime::from(t))
}

impl Gateway {
    pub(crate) async fn op_list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let info = self.info(&req);
        self.authorize_account(&info, info.action()?, "*", &[])?;
        let owner = info.caller.as_ref().map(gatehouse_core::Caller::account);
        let all: Vec<(Vec<u8>, Vec<u8>)> = self
            .blocking(|s| s.scan(Table::Buckets, &KeyRange::all(), usize::MAX))
            .await?;
        let buckets = all
            .iter()
            .filter_map(|(_, v)| serde_json::from_slice::<Bucket>(v).ok())
            .filter(|b| Some(b.owner) == owner)
            .map(|b| s3s::dto::Bucket {
                name: Some(b.name),
                creation_date: Some(timestamp(b.created)),
                bucket_region: Some(b.region),
            })
            .collect();
        let id = owner.map(|o| o.to_string());
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(buckets),
            owner: Some(Owner {
                display_name: id.clone(),
                id,
            }),
            ..Default::default()
        }))
    }

    pub(crate) async fn op_create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let info = self.info(&req);
        let name = req.input.bucket.clone();
        let region = req
            .input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .map_or_else(|| "us-east-1".to_owned(), |l| l.as_str().to_owned());
        if req
            .input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .is_some_and(|l| l.as_str() == "us-east-1")
        {
            return Err(s3_error!(
                InvalidLocationConstraint,
                "The specified location-constraint is not valid"
            ));
        }
        let mut extra = vec![(
            "s3:locationconstraint",
            ContextValue::Single(region.as_str().into()),
        )];
        if let Some(o) = &req.input.object_ownership {
            extra.push((
                "s3:x-amz-object-ownership",
                ContextValue::Single(o.as_str().into()),
            ));
        }
        self.authorize_account(
            &info,
            info.action()?,
            &format!("arn:aws:s3:::{name}"),
            &extra,
        )?;
        let Some(caller) = &info.caller else {
            return Err(crate::error::access_denied());
        };
        let owner = caller.account();
        let ownership = match &req.input.object_ownership {
            None => ObjectOwnership::BucketOwnerEnforced,
            Some(o) => ObjectOwnership::parse(o.as_str()).ok_or_else(|| {
                s3_error!(
                    InvalidArgument,
                    "Invalid x-amz-object-ownership header: {}",
                    o.as_str()
                )
            })?,
        };
        let acl = RequestedAcl::from_headers(&req.headers);
        if ownership == ObjectOwnership::BucketOwnerEnforced
            && check_acl(Some(ownership), &acl, &owner.to_string(), true).is_err()
        {
            return Err(custom_error(
                "InvalidBucketAclWithObjectOwnership",
                http::StatusCode::BAD_REQUEST,
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
            ));
        }
        check_acl(Some(ownership), &acl, &owner.to_string(), true)?;
        if let Ok(existing) = self.bucket(&name).await {
            // us-east-1 answers a repeated create of your own bucket with 200 (legacy behaviour).
            if existing.bucket.owner == owner && existing.bucket.region == "us-east-1" {
                return Ok(S3Response::new(CreateBucketOutput {
                    location: Some(format!("/{name}")),
                }));
            }
            return Err(if existing.bucket.owner == owner {
                error::bucket_already_owned_by_you(&name)
            } else {
                error::bucket_already_exists(&name)
            });
        }
        let bucket = Bucket {
            name: name.clone(),
            owner,
            created: gatehouse_core::entities::now(),
            region,
            policy: None,
            public_access_block: None,
            tags: vec![],
            versioning: Versioning::Unversioned,
            mfa_delete: None,
            encryption: None,
            ownership: Some(ownership),
        };
        let record = meta::encode(&bucket);
        let key = name.as_bytes().to_vec();
        let result = self.blocking(move |s| {
            match s.commit(
                Batch::new()
                    .require_absent(Table::Buckets, key.clone())
                    .put(Table::Buckets, key, record),
            ) {
                Err(StoreError::Conflict(_)) => Ok(false),
                other => other.map(|()| true),
            }
        });
        if !result.await? {
            return Err(error::bucket_already_exists(&name));
        }
        self.cache_bucket(&name, Some(bucket));
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{name}")),
        }))
    }

    pub(crate) async fn op_head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(bucket.bucket.region.clone()),
            ..Default::default()
        }))
    }

    pub(crate) async fn op_get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        // us-east-1 is reported as an empty LocationConstraint, as S3 does.
        let constraint = (bucket.bucket.region != "us-east-1")
            .then(|| BucketLocationConstraint::from(bucket.bucket.region.clone()));
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint: constraint,
        }))
    }

    pub(crate) async fn op_delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let info = self.info(&req);
        let name = req.input.bucket.clone();
        let bucket = self.bucket(&name).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let prefix = object_key(&name, "");
        let key = name.as_bytes().to_vec();
        let empty = self
            .blocking(move |s| {
                // Noncurrent versions and delete markers keep a bucket from being empty too.
                for table in [Table::Objects, Table::Versions] {
                    if !s.scan(table, &KeyRange::prefix(&prefix), 1)?.is_empty() {
                        return Ok(false);
                    }
                }
                s.commit(
                    Batch::new()
                        .delete(Table::Buckets, key)
                        .delete_prefix(Table::Uploads, prefix),
                )?;
                Ok(true)
            })
            .await?;
        if !empty {
            return Err(error::bucket_not_empty(
                &name,
                bucket.bucket.versioning != Versioning::Unversioned,
            ));
        }
        self.cache_bucket(&name, None);
        Ok(S3Response::new(DeleteBucketOutput {}))
    }

    /// Writes a changed bucket record and refreshes the cache.
    pub(crate) async fn save_bucket(&self, bucket: Bucket) -> S3Result<()> {
        let record = meta::encode(&bucket);
        let key = bucket.name.as_bytes().to_vec();
        self.blocking(move |s| s.commit(Batch::new().put(Table::Buckets, key, record)))
            .await?;
        let name = bucket.name.clone();
        self.cache_bucket(&name, Some(bucket));
        Ok(())
    }

    pub(crate) async fn op_put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let text = req.input.policy.clone();
        let policy = Policy::parse(&text, PolicyKind::Bucket).map_err(|e| {
            let mut err = S3Error::with_message(S3ErrorCode::MalformedPolicy, e.message.clone());
            if e.code == gatehouse_policy::PolicyErrorCode::PolicyTooLarge {
                err = custom_error("PolicyTooLarge", http::StatusCode::BAD_REQUEST, &e.message);
            }
            err
        })?;
        self.check_policy_targets(&bucket.bucket.name, &text)?;
        if bucket
            .bucket
            .public_access_block
            .is_some_and(|b| b.block_public_policy)
            && crate::public::is_public(&policy)
        {
            let caller = info
                .caller
                .as_ref()
                .map_or_else(|| "anonymous".to_owned(), gatehouse_core::Caller::arn);
            return Err(S3Error::with_message(
                S3ErrorCode::AccessDenied,
                format!(
                    "User: {caller} is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::{}\" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access.",
                    bucket.bucket.name
                ),
            ));
        }
        let mut record = bucket.bucket.clone();
        record.policy = Some(text);
        self.save_bucket(record).await?;
        Ok(S3Response::new(PutBucketPolicyOutput {}))
    }

    /// Resources must be this bucket or its objects; named users and roles must exist.
    fn check_policy_targets(&self, bucket: &str, text: &str) -> S3Result<()> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
            S3Error::with_message(
                S3ErrorCode::MalformedPolicy,
                "This policy contains invalid Json",
            )
        })?;
        let statements = match &value["Statement"] {
            serde_json::Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        let strings = |v: &serde_json::Value| -> Vec<String> {
            match v {
                serde_json::Value::String(s) => vec![s.clone()],
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                _ => vec![],
            }
        };
        let own = format!("arn:aws:s3:::{bucket}");
        for st in &statements {
            for r in strings(&st["Resource"])
                .into_iter()
                .chain(strings(&st["NotResource"]))
            {
                let ok = r == own
                    || r.starts_with(&format!("{own}/"))
                    || (r.ends_with('*') && own.starts_with(r.trim_end_matches('*')));
                if !ok {
                    return Err(S3Error::with_message(
                        S3ErrorCode::MalformedPolicy,
                        "Policy has invalid resource",
                    ));
                }
            }
            for p in strings(&st["Principal"]["AWS"])
                .into_iter()
                .chain(strings(&st["NotPrincipal"]["AWS"]))
            {
                let Ok(arn) = gatehouse_policy::Arn::parse(&p) else {
                    continue;
                };
                let named = arn.service() == "iam"
                    && (arn.resource().starts_with("user/") || arn.resource().starts_with("role/"));
                if named && !self.principal_exists(&arn) {
                    return Err(S3Error::with_message(
                        S3ErrorCode::MalformedPolicy,
                        "Invalid principal in policy",
                    ));
                }
            }
        }
        Ok(())
    }

    fn principal_exists(&self, arn: &gatehouse_policy::Arn) -> bool {
        let state = self.iam.state();
        let Some(acct) = arn.account_id().and_then(|a| state.accounts.get(&a)) else {
            return false;
        };
        let name = arn
            .resource()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        if arn.resource().starts_with("user/") {
            acct.users
                .get(&name)
                .is_some_and(|u| u.arn() == arn.as_str())
        } else {
            acct.roles
                .get(&name)
                .is_some_and(|r| r.arn() == arn.as_str())
        }
    }

    pub(crate) async fn op_get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let policy = bucket
            .bucket
            .policy
            .clone()
            .ok_or_else(|| error::no_such_bucket_policy(&bucket.bucket.name))?;
        let mut resp = S3Response::new(GetBucketPolicyOutput {
            policy: Some(policy),
        });
        resp.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Ok(resp)
    }

    pub(crate) async fn op_delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let mut record = bucket.bucket.clone();
        record.policy = None;
        self.save_bucket(record).await?;
        Ok(S3Response::new(DeleteBucketPolicyOutput {}))
    }

    pub(crate) async fn op_get_bucket_policy_status(
        &self,
        req: S3Request<GetBucketPolicyStatusInput>,
    ) -> S3Result<S3Response<GetBucketPolicyStatusOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let policy = bucket
            .policy
            .as_ref()
            .ok_or_else(|| error::no_such_bucket_policy(&bucket.bucket.name))?;
        Ok(S3Response::new(GetBucketPolicyStatusOutput {
            policy_status: Some(PolicyStatus {
                is_public: Some(crate::public::is_public(policy)),
            }),
        }))
    }

    pub(crate) async fn op_put_public_access_block(
        &self,
        req: S3Request<PutPublicAccessBlockInput>,
    ) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let c = &req.input.public_access_block_configuration;
        let mut record = bucket.bucket.clone();
        record.public_access_block = Some(PublicAccessBlock {
            block_public_acls: c.block_public_acls.unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
            block_public_policy: c.block_public_policy.unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
        });
        self.save_bucket(record).await?;
        Ok(S3Response::new(PutPublicAccessBlockOutput {}))
    }

    pub(crate) async fn op_get_public_access_block(
        &self,
        req: S3Request<GetPublicAccessBlockInput>,
    ) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let b = bucket.bucket.public_access_block.ok_or_else(|| {
            custom_error(
                "NoSuchPublicAccessBlockConfiguration",
                http::StatusCode::NOT_FOUND,
                "The public access block configuration was not found",
            )
        })?;
        Ok(S3Response::new(GetPublicAccessBlockOutput {
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_acls: Some(b.block_public_acls),
                ignore_public_acls: Some(b.ignore_public_acls),
                block_public_policy: Some(b.block_public_policy),
                restrict_public_buckets: Some(b.restrict_public_buckets),
            }),
        }))
    }

    pub(crate) async fn op_delete_public_access_block(
        &self,
        req: S3Request<DeletePublicAccessBlockInput>,
    ) -> S3Result<S3Response<DeletePublicAccessBlockOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let mut record = bucket.bucket.clone();
        record.public_access_block = None;
        self.save_bucket(record).await?;
        Ok(S3Response::new(DeletePublicAccessBlockOutput {}))
    }

    pub(crate) async fn op_put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let tags = crate::ops::wire::tag_pairs(&req.input.tagging.tag_set)?;
        let mut record = bucket.bucket.clone();
        record.tags = tags;
        self.save_bucket(record).await?;
        Ok(S3Response::new(PutBucketTaggingOutput {}))
    }

    pub(crate) async fn op_get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        if bucket.bucket.tags.is_empty() {
            return Err(error::no_such_tag_set(&bucket.bucket.name));
        }
        Ok(S3Response::new(GetBucketTaggingOutput {
            tag_set: crate::ops::wire::tag_set(&bucket.bucket.tags),
        }))
    }

    pub(crate) async fn op_delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let mut record = bucket.bucket.clone();
        record.tags.clear();
        self.save_bucket(record).await?;
        Ok(S3Response::new(DeleteBucketTaggingOutput {}))
    }
}

/// Used by tests.
#[allow(dead_code, reason = "kept for the store error type in signatures")]
fn _store_error_type(e: StoreError) -> S3Error {
    store_error(e)
}
