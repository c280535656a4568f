"""Hostile values go through every format and come back exactly.

A manifest puts quotes, backslashes, ``${`` and ``%{`` (bare and already doubled), ``!Ref``, YAML look-alikes
(``yes``, ``null``, ``1e3``, ``{a: 1}``, ``- x``, ``# x``), line breaks of every kind, tabs, control
characters and non-ASCII text (accents, CJK, emoji) into env values, labels (tags), the image name and the
command. The CloudFormation template (YAML and JSON) and the Terraform files must still parse, and every
value must resolve to exactly the ecs-json one: the same walk over converter/write/iac/mapping.py as test_iac.py.
Then the filters alone, over arbitrary text (hypothesis).
"""

from __future__ import annotations

import json
import os

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from converter.pipeline.convert import convert
from converter.write.iac.cloudformation import load as load_template
from converter.write.iac.filters import Attr, cfn_block, hcl_body, hcl_str, number, yaml_str
from converter.write.iac.render import render
from converter.load.loader import parse_text
from converter.core.settings import Settings
from tests.test_iac import (
    HclFile,
    TfConfig,
    _cfn_view_problems,
    _tf_view_problems,
    cfn_lint,
    fmt_problems,
)

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "200"))

HOSTILE = r'''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hostile
  labels:
    app: hostile
    team: "Équipe données 日本"
    looks-like: "true"
    also: "null"
    number: "1e3"
    path: "a/b:c=d+e@f.g"
spec:
  replicas: 1
  selector:
    matchLabels: {app: hostile}
  template:
    metadata:
      labels: {app: hostile}
    spec:
      containers:
        - name: app
          image: "registry.example.com/tëam/app:1.0@sha256:abc"
          command: ["sh", "-c", "echo \"${HOME}\" %{if x} $${kept} %%{kept} \\ !Ref x\nnext line\ttab"]
          args: ["!Ref Cluster", "${jsonencode(x)}", "é 日本 🎉 \u2028 \u0085 \u007f \u0001", "", " padded ",
                 "- dash", "key: value", "# hash", "'single'", "back\\slash\\", "*alias &anchor", "[1, 2]"]
          env:
            - {name: QUOTES, value: "say \"hi\" and 'bye'"}
            # the kubelet unescapes $$ to $ (issue 19's $(VAR) expansion), so twice the dollars reach ecs-json as below
            - {name: DOLLAR, value: "${VAR} and $$$${ESCAPED} and $$$$$${THREE} and %{directive} and %%{x} and trailing $ and %"}
            - {name: MULTILINE, value: "line1\nline2\r\nline3\u2029"}
            - {name: YAMLISH, value: "!Ref Cluster"}
            - {name: YAMLISH2, value: "{a: 1}"}
            - {name: BOOL, value: "yes"}
            - {name: UNICODE, value: "naïve café 中文 🎉 \ufeff"}
            - {name: EMPTY, value: ""}
            - {name: BACKSLASH, value: "C:\\path\\n\\"}
            - {name: SUBLIKE, value: "${!Literal} ${AWS::Region}"}
'''
HOSTILE_STRINGS = ['say "hi"', "${VAR}", "$${ESCAPED}", "%{directive}", "%%{x}", "!Ref Cluster", "line1\nline2\r\n",
                   "\u2029", "中文 🎉", "C:\\path\\n\\", "${!Literal} ${AWS::Region}", "\u0085", "\u2028", "\x01",
                   "Équipe données 日本", "tëam", "1e3"]


@pytest.fixture(scope="module")
def hostile():
    result = convert(parse_text(HOSTILE, "hostile.yaml"), Settings())
    payload = json.dumps([(o.task_definition, o.service) for o in result.outputs], ensure_ascii=False)
    missing = [text for text in HOSTILE_STRINGS if json.dumps(text, ensure_ascii=False)[1:-1] not in payload]
    assert not missing, f"the pipeline no longer carries these into ecs-json, so this test proves nothing: {missing}"
    return result


