"""CloudFormation templates (ECS input, ``cfn_tags``) built by converter.load.yaml_tree, and the alias limit
that costs nothing without an anchor (issue 24: loading a 16 MB template was a third of --to k8s).

Every template here is loaded twice, once as converter.load.loader does it and once with the direct builder
turned off (shape_problem, yaml_cfn.long_form_intrinsics and the loader's constructor), and the two
must give the same documents or the same error. The work-bounded tests count calls with spies.
"""

from __future__ import annotations

from typing import Any

import pytest

from converter.load import loader, yaml_cfn, yaml_limits, yaml_line_loader, yaml_tree
from converter.core.errors import InputError
from tests.helpers import SAMPLES
from tests.test_yaml_tree import _both as _both_ways


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    return _both_ways(text, monkeypatch, name="template.yaml", cfn_tags=True, keep_last=False)


TEMPLATES = {
    "ref scalar": "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: !Ref Name\n",
    "a number and a boolean after a tag stay strings": "a: !Ref 5\nb: !Ref true\nc: !Ref\n",
    "sub with a list": "a: !Sub\n  - '${X}-y'\n  - X: !Ref Y\n",
    "getatt and join nested": "a: !Join ['', [!Ref A, '-', !GetAtt B.Arn, !Select [0, !GetAZs '']]]\n",
    "if with a mapping inside": "a: !If [Cond, {x: !Ref Y, z: 1}, !Ref AWS::NoValue]\n",
    "tagged mapping": "a: !Base64 {Fn::Sub: x}\nb: !Equals [1, 1]\n",
    "tagged sequence items": "a:\n- !Ref X\n- !Sub y\n- plain\n- 3\n",
    "tagged root": "!Ref X\n",
    "tagged mapping root": "!If\nx: 1\n",
    "tagged key": "!Ref a: b\n",
    "unknown tag": "a: !Custom x\n",
    "unknown tag on a sequence": "a: !Custom [x]\n",
    "duplicate key": "a: !Ref X\nb: 1\na: 2\n",
    "core tags beside short ones": "a: !!int '3'\nb: !!str 4\nc: !Ref d\n",
    "anchor and alias": "a: &x !Ref X\nb: *x\nc: !Sub y\n",
    "ampersand in a value": "a: !Sub 'http://x/?a=${A}&b=1'\nb: !Ref B\n",
    "json": '{"a": {"Ref": "X"}, "b": [1, 2.5, true, null]}\n',
    "long mapping of tags": "".join(f"k{n}: !Ref V{n}\n" for n in range(40)),
    "intrinsic in a long mapping's value": "a:\n" + "".join(f"  k{n}: !Sub v{n}\n" for n in range(20)),
}


@pytest.mark.parametrize("text", list(TEMPLATES.values()), ids=list(TEMPLATES))
def test_templates_load_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    direct, constructed = _both(text, monkeypatch)
    assert direct == constructed


def test_the_sample_stack_loads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (SAMPLES / "ecs-cloudformation-stack" / "input" / "catalog-stack.yaml").read_text(encoding="utf-8")
    direct, constructed = _both(text, monkeypatch)
    assert direct == constructed and "Ref" in repr(direct)


@pytest.mark.parametrize("levels", [yaml_limits.MAX_DEPTH - 3, yaml_limits.MAX_DEPTH - 2, yaml_limits.MAX_DEPTH - 1,
                                    yaml_limits.MAX_DEPTH, yaml_limits.MAX_DEPTH + 1])
