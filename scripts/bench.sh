#!/usr/bin/env bash
# Gatehouse under load, against itself and (when FAKECLOUD_BIN is given) against fakecloud in
# strict mode, in one run on this machine. A benchmark, not a test: it asserts only that no
# request failed. Release build, fresh data directories, 127.0.0.1 only.
#
# Fixtures, identical on both servers: an IAM user `bench-user` with an inline allow-all policy
# and an access key, a bucket `bench-bucket`, a role `bench-role` trusting the account. Gatehouse
# also gets the walkthrough's world (prod 111111111111 owns log-bucket, whose bucket policy names
# DevLogAccessRole; dev 222222222222's alice-analyst assumes it) and a public read/write bucket.
#
# Measurements (`gatehouse bench`, concurrency 16, BENCH_DURATION s each, 4 KiB objects), every
# one BENCH_ROUNDS times, Gatehouse and fakecloud alternating, medians reported:
#   user GET / PUT (bench-user on bench-bucket)              both servers
#   AssumeRole (bench-user -> bench-role)                   both servers
#   assumed-role session GET / PUT on log-bucket (identity + bucket policy), anonymous GET / PUT on
#   the public bucket, prod root GET                        Gatehouse
# then, on Gatehouse: the sessions curve (AssumeRole/s and user GET/s after 0 -> 100k issued
# sessions, BENCH_SESSIONS), a 1 GiB GET against `cat` of the same bytes, start-up time to the
# first answer and RSS (idle and after the runs).
#
# Usage: scripts/bench.sh
#   FAKECLOUD_BIN=~/.cargo/bin/fakecloud   (cargo install fakecloud --version 0.51.0 --locked)
#   BENCH_DURATION=5 BENCH_ROUNDS=3 BENCH_CONCURRENCY=16 BENCH_SESSIONS=100000 BENCH_BIG_MIB=1024
#   BENCH_SKIP_BUILD=1 GATEHOUSE_BIN=target/release/gatehouse
# Client and servers share this machine's cores; Gatehouse logs one line per request (its
# default) to a file in the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
duration=${BENCH_DURATION:-5}
rounds=${BENCH_ROUNDS:-3}
concurrency=${BENCH_CONCURRENCY:-16}
sessions_target=${BENCH_SESSIONS:-100000}
big_mib=${BENCH_BIG_MIB:-1024}
size=4096
aws_cli=${AWS_CLI:-$repo/.venv/bin/aws}
bin=${GATEHOUSE_BIN:-target/release/gatehouse}
fakecloud=${FAKECLOUD_BIN:-}
[ -x "$aws_cli" ] || { echo "bench.sh: no AWS CLI at $aws_cli (make the .venv first)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench.sh: jq is needed" >&2; exit 1; }
if [ -n "$fakecloud" ] && [ ! -x "$fakecloud" ]; then
    echo "bench.sh: FAKECLOUD_BIN=$fakecloud is not executable" >&2; exit 1
