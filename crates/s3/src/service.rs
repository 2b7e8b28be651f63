//! The `s3s::S3` implementation: each operation delegates to the gateway.

use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput,
    CompleteMultipartUploadOutput, CopyObjectInput, CopyObjectOutput, CreateBucketInput,
    CreateBucketOutput, CreateMultipartUploadInput, CreateMultipartUploadOutput,
    DeleteBucketEncryptionInput, DeleteBucketEncryptionOutput, DeleteBucketInput,
    DeleteBucketOutput, DeleteBucketOwnershipControlsInput, DeleteBucketOwnershipControlsOutput,
    DeleteBucketPolicyInput, DeleteBucketPolicyOutput, DeleteBucketTaggingInput,
    DeleteBucketTaggingOutput, DeleteObjectInput, DeleteObjectOutput, DeleteObjectTaggingInput,
    DeleteObjectTaggingOutput, DeleteObjectsInput, DeleteObjectsOutput,
    DeletePublicAccessBlockInput, DeletePublicAccessBlockOutput, GetBucketAclInput,
    GetBucketAclOutput, GetBucketEncryptionInput, GetBucketEncryptionOutput,
    GetBucketLocationInput, GetBucketLocationOutput, GetBucketOwnershipControlsInput,
    GetBucketOwnershipControlsOutput, GetBucketPolicyInput, GetBucketPolicyOutput,
    GetBucketPolicyStatusInput, GetBucketPolicyStatusOutput, GetBucketTaggingInput,
    GetBucketTaggingOutput, GetBucketVersioningInput, GetBucketVersioningOutput, GetObjectAclInput,
    GetObjectAclOutput, GetObjectInput, GetObjectOutput, GetObjectTaggingInput,
    GetObjectTaggingOutput, GetPublicAccessBlockInput, GetPublicAccessBlockOutput, HeadBucketInput,
    HeadBucketOutput, HeadObjectInput, HeadObjectOutput, ListBucketsInput, ListBucketsOutput,
    ListMultipartUploadsInput, ListMultipartUploadsOutput, ListObjectVersionsInput,
    ListObjectVersionsOutput, ListObjectsInput, ListObjectsOutput, ListObjectsV2Input,
    ListObjectsV2Output, ListPartsInput, ListPartsOutput, PutBucketAclInput, PutBucketAclOutput,
    PutBucketEncryptionInput, PutBucketEncryptionOutput, PutBucketOwnershipControlsInput,
    PutBucketOwnershipControlsOutput, PutBucketPolicyInput, PutBucketPolicyOutput,
    PutBucketTaggingInput, PutBucketTaggingOutput, PutBucketVersioningInput,
    PutBucketVersioningOutput, PutObjectAclInput, PutObjectAclOutput, PutObjectInput,
    PutObjectOutput, PutObjectTaggingInput, PutObjectTaggingOutput, PutPublicAccessBlockInput,
    PutPublicAccessBlockOutput, UploadPartCopyInput, UploadPartCopyOutput, UploadPartInput,
    UploadPartOutput,
};
use s3s::{S3, S3Request, S3Response, S3Result};

use crate::gateway::Gateway;

/// Forwards each listed trait method to the gateway's `op_` method.
macro_rules! delegate {
    ($($method:ident => $op:ident: $input:ident, $output:ident;)*) => {
        #[async_trait::async_trait]
        impl S3 for Gateway {
            $(
                async fn $method(&self, req: S3Request<$input>) -> S3Result<S3Response<$output>> {
                    self.$op(req).await
                }
            )*
        }
    };
}

