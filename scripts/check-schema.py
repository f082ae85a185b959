#!/usr/bin/env python3
"""Validates configurations against `pilotscope schema` with jsonschema (draft 2020-12), and
checks that the schema rejects what the loader rejects.

Usage: check-schema.py BIN     (exit 1 on the first failure)

Valid: every pilotscope.yaml in the repository (git ls-files), the config `generate` writes, and
each complete example (with `pilots:`) in docs/CONFIG.md. Invalid, each one change away from a
valid config: a misspelt key at the top and inside a pilot, an unknown preset, motion and
metric, a wrong type, a time box date in another format, a threshold on an unknown metric.
YAML is read as YAML 1.2 reads it (an unquoted 2026-03-02 is a string, as Yams and editors
read it; PyYAML's YAML 1.1 timestamps are switched off).
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    pass


Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def fail(message):
    print(f"check-schema: {message}", file=sys.stderr)
    sys.exit(1)


def main(binary):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    schema = json.loads(subprocess.run([binary, "schema"], check=True, capture_output=True, text=True).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    configs = {}
    files = subprocess.run(["git", "ls-files", "*.yaml", "*.yml"], cwd=root, check=True, capture_output=True, text=True).stdout.split()
    for f in files:
        with open(os.path.join(root, f)) as h:
            configs[f] = yaml.load(h, Loader=Loader)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "generate", "--contacts", "50", "--touches", "200", "--seed", "3", "--out", tmp], check=True, capture_output=True)
        with open(os.path.join(tmp, "pilotscope.yaml")) as h:
            configs["generate"] = yaml.load(h, Loader=Loader)
    with open(os.path.join(root, "docs/CONFIG.md")) as h:
        for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", h.read(), re.S)):
            doc = yaml.load(block, Loader=Loader)
            if isinstance(doc, dict) and "pilots" in doc:
                configs[f"docs/CONFIG.md example {i + 1}"] = doc
    if len(configs) < 5:
        fail(f"only {len(configs)} configurations found: {sorted(configs)}")
    for name, doc in configs.items():
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            fail(f"{name}: {errors[0].message} at {list(errors[0].path)}")
    base = configs["sample-data/pilotscope.yaml"]
    pilot = base["pilots"][0]

    def changed(edit):
        doc = copy.deepcopy(base)
        edit(doc)
        return doc

    bad = {
        "misspelt top-level key": changed(lambda d: d.update({"pilot": d.pop("pilots")})),
        "misspelt pilot key": changed(lambda d: d["pilots"][0].update({"primary_metrc": d["pilots"][0].pop("primary_metric")})),
        "misspelt input key": changed(lambda d: d["inputs"]["crm"].update({"file": ["x.csv"]}) if isinstance(d["inputs"]["crm"], dict) else d["inputs"]["crm"][0].update({"file": ["x.csv"]})),
        "unknown motion": changed(lambda d: d["pilots"][0].update({"motion": "cosell"})),
        "unknown primary metric": changed(lambda d: d["pilots"][0].update({"primary_metric": "sqms"})),
        "unknown attribution model": changed(lambda d: d.update({"attribution": {"model": "linear"}})),
        "wrong type": changed(lambda d: d["pilots"][0].update({"grace_days": "two"})),
        "date in another format": changed(lambda d: d["pilots"][0].update({"start": "03/02/2026"})),
        "threshold on an unknown metric": changed(lambda d: d["pilots"][0].update({"thresholds": {"stop": ["sqms < 3"]}})),
        "max_reject_rate above 1": changed(lambda d: d.update({"max_reject_rate": 1.5})),
    }
    for what, doc in bad.items():
        if validator.is_valid(doc):
            fail(f"the schema accepts a config with a {what}")
    print(f"check-schema: {len(configs)} configurations valid; {len(bad)} broken ones rejected ({pilot['id']} edited)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check-schema.py BIN")
    main(sys.argv[1])
