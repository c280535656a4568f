"""converter.load.yaml_resources: a template built resources-part by part is what the whole text gives.

Every template here is loaded twice with the part size and the threshold made small (so a few lines make
several parts): once as converter.load.loader does it, and once with the parts turned off, and the two
must give the same documents (data with its types, lines, line tables) or the same error. Other tests pin
which texts are built in parts, so the comparisons are not vacuous.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from converter.load import loader, yaml_limits, yaml_resources
from tests.helpers import CORPUS, SAMPLES
from converter.core.document import Unreadable
from converter.core.errors import InputError
from tests.test_yaml_tree import EXAMPLES, _outcome, _tables, _typed


def _resource(name: str, body: str = "") -> str:
    return (f"  {name}:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: !Sub '${{AWS::StackName}}-{name}'\n"
            f"      Cpu: '256'\n      ContainerDefinitions:\n        - Name: app\n          Image: !Ref Image\n"
            f"          Environment:\n            - {{Name: A, Value: !GetAtt Db.Endpoint.Address}}\n{body}")


_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Image: {Type: String, Default: nginx}\n"
_MANY = "".join(_resource(f"Task{n}") for n in range(30))

TEMPLATES = {
    "plain": _HEAD + "Resources:\n" + _MANY,
    "outputs after": _HEAD + "Resources:\n" + _MANY + "Outputs:\n  X:\n    Value: !Ref Task1\n",
    "comments and blank lines": _HEAD + "Resources:  # the stack\n\n# first\n" + _MANY.replace("  Task7:", "\n# seven\n  Task7:")
    + "\n\n",
    "first line offset": "\n\n" + _HEAD + "Resources:\n" + _MANY,
    "more than 16 resources and few": _HEAD + "Resources:\n" + "".join(_resource(f"T{n}") for n in range(17)),
    "four-space indentation": _HEAD + "Resources:\n" + _MANY.replace("\n  ", "\n    ").replace("  Task0", "    Task0", 1),
    "a kept block scalar before a cut": _HEAD + "Resources:\n" + "".join(
        _resource(f"T{n}", "      Description: |+\n        text\n\n\n") for n in range(20)),
    "a quoted string over a cut line": _HEAD + "Resources:\n" + _MANY.replace(
        "  Task9:", "  Task8b:\n    Type: X\n    Properties:\n      A: \"first\n  Task9: not a key\"\n  Task9:"),
    "a flow list over a cut line": _HEAD + "Resources:\n" + _MANY.replace(
        "  Task9:", "  Task8b:\n    Type: X\n    Properties: [a,\n  Task9, b]\n  Task9:"),
    "a duplicate resource": _HEAD + "Resources:\n" + _MANY + _resource("Task0"),
    "an anchor and an alias": _HEAD + "Resources:\n" + _MANY.replace("Cpu: '256'", "Cpu: &c '256'", 1)
    .replace("Cpu: '256'\n      ContainerDefinitions:\n        - Name: app\n          Image: !Ref Image\n"
             "          Environment:\n            - {Name: A, Value: !GetAtt Db.Endpoint.Address}\n  Task29", "Cpu: *c\n  Task29"),
    "an alias to nothing": _HEAD + "Resources:\n" + _MANY.replace("Cpu: '256'", "Cpu: *nothing", 1),
    "a syntax error in a resource": _HEAD + "Resources:\n" + _MANY.replace("Image: !Ref Image", "Image: [unclosed", 1),
    "a quoted resource key inside a part": _HEAD + "Resources:\n" + _MANY.replace("  Task5:", "  \"Task5\":"),
    "quoted resource keys": _HEAD + "Resources:\n" + _MANY.replace("\n  Task", "\n  'Task").replace("  Task0", "  'Task0")
    .replace(":\n    Type", "':\n    Type"),
    "a sequence under Resources": _HEAD + "Resources:\n" + "".join(f"  - {n}\n" for n in range(200)),
    "Resources null": _HEAD + "Resources:\nOutputs: {}\n" + "# pad\n" * 200,
    "Resources twice": _HEAD + "Resources:\n" + _MANY + "Resources:\n" + _resource("Again"),
    "Resources first and a flow Resources": "Resources:\n" + _MANY + "Resources: {}\n",
    "Resources as a flow mapping": _HEAD + "Resources: {\n" + _MANY.replace("\n", ",\n") + "}\n",
    "two documents": _HEAD + "Resources:\n" + _MANY + "---\nResources:\n" + _resource("Again"),
    "a tab-indented line": _HEAD + "Resources:\n" + _MANY + "\tTab: 1\n",
    "a key less indented than the resources": _HEAD + "Resources:\n" + _MANY.replace("  Task9:", " Task9:"),
    "a top-level key that is not plain": _HEAD + "Resources:\n" + _MANY + "\"Outputs\": {}\n",
    "a CRLF text": (_HEAD + "Resources:\n" + _MANY).replace("\n", "\r\n"),
    "a json template": '{"Resources": {' + ", ".join(f'"T{n}": {{"Type": "X"}}' for n in range(200)) + "}}\n",
}
_IN_PARTS = {"plain", "outputs after", "comments and blank lines", "first line offset", "more than 16 resources and few",
             "four-space indentation", "a kept block scalar before a cut", "a quoted resource key inside a part"}


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_resources, "MIN_BYTES", 200)
    monkeypatch.setattr(yaml_resources, "PART_BYTES", 300)


def _both(text: str, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[Any, Any]:
    options = {"cfn_tags": True, "keep_last": False, **options}
    in_parts = _outcome(text, "template.yaml", **options)
    with monkeypatch.context() as patch:
        patch.setattr(loader, "build_by_resources", lambda *args: None)
        whole = _outcome(text, "template.yaml", **options)
    return in_parts, whole


@pytest.mark.parametrize("text", list(TEMPLATES.values()), ids=list(TEMPLATES))
def test_templates_load_the_same(text: str, small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    in_parts, whole = _both(text, monkeypatch)
    assert in_parts == whole


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_which_templates_are_built_in_parts(name: str, small_parts: None) -> None:
    built = yaml_resources.build_by_resources(TEMPLATES[name], 1, loader.CFN_SHORT_TAGS)
    assert (built is not None) is (name in _IN_PARTS)
    if built is not None:
        assert len(yaml_resources._parts(TEMPLATES[name], *_span(TEMPLATES[name]))) > 3  # really several parts


def _span(text: str) -> tuple[int, int, int]:
    start = yaml_resources._RESOURCES_LINE.match(text, yaml_resources._resources_lines(text)[0]).end()
    top = yaml_resources._TOP_LINE.search(text, start - 1)
    end = len(text) if top is None else top.start() + 1
    return start, end, yaml_resources._key_indent(text, start, end)


def test_a_part_of_a_file_keeps_the_file_lines(small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    in_parts, whole = _both(TEMPLATES["plain"], monkeypatch, first_line=40, first_index=3)
    assert in_parts == whole and in_parts[0][1] == 40


def test_isolated_reading_is_the_same(small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # read_text's way (ECS input): a document that cannot be built is an Unreadable in the list
    def outcome(text: str) -> Any:
        try:
            documents = loader.read_text(text, "template.yaml", cfn_tags=True)
        except InputError as err:
            return ("error", str(err), err.line)
        return [("unreadable", str(d.error), d.error.line, d.index, d.guess) if isinstance(d, Unreadable) else
                (d.index, d.line, d.prefix, _typed(d.data), _tables(d)) for d in documents]

    for name, text in TEMPLATES.items():
        in_parts = outcome(text)
        with monkeypatch.context() as patch:
            patch.setattr(loader, "build_by_resources", lambda *args: None)
            assert in_parts == outcome(text), name


@pytest.mark.parametrize("spare", [0, 1, 2])
def test_the_nesting_limit_counts_the_levels_above_a_part(spare: int, small_parts: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # The resource's Properties hold lists nested to just under, at and past the limit, counted from the
    # document's root (root mapping, Resources, the resource, Properties, then the lists).
    depth = yaml_limits.MAX_DEPTH - 4 + spare
    deep = "      Deep: " + "[" * depth + "]" * depth + "\n"
    text = _HEAD + "Resources:\n" + _MANY.replace("  Task3:", "  Deep:\n    Type: X\n    Properties:\n" + deep + "  Task3:")
    in_parts, whole = _both(text, monkeypatch)
    assert in_parts == whole


def test_the_sample_and_corpus_templates_load_the_same(small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [SAMPLES / "ecs-cloudformation-stack" / "input" / "catalog-stack.yaml"]
    paths += sorted(CORPUS.glob("ecs/**/*.yaml")) if (CORPUS / "ecs").is_dir() else []
    built = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        in_parts, whole = _both(text, monkeypatch)
        assert in_parts == whole, path
        built += yaml_resources.build_by_resources(text, 1, loader.CFN_SHORT_TAGS) is not None
    assert built >= 1


def test_kubernetes_input_is_never_built_in_parts(small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(loader, "build_by_resources", lambda *args: calls.append(args))
    loader.parse_text(_HEAD + "Resources:\n" + "".join(f"  K{n}:\n    a: 1\n" for n in range(200)), "t.yaml")
    assert calls == []


# Resource texts, some with lines indented as the resources' keys inside a scalar or a flow collection
# (where a cut must not be made, or must leave a part that does not parse), for the property test below.
_SNIPPETS = [
    _resource("{name}"),
    "  {name}:\n    Type: X\n    Properties:\n      A: \"two\n  {name}x: lines\"\n",
    "  {name}:\n    Type: X\n    Properties:\n      A: 'single\n\n  quoted: {name}'\n",
    "  {name}:\n    Type: X\n    Properties: [a,\n  {name}: b]\n",
    "  {name}:\n    Type: X\n    Properties: {a: 1,\n  {name}: 2}\n",
    "  {name}:\n    Type: X\n    Properties:\n      S: |-\n        text\n\n      K: >+\n        folded\n\n\n",
    "  {name}:\n    Type: X\n    Properties:\n      Plain: a\n        continued\n",
    "# a comment\n  {name}: !Ref Other\n",
    "  {name}:\n    Type: X\n    Properties:\n      L:\n      - !Sub '${A}'\n      - {Ref: B}\n",
]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.sampled_from(range(len(_SNIPPETS))), min_size=1, max_size=30), part=st.integers(1, 400),
       outputs=st.booleans())
def test_any_template_of_these_resources_loads_the_same(picks: list[int], part: int, outputs: bool,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_resources, "MIN_BYTES", 0)
    monkeypatch.setattr(yaml_resources, "PART_BYTES", part)
    text = _HEAD + "Resources:\n" + "".join(_SNIPPETS[pick].replace("{name}", f"R{n}") for n, pick in enumerate(picks))
    text += "Outputs:\n  O: {Value: 1}\n" if outputs else ""
    in_parts, whole = _both(text, monkeypatch)
    assert in_parts == whole