@pytest.mark.parametrize("inside", ["!Ref x", "[!Ref x]", "!Join ['', [!Ref x]]", "plain"])
def test_depth_near_the_limit_with_tags_is_decided_as_before(levels: int, inside: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: " + "[" * levels + inside + "]" * levels + "\n"
    direct, constructed = _both(text, monkeypatch)
    assert direct == constructed


def _spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    calls: list[Any] = []
    real = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def _template(resources: int) -> str:
    return "Resources:\n" + "".join(
        f"  R{n}:\n    Type: AWS::ECS::Service\n    Properties:\n      Cluster: !Ref Cluster\n"
        f"      TaskDefinition: !GetAtt [T{n}, Arn]\n      Name: !Sub '${{AWS::StackName}}-{n}'\n" for n in range(resources))


def test_an_anchor_free_template_takes_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """No limit walk, no rewrite walk, no constructor: the builder alone reads the template."""
    walks = {name: _spy(monkeypatch, module, name) for module, name in (
        (loader, "shape_problem"), (loader, "long_form_intrinsics"))}
    constructor = _spy(monkeypatch, yaml_line_loader.LineLoader, "construct_document")
    [document] = loader.parse_text(_template(50), "t.yaml", cfn_tags=True, keep_last=False)
    assert document.data["Resources"]["R7"]["Properties"]["TaskDefinition"] == {"Fn::GetAtt": ["T7", "Arn"]}
    assert walks == {"shape_problem": [], "long_form_intrinsics": []} and constructor == []


def test_an_anchored_template_still_goes_through_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    shape = _spy(monkeypatch, loader, "shape_problem")
    rewrite = _spy(monkeypatch, loader, "long_form_intrinsics")
    [document] = loader.parse_text("a: &x !Ref X\nb: *x\n", "t.yaml", cfn_tags=True, keep_last=False)
    assert document.data == {"a": {"Ref": "X"}, "b": {"Ref": "X"}}
    assert len(shape) == 1 and len(rewrite) == 1


def test_without_an_anchor_the_expansion_walk_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document past the node bound of within_limits, with no alias, is checked for depth only; the
    memoised expansion walk ran on every node of a 16 MB template though it could not find anything."""
    monkeypatch.setattr(yaml_limits, "MAX_EXPANDED_NODES", 100)
    expansion = _spy(monkeypatch, yaml_limits, "_expansion_problem")
    # a duplicate key makes the builder give up, so the loader's constructor reports it after the limits
    text = _template(30) + "Resources: again\n"
    with pytest.raises(InputError, match="duplicate key 'Resources'"):
        loader.parse_text(text, "t.yaml", cfn_tags=True, keep_last=False)
    assert expansion == []
    # the same bound still sends a document with an anchor to the exact walk, which finds the bomb
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(InputError, match="alias bomb"):
        loader.parse_text(bomb, "bomb.yaml")
    assert len(expansion) == 1


def test_within_limits_without_counting_still_checks_depth() -> None:
    import yaml
    deep = yaml.compose("a: " + "[" * (yaml_limits.MAX_DEPTH + 1) + "]" * (yaml_limits.MAX_DEPTH + 1))
    assert yaml_limits.within_limits(deep, count_nodes=False) is False
    assert yaml_limits.shape_problem(deep, aliases=False) == f"nesting deeper than {yaml_limits.MAX_DEPTH} levels"
    assert yaml_cfn.CFN_SHORT_TAGS["!Ref"] == "Ref"


def test_an_ecs_view_spells_each_path_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """EcsView.spell ran twice per get, mapping and sequence (raw, then the Reader call): 1.64 million
    calls for a 16 MB template. Each now spells once and passes the spelling on, with the same answers."""
    from converter.read.ecs.intrinsics import Template
    from converter.read.ecs.view import EcsView
    from converter.core.reader import Reader
    text = ("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Cpu: '256'\n"
            "      PlacementStrategies: [{Type: spread}]\n      ContainerDefinitions:\n      - Name: app\n"
            "        LogConfiguration: {Options: {awslogs-group: g}}\n")
    [document] = loader.parse_text(text, "t.yaml", cfn_tags=True, keep_last=False)
    view = EcsView(Reader(document, "T"), ("Resources", "T", "Properties"), Template())
    spelled = _spy(monkeypatch, EcsView, "spell")
    assert view.get(("cpu",), int) == 256 and len(spelled) == 1
    assert [item for _, item in view.sequence(("placementStrategy",))] == [{"Type": "spread"}] and len(spelled) == 2
    assert view.mapping(("containerDefinitions", 0, "logConfiguration", "options")) == {"awslogs-group": "g"}
    assert len(spelled) == 3
    assert view.get(("containerDefinitions", 0, "name"), str) == "app" and len(spelled) == 4


def test_spelled_paths_are_kept_whole_per_base_and_never_serve_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """EcsView.spell keeps each spelled path with its base (one lookup per read, no concatenation): two
    views with different bases never share an answer, a Key step (data, never respelled) is not answered
    by the cached spelling of the equal plain path, and a change of the spelling tables is seen."""
    from converter.read.ecs import view as view_module
    from converter.read.ecs.intrinsics import Template
    from converter.read.ecs.view import EcsView, Key
    from converter.core.reader import Reader
    text = ("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: web\n"
            "      ContainerDefinitions:\n      - Name: app\n        DockerLabels: {family: x}\n")
    [document] = loader.parse_text(text, "t.yaml", cfn_tags=True, keep_last=False)
    reader = Reader(document, "T")
    under_properties = EcsView(reader, ("Resources", "T", "Properties"), Template())
    under_resource = EcsView(reader, ("Resources", "T"), Template())
    assert under_properties.spell(("family",)) == ("Resources", "T", "Properties", "Family")
    assert under_resource.spell(("family",)) == ("Resources", "T", "Family")
    assert under_properties.spell(("family",)) == ("Resources", "T", "Properties", "Family")  # from the cache
    labels = ("containerDefinitions", 0, "dockerLabels")
    assert under_properties.spell(labels + ("family",))[-1] == "Family"  # a member: respelled, and cached
    assert under_properties.spell(labels + (Key("family"),))[-1] == "family"  # data: as written
    assert under_properties.get(labels + (Key("family"),), str) == "x"
    monkeypatch.setitem(view_module.CFN_NAMES, "family", "FamilyName")
    renamed = EcsView(reader, ("Resources", "T", "Properties"), Template())
    assert renamed.spell(("family",)) == ("Resources", "T", "Properties", "FamilyName")
