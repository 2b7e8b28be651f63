//! Criterion benchmarks of the IAM evaluator, each beside the equivalent Cedar problem.
//!
//! Every group holds a Gatehouse variant (`gatehouse/…`) and a Cedar variant (`cedar/…`) of
//! the same authorization question, so both are measured in the same run:
//!
//! * `seed` — a role session reads `arn:aws:s3:::log-bucket/example.log`, granted by the
//!   role's inline policy and by the bucket policy; same-account and cross-account.
//! * `identity_200` — 200 identity statements with wildcards and conditions (split over 20
//!   managed policies of 10 statements, as a role would carry them under the 6,144-byte
//!   managed-policy quota); only statement 190 matches.
//! * `bucket_1000` — a 1,000-statement resource policy naming different principals and
//!   prefixes; only statement 990 matches. (AWS caps bucket policies at 20 KB, so the document
//!   is parsed as [`PolicyKind::Resource`], which has no size quota; evaluation is the same.)
//! * `parse` — for information, parsing the seed inline policy in both engines.
//!
//! Everything is compiled once outside the timed closures, which call only
//! [`gatehouse_policy::evaluate`] or [`cedar_policy::Authorizer::is_authorized`].
//!
//! How IAM is expressed in Cedar:
//!
//! * principals are entities whose ancestors are their role (`Role::"<role ARN>"`) and
//!   account (`Account::"<id>"`), so `Principal` elements become `principal in …` scopes;
//! * wildcard actions (`s3:Get*`) become action groups: the request's action entity lists
//!   every group it belongs to as a parent (the wildcard match is precomputed in the entity
//!   store rather than done at evaluation time);
//! * resource ARN patterns become `resource.arn like "…"` tests;
//! * condition keys are context attributes, guarded with `has` as IAM treats a missing key
//!   as a non-match;
//! * cross-account access (identity policy **and** resource policy both required) is encoded
//!   as two `forbid … when { principal.account != resource.account } unless { … }` guards
//!   beside the two permits, since a lone Cedar `permit` always suffices.

use std::hint::black_box;

use std::str::FromStr;

use criterion::{BenchmarkId, Criterion};
use gatehouse_policy::{Policy, PolicyKind, evaluate};

mod cases;

use cases::{
    BUCKET_MATCH, IDENTITY_MATCH, OTHER, OWNER, Pair, bucket_cedar, bucket_iam, identity_cedar,
    identity_iam, seed_arns, seed_cedar, seed_cedar_grant, seed_iam, seed_inline_policy, strings,
};

// Benchmarks
// ---------------------------------------------------------------------------------------------

/// Benchmarks each pair of equivalent problems in one group.
fn bench_pairs(c: &mut Criterion, group: &str, pairs: &[Pair]) {
    let mut g = c.benchmark_group(group);
    for pair in pairs {
        pair.assert_both_allow(group);
        let set = pair.iam.policy_set();
        let request = pair.iam.request();
        g.bench_function(BenchmarkId::new("gatehouse", pair.name), |b| {
            b.iter(|| black_box(evaluate(black_box(&set), black_box(&request))));
        });
        let cedar = &pair.cedar;
        g.bench_function(BenchmarkId::new("cedar", pair.name), |b| {
            b.iter(|| {
                black_box(cedar.authorizer.is_authorized(
                    black_box(&cedar.request),
                    black_box(&cedar.policies),
                    black_box(&cedar.entities),
                ))
            });
        });
    }
    g.finish();
}

/// Group `seed`: the seed decision, same-account and cross-account.
///
/// Same-account, the bucket policy's grant to the role suffices (AWS checks it first);
/// cross-account, the inline policy grants and the bucket policy must grant too.
fn seed(c: &mut Criterion) {
    let both = strings(&["bucket", "identity"]);
    bench_pairs(
        c,
        "seed",
        &[
            Pair {
                name: "same_account",
                iam: seed_iam(OWNER),
                cedar: seed_cedar(OWNER),
                gatehouse_grants: strings(&["AllowDevLogAccessRole"]),
                cedar_grants: both.clone(),
            },
            Pair {
                name: "cross_account",
                iam: seed_iam(OTHER),
                cedar: seed_cedar(OTHER),
                gatehouse_grants: strings(&["ReadLogs", "AllowDevLogAccessRole"]),
                cedar_grants: both,
            },
        ],
    );
}

/// Group `identity_200`: 200 identity statements, statement 190 matches.
fn identity_200(c: &mut Criterion) {
    assert_eq!(IDENTITY_MATCH % 5, 0, "the match must be a read statement");
    bench_pairs(
        c,
        "identity_200",
        &[Pair {
            name: "match_190",
            iam: identity_iam(),
            cedar: identity_cedar(),
            gatehouse_grants: vec![format!("ReadBucket{IDENTITY_MATCH}")],
            cedar_grants: vec![format!("stmt-{IDENTITY_MATCH}")],
        }],
    );
}

/// Group `bucket_1000`: a 1,000-statement bucket policy, statement 990 matches.
fn bucket_1000(c: &mut Criterion) {
    assert_eq!(BUCKET_MATCH % 3, 0, "the match must be a role statement");
    bench_pairs(
        c,
        "bucket_1000",
        &[Pair {
            name: "match_990",
            iam: bucket_iam(),
            cedar: bucket_cedar(),
            gatehouse_grants: vec![format!("Role{BUCKET_MATCH}")],
            cedar_grants: vec![format!("stmt-{BUCKET_MATCH}")],
        }],
    );
}

/// Group `parse`: parsing the seed inline policy (JSON to compiled policy), for information.
fn parse_seed(c: &mut Criterion) {
    let json = seed_inline_policy().to_string();
    let (_, role_arn) = seed_arns(OWNER);
    let (scope, when) = seed_cedar_grant(&role_arn);
    let cedar = format!("permit({scope}) when {{ {when} }};");
    let mut g = c.benchmark_group("parse");
    g.bench_function("gatehouse/seed_inline", |b| {
        b.iter(|| black_box(Policy::parse(black_box(&json), PolicyKind::Inline)));
    });
    g.bench_function("cedar/seed_inline", |b| {
        b.iter(|| black_box(cedar_policy::PolicySet::from_str(black_box(&cedar)).ok()));
    });
    g.finish();
}

/// Runs every group with Criterion's command-line configuration (what `criterion_main!`
/// does, written out so the entry point carries documentation).
fn main() {
    let mut c = Criterion::default().configure_from_args();
    seed(&mut c);
    identity_200(&mut c);
    bucket_1000(&mut c);
    parse_seed(&mut c);
    c.final_summary();
}
