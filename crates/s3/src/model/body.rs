//! Receiving an object body: streamed to a blob while its MD5 (the `ETag`) and any checksum the
//! client declared are computed, then verified — `Content-MD5`, `x-amz-checksum-*` headers, and
//! the trailing checksums of aws-chunked uploads, which s3s parses but does not check. On any
//! mismatch nothing is stored.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use futures::StreamExt;
use http::HeaderMap;
use s3s::crypto::{Checksum, Crc32, Crc32c, Crc64Nvme, Md5, Sha1, Sha256};
use s3s::dto::StreamingBlob;
use s3s::{S3Error, S3ErrorCode, S3Result, s3_error};

use crate::error::{custom_error, internal};
use crate::model::blob::{BlobStore, ObjectBody};

/// A checksum algorithm of S3's flexible checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// CRC32.
    Crc32,
    /// CRC32C.
    Crc32c,
    /// CRC64NVME.
    Crc64Nvme,
    /// SHA1.
    Sha1,
    /// SHA256.
    Sha256,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
    ];

    /// The name as in `x-amz-checksum-<name>` (lower case).
    pub fn header_suffix(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "crc32",
            Algorithm::Crc32c => "crc32c",
            Algorithm::Crc64Nvme => "crc64nvme",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
        }
    }

    /// Parses `CRC32`, `crc32c`, …
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_suffix().eq_ignore_ascii_case(name))
    }
}

