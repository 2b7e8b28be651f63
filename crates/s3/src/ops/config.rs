//! Bucket configuration operations: default encryption, Object Ownership, and the bucket and
//! object ACLs of an ACL-disabled bucket (`bucket_config` holds the rules).

use std::sync::Arc;

use s3s::dto::{
    AccessControlPolicy, DeleteBucketEncryptionInput, DeleteBucketEncryptionOutput,
    DeleteBucketOwnershipControlsInput, DeleteBucketOwnershipControlsOutput, GetBucketAclInput,
    GetBucketAclOutput, GetBucketEncryptionInput, GetBucketEncryptionOutput,
    GetBucketOwnershipControlsInput, GetBucketOwnershipControlsOutput, GetObjectAclInput,
    GetObjectAclOutput, OwnershipControls, OwnershipControlsRule, PutBucketAclInput,
    PutBucketAclOutput, PutBucketEncryptionInput, PutBucketEncryptionOutput,
    PutBucketOwnershipControlsInput, PutBucketOwnershipControlsOutput, PutObjectAclInput,
    PutObjectAclOutput, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};

use crate::error::custom_error;
use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::bucket_config::{
    DefaultEncryption, ObjectOwnership, RequestedAcl, check_acl, owner_full_control,
};
use crate::model::meta::ObjectMeta;
use crate::ops::wire::requested_version;

/// The rule `GetBucketEncryption` reports for `encryption`.
fn encryption_rule(encryption: &DefaultEncryption) -> ServerSideEncryptionRule {
    ServerSideEncryptionRule {
        apply_server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
            kms_master_key_id: encryption.kms_key_id.clone(),
            sse_algorithm: ServerSideEncryption::from(encryption.algorithm.clone()),
        }),
        bucket_key_enabled: Some(encryption.bucket_key),
    }
}

/// The one rule of a `ServerSideEncryptionConfiguration` body, checked as S3 checks it.
fn parse_encryption(config: &ServerSideEncryptionConfiguration) -> S3Result<DefaultEncryption> {
    let [rule] = config.rules.as_slice() else {
        return Err(crate::error::malformed_xml());
    };
    let Some(default) = &rule.apply_server_side_encryption_by_default else {
        return Err(crate::error::malformed_xml());
    };
    let encryption = DefaultEncryption {
        algorithm: default.sse_algorithm.as_str().to_owned(),
        kms_key_id: default.kms_master_key_id.clone(),
        bucket_key: rule.bucket_key_enabled.unwrap_or(false),
    };
    encryption.validate()?;
    Ok(encryption)
}

/// The ACL a `PutBucketAcl` or `PutObjectAcl` request sets: its headers, and its body's grants.
fn requested_acl<'a>(
    headers: &'a http::HeaderMap,
    policy: Option<&'a AccessControlPolicy>,
) -> RequestedAcl<'a> {
    RequestedAcl::from_headers(headers).with_grants(policy.and_then(|p| p.grants.as_deref()))
}

/// A put-ACL request must set one, and the bucket's Object Ownership must allow it.
fn check_put_acl(acl: &RequestedAcl<'_>, bucket: &CachedBucket) -> S3Result<()> {
    if !acl.is_present() {
        return Err(s3_error!(
            MissingSecurityHeader,
            "Your request was missing a required header"
        ));
    }
    check_acl(
        bucket.bucket.ownership,
        acl,
        &bucket.bucket.owner.to_string(),
        false,
    )
}

/// `OwnershipControlsNotFoundError`: what a bucket whose controls were deleted answers.
fn ownership_controls_not_found() -> s3s::S3Error {
    custom_error(
        "OwnershipControlsNotFoundError",
        http::StatusCode::NOT_FOUND,
        "The bucket ownership controls were not found",
    )
}

