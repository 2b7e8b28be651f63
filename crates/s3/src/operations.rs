//! Every S3 operation Gatehouse serves, as the operation table describes it: the IAM action
//! it is authorized as, the resource that action names (`bucket` or `object`), the actions it
//! may also need, the condition keys Gatehouse adds beyond the ones of every S3 request
//! (`s3:authType`, `s3:signatureversion`, `s3:x-amz-content-sha256`, `s3:ResourceAccount`,
//! `s3:BucketTag/…`), and whether it only reads. s3s dispatches the requests; this table is
//! what the request log, the simulator and the coverage report read.

use gatehouse_core::operation::{AwsService, Operation, Resource};

const BUCKET: Resource = Resource::named("bucket", "Bucket");
const OBJECT: Resource = Resource::named("object", "Key");

/// Writes the table: `Name: read|write RESOURCE "s3:Action" [, field = value]*;`.
macro_rules! s3_operations {
    ($( $name:ident: $access:ident $resource:ident $action:literal $(, $field:ident = $value:expr)*; )*) => {
        &[$(
            Operation {
                $($field: $value,)*
                ..Operation {
                    service: AwsService::S3,
                    name: stringify!($name),
                    action: $action,
                    resource: $resource,
                    further_actions: &[],
                    context_keys: &[],
                    read_only: s3_operations!(@read_only $access),
                }
            },
        )*]
    };
    (@read_only read) => { true };
    (@read_only write) => { false };
}

/// The condition keys of a listing.
const LISTING_KEYS: &[&str] = &["s3:prefix", "s3:delimiter", "s3:max-keys"];

/// The condition keys of an object write, from its headers and tags.
const PUT_KEYS: &[&str] = &[
    "s3:x-amz-acl",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm",
    "s3:x-amz-storage-class",
    "s3:x-amz-grant-read",
    "s3:x-amz-grant-full-control",
    "s3:RequestObjectTag/<key>",
    "s3:RequestObjectTagKeys",
];

/// The condition keys of a copy: an object write's, and the copy's own headers.
const COPY_KEYS: &[&str] = &[
    "s3:x-amz-acl",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-storage-class",
    "s3:x-amz-copy-source",
    "s3:x-amz-metadata-directive",
    "s3:RequestObjectTag/<key>",
    "s3:RequestObjectTagKeys",
];

/// The condition keys of a request that names an object version.
const VERSION_KEYS: &[&str] = &["s3:VersionId"];

/// The condition keys of a bucket or object ACL request.
const ACL_KEYS: &[&str] = &[
    "s3:x-amz-acl",
    "s3:x-amz-grant-full-control",
    "s3:x-amz-grant-read",
    "s3:x-amz-grant-read-acp",
    "s3:x-amz-grant-write",
    "s3:x-amz-grant-write-acp",
];

