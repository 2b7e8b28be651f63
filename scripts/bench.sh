#!/usr/bin/env bash
# Measures Gatehouse's S3 data plane with IAM enforced against its cheapest path, and STS
# AssumeRole throughput, on a fresh data directory with a release build.
#
# World (built with the AWS CLI): prod (111111111111) owns log-bucket, whose bucket policy names
# the role DevLogAccessRole (trust: dev account root; inline policy: s3:ListBucket, GetObject,
# PutObject on log-bucket and log-bucket/*); dev (222222222222) has user alice-analyst in group
# LogAnalysts, allowed sts:AssumeRole on that role; prod also owns public-bucket, whose policy
# grants "Principal":"*" s3:GetObject and s3:PutObject on its objects.
#
# Measurements (`gatehouse bench`, concurrency 16, BENCH_DURATION seconds each, 4 KiB objects):
#   1. PUT, then GET, on log-bucket with the assumed-role session's credentials (full enforcement:
#      session token, SigV4, identity + bucket policy);
#   2. PUT, then GET, on public-bucket, anonymous (unsigned; the bucket policy is still evaluated);
#   3. GET on log-bucket signed with prod's root key (SigV4, owner's root: no policy to satisfy);
#   4. AssumeRole by alice-analyst.
# Then a table, and the ratios of (1) to (2) that the issue asks for.
#
# Usage: scripts/bench.sh
#   BENCH_DURATION=10  BENCH_CONCURRENCY=16  BENCH_SKIP_BUILD=1  GATEHOUSE_BIN=target/release/gatehouse
# Client and server share this machine's cores; the server logs one line per request (its
# default) to a file in the temporary directory. Everything goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
duration=${BENCH_DURATION:-10}
concurrency=${BENCH_CONCURRENCY:-16}
size=4096
aws_cli=${AWS_CLI:-$repo/.venv/bin/aws}
bin=${GATEHOUSE_BIN:-target/release/gatehouse}
[ -x "$aws_cli" ] || { echo "bench.sh: no AWS CLI at $aws_cli (make the .venv first)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench.sh: jq is needed" >&2; exit 1; }

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    cargo build --release -p gatehouse
fi
[ -x "$bin" ] || { echo "bench.sh: $bin is not built" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

dir=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port

prod_key=AKIABENCHPRODROOT001
prod_secret=benchProdRootSecretKey000000000000000000
dev_key=AKIABENCHDEVROOT0002
dev_secret=benchDevRootSecretKey0000000000000000000
cat >"$dir/accounts.toml" <<EOF
[[accounts]]
name = "prod"
id = "111111111111"
root_access_key_id = "$prod_key"
root_secret_access_key = "$prod_secret"

[[accounts]]
name = "dev"
id = "222222222222"
root_access_key_id = "$dev_key"
root_secret_access_key = "$dev_secret"
EOF

"$bin" serve --listen "127.0.0.1:$port" --data-dir "$dir/data" --accounts "$dir/accounts.toml" \
    >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
    curl -s -o /dev/null "$endpoint/" && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -s -o /dev/null "$endpoint/" || { echo "bench.sh: server did not answer" >&2; exit 1; }

# The AWS CLI sees only these profiles, never the host's settings.
while IFS='=' read -r name _; do
    case $name in AWS_*) unset "$name" ;; esac
done < <(env)
export AWS_CONFIG_FILE=$dir/aws-config AWS_SHARED_CREDENTIALS_FILE=$dir/aws-credentials
export AWS_EC2_METADATA_DISABLED=true
for p in prod dev dev-analyst; do
    printf '[profile %s]\nregion = us-east-1\nendpoint_url = %s\noutput = json\n\n' "$p" "$endpoint"
done >"$AWS_CONFIG_FILE"
printf '[prod]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n' \
    "$prod_key" "$prod_secret" "$dev_key" "$dev_secret" >"$AWS_SHARED_CREDENTIALS_FILE"
aws() { "$aws_cli" "$@"; }

role_arn=arn:aws:iam::111111111111:role/DevLogAccessRole
echo "Setting up the world on $endpoint ..."
cat >"$dir/trust.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": "sts:AssumeRole"}]}
EOF
cat >"$dir/s3-access.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject"],
                "Resource": ["arn:aws:s3:::log-bucket", "arn:aws:s3:::log-bucket/*"]}]}
EOF
cat >"$dir/log-bucket-policy.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "AllowDevRoleAccess", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:role/DevLogAccessRole"},
                "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject"],
                "Resource": ["arn:aws:s3:::log-bucket", "arn:aws:s3:::log-bucket/*"]}]}
EOF
cat >"$dir/public-bucket-policy.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "PublicReadWrite", "Effect": "Allow", "Principal": "*",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::public-bucket/*"}]}
EOF
cat >"$dir/assume.json" <<EOF
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "$role_arn"}]}
EOF
aws iam create-role --role-name DevLogAccessRole --assume-role-policy-document "file://$dir/trust.json" \
    --description "Allows Dev account to access logs" --profile prod >/dev/null
aws iam put-role-policy --role-name DevLogAccessRole --policy-name S3LogAccess \
    --policy-document "file://$dir/s3-access.json" --profile prod
aws s3api create-bucket --bucket log-bucket --profile prod >/dev/null
aws s3api put-bucket-policy --bucket log-bucket --policy "file://$dir/log-bucket-policy.json" --profile prod
aws s3api create-bucket --bucket public-bucket --profile prod >/dev/null
aws s3api put-bucket-policy --bucket public-bucket --policy "file://$dir/public-bucket-policy.json" --profile prod
aws iam create-group --group-name LogAnalysts --profile dev >/dev/null
aws iam create-user --user-name alice-analyst --profile dev >/dev/null
aws iam add-user-to-group --group-name LogAnalysts --user-name alice-analyst --profile dev
aws iam put-group-policy --group-name LogAnalysts --policy-name AssumeDevLogAccessRole \
    --policy-document "file://$dir/assume.json" --profile dev
