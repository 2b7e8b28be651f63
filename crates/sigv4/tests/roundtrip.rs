//! Property tests against the AWS SDK for Rust's signer (`aws-sigv4`): random
//! requests it signs for `iam`/`sts` must verify, and any single-byte change
//! to the body, a signed header value, the query or the signature must not.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation as AwsLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4::SigningParams;
use gatehouse_sigv4::{SignatureLocation, SignedRequest};
use http::{HeaderMap, HeaderValue, Method, Uri};
use jiff::Timestamp;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use proptest::prelude::*;
use proptest::sample::select;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// What a client escapes in a path segment: enough for `http::Uri` to accept
/// it, leaving sub-delims, `:` and `@` raw to exercise double encoding.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// What the SDKs escape in query names and values: all but unreserved.
const QUERY: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A random request, before signing.
#[derive(Debug, Clone)]
struct Spec {
    method: Method,
    service: &'static str,
    host: &'static str,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    token: Option<String>,
    time: Timestamp,
}

/// A signed request as the server sees it.
#[derive(Debug, Clone)]
struct Wire {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Wire {
    fn verify(&self, now: Timestamp) -> Result<SignedRequest, gatehouse_sigv4::AuthError> {
        let signed = SignedRequest::parse(&self.method, &self.uri, &self.headers)?;
        signed.verify(
            &self.method,
            &self.uri,
            &self.headers,
            &self.body,
            SECRET,
            now,
        )?;
        Ok(signed)
    }
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        1 => Just(String::new()),
        8 => "[a-zA-Z0-9 ._~!$&'()*+,;=:@%\"<>\\[\\]{}|^`éሴ😀-]{1,8}",
    ]
    .prop_map(|s| {
        if s == "." || s == ".." {
            s
        } else {
            utf8_percent_encode(&s, SEGMENT).to_string()
        }
    })
}

fn path() -> impl Strategy<Value = String> {
    (prop::collection::vec(segment(), 0..4), any::<bool>()).prop_map(|(segments, trailing)| {
        let mut path = format!("/{}", segments.join("/"));
        if trailing && !path.ends_with('/') {
            path.push('/');
        }
        path
    })
}

fn query() -> impl Strategy<Value = String> {
    let text = "[a-zA-Z0-9 ._~+&=/%?é-]{0,6}";
    prop::collection::vec((text, text), 0..4).prop_map(|pairs| {
        pairs
            .iter()
            .filter(|(name, _)| !name.starts_with("X-Amz-"))
            .map(|(name, value)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(name, QUERY),
                    utf8_percent_encode(value, QUERY)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn headers() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let name = select(vec!["x-custom", "x-amz-meta-a", "content-type", "x-other"]);
    // Printable ASCII, and space-heavy values to exercise trimming/collapsing.
    let value = prop_oneof!["[ -~]{0,12}", "( {0,3}[a-z\"]{0,3}){0,4}"];
    prop::collection::vec((name, value), 0..4)
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE]),
        select(vec!["iam", "sts"]),
        select(vec![
            "iam.amazonaws.com",
            "localhost:4566",
            "127.0.0.1:8080",
        ]),
        path(),
        query(),
        headers(),
        prop::collection::vec(any::<u8>(), 0..48),
        prop::option::of("[A-Za-z0-9/+=]{8,40}"),
        1_500_000_000i64..1_900_000_000,
    )
        .prop_map(
            |(method, service, host, path, query, headers, body, token, secs)| Spec {
                method,
                service,
                host,
                path,
                query,
                headers,
                body,
                token,
                time: Timestamp::from_second(secs).unwrap(),
            },
        )
}

/// Signs `spec` with `aws-sigv4`; `expires` selects the presigned form.
fn sign_with_sdk(spec: &Spec, expires: Option<u64>) -> Wire {
    let target = if spec.query.is_empty() {
        spec.path.clone()
    } else {
        format!("{}?{}", spec.path, spec.query)
    };
    let url = format!("https://{}{}", spec.host, target);
    let identity = Credentials::new(AKID, SECRET, spec.token.clone(), None, "test").into();
    let mut settings = SigningSettings::default();
    if let Some(secs) = expires {
        settings.signature_location = AwsLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(secs));
    }
    let params = SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(spec.service)
        .time(spec.time.into())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        spec.method.as_str(),
        url.clone(),
        spec.headers
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
        SignableBody::Bytes(&spec.body),
    )
    .unwrap();
    let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();

    let mut request = http::Request::builder()
        .method(spec.method.clone())
        .uri(&url);
    for (name, value) in &spec.headers {
        request = request.header(*name, value);
    }
    let mut request = request.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut request);

    // What arrives at the server: an origin-form URI plus a Host header.
    let uri = request.uri().clone();
    let mut headers = request.headers().clone();
    headers.insert(
        http::header::HOST,
        HeaderValue::from_str(uri.authority().unwrap().as_str()).unwrap(),
    );
    let origin: Uri = uri.path_and_query().unwrap().as_str().parse().unwrap();
    Wire {
        method: spec.method.clone(),
        uri: origin,
        headers,
        body: spec.body.clone(),
    }
}