/// Every S3 operation Gatehouse serves.
pub static OPERATIONS: &[Operation] = s3_operations! {
    ListBuckets: read NONE "s3:ListAllMyBuckets";
    CreateBucket: write BUCKET "s3:CreateBucket",
        further_actions = &["s3:PutBucketOwnershipControls"],
        context_keys = &["s3:locationconstraint", "s3:x-amz-object-ownership", "s3:x-amz-acl"];
    HeadBucket: read BUCKET "s3:ListBucket";
    DeleteBucket: write BUCKET "s3:DeleteBucket";
    GetBucketLocation: read BUCKET "s3:GetBucketLocation";
    PutBucketPolicy: write BUCKET "s3:PutBucketPolicy";
    GetBucketPolicy: read BUCKET "s3:GetBucketPolicy";
    DeleteBucketPolicy: write BUCKET "s3:DeleteBucketPolicy";
    GetBucketPolicyStatus: read BUCKET "s3:GetBucketPolicyStatus";
    PutPublicAccessBlock: write BUCKET "s3:PutBucketPublicAccessBlock";
    GetPublicAccessBlock: read BUCKET "s3:GetBucketPublicAccessBlock";
    DeletePublicAccessBlock: write BUCKET "s3:PutBucketPublicAccessBlock";
    PutBucketTagging: write BUCKET "s3:PutBucketTagging";
    GetBucketTagging: read BUCKET "s3:GetBucketTagging";
    DeleteBucketTagging: write BUCKET "s3:PutBucketTagging";
    PutObject: write OBJECT "s3:PutObject",
        further_actions = &["s3:PutObjectTagging", "s3:PutObjectAcl"], context_keys = PUT_KEYS;
    GetObject: read OBJECT "s3:GetObject",
        further_actions = &["s3:GetObjectVersion"], context_keys = VERSION_KEYS;
    HeadObject: read OBJECT "s3:GetObject",
        further_actions = &["s3:GetObjectVersion"], context_keys = VERSION_KEYS;
    DeleteObject: write OBJECT "s3:DeleteObject",
        further_actions = &["s3:DeleteObjectVersion"], context_keys = VERSION_KEYS;
    DeleteObjects: write OBJECT "s3:DeleteObject",
        further_actions = &["s3:DeleteObjectVersion"], context_keys = VERSION_KEYS;
    CopyObject: write OBJECT "s3:PutObject",
        further_actions = &[
            "s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectTagging", "s3:PutObjectAcl",
            "s3:GetObjectTagging"
        ],
        context_keys = COPY_KEYS;
    PutObjectTagging: write OBJECT "s3:PutObjectTagging",
        further_actions = &["s3:PutObjectVersionTagging"],
        context_keys = &["s3:RequestObjectTag/<key>", "s3:RequestObjectTagKeys", "s3:VersionId"];
    GetObjectTagging: read OBJECT "s3:GetObjectTagging",
        further_actions = &["s3:GetObjectVersionTagging"], context_keys = VERSION_KEYS;
    DeleteObjectTagging: write OBJECT "s3:DeleteObjectTagging",
        further_actions = &["s3:DeleteObjectVersionTagging"], context_keys = VERSION_KEYS;
    ListObjects: read BUCKET "s3:ListBucket", context_keys = LISTING_KEYS;
    ListObjectsV2: read BUCKET "s3:ListBucket", context_keys = LISTING_KEYS;
    CreateMultipartUpload: write OBJECT "s3:PutObject",
        further_actions = &["s3:PutObjectTagging", "s3:PutObjectAcl"], context_keys = PUT_KEYS;
    UploadPart: write OBJECT "s3:PutObject";
    UploadPartCopy: write OBJECT "s3:PutObject",
        further_actions = &["s3:GetObject", "s3:GetObjectVersion"];
    CompleteMultipartUpload: write OBJECT "s3:PutObject";
    AbortMultipartUpload: write OBJECT "s3:AbortMultipartUpload";
    ListParts: read OBJECT "s3:ListMultipartUploadParts";
    ListMultipartUploads: read BUCKET "s3:ListBucketMultipartUploads";
    GetBucketVersioning: read BUCKET "s3:GetBucketVersioning";
    PutBucketVersioning: write BUCKET "s3:PutBucketVersioning";
    ListObjectVersions: read BUCKET "s3:ListBucketVersions", context_keys = LISTING_KEYS;
    GetBucketEncryption: read BUCKET "s3:GetEncryptionConfiguration";
    PutBucketEncryption: write BUCKET "s3:PutEncryptionConfiguration";
    DeleteBucketEncryption: write BUCKET "s3:PutEncryptionConfiguration";
    GetBucketOwnershipControls: read BUCKET "s3:GetBucketOwnershipControls";
    PutBucketOwnershipControls: write BUCKET "s3:PutBucketOwnershipControls";
    DeleteBucketOwnershipControls: write BUCKET "s3:PutBucketOwnershipControls";
    GetBucketAcl: read BUCKET "s3:GetBucketAcl";
    PutBucketAcl: write BUCKET "s3:PutBucketAcl", context_keys = ACL_KEYS;
    GetObjectAcl: read OBJECT "s3:GetObjectAcl",
        further_actions = &["s3:GetObjectVersionAcl"], context_keys = VERSION_KEYS;
    PutObjectAcl: write OBJECT "s3:PutObjectAcl",
        further_actions = &["s3:PutObjectVersionAcl"], context_keys = ACL_KEYS;
};

/// `ListBuckets` names no bucket: it is authorized on `*`.
const NONE: Resource = Resource::None;

/// The table entry of an S3 operation, by its name in AWS's API model (asked once per request).
pub fn operation(name: &str) -> Option<&'static Operation> {
    static BY_NAME: std::sync::OnceLock<
        std::collections::HashMap<&'static str, &'static Operation>,
    > = std::sync::OnceLock::new();
    BY_NAME
        .get_or_init(|| OPERATIONS.iter().map(|op| (op.name, op)).collect())
        .get(name)
        .copied()
}
