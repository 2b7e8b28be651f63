//! Parses the input as a policy document of every kind; each accepted document is also
//! evaluated (and traced) against a few fixed requests so the evaluation paths get fuzzed.
#![no_main]

use std::sync::Arc;

use gatehouse_policy::{
    Action, MessageStyle, Policy, PolicyKind, PolicySet, Principal, Request, RequestContext,
    Resource, evaluate, trace,
};
use libfuzzer_sys::fuzz_target;

/// One fixed request, owned.
struct Fixture {
    principal: Principal,
    action: Action,
    resource: Resource,
    context: RequestContext,
    style: MessageStyle,
}

impl Fixture {
    fn new(principal: &str, action: &str, resource: &str, style: MessageStyle) -> Self {
        let mut context = RequestContext::new();
        context.insert("aws:SourceIp", "203.0.113.7");
        context.insert("aws:CurrentTime", "2024-06-01T12:00:00Z");
        context.insert("aws:EpochTime", "1717243200");
        context.insert("aws:SecureTransport", "true");
        context.insert("aws:PrincipalAccount", "111122223333");
        context.insert("aws:PrincipalTag/team", "blue");
        context.insert("aws:PrincipalOrgID", "o-exampleorgid");
        context.insert("s3:max-keys", "10");
        context.insert("aws:TagKeys", vec!["team".to_owned(), "env".to_owned()]);
        Self {
            principal: Principal::parse(principal, None, None).expect("fixture principal"),
            action: Action::parse(action).expect("fixture action"),
            resource: Resource::parse(resource).expect("fixture resource"),
            context,
            style,
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            resource_account: None,
            context: &self.context,
        }
    }
}

fn fixtures() -> &'static [Fixture] {
    use std::sync::OnceLock;
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        vec![
            Fixture::new(
                "arn:aws:iam::111122223333:user/alice",
                "s3:GetObject",
                "arn:aws:s3:::log-bucket/example.log",
                MessageStyle::S3,
            ),
            Fixture::new(
                "arn:aws:sts::444455556666:assumed-role/Admin/session",
                "sts:AssumeRole",
                "arn:aws:iam::111122223333:role/Target",
                MessageStyle::Standard,
            ),
        ]
    })
}

fn exercise(set: &PolicySet<'_>) {
    for fx in fixtures() {
        let req = fx.request();
        let decision = evaluate(set, &req);
        let _ = decision.is_allowed();
        let _ = decision.denying_policy_type();
        let _ = decision.to_string();
        let _ = decision.denial_message(&req, fx.style);
        for line in trace(set, &req) {
            let _ = line.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for kind in PolicyKind::ALL {
        let Ok(policy) = Policy::parse(&text, kind) else {
            continue;
        };
        let policy = Arc::new(policy);
        let one = [Arc::clone(&policy)];
        let level = [vec![Arc::clone(&policy)]];
        let set = match kind {
            PolicyKind::Inline | PolicyKind::Managed | PolicyKind::AwsManaged => PolicySet {
                identity: &one,
                ..PolicySet::default()
            },
            PolicyKind::Boundary => PolicySet {
                identity: &one,
                boundary: Some(&policy),
                ..PolicySet::default()
            },
            PolicyKind::Session => PolicySet {
                identity: &one,
                session: &one,
                ..PolicySet::default()
            },
            PolicyKind::Trust | PolicyKind::Bucket | PolicyKind::Resource => PolicySet {
                resource: Some(&policy),
                ..PolicySet::default()
            },
            PolicyKind::Scp => PolicySet {
                scps: &level,
                ..PolicySet::default()
            },
            PolicyKind::Rcp => PolicySet {
                rcps: &level,
                ..PolicySet::default()
            },
        };
        exercise(&set);
    }
});
