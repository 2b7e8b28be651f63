#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from crates/policy/tests/data/vectors.json.

policy_parse gets every distinct policy document of every case (identity, resource,
boundary, session, scps, rcps); policy_case gets every case as its own JSON object.
Files are named by content hash, so rerunning is idempotent. The corpus is not committed.
"""
import hashlib
import json
import pathlib

FUZZ = pathlib.Path(__file__).resolve().parent.parent
VECTORS = FUZZ.parent / "crates" / "policy" / "tests" / "data" / "vectors.json"


def write(directory: pathlib.Path, text: str) -> bool:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha1(text.encode()).hexdigest()
    if path.exists():
        return False
    path.write_text(text)
    return True


def documents(policies: dict):
    for doc in policies.get("identity") or []:
        yield doc
    for key in ("resource", "boundary"):
        if policies.get(key) is not None:
            yield policies[key]
    for doc in policies.get("session") or []:
        yield doc
    for key in ("scps", "rcps"):
        for level in policies.get(key) or []:
            for doc in level:
                yield doc


def main() -> None:
    cases = json.loads(VECTORS.read_text())
    parse_dir = FUZZ / "corpus" / "policy_parse"
    case_dir = FUZZ / "corpus" / "policy_case"
    n_docs = n_cases = 0
    for case in cases:
        if write(case_dir, json.dumps(case, indent=1)):
            n_cases += 1
        for doc in documents(case.get("policies") or {}):
            # Compact and pretty forms: size limits count characters differently.
            for text in (json.dumps(doc, separators=(",", ":")), json.dumps(doc, indent=2)):
                if write(parse_dir, text):
                    n_docs += 1
    print(f"policy_parse: {n_docs} new files in {parse_dir}")
    print(f"policy_case: {n_cases} new files in {case_dir}")


if __name__ == "__main__":
    main()