aws iam create-access-key --user-name alice-analyst --profile dev >"$dir/analyst-key.json"
analyst_key=$(jq -r .AccessKey.AccessKeyId "$dir/analyst-key.json")
analyst_secret=$(jq -r .AccessKey.SecretAccessKey "$dir/analyst-key.json")
printf '[dev-analyst]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$analyst_key" "$analyst_secret" >>"$AWS_SHARED_CREDENTIALS_FILE"
aws sts assume-role --role-arn "$role_arn" --role-session-name BenchSession \
    --profile dev-analyst >"$dir/session.json"
session_arn=$(jq -r .AssumedRoleUser.Arn "$dir/session.json")
echo "Assumed $session_arn"

common=(--endpoint "$endpoint" --concurrency "$concurrency" --duration "$duration" --json)
s3=(s3 "${common[@]}" --size "$size")
clk_tck=$(getconf CLK_TCK)
# One measurement: `gatehouse bench ARGS` into NAME.json, and the server's CPU time (user +
# system clock ticks from /proc) over it into NAME.cpu.
measure() {
    local name=$1 before after
    shift
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    "$bin" bench "$@" >"$dir/$name.json"
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    echo $((after - before)) >"$dir/$name.cpu"
}
session_id=$(jq -r .Credentials.AccessKeyId "$dir/session.json")
session_secret=$(jq -r .Credentials.SecretAccessKey "$dir/session.json")
session_token=$(jq -r .Credentials.SessionToken "$dir/session.json")
echo "Load before: $(uptime)"
echo "Measuring (${duration} s each, concurrency $concurrency) ..."
AWS_ACCESS_KEY_ID=$session_id AWS_SECRET_ACCESS_KEY=$session_secret AWS_SESSION_TOKEN=$session_token \
    measure enforced-put "${s3[@]}" --bucket log-bucket --op put
AWS_ACCESS_KEY_ID=$session_id AWS_SECRET_ACCESS_KEY=$session_secret AWS_SESSION_TOKEN=$session_token \
    measure enforced-get "${s3[@]}" --bucket log-bucket --op get
measure anonymous-put "${s3[@]}" --bucket public-bucket --anonymous --op put
measure anonymous-get "${s3[@]}" --bucket public-bucket --anonymous --op get
AWS_ACCESS_KEY_ID=$prod_key AWS_SECRET_ACCESS_KEY=$prod_secret \
    measure root-get "${s3[@]}" --bucket log-bucket --op get --prefix gatehouse-bench-root/
AWS_ACCESS_KEY_ID=$analyst_key AWS_SECRET_ACCESS_KEY=$analyst_secret \
    measure assume-role assume-role "${common[@]}" --role-arn "$role_arn"
echo "Load after:  $(uptime)"

python3 - "$dir" "$(nproc)" "$clk_tck" <<'EOF'
import json, sys
d, cores, clk_tck = sys.argv[1], sys.argv[2], int(sys.argv[3])
def load(name):
    with open(f"{d}/{name}.json") as f:
        (r,) = json.load(f)["results"]
    with open(f"{d}/{name}.cpu") as f:
        r["server_cpu_us_per_req"] = int(f.read()) / clk_tck * 1e6 / max(r["requests"], 1)
    return r
m = {n: load(n) for n in ("enforced-get", "enforced-put", "anonymous-get", "anonymous-put",
                          "root-get", "assume-role")}
rows = [
    ("GET 4 KiB, assumed-role session, log-bucket", "enforced-get"),
    ("PUT 4 KiB, assumed-role session, log-bucket", "enforced-put"),
    ("GET 4 KiB, anonymous, public-bucket", "anonymous-get"),
    ("PUT 4 KiB, anonymous, public-bucket", "anonymous-put"),
    ("GET 4 KiB, prod root (signed), log-bucket", "root-get"),
    ("AssumeRole, dev user -> DevLogAccessRole", "assume-role"),
]
print()
print(f"{'measurement':<45}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
      f"{'srv CPU us/req':>16}  errors")
errors = 0
for title, name in rows:
    r = m[name]
    errs = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "0"
    errors += sum(r["errors"].values())
    l = r["latency_ms"]
    print(f"{title:<45}{r['requests']:>9}{r['requests_per_s']:>9.1f}{l['p50']:>9.3f}"
          f"{l['p99']:>9.3f}{r['server_cpu_us_per_req']:>16.0f}  {errs}")
print()
for op in ("get", "put"):
    e, a = m[f"enforced-{op}"], m[f"anonymous-{op}"]
    OP = op.upper()
    print(f"enforced {OP} vs anonymous public-bucket {OP}: "
          f"p50 x{e['latency_ms']['p50'] / a['latency_ms']['p50']:.2f} "
          f"({e['latency_ms']['p50']:.3f} vs {a['latency_ms']['p50']:.3f} ms), "
          f"req/s x{e['requests_per_s'] / a['requests_per_s']:.2f} "
          f"({e['requests_per_s']:.0f} vs {a['requests_per_s']:.0f}), "
          f"server CPU/req x{e['server_cpu_us_per_req'] / a['server_cpu_us_per_req']:.2f}")
print(f"(load generator and server share this machine's {cores} cores; "
      "the server logs one line per request)")
if errors:
    print(f"bench.sh: {errors} requests failed", file=sys.stderr)
    sys.exit(1)
EOF
