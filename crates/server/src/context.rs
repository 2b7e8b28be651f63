//! Request context keys that come from the HTTP request itself (semantics spec §6.3).

use std::net::SocketAddr;

use gatehouse_policy::RequestContext;
use http::HeaderMap;

/// `aws:SourceIp`, `aws:SecureTransport`, `aws:RequestedRegion`, `aws:UserAgent`,
/// `aws:referer`, `aws:ViaAWSService`.
pub fn network_context(headers: &HeaderMap, peer: SocketAddr, region: &str) -> RequestContext {
    let mut ctx = RequestContext::new();
    ctx.insert("aws:SourceIp", peer.ip().to_canonical().to_string());
    // Gatehouse serves plain HTTP; a TLS-terminating proxy in front says so.
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    ctx.insert("aws:SecureTransport", if secure { "true" } else { "false" });
    ctx.insert("aws:RequestedRegion", region);
    ctx.insert("aws:ViaAWSService", "false");
    if let Some(ua) = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    {
        ctx.insert("aws:UserAgent", ua);
    }
    if let Some(r) = headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
    {
        ctx.insert("aws:referer", r);
    }
    ctx
}
