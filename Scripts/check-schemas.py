#!/usr/bin/env python3
"""Validates our JSON alert samples against GeoData/schemas/alert.schema.json with the PyPI
jsonschema package, and checks that documents the schema must refuse are refused.
Prints "N passed, N failed"."""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "GeoData/schemas/alert.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
passed = failed = 0


def check(name, ok):
    global passed, failed
    print(("ok: " if ok else "FAILED: ") + name)
    passed, failed = passed + ok, failed + (not ok)


for path in sorted((root / "GeoData/alerts").glob("*.json")):
    errors = list(validator.iter_errors(json.loads(path.read_text())))
    check(f"{path.name} is valid", not errors)
    for e in errors:
        print("   ", e.message)
for name, doc in [
    ("an alert without a title is refused", {"id": "x"}),
    ("a level of 9 is refused", {"id": "x", "title": "t", "categories": {"terrorism": 9}}),
    ("updates and cancels together are refused", {"id": "x", "title": "t", "updates": "a", "cancels": "b"}),
    ("a place with no location is refused", {"id": "x", "title": "t", "places": [{"role": "event"}]}),
]:
    check(name, not validator.is_valid(doc))
print(f"schemas: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