delegate! {
    list_buckets => op_list_buckets: ListBucketsInput, ListBucketsOutput;
    create_bucket => op_create_bucket: CreateBucketInput, CreateBucketOutput;
    head_bucket => op_head_bucket: HeadBucketInput, HeadBucketOutput;
    delete_bucket => op_delete_bucket: DeleteBucketInput, DeleteBucketOutput;
    get_bucket_location => op_get_bucket_location: GetBucketLocationInput, GetBucketLocationOutput;
    put_bucket_policy => op_put_bucket_policy: PutBucketPolicyInput, PutBucketPolicyOutput;
    get_bucket_policy => op_get_bucket_policy: GetBucketPolicyInput, GetBucketPolicyOutput;
    delete_bucket_policy => op_delete_bucket_policy: DeleteBucketPolicyInput, DeleteBucketPolicyOutput;
    get_bucket_policy_status => op_get_bucket_policy_status: GetBucketPolicyStatusInput, GetBucketPolicyStatusOutput;
    put_public_access_block => op_put_public_access_block: PutPublicAccessBlockInput, PutPublicAccessBlockOutput;
    get_public_access_block => op_get_public_access_block: GetPublicAccessBlockInput, GetPublicAccessBlockOutput;
    delete_public_access_block => op_delete_public_access_block: DeletePublicAccessBlockInput, DeletePublicAccessBlockOutput;
    put_bucket_tagging => op_put_bucket_tagging: PutBucketTaggingInput, PutBucketTaggingOutput;
    get_bucket_tagging => op_get_bucket_tagging: GetBucketTaggingInput, GetBucketTaggingOutput;
    delete_bucket_tagging => op_delete_bucket_tagging: DeleteBucketTaggingInput, DeleteBucketTaggingOutput;
    put_object => op_put_object: PutObjectInput, PutObjectOutput;
    get_object => op_get_object: GetObjectInput, GetObjectOutput;
    head_object => op_head_object: HeadObjectInput, HeadObjectOutput;
    delete_object => op_delete_object: DeleteObjectInput, DeleteObjectOutput;
    delete_objects => op_delete_objects: DeleteObjectsInput, DeleteObjectsOutput;
    copy_object => op_copy_object: CopyObjectInput, CopyObjectOutput;
    put_object_tagging => op_put_object_tagging: PutObjectTaggingInput, PutObjectTaggingOutput;
    get_object_tagging => op_get_object_tagging: GetObjectTaggingInput, GetObjectTaggingOutput;
    delete_object_tagging => op_delete_object_tagging: DeleteObjectTaggingInput, DeleteObjectTaggingOutput;
    list_objects => op_list_objects: ListObjectsInput, ListObjectsOutput;
    list_objects_v2 => op_list_objects_v2: ListObjectsV2Input, ListObjectsV2Output;
    create_multipart_upload => op_create_multipart_upload: CreateMultipartUploadInput, CreateMultipartUploadOutput;
    upload_part => op_upload_part: UploadPartInput, UploadPartOutput;
    upload_part_copy => op_upload_part_copy: UploadPartCopyInput, UploadPartCopyOutput;
    complete_multipart_upload => op_complete_multipart_upload: CompleteMultipartUploadInput, CompleteMultipartUploadOutput;
    abort_multipart_upload => op_abort_multipart_upload: AbortMultipartUploadInput, AbortMultipartUploadOutput;
    list_parts => op_list_parts: ListPartsInput, ListPartsOutput;
    list_multipart_uploads => op_list_multipart_uploads: ListMultipartUploadsInput, ListMultipartUploadsOutput;
    get_bucket_versioning => op_get_bucket_versioning: GetBucketVersioningInput, GetBucketVersioningOutput;
    put_bucket_versioning => op_put_bucket_versioning: PutBucketVersioningInput, PutBucketVersioningOutput;
    list_object_versions => op_list_object_versions: ListObjectVersionsInput, ListObjectVersionsOutput;
    get_bucket_encryption => op_get_bucket_encryption: GetBucketEncryptionInput, GetBucketEncryptionOutput;
    put_bucket_encryption => op_put_bucket_encryption: PutBucketEncryptionInput, PutBucketEncryptionOutput;
    delete_bucket_encryption => op_delete_bucket_encryption: DeleteBucketEncryptionInput, DeleteBucketEncryptionOutput;
    get_bucket_ownership_controls => op_get_bucket_ownership_controls: GetBucketOwnershipControlsInput, GetBucketOwnershipControlsOutput;
    put_bucket_ownership_controls => op_put_bucket_ownership_controls: PutBucketOwnershipControlsInput, PutBucketOwnershipControlsOutput;
    delete_bucket_ownership_controls => op_delete_bucket_ownership_controls: DeleteBucketOwnershipControlsInput, DeleteBucketOwnershipControlsOutput;
    get_bucket_acl => op_get_bucket_acl: GetBucketAclInput, GetBucketAclOutput;
    put_bucket_acl => op_put_bucket_acl: PutBucketAclInput, PutBucketAclOutput;
    get_object_acl => op_get_object_acl: GetObjectAclInput, GetObjectAclOutput;
    put_object_acl => op_put_object_acl: PutObjectAclInput, PutObjectAclOutput;
}