enum Hasher {
    Crc32(Crc32),
    Crc32c(Crc32c),
    Crc64Nvme(Crc64Nvme),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl Hasher {
    fn new(a: Algorithm) -> Self {
        match a {
            Algorithm::Crc32 => Hasher::Crc32(Crc32::new()),
            Algorithm::Crc32c => Hasher::Crc32c(Crc32c::new()),
            Algorithm::Crc64Nvme => Hasher::Crc64Nvme(Crc64Nvme::new()),
            Algorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc32(h) => h.update(data),
            Hasher::Crc32c(h) => h.update(data),
            Hasher::Crc64Nvme(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
        }
    }

    fn finalize(self) -> String {
        match self {
            Hasher::Crc32(h) => B64.encode(h.finalize()),
            Hasher::Crc32c(h) => B64.encode(h.finalize()),
            Hasher::Crc64Nvme(h) => B64.encode(h.finalize()),
            Hasher::Sha1(h) => B64.encode(h.finalize()),
            Hasher::Sha256(h) => B64.encode(h.finalize()),
        }
    }
}

/// What the client declared about the body.
#[derive(Debug, Default)]
pub struct Expectations {
    /// `Content-MD5`, base64.
    pub content_md5: Option<String>,
    /// Checksums sent as headers: algorithm → base64 value.
    pub checksums: Vec<(Algorithm, String)>,
    /// The algorithm of a trailing checksum (`x-amz-trailer`), if one will follow the body.
    pub trailer: Option<Algorithm>,
    /// The algorithm the SDK computed (`x-amz-sdk-checksum-algorithm`), to store even if only
    /// declared.
    pub sdk_algorithm: Option<Algorithm>,
    /// `x-amz-decoded-content-length` or `Content-Length`: the bytes that must arrive.
    pub length: Option<u64>,
}

impl Expectations {
    /// Reads the declarations from the request headers.
    pub fn from_headers(headers: &HeaderMap) -> S3Result<Self> {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .map(str::to_owned)
        };
        let mut checksums = Vec::new();
        for a in Algorithm::ALL {
            if let Some(v) = get(&format!("x-amz-checksum-{}", a.header_suffix())) {
                checksums.push((a, v));
            }
        }
        let trailer = match get("x-amz-trailer") {
            None => None,
            Some(t) => Some(
                t.strip_prefix("x-amz-checksum-")
                    .and_then(Algorithm::parse)
                    .ok_or_else(|| {
                        s3_error!(
                            InvalidRequest,
                            "The value specified in the x-amz-trailer header is not supported"
                        )
                    })?,
            ),
        };
        let sdk_algorithm = get("x-amz-sdk-checksum-algorithm")
            .or_else(|| get("x-amz-checksum-algorithm"))
            .and_then(|a| Algorithm::parse(&a));
        let length = get("x-amz-decoded-content-length")
            .or_else(|| get("content-length"))
            .and_then(|v| v.parse().ok());
        Ok(Self {
            content_md5: get("content-md5"),
            checksums,
            trailer,
            sdk_algorithm,
            length,
        })
    }
}

/// A body received and verified.
#[derive(Debug, Clone)]
pub struct Received {
    /// Where the bytes are: inline when they fit the limit given to [`receive`].
    pub body: ObjectBody,
    /// Bytes stored.
    pub size: u64,
    /// The raw MD5.
    pub md5: [u8; 16],
    /// Verified (or computed for the declared algorithm) checksums: algorithm → base64.
    pub checksums: Vec<(Algorithm, String)>,
}

fn bad_digest(message: &str) -> S3Error {
    S3Error::with_message(S3ErrorCode::BadDigest, message.to_owned())
}

/// Maps an error from s3s's body stream to S3's error.
fn stream_error(e: &(dyn std::error::Error + Send + Sync)) -> S3Error {
    let text = e.to_string();
    if text.contains("SignatureMismatch") {
        s3_error!(
            SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."
        )
    } else if text.contains("Sha256Mismatch") {
        custom_error(
            "XAmzContentSHA256Mismatch",
            http::StatusCode::BAD_REQUEST,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    } else {
        s3_error!(
            IncompleteBody,
            "You did not provide the number of bytes specified by the Content-Length HTTP header"
        )
    }
}

/// Streams `body` into memory (while it fits `inline_limit` bytes) or a new blob, verifying
/// what `expect` declares, and reads the trailing checksum from `trailers` once the body has
/// ended. On any failure the bytes are discarded.
pub async fn receive(
    blobs: &BlobStore,
    inline_limit: usize,
    body: Option<StreamingBlob>,
    expect: &Expectations,
    trailers: Option<&s3s::TrailingHeaders>,
) -> S3Result<Received> {
    let mut writer = blobs.sink(inline_limit, expect.length);
    let mut md5 = Md5::new();
    let mut algorithms: Vec<Algorithm> = expect.checksums.iter().map(|(a, _)| *a).collect();
    algorithms.extend(expect.trailer);
    algorithms.extend(expect.sdk_algorithm);
    algorithms.sort_by_key(|a| a.header_suffix());
    algorithms.dedup();
    let mut hashers: Vec<(Algorithm, Hasher)> =
        algorithms.iter().map(|a| (*a, Hasher::new(*a))).collect();
    if let Some(mut stream) = body {
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    writer.abort(blobs).await;
                    return Err(stream_error(e.as_ref()));
                }
            };
            md5.update(&chunk);
            for (_, h) in &mut hashers {
                h.update(&chunk);
            }
            if let Err(e) = writer.write(blobs, &chunk).await {
                writer.abort(blobs).await;
                return Err(internal(e));
            }
        }
    }
    let size = writer.len();
    let md5: [u8; 16] = md5.finalize();
    let computed: Vec<(Algorithm, String)> = hashers
        .into_iter()
        .map(|(a, h)| (a, h.finalize()))
        .collect();
    let check = || -> S3Result<()> {
        if expect.length.is_some_and(|n| n != size) {
            return Err(s3_error!(
                IncompleteBody,
                "You did not provide the number of bytes specified by the Content-Length HTTP header"
            ));
        }
        if let Some(declared) = &expect.content_md5 {
            let ok = B64.decode(declared).is_ok_and(|d| d == md5);
            if !ok {
                if B64.decode(declared).is_ok_and(|d| d.len() == 16) {
                    return Err(bad_digest(
                        "The Content-MD5 you specified did not match what we received.",
                    ));
                }
                return Err(s3_error!(
                    InvalidDigest,
                    "The Content-MD5 you specified was invalid."
                ));
            }
        }
        let value_of = |a: Algorithm| {
            computed
                .iter()
                .find(|(c, _)| *c == a)
                .map(|(_, v)| v.as_str())
        };
        for (a, declared) in &expect.checksums {
            if value_of(*a) != Some(declared.as_str()) {
                return Err(bad_digest(&format!(
                    "The {} you specified did not match the calculated checksum.",
                    a.header_suffix().to_uppercase()
                )));
            }
        }
        if let Some(a) = expect.trailer {
            let header = format!("x-amz-checksum-{}", a.header_suffix());
            let declared = trailers.and_then(s3s::TrailingHeaders::take).and_then(|h| {
                h.get(&header)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.trim().to_owned())
            });
            match declared {
                Some(d) if value_of(a) == Some(d.as_str()) => {}
                Some(_) => {
                    return Err(bad_digest(&format!(
                        "The {} you specified did not match the calculated checksum.",
                        a.header_suffix().to_uppercase()
                    )));
                }
                None => {
                    return Err(s3_error!(
                        InvalidRequest,
                        "The x-amz-trailer header was declared but no trailing checksum was received."
                    ));
                }
            }
        }
        Ok(())
    };
    if let Err(e) = check() {
        writer.abort(blobs).await;
        return Err(e);
    }
    let body = writer.finish(blobs).await.map_err(internal)?;
    Ok(Received {
        body,
        size,
        md5,
        checksums: computed,
    })
}

/// The `ETag` of a single-part object: the quoted hex MD5.
pub fn etag(md5: &[u8]) -> String {
    format!("\"{}\"", hex::encode(md5))
}
