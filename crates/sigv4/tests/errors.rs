//! One test per authentication error, plus the IAM User Guide's documented
//! `ListUsers` signing example.

use gatehouse_sigv4::{
    AuthError, CanonicalOptions, SignatureLocation, SignedRequest, format_amz_date, signature,
    signing_key,
};
use http::{HeaderMap, HeaderValue, Method, Uri};
use jiff::Timestamp;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const LIST_USERS_SIGNATURE: &str =
    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// The IAM User Guide's SigV4 example: `GET /?Action=ListUsers&Version=2010-05-08`
/// to iam.amazonaws.com at 2015-08-30T12:36:00Z, signed with the example key.
fn list_users() -> (Uri, HeaderMap) {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={LIST_USERS_SIGNATURE}"
    );
    let uri = "/?Action=ListUsers&Version=2010-05-08".parse().unwrap();
    let headers = headers(&[
        ("host", "iam.amazonaws.com"),
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("x-amz-date", "20150830T123600Z"),
        ("authorization", &auth),
    ]);
    (uri, headers)
}

fn verify(
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now: Timestamp,
) -> Result<SignedRequest, AuthError> {
    let signed = SignedRequest::parse(&Method::GET, uri, headers)?;
    signed.verify(&Method::GET, uri, headers, body, SECRET, now)?;
    Ok(signed)
}

#[test]
fn documented_list_users_example_verifies() {
    let (uri, headers) = list_users();
    let signed = verify(&uri, &headers, b"", ts("2015-08-30T12:36:00Z")).unwrap();
    assert_eq!(signed.access_key_id, "AKIDEXAMPLE");
    assert_eq!(signed.scope.service, "iam");
    assert_eq!(signed.location, SignatureLocation::Header);
    let canonical = signed
        .canonical_request(&Method::GET, &uri, &headers, b"", CanonicalOptions::DEFAULT)
        .unwrap();
    assert_eq!(
        canonical,
        "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        signed.string_to_sign(&canonical),
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    );
}

#[test]
fn no_credentials_is_missing_authentication_token() {
    let uri: Uri = "/?Action=GetCallerIdentity&Version=2011-06-15"
        .parse()
        .unwrap();
    let err = SignedRequest::parse(
        &Method::POST,
        &uri,
        &headers(&[("host", "sts.amazonaws.com")]),
    )
    .unwrap_err();
    assert_eq!(err, AuthError::MissingAuthenticationToken);
    assert_eq!(
        (err.code(), err.http_status()),
        ("MissingAuthenticationToken", 403)
    );
    assert_eq!(err.message(), "Request is missing Authentication Token");
}

