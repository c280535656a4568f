"""CloudFormation's short-form intrinsic tags (``!Ref x``), read as their long form (``{"Ref": "x"}``)."""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

_STR = "tag:yaml.org,2002:str"


# CloudFormation short-form intrinsic tags and the long-form key each stands for. Read as data only:
# ``!Ref x`` becomes ``{"Ref": "x"}`` and nothing is evaluated (converter/read/ecs resolves what it honestly can).
CFN_SHORT_TAGS = {"!Ref": "Ref", "!Condition": "Condition", **{f"!{name}": f"Fn::{name}" for name in (
    "Sub", "GetAtt", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64", "GetAZs",
    "Equals", "Not", "And", "Or", "Cidr", "Length", "ToJsonString")}}
_CORE_TAG = {ScalarNode: _STR, SequenceNode: "tag:yaml.org,2002:seq", MappingNode: "tag:yaml.org,2002:map"}


def long_form_intrinsics(root: Any) -> Any:
    """The node graph with each short-form intrinsic node replaced by a one-key mapping node.

    A tagged node in key position becomes a mapping there, which the constructor rejects as a key.
    Aliases keep pointing at one replacement; unknown tags are left for the constructor to refuse.
    """
    replaced: dict[int, tuple[Any, Any]] = {}

    def wrap(node: Any) -> Any:
        long = CFN_SHORT_TAGS.get(node.tag)
        if long is None:
            return node
        if id(node) not in replaced:
            if isinstance(node, ScalarNode):
                inner = ScalarNode(_STR, node.value, node.start_mark, node.end_mark, node.style)
            else:
                inner = type(node)(_CORE_TAG[type(node)], node.value, node.start_mark, node.end_mark, node.flow_style)
            key = ScalarNode(_STR, long, node.start_mark, node.start_mark)
            replaced[id(node)] = (node, MappingNode(_CORE_TAG[MappingNode], [(key, inner)], node.start_mark, node.end_mark))
        return replaced[id(node)][1]

    root = wrap(root)
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            node.value[:] = [wrap(item) for item in node.value]
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            node.value[:] = [(wrap(key), wrap(value)) for key, value in node.value]
            stack.extend(item for pair in node.value for item in pair)
    return root