def test_hostile_values_round_trip_through_cloudformation_yaml_and_json(hostile):
    rendering = render("cloudformation", hostile)
    text = rendering.files["template.yaml"]
    template = load_template(text)
    assert _cfn_view_problems(hostile, template, rendering.model) == []
    as_json = render("cloudformation", hostile, cfn_json=True).files["template.json"]
    assert as_json == json.dumps(template, indent=2, ensure_ascii=False) + "\n"  # what reading back and dumping gave
    assert _cfn_view_problems(hostile, json.loads(as_json), rendering.model) == []
    # cfn-lint reads the same YAML, and finds nothing but E1029: it takes the literal env value
    # "${AWS::Region}" for a forgotten Fn::Sub. CloudFormation leaves a plain string alone, so the value is right.
    assert {finding[0] for finding in cfn_lint(text)} == {"E1029"}


def test_hostile_values_round_trip_through_terraform(hostile):
    rendering = render("terraform", hostile)
    assert _tf_view_problems(hostile, rendering) == []
    main = rendering.files["main.tf"]
    assert "$${VAR}" in main and "%%{directive}" in main and "$$${ESCAPED}" in main and "$$$${THREE}" in main
    for name, text in rendering.files.items():
        assert fmt_problems(text) == [], name


# -- the filters on arbitrary text ---------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    pass


def _yaml_back(text: str):
    return yaml.load(text, Loader=_Loader)["k"]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_yaml_str_reads_back_as_the_same_string(text: str):
    document = f"k: {yaml_str(text)}\n"
    assert _yaml_back(document) == text
    assert load_template(document)["k"] == text
    assert "\n" not in document[:-1]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.dictionaries(st.text(min_size=1), st.one_of(st.text(), st.integers(), st.booleans(),
                                                      st.floats(allow_nan=False, allow_infinity=False)), min_size=1))
def test_cfn_block_reads_back_as_the_same_mapping(data: dict):
    assert load_template("k:\n" + cfn_block(data, 2) + "\n")["k"] == data


def _hcl2_reads(text: str) -> bool:
    """python-hcl2 8.1.4 lexes an escaped ``$${``/``%%{`` as one token up to the next ``}``
    (/\\$\\$\\{[^}]*\\}/), so it cannot read one with no ``}`` after it. Terraform reads it; we skip those."""
    for marker in ("${", "%{"):
        start = text.find(marker)
        while start != -1:
            if text.find("}", start) == -1:
                return False
            start = text.find(marker, start + 1)
    return True


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text())
def test_hcl_str_reads_back_as_the_same_string(text: str):
    assume(_hcl2_reads(text))
    parsed = HclFile(f"k = {hcl_str(text)}\n")
    assert parsed.evaluate(parsed.body["attributes"]["k"], lambda path: pytest.fail(f"interpolation {path}")) == text


def test_hcl_str_escapes_what_terraform_would_read_as_a_template():
    assert hcl_str("a${b") == '"a$${b"'  # what Terraform needs even where python-hcl2 cannot follow
    assert hcl_str("%{if x}$${y}") == '"%%{if x}$$${y}"'
    assert hcl_str('"\\\n\r\t\x00\u2028é') == '"\\"\\\\\\n\\r\\t\\u0000\\u2028é"'


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.dictionaries(st.text(min_size=1), st.text(), min_size=1).filter(
    lambda d: all(_hcl2_reads(k) and _hcl2_reads(v) for k, v in d.items())))
def test_hcl_objects_with_any_keys_read_back(data: dict):
    config = TfConfig({"t.tf": f"locals {{\n{hcl_body([Attr('k', data)])}\n}}\n"})
    body = config.files["t.tf"].body["blocks"][0][2]
    assert config.value(body["attributes"]["k"]) == data


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_numbers_read_back_exactly_in_yaml_and_hcl(value):
    text = number(value)
    assert _yaml_back(f"k: {text}\n") == value
    parsed = HclFile(f"k = {text}\n")
    assert parsed.evaluate(parsed.body["attributes"]["k"], lambda path: None) == value
