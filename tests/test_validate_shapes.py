"""schemas/ecs_api_shapes.json and the validator that reads it (converter/validate/ecs_shapes.py), held to botocore.

The conversion validates against the generated shapes, never importing botocore (start-up, issue 9). These
tests keep that honest: the file must equal what the installed botocore generates, ecs_shapes must
say exactly what botocore's own ParamValidator says (on every node of every shape, and on broken payloads
of every kind), and every payload k2ecs writes for the samples, the benchmark bundle and the corpus must
pass ParamValidator itself.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any, Iterator

import botocore.validate
import pytest

from converter.validate.ecs_botocore import OPERATIONS, botocore_problems, compact_shapes, service_model
from converter.validate.ecs_shapes import SHAPES_FILE, Shape, input_shape, validate_operation
from converter.core.resources import load_schema, schemas_dir
from tests.helpers import CORPUS, ROOT, sample_cases
from tests.test_validate import GOOD_POLICY, GOOD_SERVICE, GOOD_TARGET, GOOD_TASKDEF

CALLS = [(service, operation) for service, operations in OPERATIONS.items() for operation in operations]
# Values of every type, and strings and numbers at and beyond the usual limits.
SUBSTITUTES: list[Any] = [None, "", "x", "ä" * 3, "a" * 3000, "<k2ecs:placeholder>", 0, -1, 10 ** 12, True, 1.5,
                          float("nan"), Decimal("2.5"), [], ["x"], [1], (), {}, {"bogus": 1}, {"x": [object()]},
                          b"bytes", object()]


def test_generated_shapes_equal_what_the_installed_botocore_generates():
    on_disk = json.loads((schemas_dir() / SHAPES_FILE).read_text(encoding="utf-8"))
    assert on_disk == compact_shapes(), (f"schemas/{SHAPES_FILE} is stale: regenerate it with "
                                         "`python -m converter.validate.ecs_botocore`")


def test_the_generated_file_covers_every_input_shape_of_the_four_calls():
    services = load_schema(SHAPES_FILE)["services"]
    for service, operation in CALLS:
        reached: set[str] = set()
        _reach(service_model(service).operation_model(operation).input_shape, reached)
        assert reached <= set(services[service]["shapes"]), operation
        assert services[service]["operations"][operation] == service_model(service).operation_model(operation).input_shape.name


def _reach(shape: Any, reached: set[str]) -> None:
    if shape.name in reached:
        return
    reached.add(shape.name)
    for child in (*getattr(shape, "members", {}).values(), *(getattr(shape, part, None) for part in ("member", "key", "value"))):
        if child is not None:
            _reach(child, reached)


@pytest.mark.parametrize("service, operation", CALLS)
def test_a_full_payload_of_every_member_and_its_breakages_match_botocore(service, operation):
    """Every member of every shape, each node replaced by values of other types, removed, or joined by a stranger."""
    full = _example(input_shape(service, operation), depth=0)
    checked = _compare(service, operation, full)
    for variant in _variants(full):
        checked += _compare(service, operation, variant)
    assert checked > 50  # the variants really were generated


@pytest.mark.parametrize("service, operation, payload", [
    ("ecs", "RegisterTaskDefinition", GOOD_TASKDEF), ("ecs", "CreateService", GOOD_SERVICE),
    ("application-autoscaling", "RegisterScalableTarget", GOOD_TARGET),
    ("application-autoscaling", "PutScalingPolicy", GOOD_POLICY)])
def test_realistic_payloads_and_their_breakages_match_botocore(service, operation, payload):
    assert validate_operation(service, operation, payload) == []
    for variant in _variants(payload):
        _compare(service, operation, variant)


def test_payloads_that_are_not_mappings_match_botocore():
    for service, operation in CALLS:
        for value in SUBSTITUTES:
            _compare(service, operation, value)


def test_every_payload_k2ecs_writes_passes_botocores_param_validator():
    payloads = list(_written_payloads())
    assert len(payloads) > 40
    for service, operation, payload in payloads:
        shape = service_model(service).operation_model(operation).input_shape
        report = botocore.validate.ParamValidator().validate(payload, shape)
        assert not report.has_errors(), (operation, report.generate_report())
        assert validate_operation(service, operation, payload) == botocore_problems(service, operation, payload) == []


def test_convert_does_not_import_botocore():
    code = ("import sys\n"
            "from converter.cli_common import SettingsFlags, conversion\n"
            f"conversion([{str(ROOT / 'samples' / 'web-loadbalancer-hpa' / 'input')!r}], SettingsFlags())\n"
            "assert not [m for m in sys.modules if m.startswith('botocore')], 'botocore imported'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# -- helpers ------------------------------------------------------------------------------------------

def _compare(service: str, operation: str, payload: Any) -> int:
    ours = validate_operation(service, operation, payload)
    assert ours == botocore_problems(service, operation, payload), payload
    # The fast predicate and the explanation agree: a payload is valid exactly when nothing is said about it.
    assert input_shape(service, operation).ok(payload) == (ours == [])
    return 1


def _example(shape: Shape, depth: int) -> Any:
    """A value of ``shape`` with every member set (one member of a union), valid where the model allows."""
    if shape.type == "structure":
        if shape.document:
            return {"a": [1, "b", None, {"c": True}]}
        if depth > 8:
            return {}
        names = list(shape.members)[:1] if shape.union else list(shape.members)
        return {name: _example(shape.members[name], depth + 1) for name in names}
    if shape.type == "list":
        return [_example(shape.member, depth + 1)]
    if shape.type == "map":
        return {_example(shape.key, depth + 1): _example(shape.value, depth + 1)}
    if shape.type == "string":
        if shape.enum:
            return shape.enum[-1]
        return "a" * max(shape.min or 1, 1)
    if shape.type == "boolean":
        return False
    if shape.type in ("double", "float"):
        return float(shape.min if shape.min is not None else 1)
    return shape.min if shape.min is not None else 1


def _variants(payload: Any) -> Iterator[Any]:
    """Copies of ``payload`` broken at one node each. Each node gets a few substitutes in turn, so that
    all of them are used across the payload while the number of copies stays near three per node."""
    for number, (path, value) in enumerate(_nodes(payload)):
        if not path:
            continue
        for offset in range(3):
            yield _replaced(payload, path, SUBSTITUTES[(3 * number + offset) % len(SUBSTITUTES)])
        parent = _at(payload, path[:-1])
        if isinstance(parent, dict):
            yield _edited(payload, path[:-1], lambda node, key=path[-1]: node.pop(key))
            yield _edited(payload, path[:-1], lambda node, key=path[-1]: node.__setitem__(str(key)[:-1] + "X", 1))
        if isinstance(value, list):
            yield _edited(payload, path, lambda node: node.extend(copy.deepcopy(node) * 60))
            yield _edited(payload, path, lambda node: node.clear())
        if isinstance(value, dict):
            yield _edited(payload, path, lambda node: node.__setitem__(7, "int key"))


def _nodes(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, path + (index,))


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _replaced(payload: Any, path: tuple, substitute: Any) -> Any:
    return _edited(payload, path[:-1], lambda node: node.__setitem__(path[-1], substitute))


def _edited(payload: Any, path: tuple, edit: Any) -> Any:
    result = copy.deepcopy(payload)
    edit(_at(result, path))
    return result


def _written_payloads() -> Iterator[tuple[str, str, Any]]:
    """The payloads k2ecs writes for every sample, the 10-workload benchmark bundle, and the corpus when present."""
    from converter.load.config import load_config
    from converter.pipeline.convert import convert
    from converter.load.loader import load_paths, parse_text

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import bundle
    finally:
        sys.path.remove(str(ROOT / "bench"))
    runs = [(parse_text(bundle(10, 9), "bench.yaml"), load_config(None))]
    for case in sample_cases():
        config = case / "k2ecs.yaml"
        runs.append((load_paths([str(case / "input")]), load_config(str(config) if config.is_file() else None)))
    if (CORPUS / "k8s").is_dir():
        from converter.load.inputs import load_inputs  # as the command line reads a folder (issue 18)

        runs.append((load_inputs([str(CORPUS / "k8s")]), load_config(None)))
    for documents, settings in runs:
        for output in convert(documents, settings).outputs:
            yield "ecs", "RegisterTaskDefinition", output.task_definition
            yield "ecs", "CreateService", output.service
            if output.scaling is not None:
                yield "application-autoscaling", "RegisterScalableTarget", output.scaling["scalableTarget"]
                for policy in output.scaling["scalingPolicies"]:
                    yield "application-autoscaling", "PutScalingPolicy", policy



@pytest.mark.parametrize("pattern", sorted({entry["pattern"] for service in load_schema(SHAPES_FILE)["services"].values()
                                            for entry in service["shapes"].values() if "pattern" in entry}
                                           | {r"[a-c-e]+", r"[^\u0080-\uFFFF]*", r"[^a-z\u00e9]+", r"[\-a\]]*", r"[-ab-]+",
                                              r"[\u00e9]x", r"x[\t\r\n ]y"}))
def test_patterns_cut_down_to_ascii_judge_ascii_values_alike(pattern, monkeypatch):
    """For ASCII values, ecs_shapes compiles each pattern with its classes cut to ASCII (compiling
    XmlString's class of all Unicode took 2.4 ms of every start); on ASCII text both must agree."""
    import random

    from converter.write.ecs import java_patterns

    ours = java_patterns.python_pattern.__wrapped__(pattern, ascii_only=True)
    monkeypatch.setattr(java_patterns, "_ascii_classes", lambda text: None)
    whole = java_patterns.python_pattern.__wrapped__(pattern, ascii_only=True)
    assert (ours is None) == (whole is None)
    if ours is None:
        return
    rng = random.Random(pattern)
    near = [c for c in pattern if c.isascii()] + list("aZ09-_.:/ \t")
    for _ in range(400):
        value = "".join(rng.choice(near) if rng.random() < 0.8 else chr(rng.randrange(128))
                        for _ in range(rng.randint(0, 12)))
        assert (ours.fullmatch(value) is None) == (whole.fullmatch(value) is None), value