/// Replaces the byte at `index % len` of `text` with a different byte from
/// `alphabet`, chosen by `pick`.
fn flip(text: &str, positions: &[usize], index: usize, pick: usize, alphabet: &[u8]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = positions[index % positions.len()];
    let choices: Vec<u8> = alphabet
        .iter()
        .copied()
        .filter(|b| *b != bytes[at])
        .collect();
    bytes[at] = choices[pick % choices.len()];
    String::from_utf8(bytes).unwrap()
}

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const PRINTABLE: &[u8] =
    b" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~";

/// Positions of alphanumeric bytes that are not part of a `%XX` escape, so
/// changing one changes the decoded query.
fn raw_alnum_positions(query: &str) -> Vec<usize> {
    let bytes = query.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_alphanumeric())
        .filter(|&i| !bytes[i.saturating_sub(2)..i].contains(&b'%'))
        .collect()
}

fn assert_rejected_as(result: Result<SignedRequest, gatehouse_sigv4::AuthError>, codes: &[&str]) {
    match result {
        Ok(signed) => panic!("tampered request was accepted: {signed:?}"),
        Err(err) => assert!(codes.contains(&err.code()), "unexpected {err:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sdk_signed_requests_verify(spec in spec(), skew in -900i64..=900) {
        let wire = sign_with_sdk(&spec, None);
        let signed = wire.verify(spec.time.checked_add(jiff::SignedDuration::from_secs(skew)).unwrap())
            .unwrap_or_else(|e| panic!("{e:?}\n{wire:?}"));
        prop_assert_eq!(signed.location, SignatureLocation::Header);
        prop_assert_eq!(signed.scope.service.as_str(), spec.service);
        prop_assert_eq!(signed.security_token, spec.token);
        prop_assert_eq!(signed.access_key_id.as_str(), AKID);
    }

    #[test]
    fn tampered_body_is_rejected(spec in spec(), index in any::<usize>(), mask in 1u8..=255) {
        prop_assume!(!spec.body.is_empty());
        let mut wire = sign_with_sdk(&spec, None);
        let at = index % wire.body.len();
        wire.body[at] ^= mask;
        assert_rejected_as(wire.verify(spec.time), &["SignatureDoesNotMatch"]);
    }

    #[test]
    fn tampered_signed_header_is_rejected(spec in spec(), which in any::<usize>(), index in any::<usize>(), pick in any::<usize>()) {
        let mut wire = sign_with_sdk(&spec, None);
        let signed = SignedRequest::parse(&wire.method, &wire.uri, &wire.headers).unwrap();
        let name = signed.signed_headers[which % signed.signed_headers.len()].clone();
        let values: Vec<String> = wire.headers.get_all(&name).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        let (slot, value) = values.iter().enumerate().map(|(i, v)| (i, v.clone())).find(|(_, v)| !v.is_empty())
            .unwrap_or((0, values[0].clone()));
        prop_assume!(!value.is_empty());
        let positions: Vec<usize> = (0..value.len()).collect();
        let changed = flip(&value, &positions, index, pick, PRINTABLE);
        let mut new_values = values.clone();
        new_values[slot] = changed;
        wire.headers.remove(&name);
        for v in new_values {
            wire.headers.append(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(&v).unwrap());
        }
        // A changed X-Amz-Date may no longer parse, or move out of range.
        assert_rejected_as(wire.verify(spec.time), &["SignatureDoesNotMatch", "IncompleteSignature"]);
    }

    #[test]
    fn tampered_query_is_rejected(spec in spec(), index in any::<usize>(), pick in any::<usize>()) {
        let mut wire = sign_with_sdk(&spec, None);
        let query = wire.uri.query().unwrap_or("").to_owned();
        let positions = raw_alnum_positions(&query);
        prop_assume!(!positions.is_empty());
        let changed = flip(&query, &positions, index, pick, ALNUM);
        wire.uri = format!("{}?{changed}", wire.uri.path()).parse().unwrap();
        assert_rejected_as(wire.verify(spec.time), &["SignatureDoesNotMatch"]);
    }

    #[test]
    fn tampered_signature_is_rejected(spec in spec(), index in any::<usize>(), pick in any::<usize>()) {
        let mut wire = sign_with_sdk(&spec, None);
        let auth = wire.headers.get(http::header::AUTHORIZATION).unwrap().to_str().unwrap().to_owned();
        let start = auth.find("Signature=").unwrap() + "Signature=".len();
        let positions: Vec<usize> = (start..auth.len()).collect();
        let changed = flip(&auth, &positions, index, pick, b"0123456789abcdef");
        wire.headers.insert(http::header::AUTHORIZATION, HeaderValue::from_str(&changed).unwrap());
        assert_rejected_as(wire.verify(spec.time), &["SignatureDoesNotMatch"]);
    }

    #[test]
    fn tampered_authorization_header_is_rejected(spec in spec(), index in any::<usize>(), pick in any::<usize>()) {
        let mut wire = sign_with_sdk(&spec, None);
        let original = SignedRequest::parse(&wire.method, &wire.uri, &wire.headers).unwrap();
        let auth = wire.headers.get(http::header::AUTHORIZATION).unwrap().to_str().unwrap().to_owned();
        let positions: Vec<usize> = (0..auth.len()).collect();
        let changed = flip(&auth, &positions, index, pick, PRINTABLE);
        wire.headers.insert(http::header::AUTHORIZATION, HeaderValue::from_str(&changed).unwrap());
        match wire.verify(spec.time) {
            // Accepted only if the change was to a separator (", " -> ",,")
            // and every field reads the same, or if it changed the access key
            // ID, the one part outside the signature: the server would then
            // look up a different (or no) secret.
            Ok(signed) => prop_assert!(
                signed == original || signed.access_key_id != AKID,
                "{changed:?} accepted as {signed:?}"
            ),
            Err(err) => prop_assert!(["SignatureDoesNotMatch", "IncompleteSignature"].contains(&err.code()), "{err:?}"),
        }
    }

    #[test]
    fn skew_beyond_15_minutes_is_rejected(spec in spec(), extra in 1i64..100_000, future in any::<bool>()) {
        let wire = sign_with_sdk(&spec, None);
        let offset = if future { -(900 + extra) } else { 900 + extra };
        let now = spec.time.checked_add(jiff::SignedDuration::from_secs(offset)).unwrap();
        let err = wire.verify(now).unwrap_err();
        prop_assert_eq!(err.code(), "SignatureDoesNotMatch");
        let prefix = if future { "Signature not yet current: " } else { "Signature expired: " };
        prop_assert!(err.message().starts_with(prefix), "{}", err.message());
    }

    #[test]
    fn presigned_urls_verify_until_they_expire(spec in spec(), expires in 1u64..=3600, at in 0u64..=3600, late in 1u64..100_000) {
        let wire = sign_with_sdk(&spec, Some(expires));
        prop_assert!(wire.headers.get(http::header::AUTHORIZATION).is_none());
        let within = spec.time.checked_add(jiff::SignedDuration::from_secs((at % (expires + 1)).try_into().unwrap())).unwrap();
        let signed = wire.verify(within).unwrap_or_else(|e| panic!("{e:?}\n{wire:?}"));
        prop_assert_eq!(signed.location, SignatureLocation::Query { expires_secs: expires });
        prop_assert_eq!(signed.security_token, spec.token.clone());

        let after = spec.time.checked_add(jiff::SignedDuration::from_secs((expires + late).try_into().unwrap())).unwrap();
        let err = wire.verify(after).unwrap_err();
        prop_assert_eq!(err.code(), "RequestExpired");
        prop_assert_eq!(err.http_status(), 400);
    }

    #[test]
    fn tampered_presigned_urls_are_rejected(spec in spec(), body_or_query in any::<bool>(), index in any::<usize>(), pick in any::<usize>(), mask in 1u8..=255) {
        let mut wire = sign_with_sdk(&spec, Some(3600));
        if body_or_query && !wire.body.is_empty() {
            let at = index % wire.body.len();
            wire.body[at] ^= mask;
            assert_rejected_as(wire.verify(spec.time), &["SignatureDoesNotMatch"]);
        } else {
            let query = wire.uri.query().unwrap().to_owned();
            let positions = raw_alnum_positions(&query);
            let changed = flip(&query, &positions, index, pick, ALNUM);
            wire.uri = format!("{}?{changed}", wire.uri.path()).parse().unwrap();
            // Changing X-Amz-* names or values may also make the URL
            // incomplete or expire it sooner.
            assert_rejected_as(
                wire.verify(spec.time.checked_add(jiff::SignedDuration::from_secs(1)).unwrap()),
                &["SignatureDoesNotMatch", "IncompleteSignature", "RequestExpired", "AuthorizationQueryParametersError"],
            );
        }
    }
}
