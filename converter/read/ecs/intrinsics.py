"""CloudFormation intrinsic functions, resolved only where the template itself fixes the value.

Honest resolution: a Ref to a parameter with a Default (reported, K2E-I705), Fn::FindInMap, and
Fn::Sub / Fn::Join / Fn::Select / Fn::Split / Fn::Base64 over such values. A Ref or Fn::GetAtt to a
resource of the template resolves to a ResourceRef, which links a service to its task definition and a
policy to its target. Everything else (pseudo parameters, conditions, imports) is known only at deploy
time and stays unresolved, with the reason (K2E-W704).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from converter.core.record import MutableRecord, Record, set_field

INTRINSIC_KEYS = frozenset({"Ref", "Condition"} | {f"Fn::{name}" for name in (
    "Sub", "GetAtt", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64", "GetAZs",
    "Equals", "Not", "And", "Or", "Cidr", "Length", "ToJsonString", "Transform")})
_LIST_TYPES = ("CommaDelimitedList", "List<")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class ResourceRef(Record):
    """A Ref (attribute None) or Fn::GetAtt to a resource of the same template."""

    logical_id: str
    attribute: str | None

    def __init__(self, logical_id: str, attribute: str | None = None) -> None:
        set_field(self, "logical_id", logical_id)
        set_field(self, "attribute", attribute)


class Template(Record):
    """The parts of a template a value may refer to."""

    parameters: dict[str, Any]  # name -> declaration
    mappings: dict[str, Any]
    resources: dict[str, str]  # logical id -> Type
    values: dict[str, str]  # parameter name -> the value given with --parameter NAME=VALUE

    def __init__(self, parameters: dict[str, Any] | None = None, mappings: dict[str, Any] | None = None,
                 resources: dict[str, str] | None = None, values: dict[str, str] | None = None) -> None:
        set_field(self, "values", {} if values is None else values)
        set_field(self, "parameters", {} if parameters is None else parameters)
        set_field(self, "mappings", {} if mappings is None else mappings)
        set_field(self, "resources", {} if resources is None else resources)


class Unresolved(Exception):
    """The value is known only at deploy time; ``str(err)`` says why."""


class Resolution(MutableRecord):
    value: Any
    defaults: list[str]  # parameters whose Default was used
    given: list[str]  # parameters whose --parameter value was used

    def __init__(self, value: Any, defaults: list[str], given: list[str] | None = None) -> None:
        set_field(self, "value", value)
        set_field(self, "defaults", defaults)
        set_field(self, "given", [] if given is None else given)


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSIC_KEYS


def resolve(value: Any, template: Template) -> Resolution:
    """The value with every intrinsic evaluated, or Unresolved."""
    resolver = _Resolver(template, [])
    return Resolution(resolver.value(value), resolver.defaults, resolver.given)


def referenced_resources(value: Any, template: Template) -> list[str]:
    """Logical ids of template resources named anywhere in ``value`` (Ref, Fn::GetAtt, ${Res} in Fn::Sub)."""
    found: list[str] = []
    _referenced(value, template.resources, found)
    return list(dict.fromkeys(found))


def _referenced(node: Any, resources: Any, found: list[str]) -> None:
    """referenced_resources' walk. A plain function, not a closure: a recursive closure is a reference cycle
    per call, which `--to k8s` would keep until it ends (it runs with the cyclic GC paused, cli_common)."""
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "Ref" and isinstance(item, str) and item in resources:
                found.append(item)
            elif key == "Fn::GetAtt":
                target = item.split(".", 1)[0] if isinstance(item, str) else (item[0] if isinstance(item, list) and item else None)
                if isinstance(target, str) and target in resources:
                    found.append(target)
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else (item[0] if isinstance(item, list) and item else "")
                for name in _SUB_VARIABLE.findall(text if isinstance(text, str) else ""):
                    if name.split(".", 1)[0] in resources:
                        found.append(name.split(".", 1)[0])
                _referenced(item, resources, found)
            else:
                _referenced(item, resources, found)
    elif isinstance(node, list):
        for item in node:
            _referenced(item, resources, found)


class _Resolver:
    def __init__(self, template: Template, defaults: list[str]) -> None:
        self.template = template
        self.defaults = defaults
        self.given: list[str] = []

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not is_intrinsic(node):
            return node
        (key, argument), = node.items()
        handler = getattr(self, "_" + key.replace("Fn::", "").lower(), None)
        if handler is None:
            raise Unresolved(f"{key} is evaluated at deploy time")
        return handler(argument)

    def scalar(self, node: Any, what: str) -> str:
        value = self.value(node)
        if isinstance(value, ResourceRef):
            raise Unresolved(f"{what} names resource {value.logical_id}, whose value is known at deploy time")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise Unresolved(f"{what} is not a single value")
        return str(value)

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise Unresolved("Ref needs a name")
        if name in self.template.parameters:
            declaration = self.template.parameters[name]
            default = declaration.get("Default") if isinstance(declaration, dict) else None
            no_echo = isinstance(declaration, dict) and str(declaration.get("NoEcho", "false")).lower() == "true"
            if no_echo:  # a NoEcho parameter holds a secret: its Default is never copied into output or messages
                raise Unresolved(f"parameter {name} is NoEcho (a secret); its value is not copied")
            kind = declaration.get("Type", "String") if isinstance(declaration, dict) else "String"
            if name in self.template.values:
                # --parameter NAME=VALUE, as aws cloudformation deploy --parameter-overrides gives it
                self.given.append(name)
                value = self.template.values[name]
                if isinstance(kind, str) and kind.startswith(_LIST_TYPES):
                    return [part.strip() for part in value.split(",")]
                return value
            if default is None:
                raise Unresolved(f"parameter {name} has no Default (give it with --parameter {name}=VALUE)")
            self.defaults.append(name)
            if isinstance(kind, str) and kind.startswith(_LIST_TYPES) and isinstance(default, str):
                return [part.strip() for part in default.split(",")]
            return default
        if name in self.template.resources:
            return ResourceRef(name)
        if name.startswith("AWS::"):
            raise Unresolved(f"{name} is known only at deploy time")
        raise Unresolved(f"Ref to {name}, which is neither a parameter nor a resource of the template")

    def _getatt(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2 or not all(isinstance(a, str) for a in argument):
            raise Unresolved("Fn::GetAtt needs a resource and an attribute")
        if argument[0] not in self.template.resources:
            raise Unresolved(f"Fn::GetAtt names {argument[0]}, which is not a resource of the template")
        return ResourceRef(argument[0], argument[1])

    def _sub(self, argument: Any) -> str:
        variables: dict[str, Any] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            argument, variables = argument
        if not isinstance(argument, str):
            raise Unresolved("Fn::Sub needs a string")

        def one(match: re.Match[str]) -> str:
            name = match[1]
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
            if name in variables:
                return self.scalar(variables[name], f"${{{name}}}")
            if "." in name:
                return self.scalar({"Fn::GetAtt": name}, f"${{{name}}}")
            return self.scalar({"Ref": name}, f"${{{name}}}")

        return _SUB_VARIABLE.sub(one, argument)

    def _join(self, argument: Any) -> str:
        if not isinstance(argument, list) or len(argument) != 2 or not isinstance(argument[0], str):
            raise Unresolved("Fn::Join needs a delimiter and a list")
        parts = self.value(argument[1])
        if not isinstance(parts, list):
            raise Unresolved("Fn::Join needs a list")
        return argument[0].join(self.scalar(part, "a part of Fn::Join") for part in parts)

    def _select(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            raise Unresolved("Fn::Select needs an index and a list")
        index, items = self.scalar(argument[0], "the index of Fn::Select"), self.value(argument[1])
        if not index.isdigit() or not isinstance(items, list) or int(index) >= len(items):
            raise Unresolved("Fn::Select index is out of range")
        return items[int(index)]

    def _split(self, argument: Any) -> list[str]:
        if not isinstance(argument, list) or len(argument) != 2 or not isinstance(argument[0], str) or not argument[0]:
            raise Unresolved("Fn::Split needs a delimiter and a string")
        return self.scalar(argument[1], "the string of Fn::Split").split(argument[0])

    def _findinmap(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise Unresolved("Fn::FindInMap needs a map name and two keys")
        keys = [self.scalar(part, "a key of Fn::FindInMap") for part in argument[:3]]
        node: Any = self.template.mappings
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                raise Unresolved(f"Fn::FindInMap: {'/'.join(keys)} is not in the template's Mappings")
            node = node[key]
        return self.value(node)

    def _base64(self, argument: Any) -> str:
        return base64.b64encode(self.scalar(argument, "the value of Fn::Base64").encode()).decode()
