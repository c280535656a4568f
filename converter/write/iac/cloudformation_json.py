"""``--format cloudformation --cfn-json``: the template as JSON, built from the stack.

The text is what reading the YAML template back (converter.write.iac.cloudformation.load) and dumping it with
``json.dumps(..., indent=2, ensure_ascii=False)`` gave, without writing and parsing the YAML: the same
keys in the same order, intrinsics in their long form (``!Ref x`` is ``{"Ref": "x"}``, ``!GetAtt a.b`` is
``{"Fn::GetAtt": ["a", "b"]}``, ``!Sub s`` is ``{"Fn::Sub": s}``), numbers as the YAML literal reads back
(converter.write.iac.filters.number), and the same checks as the YAML filters (logical IDs, resource types,
no value the template could not write). tests/test_iac.py compares the two on every sample.
"""

from __future__ import annotations

import re
from typing import Any

from converter.core import jsontext
from converter.core.errors import OutputValidationError
from converter.write.iac.filters import GetAtt, Ref, Sub, cfn_id, cfn_type, number

# libyaml refuses a surrogate escape (\uD800) when the YAML is read back, so such a value never reached a
# JSON template; nor does it here.
_SURROGATE = re.compile("[\ud800-\udfff]")


def template_json(stack: Any, format_version: str, description: str) -> str:
    template: dict[str, Any] = {"AWSTemplateFormatVersion": _string(format_version), "Description": _string(description)}
    if stack.parameters:
        parameters = template["Parameters"] = {}
        for p in stack.parameters:
            entry = {"Type": _string(p["type"]), "Description": _string(p["description"])}
            if p["default"] is not None:
                entry["Default"] = _string(p["default"])
            parameters[cfn_id(p["name"])] = entry
    # "Resources:" with nothing under it reads back as null (the stack never has no resource).
    resources: dict[str, Any] | None = {} if stack.resources else None
    for r in stack.resources:
        entry = {"Type": cfn_type(r.type)}
        if r.deletion_policy is not None:
            entry["DeletionPolicy"] = entry["UpdateReplacePolicy"] = cfn_id(r.deletion_policy)
        if not isinstance(r.properties, dict) or not r.properties:
            raise TypeError("cfn_block expects a non-empty mapping")
        entry["Properties"] = _value(r.properties)
        resources[cfn_id(r.id)] = entry
    template["Resources"] = resources
    if stack.outputs:
        template["Outputs"] = {cfn_id(o.id): {"Description": _string(o.description), "Value": _value(o.value)}
                               for o in stack.outputs}
    return jsontext.dumps(template) + "\n"


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"yaml_str expects a string, got {type(value).__name__}")
    if _SURROGATE.search(value):
        raise OutputValidationError("the CloudFormation template does not read back as YAML: a surrogate "
                                    "character in a value")
    return value


def _value(value: Any) -> Any:
    """The value as the YAML filters write it (filters.cfn_value, filters._yaml_lines), read back."""
    cls = value.__class__
    if cls is str:
        return _string(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        text = number(value)  # its checks (a finite number), and the type the YAML literal reads back as
        return int(text) if isinstance(value, int) else float(text)
    if isinstance(value, str):
        return _string(str(value))
    if isinstance(value, dict):
        return {_key(key): _value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_value(item) for item in value]
    if isinstance(value, Ref):
        return {"Ref": value.target}
    if isinstance(value, GetAtt):
        return {"Fn::GetAtt": [cfn_id(value.resource), cfn_id(value.attribute)]}
    if isinstance(value, Sub):
        return {"Fn::Sub": _string(value.text())}
    raise TypeError(f"no one-line YAML for {type(value).__name__}")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"expected string or bytes-like object, got {type(key).__name__!r}")
    return _string(str(key))
