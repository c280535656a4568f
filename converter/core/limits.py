"""The limits k2ecs enforces that are not in schemas/, as one table the code and docs/MAPPING.md both read.

Each module keeps its constant (``MAX_DEPTH = limit_value("yaml-depth")``), so tests can still lower one with
monkeypatch; the value itself lives here, beside its source, and ``converter.report.mapping_doc`` lists every
entry with its anchor. ECS quotas are in schemas/ecs_rules.json and Fargate sizes in
schemas/fargate_sizes.json; the document reads those files directly.

A key is the limit's anchor in docs/MAPPING.md (``limit-<key>``): never rename one.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from converter.core.quantity import MIB


class Limit(NamedTuple):
    key: str
    group: str  # a heading of docs/MAPPING.md's limits section (GROUPS)
    what: str
    value: int
    unit: str
    source: str  # where the number comes from: an upstream document or function, or k2ecs's own choice
    enforced_by: str  # the module that reads it


GROUPS = {
    "input": "Input bounds (hostile manifests)",
    "names": "Names and output files",
    "kubernetes": "Kubernetes API limits",
    "cloudformation": "CloudFormation quotas",
}

_OWN = "k2ecs's own bound on untrusted input: past it the run stops with exit 3 and nothing is written"


def _limits(*entries: Limit) -> dict[str, Limit]:
    table: dict[str, Limit] = {}
    for entry in entries:
        assert entry.key not in table and entry.group in GROUPS, entry.key
        table[entry.key] = entry
    return table


L = Limit
LIMITS: dict[str, Limit] = _limits(
    L("input-file-bytes", "input", "Size of one input file (or of stdin)", 64 * MIB, "bytes",
      _OWN + "; every read stops one byte past it, whatever size the file reports", "converter.load.source_files"),
    L("yaml-alias-references", "input", "Alias references in one file", 1_000, "references", _OWN,
      "converter.load.yaml_limits"),
    L("yaml-expanded-nodes", "input", "Nodes of one document once its aliases are expanded (\"billion laughs\")",
      1_000_000, "nodes", _OWN, "converter.load.yaml_limits"),
    L("yaml-depth", "input", "Nesting depth of mappings and lists", 200, "levels",
      _OWN + "; checked on the text before libyaml's recursive composer runs", "converter.load.yaml_limits"),
    L("yaml-document-nodes", "input", "YAML nodes (mappings, lists, scalars) in one document", 4_000_000, "nodes",
      _OWN, "converter.load.yaml_bounds"),
    L("yaml-input-nodes", "input", "YAML nodes in one input", 16_000_000, "nodes", _OWN, "converter.load.yaml_bounds"),
    L("yaml-documents", "input", "Documents in one input", 100_000, "documents", _OWN, "converter.load.yaml_bounds"),
    L("integer-digits", "input", "Digits of one integer", sys.int_info.default_max_str_digits, "digits",
      "Python's default int_max_str_digits (sys.int_info.default_max_str_digits): int() refuses longer text",
      "converter.load.loader"),
    L("workload-name-chars", "names", "Length of a workload's metadata.name", 253, "characters",
      "Kubernetes apimachinery IsDNS1123Subdomain (DNS1123SubdomainMaxLength), as the API server requires",
      "converter.read.kubernetes.metadata"),
    L("file-name-bytes", "names", "Length of one output file name", 255, "bytes",
      "NAME_MAX of Linux and macOS file systems; <name>.taskdef.json must fit, so a name has 242 characters",
      "converter.write.output, converter.read.kubernetes.metadata"),
    L("report-file-bytes", "names", "Size of a report.json that k2ecs reads to recognise its own output folder",
      512 * MIB, "bytes", "k2ecs's own bound: a report of 10,000 workloads is some 40 MB",
      "converter.write.output_guard, converter.load.own_report"),
    L("hpa-stabilization-window-seconds", "kubernetes", "HPA behavior stabilizationWindowSeconds", 3600, "seconds",
      "Kubernetes autoscaling/v2 HPAScalingRules.stabilizationWindowSeconds (validation: 0-3600)",
      "converter.read.kubernetes.hpa_behavior, converter.rules.scaling.reverse"),
    L("hpa-policy-period-seconds", "kubernetes", "HPA behavior policy periodSeconds", 1800, "seconds",
      "Kubernetes autoscaling/v2 HPAScalingPolicy.periodSeconds (validation: 1-1800)", "converter.read.kubernetes.hpa_behavior"),
    L("cfn-stack-resources", "cloudformation", "Resources in one stack", 500, "resources",
      "AWS CloudFormation User Guide, \"CloudFormation quotas\"", "converter.write.iac.render (K2E-E660)"),
    L("cfn-stack-parameters", "cloudformation", "Parameters in one stack", 200, "parameters",
      "AWS CloudFormation User Guide, \"CloudFormation quotas\"", "converter.write.iac.render (K2E-E660)"),
    L("cfn-stack-outputs", "cloudformation", "Outputs in one stack", 200, "outputs",
      "AWS CloudFormation User Guide, \"CloudFormation quotas\"", "converter.write.iac.render (K2E-E660)"),
    L("cfn-template-bytes", "cloudformation", "Template body size", 1_000_000, "bytes",
      "AWS CloudFormation User Guide, \"CloudFormation quotas\": a template read from S3 (inline: 51,200 bytes)",
      "converter.write.iac.render (K2E-E660)"),
    L("cfn-logical-id-chars", "cloudformation", "Length of a logical ID k2ecs builds", 200, "characters",
      "CloudFormation allows 255 characters; k2ecs stops at 200 to leave room for the suffixes it appends",
      "converter.write.iac.links"),
)
del L


def limit_value(key: str) -> int:
    """The value of limit ``key`` (a KeyError names a limit that is not in the table)."""
    return LIMITS[key].value