impl Gateway {
    pub(crate) async fn op_get_bucket_encryption(
        &self,
        req: S3Request<GetBucketEncryptionInput>,
    ) -> S3Result<S3Response<GetBucketEncryptionOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let encryption = bucket
            .bucket
            .encryption
            .clone()
            .unwrap_or_else(DefaultEncryption::sse_s3);
        Ok(S3Response::new(GetBucketEncryptionOutput {
            server_side_encryption_configuration: Some(ServerSideEncryptionConfiguration {
                rules: vec![encryption_rule(&encryption)],
            }),
        }))
    }

    pub(crate) async fn op_put_bucket_encryption(
        &self,
        req: S3Request<PutBucketEncryptionInput>,
    ) -> S3Result<S3Response<PutBucketEncryptionOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let encryption = parse_encryption(&req.input.server_side_encryption_configuration)?;
        let mut record = bucket.bucket.clone();
        record.encryption = Some(encryption);
        self.save_bucket(record).await?;
        Ok(S3Response::new(PutBucketEncryptionOutput {}))
    }

    /// Deleting the configuration returns the bucket to the SSE-S3 default (S3 cannot turn
    /// encryption off since 2023).
    pub(crate) async fn op_delete_bucket_encryption(
        &self,
        req: S3Request<DeleteBucketEncryptionInput>,
    ) -> S3Result<S3Response<DeleteBucketEncryptionOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let mut record = bucket.bucket.clone();
        record.encryption = None;
        self.save_bucket(record).await?;
        Ok(S3Response::new(DeleteBucketEncryptionOutput {}))
    }

    pub(crate) async fn op_get_bucket_ownership_controls(
        &self,
        req: S3Request<GetBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<GetBucketOwnershipControlsOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let ownership = bucket
            .bucket
            .ownership
            .ok_or_else(ownership_controls_not_found)?;
        Ok(S3Response::new(GetBucketOwnershipControlsOutput {
            ownership_controls: Some(OwnershipControls {
                rules: vec![OwnershipControlsRule {
                    object_ownership: s3s::dto::ObjectOwnership::from(
                        ownership.as_str().to_owned(),
                    ),
                }],
            }),
        }))
    }

    pub(crate) async fn op_put_bucket_ownership_controls(
        &self,
        req: S3Request<PutBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<PutBucketOwnershipControlsOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let [rule] = req.input.ownership_controls.rules.as_slice() else {
            return Err(crate::error::malformed_xml());
        };
        let ownership = ObjectOwnership::parse(rule.object_ownership.as_str())
            .ok_or_else(crate::error::malformed_xml)?;
        let mut record = bucket.bucket.clone();
        record.ownership = Some(ownership);
        self.save_bucket(record).await?;
        Ok(S3Response::new(PutBucketOwnershipControlsOutput {}))
    }

    /// Without controls a bucket behaves as `ObjectWriter` did before 2023 (ACLs enabled);
    /// `GetBucketOwnershipControls` then answers `OwnershipControlsNotFoundError`.
    pub(crate) async fn op_delete_bucket_ownership_controls(
        &self,
        req: S3Request<DeleteBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<DeleteBucketOwnershipControlsOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let mut record = bucket.bucket.clone();
        record.ownership = None;
        self.save_bucket(record).await?;
        Ok(S3Response::new(DeleteBucketOwnershipControlsOutput {}))
    }

    pub(crate) async fn op_get_bucket_acl(
        &self,
        req: S3Request<GetBucketAclInput>,
    ) -> S3Result<S3Response<GetBucketAclOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let (owner, grants) = owner_full_control(&bucket.bucket.owner.to_string());
        Ok(S3Response::new(GetBucketAclOutput {
            grants: Some(grants),
            owner: Some(owner),
        }))
    }

    pub(crate) async fn op_put_bucket_acl(
        &self,
        req: S3Request<PutBucketAclInput>,
    ) -> S3Result<S3Response<PutBucketAclOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let i = &req.input;
        let acl = requested_acl(&req.headers, i.access_control_policy.as_ref());
        let extra = acl.context();
        self.authorize(&info, info.action()?, &bucket, None, &extra)?;
        check_put_acl(&acl, &bucket)?;
        Ok(S3Response::new(PutBucketAclOutput {}))
    }

    /// The object (or version) an ACL request names, authorized for `action` or its
    /// `Version` form with `s3:VersionId`.
    async fn acl_object(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        (key, version_id): (&str, Option<&str>),
        action: &str,
        extra: &[(&str, gatehouse_policy::ContextValue)],
    ) -> S3Result<Arc<ObjectMeta>> {
        if let Some(id) = requested_version(version_id)? {
            let owned: Vec<(String, gatehouse_policy::ContextValue)> = extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            let versioned = action.replacen("ObjectAcl", "ObjectVersionAcl", 1);
            return self
                .readable_version(info, bucket, key, &id, (&versioned, &owned))
                .await;
        }
        self.authorize(info, action, bucket, Some(key), extra)?;
        match self.object(&bucket.bucket.name, key).await? {
            Some(meta) => Ok(meta),
            None => Err(self.absent_object(info, bucket, key).await),
        }
    }

    pub(crate) async fn op_get_object_acl(
        &self,
        req: S3Request<GetObjectAclInput>,
    ) -> S3Result<S3Response<GetObjectAclOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.acl_object(
            &info,
            &bucket,
            (&req.input.key, req.input.version_id.as_deref()),
            info.action()?,
            &[],
        )
        .await?;
        let (owner, grants) = owner_full_control(&bucket.bucket.owner.to_string());
        Ok(S3Response::new(GetObjectAclOutput {
            grants: Some(grants),
            owner: Some(owner),
            request_charged: None,
        }))
    }

    pub(crate) async fn op_put_object_acl(
        &self,
        req: S3Request<PutObjectAclInput>,
    ) -> S3Result<S3Response<PutObjectAclOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let i = &req.input;
        let acl = requested_acl(&req.headers, i.access_control_policy.as_ref());
        let extra = acl.context();
        self.acl_object(
            &info,
            &bucket,
            (&i.key, i.version_id.as_deref()),
            info.action()?,
            &extra,
        )
        .await?;
        check_put_acl(&acl, &bucket)?;
        Ok(S3Response::new(PutObjectAclOutput {
            request_charged: None,
        }))
    }
}