fn parse_auth(auth: &str) -> AuthError {
    let uri: Uri = "/".parse().unwrap();
    let map = headers(&[
        ("host", "iam.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        ("authorization", auth),
    ]);
    SignedRequest::parse(&Method::GET, &uri, &map).unwrap_err()
}

#[test]
fn authorization_missing_credential() {
    let auth = "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc";
    let err = parse_auth(auth);
    assert_eq!(
        (err.code(), err.http_status()),
        ("IncompleteSignature", 400)
    );
    assert_eq!(
        err.message(),
        format!("Authorization header requires 'Credential' parameter. Authorization={auth}")
    );
}

#[test]
fn authorization_missing_signature() {
    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date";
    let err = parse_auth(auth);
    assert_eq!(err.code(), "IncompleteSignature");
    assert_eq!(
        err.message(),
        format!("Authorization header requires 'Signature' parameter. Authorization={auth}")
    );
}

#[test]
fn authorization_missing_signed_headers() {
    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, Signature=abc";
    let err = parse_auth(auth);
    assert_eq!(err.code(), "IncompleteSignature");
    assert_eq!(
        err.message(),
        format!("Authorization header requires 'SignedHeaders' parameter. Authorization={auth}")
    );
}

#[test]
fn non_sigv4_authorization_lists_every_missing_part() {
    let uri: Uri = "/".parse().unwrap();
    let map = headers(&[("authorization", "Bearer abc")]);
    let err = SignedRequest::parse(&Method::GET, &uri, &map).unwrap_err();
    assert_eq!(
        err,
        AuthError::IncompleteSignature(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc".to_owned()
        )
    );
}

#[test]
fn malformed_authorization_parts_are_incomplete() {
    let err = parse_auth(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders, Signature=abc",
    );
    assert_eq!(err.code(), "IncompleteSignature");
    assert!(
        err.message()
            .starts_with("Invalid key=value pair (missing equal-sign) in Authorization header")
    );

    let err = parse_auth(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/iam/aws4_request, SignedHeaders=host, Signature=abc",
    );
    assert_eq!(err.code(), "IncompleteSignature");
    assert!(
        err.message()
            .starts_with("Credential must have exactly 5 slash-delimited elements")
    );

    let err = parse_auth(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=abc",
    );
    assert_eq!(err.code(), "IncompleteSignature");
    assert_eq!(
        err.message(),
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );

    let err = parse_auth(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws5_request, SignedHeaders=host, Signature=abc",
    );
    assert_eq!(
        (err.code(), err.http_status()),
        ("SignatureDoesNotMatch", 403)
    );
}

#[test]
fn malformed_date_is_incomplete() {
    let uri: Uri = "/".parse().unwrap();
    let map = headers(&[
        ("x-amz-date", "2015-08-30T12:36:00Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=abc",
        ),
    ]);
    let err = SignedRequest::parse(&Method::GET, &uri, &map).unwrap_err();
    assert_eq!(err.code(), "IncompleteSignature");
    assert_eq!(
        err.message(),
        "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
}

#[test]
fn skew_of_more_than_15_minutes_is_signature_expired() {
    let (uri, headers) = list_users();
    // Exactly 15 minutes either way is still accepted.
    verify(&uri, &headers, b"", ts("2015-08-30T12:51:00Z")).unwrap();
    verify(&uri, &headers, b"", ts("2015-08-30T12:21:00Z")).unwrap();

    let err = verify(&uri, &headers, b"", ts("2015-08-30T12:51:01Z")).unwrap_err();
    assert_eq!(
        (err.code(), err.http_status()),
        ("SignatureDoesNotMatch", 403)
    );
    assert_eq!(
        err.message(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
    );

    let err = verify(&uri, &headers, b"", ts("2015-08-30T12:20:59Z")).unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch");
    assert_eq!(
        err.message(),
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"
    );
}

#[test]
fn wrong_secret_is_signature_does_not_match_with_details() {
    let (uri, headers) = list_users();
    let signed = SignedRequest::parse(&Method::GET, &uri, &headers).unwrap();
    let err = signed
        .verify(
            &Method::GET,
            &uri,
            &headers,
            b"",
            "not-the-secret",
            ts("2015-08-30T12:36:00Z"),
        )
        .unwrap_err();
    let AuthError::SignatureDoesNotMatch {
        string_to_sign,
        canonical_request,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(
        string_to_sign
            .ends_with("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    );
    assert!(canonical_request.starts_with("GET\n/\nAction=ListUsers"));
    assert_eq!(err.http_status(), 403);
    assert!(
        err.message()
            .starts_with("The request signature we calculated does not match")
    );
}

#[test]
fn credential_date_must_match_request_date() {
    let uri: Uri = "/".parse().unwrap();
    let map = headers(&[
        ("host", "iam.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        ),
    ]);
    let err = verify(&uri, &map, b"", ts("2015-08-30T12:36:00Z")).unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch");
    assert_eq!(
        err.message(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."
    );
}

/// Signs a request with our own primitives, dating it with the `Date` header
/// instead of `X-Amz-Date`.
#[test]
fn date_header_can_replace_x_amz_date() {
    let uri: Uri = "/".parse().unwrap();
    let date = "Sun, 30 Aug 2015 12:36:00 GMT";
    let mut map = headers(&[("host", "iam.amazonaws.com"), ("date", date)]);
    let unsigned = SignedRequest {
        access_key_id: "AKIDEXAMPLE".into(),
        scope: gatehouse_sigv4::CredentialScope {
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "iam".into(),
        },
        signed_headers: vec!["date".into(), "host".into()],
        signature: String::new(),
        timestamp: ts("2015-08-30T12:36:00Z"),
        security_token: None,
        location: SignatureLocation::Header,
    };
    let canonical = unsigned
        .canonical_request(&Method::GET, &uri, &map, b"", CanonicalOptions::DEFAULT)
        .unwrap();
    assert!(canonical.contains(&format!("\ndate:{date}\n")));
    let sig = signature(
        &signing_key(SECRET, "20150830", "us-east-1", "iam"),
        &unsigned.string_to_sign(&canonical),
    );
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=date;host, Signature={sig}"
    );
    map.insert("authorization", HeaderValue::from_str(&auth).unwrap());
    verify(&uri, &map, b"", ts("2015-08-30T12:40:00Z")).unwrap();
}

#[test]
fn content_sha256_header_must_match_body() {
    let (uri, mut map) = list_users();
    map.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
    );
    let err = verify(&uri, &map, b"Action=DeleteUser", ts("2015-08-30T12:36:00Z")).unwrap_err();
    assert_eq!(
        (err.code(), err.http_status()),
        ("XAmzContentSHA256Mismatch", 400)
    );
}

/// Builds a presigned `GetCallerIdentity` URL with our own primitives.
fn presign(expires: &str, at: Timestamp) -> Uri {
    let amz_date = format_amz_date(at);
    let day = &amz_date[..8];
    let base = format!(
        "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F{day}%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date={amz_date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
    );
    let uri: Uri = base.parse().unwrap();
    let map = headers(&[("host", "sts.amazonaws.com")]);
    let unsigned = SignedRequest {
        access_key_id: "AKIDEXAMPLE".into(),
        scope: gatehouse_sigv4::CredentialScope {
            date: day.into(),
            region: "us-east-1".into(),
            service: "sts".into(),
        },
        signed_headers: vec!["host".into()],
        signature: String::new(),
        timestamp: at,
        security_token: None,
        location: SignatureLocation::Query { expires_secs: 0 },
    };
    let canonical = unsigned
        .canonical_request(&Method::GET, &uri, &map, b"", CanonicalOptions::DEFAULT)
        .unwrap();
    let sig = signature(
        &signing_key(SECRET, day, "us-east-1", "sts"),
        &unsigned.string_to_sign(&canonical),
    );
    format!("{base}&X-Amz-Signature={sig}").parse().unwrap()
}

fn verify_presigned(uri: &Uri, now: Timestamp) -> Result<SignedRequest, AuthError> {
    verify(uri, &headers(&[("host", "sts.amazonaws.com")]), b"", now)
}

#[test]
fn presigned_url_valid_until_expiry_then_request_expired() {
    let signed_at = ts("2024-03-01T10:00:00Z");
    let uri = presign("900", signed_at);
    let signed = verify_presigned(&uri, signed_at).unwrap();
    assert_eq!(
        signed.location,
        SignatureLocation::Query { expires_secs: 900 }
    );
    verify_presigned(&uri, ts("2024-03-01T10:15:00Z")).unwrap();

    let err = verify_presigned(&uri, ts("2024-03-01T10:15:01Z")).unwrap_err();
    assert_eq!(
        err,
        AuthError::RequestExpired("Request has expired.".to_owned())
    );
    assert_eq!((err.code(), err.http_status()), ("RequestExpired", 400));

    // Dated more than 15 minutes in the future: not yet current.
    let err = verify_presigned(&uri, ts("2024-03-01T09:44:59Z")).unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch");
    assert!(
        err.message()
            .starts_with("Signature not yet current: 20240301T100000Z")
    );
}

#[test]
fn presigned_expires_over_a_week_is_rejected() {
    let signed_at = ts("2024-03-01T10:00:00Z");
    verify_presigned(&presign("604800", signed_at), ts("2024-03-08T10:00:00Z")).unwrap();

    let err = verify_presigned(&presign("604801", signed_at), signed_at).unwrap_err();
    assert_eq!(
        (err.code(), err.http_status()),
        ("AuthorizationQueryParametersError", 400)
    );
    assert_eq!(
        err.message(),
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
    );

    let err = SignedRequest::parse(&Method::GET, &presign("-1", signed_at), &HeaderMap::new())
        .unwrap_err();
    assert_eq!(err.message(), "X-Amz-Expires must be non-negative");
    let err = SignedRequest::parse(&Method::GET, &presign("soon", signed_at), &HeaderMap::new())
        .unwrap_err();
    assert_eq!(err.code(), "AuthorizationQueryParametersError");
}

#[test]
fn incomplete_presigned_url_is_incomplete_signature() {
    let uri: Uri = "/?Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240301%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20240301T100000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host".parse().unwrap();
    let err = SignedRequest::parse(&Method::GET, &uri, &HeaderMap::new()).unwrap_err();
    assert_eq!(
        (err.code(), err.http_status()),
        ("IncompleteSignature", 400)
    );
    assert!(err.message().contains("X-Amz-Signature"));

    let uri: Uri = "/?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=A%2F20240301%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20240301T100000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=ab".parse().unwrap();
    let err = SignedRequest::parse(&Method::GET, &uri, &HeaderMap::new()).unwrap_err();
    assert_eq!(err.code(), "IncompleteSignature");
}

#[test]
fn header_and_query_signatures_together_are_rejected() {
    let signed_at = ts("2024-03-01T10:00:00Z");
    let uri = presign("60", signed_at);
    let (_, map) = list_users();
    let err = SignedRequest::parse(&Method::GET, &uri, &map).unwrap_err();
    assert_eq!(err.code(), "IncompleteSignature");
    assert!(err.message().starts_with("Only one auth mechanism allowed"));
}

#[test]
fn server_side_errors_are_mapped_too() {
    assert_eq!(
        (
            AuthError::InvalidClientTokenId.code(),
            AuthError::InvalidClientTokenId.http_status()
        ),
        ("InvalidClientTokenId", 403)
    );
    assert_eq!(
        AuthError::InvalidClientTokenId.message(),
        "The security token included in the request is invalid."
    );
    assert_eq!(
        (
            AuthError::ExpiredToken.code(),
            AuthError::ExpiredToken.http_status()
        ),
        ("ExpiredToken", 403)
    );
    assert_eq!(
        AuthError::ExpiredToken.message(),
        "The security token included in the request is expired"
    );
}
