"""Prints the tables of scripts/bench.sh from the JSON files it left in a directory.

Usage: bench_report.py DIR ROUNDS CORES CLK_TCK [fakecloud|""] CURVE_STEP...
Exits non-zero when any measured request failed.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

d = Path(sys.argv[1])
rounds = int(sys.argv[2])
cores = sys.argv[3]
clk_tck = int(sys.argv[4])
peer = sys.argv[5] == "fakecloud"
steps = [int(s) for s in sys.argv[6:]]
failed = 0


def load(name: str) -> dict:
    """One measurement, with the server's CPU per request."""
    global failed
    (r,) = json.loads((d / f"{name}.json").read_text())["results"]
    cpu = d / f"{name}.cpu"
    ticks = int(cpu.read_text()) if cpu.exists() else 0
    r["cpu_us"] = ticks / clk_tck * 1e6 / max(r["requests"], 1)
    failed += sum(r["errors"].values())
    return r


def median(name: str) -> dict:
    """Medians over the rounds of a measurement."""
    runs = [load(f"{name}-{i}") for i in range(1, rounds + 1)]
    return {
        "rps": statistics.median(r["requests_per_s"] for r in runs),
        "p50": statistics.median(r["latency_ms"]["p50"] for r in runs),
        "p99": statistics.median(r["latency_ms"]["p99"] for r in runs),
        "cpu_us": statistics.median(r["cpu_us"] for r in runs),
        "all": [r["requests_per_s"] for r in runs],
    }


def row(title: str, m: dict) -> None:
    spread = " / ".join(f"{x:,.0f}" for x in m["all"])
    print(f"| {title} | {m['rps']:,.0f} | {m['p50']:.3f} | {m['p99']:.3f} | {m['cpu_us']:.0f} | {spread} |")


print()
print(f"Medians of {rounds} rounds (req/s of each round in the last column); "
      f"load generator and servers share {cores} cores.")
print()
print("| measurement | req/s | p50 ms | p99 ms | server CPU us/req | rounds |")
print("| --- | --- | --- | --- | --- | --- |")
gh = {op: median(f"gh-user-{op}") for op in ("get", "put")}
gh["assume"] = median("gh-assume")
row("Gatehouse: GET 4 KiB, IAM user (allow-all inline policy)", gh["get"])
row("Gatehouse: PUT 4 KiB, IAM user, every ack durable", gh["put"])
row("Gatehouse: AssumeRole, IAM user -> bench-role", gh["assume"])
fc = {}
if peer:
    fc = {op: median(f"fc-user-{op}") for op in ("get", "put")}
    fc["assume"] = median("fc-assume")
    row("fakecloud strict: GET 4 KiB, IAM user", fc["get"])
    row("fakecloud strict: PUT 4 KiB, IAM user (no fsync)", fc["put"])
    row("fakecloud strict: AssumeRole", fc["assume"])
own = {n: median(f"gh-{n}") for n in ("session-get", "session-put", "anonymous-get", "anonymous-put", "root-get")}
row("Gatehouse: GET, assumed-role session, log-bucket (role + bucket policy)", own["session-get"])
row("Gatehouse: PUT, assumed-role session, log-bucket", own["session-put"])
row("Gatehouse: GET, anonymous, public bucket", own["anonymous-get"])
row("Gatehouse: PUT, anonymous, public bucket", own["anonymous-put"])
row("Gatehouse: GET, prod root (signed, no policy)", own["root-get"])

print()
if peer:
    for title, key, target in (("S3 GET 4 KiB", "get", 1.2), ("S3 PUT 4 KiB", "put", 1.0),
                               ("AssumeRole", "assume", 5.0)):
        ratio = gh[key]["rps"] / fc[key]["rps"]
        cpu = fc[key]["cpu_us"] / max(gh[key]["cpu_us"], 1e-9)
        verdict = "met" if ratio >= target else "NOT met"
        print(f"{title}: Gatehouse / fakecloud strict = {ratio:.2f}x req/s, "
              f"{cpu:.2f}x requests per server CPU-second (target >= {target}x: {verdict})")
    after_gh, after_fc = load("gh-user-get-after-sessions"), load("fc-user-get-after-sessions")
    print(f"GET after the AssumeRole rounds: Gatehouse {after_gh['requests_per_s']:,.0f} req/s "
          f"({after_gh['requests_per_s'] / gh['get']['rps']:.2f}x its fresh median), fakecloud "
          f"{after_fc['requests_per_s']:,.0f} ({after_fc['requests_per_s'] / fc['get']['rps']:.2f}x)")
else:
    print("(no FAKECLOUD_BIN: the peer rows are left out)")
for op in ("get", "put"):
    e, a, r = own[f"session-{op}"], own[f"anonymous-{op}"], own["root-get"]
    print(f"enforced {op.upper()} / anonymous {op.upper()}: {e['rps'] / a['rps']:.2f}x req/s, "
          f"{a['cpu_us'] / max(e['cpu_us'], 1e-9):.2f}x CPU per request (target >= 0.9x)")
print(f"enforced GET / root-signed GET: {own['session-get']['rps'] / own['root-get']['rps']:.2f}x req/s "
      "(what policy evaluation and the session token cost beyond SigV4)")

print()
print("Sessions curve (Gatehouse; sessions issued before the step, 20,000 AssumeRole calls, then a GET run):")
print()
print("| sessions issued | AssumeRole/s | vs first | user GET/s | vs first |")
print("| --- | --- | --- | --- | --- |")
first = None
for s in steps:
    a, g = load(f"curve-assume-{s}"), load(f"curve-get-{s}")
    if first is None:
        first = (a["requests_per_s"], g["requests_per_s"])
    print(f"| {s:,} | {a['requests_per_s']:,.0f} | {a['requests_per_s'] / first[0]:.2f}x "
          f"| {g['requests_per_s']:,.0f} | {g['requests_per_s'] / first[1]:.2f}x |")

print()
get = sorted(float(x) for x in (d / "big-get.txt").read_text().split())
cat = sorted(float(x) for x in (d / "big-cat.txt").read_text().split())
ceiling = sorted(float(x) for x in (d / "big-ceiling.txt").read_text().split())
big_mib = int((d / "big-mib.txt").read_text())
print(f"{big_mib} MiB GET (curl, presigned URL, best of {len(get)}): {get[-1] / 2**20:,.0f} MiB/s; "
      f"cat of the same bytes: {cat[-1] / 2**20:,.0f} MiB/s; ratio {get[-1] / cat[-1]:.2f}x (target >= 0.7x)")
print(f"  the same curl from a bare sendfile(2) responder: {ceiling[-1] / 2**20:,.0f} MiB/s "
      f"(Gatehouse reaches {get[-1] / ceiling[-1]:.2f}x of what this client and loopback TCP carry)")
startup = json.loads((d / "startup.json").read_text())
print(f"Start-up to the first answer (5 starts on the benchmark's data dir): median "
      f"{statistics.median(startup['startup_ms']):.1f} ms; idle RSS median "
      f"{statistics.median(startup['idle_rss_kib']) / 1024:.1f} MiB")
if failed:
    print(f"bench.sh: {failed} requests failed", file=sys.stderr)
    sys.exit(1)
