#!/usr/bin/env python3
"""Writes `crates/core/data/aws-operations.tsv`: every operation of the AWS API models of the
services Gatehouse serves or will serve, as botocore ships them (Apache License 2.0).

One line per operation: `service<TAB>operation<TAB>http-method<TAB>request-uri`, sorted. The
operation table's test compares what Gatehouse serves with this list.

Run with the pinned botocore of the e2e suite: `.venv/bin/python scripts/gen-aws-operations.py`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "crates" / "core" / "data" / "aws-operations.tsv"
# Gatehouse's service name → botocore's model directory.
SERVICES = {
    "iam": "iam",
    "sts": "sts",
    "s3": "s3",
    "organizations": "organizations",
    "access-analyzer": "accessanalyzer",
}


def model(name: str) -> dict:
    data = Path(botocore.__file__).parent / "data" / name
    version = sorted(p for p in data.iterdir() if p.is_dir())[-1]
    for candidate in ("service-2.json", "service-2.json.gz"):
        path = version / candidate
        if path.exists():
            raw = path.read_bytes()
            return json.loads(gzip.decompress(raw) if candidate.endswith(".gz") else raw)
    raise SystemExit(f"no model for {name} in {version}")


def main() -> None:
    rows = []
    for service, directory in SERVICES.items():
        for name, op in model(directory)["operations"].items():
            http = op.get("http", {})
            rows.append((service, name, http.get("method", ""), http.get("requestUri", "")))
    rows.sort()
    OUT.write_text("".join("\t".join(r) + "\n" for r in rows))
    print(f"{len(rows)} operations from botocore {botocore.__version__} → {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
