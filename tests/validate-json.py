#!/usr/bin/python3
"""Validate stuckscope JSON reports against the contract schema
(../shared/report.schema.json) and the repository's stricter one
(doc/report.schema.json). Usage: validate-json.py SHARED_SCHEMA FILE...
Prints one line per file; exit 1 if any fails."""
import json
import sys

import jsonschema

def main():
    shared, files = sys.argv[1], sys.argv[2:]
    schemas = []
    for path in (shared, "doc/report.schema.json"):
        with open(path) as f:
            s = json.load(f)
        cls = jsonschema.validators.validator_for(s)
        cls.check_schema(s)
        schemas.append((path, cls(s)))
    bad = 0
    for fn in files:
        try:
            with open(fn, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except Exception as e:  # not JSON at all
            print(f"FAIL {fn}: not valid JSON: {e}")
            bad += 1
            continue
        errs = []
        for path, v in schemas:
            for e in v.iter_errors(doc):
                errs.append(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
        if errs:
            bad += 1
            print(f"FAIL {fn}: " + "; ".join(errs[:3]))
        else:
            print(f"ok {fn}")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
