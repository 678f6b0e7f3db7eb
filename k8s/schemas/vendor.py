#!/usr/bin/env python3
"""Refreshes the schemas the manifests are validated against (k8s/schemas/*.json), so that
CI validates with no network. Run by hand when the Kubernetes version or an operator's
version changes; the sources are named in README.md.

  vendor.py <kubernetes-json-schema dir (…/v1.33.0-local-strict)> \
            cloudnative-pg=<dir> plugin-barman-cloud=<dir> prometheus-operator=<dir> \
            redis-operator=<dir> gateway-api=<dir> cert-manager=<dir>

Each <dir> is a git directory (bare or not) of that project; its CRDs are read at HEAD. Every schema is written standalone (its definitions inlined), and every object of a
CRD that lists its properties is made strict (no other property), as the API server is with
strict field validation.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent

CORE = {
    "v1/ServiceAccount": "serviceaccount-v1.json",
    "v1/ConfigMap": "configmap-v1.json",
    "v1/Secret": "secret-v1.json",
    "v1/Service": "service-v1.json",
    "apps/v1/Deployment": "deployment-apps-v1.json",
    "policy/v1/PodDisruptionBudget": "poddisruptionbudget-policy-v1.json",
    "autoscaling/v2/HorizontalPodAutoscaler": "horizontalpodautoscaler-autoscaling-v2.json",
    "networking.k8s.io/v1/NetworkPolicy": "networkpolicy-networking-v1.json",
}

CRDS = [
    ("cloudnative-pg", "config/crd/bases/postgresql.cnpg.io_clusters.yaml"),
    ("cloudnative-pg", "config/crd/bases/postgresql.cnpg.io_poolers.yaml"),
    ("cloudnative-pg", "config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml"),
    ("cloudnative-pg", "config/crd/bases/postgresql.cnpg.io_imagecatalogs.yaml"),
    ("plugin-barman-cloud", "config/crd/bases/barmancloud.cnpg.io_objectstores.yaml"),
    ("prometheus-operator", "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"),
    ("prometheus-operator", "example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"),
    ("prometheus-operator", "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"),
    ("redis-operator", "config/crd/bases/redis.redis.opstreelabs.in_redisreplications.yaml"),
    # The standard channel only: what every conformant implementation serves.
    ("gateway-api", "config/crd/standard/gateway.networking.k8s.io_gateways.yaml"),
    ("gateway-api", "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml"),
    ("cert-manager", "deploy/crds/cert-manager.io_certificates.yaml"),
]


def file_name(api_version, kind):
    return f"{api_version.replace('/', '_')}_{kind}.json"


def standalone(schema, definitions):
    """The schema with every definition it reaches inlined under $defs."""
    needed, todo = {}, [schema]
    while todo:
        text = json.dumps(todo.pop())
        # The kind's file names definitions by the file; the definitions name each other locally.
        for name in re.findall(r'"(?:/api/_definitions\.json)?#/\$defs/([^"]+)"', text):
            if name not in needed:
                needed[name] = definitions[name]
                todo.append(needed[name])
    out = dict(schema)
    out["$defs"] = needed
    return json.loads(json.dumps(out).replace("/api/_definitions.json#/$defs/", "#/$defs/"))


def strict(node):
    if isinstance(node, dict):
        if (
            node.get("type") == "object"
            and "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)
    return node


def main():
    core_dir = Path(sys.argv[1])
    repos = dict(arg.split("=", 1) for arg in sys.argv[2:])
    definitions = json.loads((core_dir / "_definitions.json").read_text())["$defs"]
    for key, name in CORE.items():
        api_version, kind = key.rsplit("/", 1)
        schema = standalone(json.loads((core_dir / name).read_text()), definitions)
        (OUT / file_name(api_version, kind)).write_text(json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n")
    for repo, path in CRDS:
        text = subprocess.run(
            ["git", "--git-dir", repos[repo], "show", f"HEAD:{path}"], check=True, capture_output=True, text=True
        ).stdout
        crd = next(d for d in yaml.safe_load_all(text) if d)
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served", True):
                continue
            schema = strict(version["schema"]["openAPIV3Schema"])
            schema["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
            schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
            schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
            out = OUT / file_name(f"{group}/{version['name']}", kind)
            out.write_text(json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
