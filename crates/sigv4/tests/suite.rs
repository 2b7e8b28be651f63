//! The AWS SigV4 test suite (copied into `tests/data/v4` from the `aws-sigv4`
//! crate's `aws-signing-test-suite`, itself from awslabs/aws-c-auth): for each
//! case, our parser reads the signed request and our canonical request,
//! string to sign and signature must equal the expected files, and `verify`
//! must accept it.

use std::path::{Path, PathBuf};

use gatehouse_sigv4::{CanonicalOptions, SignatureLocation, SignedRequest, signature, signing_key};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use jiff::Timestamp;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Bytes a client must escape before a path or query can go on the wire.
const WIRE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/v4")
        .join(name)
}

fn read(name: &str, file: &str) -> String {
    let path = case_dir(name).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A request as the server would see it.
struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Parses a suite `.txt` request: request line, headers (folded lines are
/// unfolded with a space, as RFC 7230 lets a recipient do), blank line, body.
fn parse_request(text: &str) -> Request {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().expect("request line");
    let method = request_line.split(' ').next().unwrap();
    let target = &request_line[method.len() + 1..];
    let target = target.strip_suffix(" HTTP/1.1").unwrap_or(target);
    let uri: Uri = utf8_percent_encode(target, WIRE)
        .to_string()
        .parse()
        .expect("valid URI");

    let mut raw: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = raw.last_mut().expect("continuation after a header");
            last.1.push(' ');
            last.1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("header line");
            raw.push((name.to_owned(), value.to_owned()));
        }
    }
    let mut headers = HeaderMap::new();
    for (name, value) in raw {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    Request {
        method: method.parse().unwrap(),
        uri,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

/// The fields of a case's `context.json` that matter here.
struct Context {
    normalize: bool,
    timestamp: Timestamp,
    token: Option<String>,
}

fn context(name: &str) -> Context {
    let json: serde_json::Value = serde_json::from_str(&read(name, "context.json")).unwrap();
    Context {
        normalize: json["normalize"].as_bool().unwrap(),
        timestamp: json["timestamp"].as_str().unwrap().parse().unwrap(),
        token: json["credentials"]["token"].as_str().map(str::to_owned),
    }
}

/// Cases whose expected files encode the path once although they normalize
/// (the suite has no "double encode" switch; `aws-sigv4` skips them for the
/// same reason). We check them with single encoding, and check separately
/// that double encoding gives the AWS SDKs' answer.
const SINGLE_ENCODED: &[&str] = &["get-space-normalized", "get-utf8"];

fn options(name: &str, ctx: &Context) -> CanonicalOptions {
    if !ctx.normalize {
        CanonicalOptions::S3
    } else if SINGLE_ENCODED.contains(&name) {
        CanonicalOptions {
            normalize_path: true,
            double_encode_path: false,
        }
    } else {
        CanonicalOptions::DEFAULT
    }
}

/// Runs one signature location of one case; `prefix` is `header` or `query`.
fn check(name: &str, prefix: &str) {
    let ctx = context(name);
    let opts = options(name, &ctx);
    let req = parse_request(&read(name, &format!("{prefix}-signed-request.txt")));
    let signed = SignedRequest::parse(&req.method, &req.uri, &req.headers)
        .unwrap_or_else(|e| panic!("{name}/{prefix}: parse failed: {e:?}"));

    assert_eq!(signed.access_key_id, "AKIDEXAMPLE", "{name}/{prefix}");
    assert_eq!(
        signed.scope.to_scope_string(),
        "20150830/us-east-1/service/aws4_request"
    );
    assert_eq!(signed.timestamp, ctx.timestamp, "{name}/{prefix}");
    match (prefix, signed.location) {
        ("header", SignatureLocation::Header)
        | ("query", SignatureLocation::Query { expires_secs: 3600 }) => {}
        other => panic!("{name}: unexpected location {other:?}"),
    }
    if let Some(token) = &ctx.token {
        assert_eq!(
            signed.security_token.as_deref(),
            Some(token.as_str()),
            "{name}/{prefix}"
        );
    }

    let canonical = signed
        .canonical_request(&req.method, &req.uri, &req.headers, &req.body, opts)
        .unwrap();
    assert_eq!(
        canonical,
        read(name, &format!("{prefix}-canonical-request.txt")),
        "{name}/{prefix}: canonical"
    );
    let string_to_sign = signed.string_to_sign(&canonical);
    assert_eq!(
        string_to_sign,
        read(name, &format!("{prefix}-string-to-sign.txt")),
        "{name}/{prefix}: sts"
    );
    let key = signing_key(SECRET, "20150830", "us-east-1", "service");
    let expected_signature = read(name, &format!("{prefix}-signature.txt"));
    assert_eq!(
        signature(&key, &string_to_sign),
        expected_signature.trim(),
        "{name}/{prefix}: signature"
    );
    assert_eq!(
        signed.signature,
        expected_signature.trim(),
        "{name}/{prefix}: sent signature"
    );

    signed
        .verify_with(
            &req.method,
            &req.uri,
            &req.headers,
            &req.body,
            SECRET,
            ctx.timestamp,
            opts,
        )
        .unwrap_or_else(|e| panic!("{name}/{prefix}: verify failed: {e:?}"));
    let err = signed
        .verify_with(
            &req.method,
            &req.uri,
            &req.headers,
            &req.body,
            "wrong-secret",
            ctx.timestamp,
            opts,
        )
        .unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch", "{name}/{prefix}");
}

macro_rules! suite {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check($name, "header");
                check($name, "query");
            }
        )*
    };
}