fi

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    cargo build --release -p gatehouse
fi
[ -x "$bin" ] || { echo "bench.sh: $bin is not built" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

dir=$(mktemp -d)
pid=
fc_pid=
cleanup() {
    for p in $pid $fc_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
endpoint=http://127.0.0.1:$port
wait_for() { # URL PID LOG
    for _ in $(seq 300); do
        curl -s -o /dev/null "$1/" && return 0
        kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
        sleep 0.1
    done
    echo "bench.sh: $1 did not answer" >&2; exit 1
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

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

start_gatehouse() {
    "$bin" serve --listen "127.0.0.1:$port" --data-dir "$dir/data" --accounts "$dir/accounts.toml" \
        >>"$dir/server.log" 2>&1 &
    pid=$!
    wait_for "$endpoint" "$pid" "$dir/server.log"
}
start_gatehouse

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
allow_all='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
# The fixture both servers get: PROFILE ACCOUNT-ID
fixture() {
    local profile=$1 account=$2
    aws iam create-user --user-name bench-user --profile "$profile" >/dev/null
    aws iam put-user-policy --user-name bench-user --policy-name allow-all \
        --policy-document "$allow_all" --profile "$profile"
    aws iam create-access-key --user-name bench-user --profile "$profile" >"$dir/$profile-user-key.json"
    aws iam create-role --role-name bench-role --profile "$profile" --assume-role-policy-document \
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$account:root\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
    aws s3api create-bucket --bucket bench-bucket --profile "$profile" >/dev/null
}
fixture prod 111111111111

fc_endpoint=
if [ -n "$fakecloud" ]; then
    fc_port=$(free_port)
    fc_endpoint=http://127.0.0.1:$fc_port
    FAKECLOUD_IAM=strict FAKECLOUD_VERIFY_SIGV4=true "$fakecloud" --addr "127.0.0.1:$fc_port" \
        --log-level warn >"$dir/fakecloud.log" 2>&1 &
    fc_pid=$!
    wait_for "$fc_endpoint" "$fc_pid" "$dir/fakecloud.log"
    # fakecloud's bootstrap credentials (keys starting with `test` bypass its checks) set up the
    # fixture; every measured request is signed by bench-user's own key.
    printf '[profile fc]\nregion = us-east-1\nendpoint_url = %s\noutput = json\n\n' "$fc_endpoint" >>"$AWS_CONFIG_FILE"
    printf '[fc]\naws_access_key_id = test\naws_secret_access_key = test\n\n' >>"$AWS_SHARED_CREDENTIALS_FILE"
    fixture fc 123456789012
    echo "fakecloud $("$fakecloud" --version 2>/dev/null || echo '?') strict on $fc_endpoint"
fi

clk_tck=$(getconf CLK_TCK)
# One measurement: SERVER-PID NAME gatehouse-bench-args...; JSON into NAME.json, the server's
# CPU ticks over it into NAME.cpu.
measure() {
    local server=$1 name=$2 before after
    shift 2
    before=$(awk '{print $14 + $15}' "/proc/$server/stat")
    "$bin" bench "$@" >"$dir/$name.json"
    after=$(awk '{print $14 + $15}' "/proc/$server/stat")
    echo $((after - before)) >"$dir/$name.cpu"
}
key_of() { jq -r .AccessKey.AccessKeyId "$dir/$1-user-key.json"; }
secret_of() { jq -r .AccessKey.SecretAccessKey "$dir/$1-user-key.json"; }
common=(--concurrency "$concurrency" --duration "$duration" --json)
# As bench-user of PROFILE at ENDPOINT: as_user PROFILE command...
as_user() {
    local profile=$1
    shift
    AWS_ACCESS_KEY_ID=$(key_of "$profile") AWS_SECRET_ACCESS_KEY=$(secret_of "$profile") "$@"
}
session_id=$(jq -r .Credentials.AccessKeyId "$dir/session.json")
session_secret=$(jq -r .Credentials.SecretAccessKey "$dir/session.json")
session_token=$(jq -r .Credentials.SessionToken "$dir/session.json")
as_session() {
    AWS_ACCESS_KEY_ID=$session_id AWS_SECRET_ACCESS_KEY=$session_secret AWS_SESSION_TOKEN=$session_token "$@"
}
s3() { echo s3 --endpoint "$1" "${common[@]}" --size "$size"; }

echo "Idle RSS after set-up: $(rss_kib "$pid") KiB"
echo "Load before: $(uptime)"
echo "Measuring: $rounds rounds, ${duration} s each, concurrency $concurrency ..."
for r in $(seq "$rounds"); do
    for op in get put; do
        as_user prod measure "$pid" "gh-user-$op-$r" $(s3 "$endpoint") --bucket bench-bucket --op "$op"
        if [ -n "$fc_pid" ]; then
            as_user fc measure "$fc_pid" "fc-user-$op-$r" $(s3 "$fc_endpoint") --bucket bench-bucket --op "$op"
        fi
    done
    for op in get put; do
        as_session measure "$pid" "gh-session-$op-$r" $(s3 "$endpoint") --bucket log-bucket --op "$op"
        measure "$pid" "gh-anonymous-$op-$r" $(s3 "$endpoint") --bucket public-bucket --anonymous --op "$op"
    done
    AWS_ACCESS_KEY_ID=$prod_key AWS_SECRET_ACCESS_KEY=$prod_secret \
        measure "$pid" "gh-root-get-$r" $(s3 "$endpoint") --bucket log-bucket --op get --prefix gatehouse-bench-root/
    echo "  round $r of S3 done"
done
echo "Sessions curve ..."
# Before any other AssumeRole run. Each step: issue sessions up to the step (not measured), then
# 20,000 AssumeRole calls and a user GET run.
issued=1  # the walkthrough's session
curve_steps=""
for step in 0 10000 50000 "$sessions_target"; do
    [ "$step" -gt "$sessions_target" ] && continue
    if [ "$issued" -lt "$step" ]; then
        as_user prod "$bin" bench assume-role --endpoint "$endpoint" --concurrency "$concurrency" \
            --requests $((step - issued)) --duration 600 --json \
            --role-arn arn:aws:iam::111111111111:role/bench-role --session-prefix fill >"$dir/fill.json"
        issued=$((issued + $(jq '.results[0].requests' "$dir/fill.json")))
    fi
    as_user prod measure "$pid" "curve-assume-$issued" assume-role --endpoint "$endpoint" \
        --concurrency "$concurrency" --requests 20000 --json \
        --role-arn arn:aws:iam::111111111111:role/bench-role
    as_user prod measure "$pid" "curve-get-$issued" $(s3 "$endpoint") --bucket bench-bucket --op get
    curve_steps="$curve_steps $issued"
    issued=$((issued + $(jq '.results[0].requests' "$dir/curve-assume-$issued.json")))
done
# AssumeRole after the S3 rounds: every call issues a session, and a server that slows down with
# sessions would otherwise slow down the S3 rounds after it.
for r in $(seq "$rounds"); do
    as_user prod measure "$pid" "gh-assume-$r" assume-role --endpoint "$endpoint" "${common[@]}" \
        --role-arn arn:aws:iam::111111111111:role/bench-role
    if [ -n "$fc_pid" ]; then
        as_user fc measure "$fc_pid" "fc-assume-$r" assume-role --endpoint "$fc_endpoint" "${common[@]}" \
            --role-arn arn:aws:iam::123456789012:role/bench-role
    fi
done
as_user prod measure "$pid" "gh-user-get-after-sessions" $(s3 "$endpoint") --bucket bench-bucket --op get
if [ -n "$fc_pid" ]; then
    as_user fc measure "$fc_pid" "fc-user-get-after-sessions" $(s3 "$fc_endpoint") --bucket bench-bucket --op get
    echo "fakecloud RSS after the runs: $(rss_kib "$fc_pid") KiB"
fi

echo "RSS after the runs: $(rss_kib "$pid") KiB"

echo "${big_mib} MiB GET ..."
big=$dir/big.bin
head -c $((big_mib * 1024 * 1024)) /dev/urandom >"$big"
echo "$big_mib" >"$dir/big-mib.txt"
aws s3 cp "$big" s3://log-bucket/big.bin --profile prod --only-show-errors
# Presigned with SigV4 (the CLI's default for us-east-1 is SigV2, which S3 no longer takes).
printf '[profile prod-v4]\nregion = us-east-1\nendpoint_url = %s\ns3 =\n    signature_version = s3v4\n\n' "$endpoint" >>"$AWS_CONFIG_FILE"
printf '[prod-v4]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n' "$prod_key" "$prod_secret" >>"$AWS_SHARED_CREDENTIALS_FILE"
url=$(aws s3 presign s3://log-bucket/big.bin --profile prod-v4)
: >"$dir/big-get.txt"
: >"$dir/big-cat.txt"
for _ in 1 2 3; do
    curl -sf -o /dev/null -w '%{speed_download}\n' "$url" >>"$dir/big-get.txt"
    python3 - "$big" >>"$dir/big-cat.txt" <<'PY'
import subprocess, sys, time, os
t = time.perf_counter()
subprocess.run(["cat", sys.argv[1]], stdout=subprocess.DEVNULL, check=True)
print(os.path.getsize(sys.argv[1]) / (time.perf_counter() - t))
PY
done
# The ceiling of this client and loopback TCP: a bare HTTP responder that hands the same file to
# the kernel with sendfile(2) (no copy through user space at all).
ceiling_port=$(free_port)
python3 - "$big" "$ceiling_port" <<'PY' &
import os, socket, sys
path, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen()
for _ in range(4):
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {os.path.getsize(path)}\r\nConnection: close\r\n\r\n".encode())
    with open(path, "rb") as f:
        c.sendfile(f)
    c.close()
PY
ceiling_pid=$!
: >"$dir/big-ceiling.txt"
until curl -s -o /dev/null "http://127.0.0.1:$ceiling_port/"; do sleep 0.1; done
for _ in 1 2 3; do
    curl -sf -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$ceiling_port/" >>"$dir/big-ceiling.txt"
done
wait "$ceiling_pid" || true
rm -f "$big"

echo "Start-up ..."
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
python3 - "$bin" "$port" "$dir" >"$dir/startup.json" <<'PY'
import json, socket, subprocess, sys, time
binary, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times, rss = [], []
for _ in range(5):
    start = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", f"{d}/data",
                          "--accounts", f"{d}/accounts.toml"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(16):
                    break
        except OSError:
            time.sleep(0.0005)
    times.append((time.perf_counter() - start) * 1000)
    time.sleep(0.5)
    with open(f"/proc/{p.pid}/status") as f:
        rss += [int(l.split()[1]) for l in f if l.startswith("VmRSS")]
    p.terminate()
    p.wait()
print(json.dumps({"startup_ms": times, "idle_rss_kib": rss}))
PY
echo "Load after:  $(uptime)"

python3 "$repo/scripts/bench_report.py" "$dir" "$rounds" "$(nproc)" "$clk_tck" "${fc_pid:+fakecloud}" $curve_steps