suite! {
    get_header_key_duplicate => "get-header-key-duplicate",
    get_header_value_multiline => "get-header-value-multiline",
    get_header_value_order => "get-header-value-order",
    get_header_value_trim => "get-header-value-trim",
    get_relative_normalized => "get-relative-normalized",
    get_relative_relative_normalized => "get-relative-relative-normalized",
    get_relative_relative_unnormalized => "get-relative-relative-unnormalized",
    get_relative_unnormalized => "get-relative-unnormalized",
    get_slash_dot_slash_normalized => "get-slash-dot-slash-normalized",
    get_slash_dot_slash_unnormalized => "get-slash-dot-slash-unnormalized",
    get_slash_normalized => "get-slash-normalized",
    get_slash_pointless_dot_normalized => "get-slash-pointless-dot-normalized",
    get_slash_pointless_dot_unnormalized => "get-slash-pointless-dot-unnormalized",
    get_slash_unnormalized => "get-slash-unnormalized",
    get_slashes_normalized => "get-slashes-normalized",
    get_slashes_unnormalized => "get-slashes-unnormalized",
    get_space_normalized => "get-space-normalized",
    get_space_unnormalized => "get-space-unnormalized",
    get_unreserved => "get-unreserved",
    get_utf8 => "get-utf8",
    get_vanilla => "get-vanilla",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query => "get-vanilla-query",
    get_vanilla_query_order_encoded => "get-vanilla-query-order-encoded",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    get_vanilla_with_session_token => "get-vanilla-with-session-token",
    post_header_key_case => "post-header-key-case",
    post_header_key_sort => "post-header-key-sort",
    post_header_value_case => "post-header-value-case",
    post_sts_header_before => "post-sts-header-before",
    post_vanilla => "post-vanilla",
    post_vanilla_empty_query_value => "post-vanilla-empty-query-value",
    post_vanilla_query => "post-vanilla-query",
    post_x_www_form_urlencoded => "post-x-www-form-urlencoded",
    post_x_www_form_urlencoded_parameters => "post-x-www-form-urlencoded-parameters",
}

/// `post-sts-header-after` adds the session token *after* signing. In the
/// header form the token header is simply unsigned, which we accept; in the
/// presigned form it lands in the query, which we always sign, so the request
/// is rightly rejected.
#[test]
fn post_sts_header_after() {
    check("post-sts-header-after", "header");

    let name = "post-sts-header-after";
    let ctx = context(name);
    let req = parse_request(&read(name, "query-signed-request.txt"));
    let signed = SignedRequest::parse(&req.method, &req.uri, &req.headers).unwrap();
    assert!(signed.security_token.is_some());
    let err = signed
        .verify(
            &req.method,
            &req.uri,
            &req.headers,
            &req.body,
            SECRET,
            ctx.timestamp,
        )
        .unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch");
}

/// The path of the single-encoded cases, double-encoded as IAM/STS and the
/// AWS SDKs do it.
#[test]
fn single_encoded_cases_double_encode_like_the_sdks() {
    for (name, uri) in [
        ("get-space-normalized", "/example%2520space/"),
        ("get-utf8", "/%25E1%2588%25B4"),
    ] {
        let req = parse_request(&read(name, "header-signed-request.txt"));
        let signed = SignedRequest::parse(&req.method, &req.uri, &req.headers).unwrap();
        let canonical = signed
            .canonical_request(
                &req.method,
                &req.uri,
                &req.headers,
                &req.body,
                CanonicalOptions::DEFAULT,
            )
            .unwrap();
        assert_eq!(canonical.lines().nth(1), Some(uri), "{name}");
    }
}

/// The two older-format cases kept by `aws-sigv4` (no context, and in
/// `double-encode-path` the date line disagrees with the request): check the
/// double-encoded canonical URI, and for `double-url-encode` the whole
/// canonical request and string to sign.
#[test]
fn double_encode_cases() {
    for name in ["double-encode-path", "double-url-encode"] {
        let req = parse_request(&read(name, "header-signed-request.txt"));
        let signed = SignedRequest::parse(&req.method, &req.uri, &req.headers).unwrap();
        let canonical = signed
            .canonical_request(
                &req.method,
                &req.uri,
                &req.headers,
                &req.body,
                CanonicalOptions::DEFAULT,
            )
            .unwrap();
        let expected = read(name, "header-canonical-request.txt");
        assert_eq!(canonical.lines().nth(1), expected.lines().nth(1), "{name}");
        if name == "double-url-encode" {
            assert_eq!(canonical, expected);
            assert_eq!(
                signed.string_to_sign(&canonical),
                read(name, "header-string-to-sign.txt").trim_end()
            );
        }
    }
}
