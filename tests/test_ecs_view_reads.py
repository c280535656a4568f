"""EcsView's one-read shortcuts give what the reads they replace give (issue 24): the same answers, the
same consumed paths (the no-silent-loss bookkeeping, and compare's rows, read them) and the same findings."""

from __future__ import annotations

from typing import Any

import pytest

from converter.core.document import Document
from converter.core.reader import Reader
from converter.load import loader
from converter.core.errors import InputError
from converter.read.ecs.intrinsics import Template, is_intrinsic
from converter.read.ecs.view import _MISSING, EcsView, _scalar

_TEMPLATE = ("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Cpu: '256'\n"
             "      PlacementConstraints: []\n      IpcMode: null\n      PidMode: {Ref: Mode}\n"
             "      ContainerDefinitions:\n      - Name: app\n        Links: [db]\n        Ulimits: {}\n"
             "        HealthCheck: {Command: [CMD, 'true']}\n")
_API = {"cpu": "256", "placementConstraints": [], "ipcMode": None, "pidMode": {"Ref": "Mode"},
        "containerDefinitions": [{"name": "app", "links": ["db"], "ulimits": {}, "healthCheck": {"command": ["CMD", "true"]}}]}
_PATHS = [("cpu",), ("placementConstraints",), ("ipcMode",), ("pidMode",), ("absent",), ("containerDefinitions", 0, "links"),
          ("containerDefinitions", 0, "ulimits"), ("containerDefinitions", 0, "healthCheck"),
          ("containerDefinitions", 0, "absent"), ("containerDefinitions", 3, "links"), ("nowhere", "deeper")]


def _views() -> list[tuple[EcsView, EcsView]]:
    """Two fresh views of each document: one read the old way, one with the shortcut."""
    [document] = loader.parse_text(_TEMPLATE, "t.yaml", cfn_tags=True, keep_last=False)
    pairs = []
    for make in (lambda: EcsView(Reader(document, "T"), ("Resources", "T", "Properties"), Template()),
                 lambda: EcsView(Reader(Document("t.json", 0, _API, 1, {}), "TaskDefinition/t"))):
        pairs.append((make(), make()))
    return pairs


@pytest.mark.parametrize("path", _PATHS)
def test_filled_or_taken_is_filled_else_take(path: tuple[Any, ...]) -> None:
    for before, after in _views():
        expected = before.filled(path)
        if not expected:
            before.take(path)
        assert after.filled_or_taken(path) is expected, path
        assert after.reader.consumed == before.reader.consumed, path
        assert after.reader.finish() == before.reader.finish(), path


def test_filled_or_taken_takes_only_what_is_not_filled() -> None:
    for _, view in _views():
        filled = [path for path in _PATHS if view.filled_or_taken(path)]
        assert filled == [("cpu",), ("pidMode",), ("containerDefinitions", 0, "links"), ("containerDefinitions", 0, "healthCheck")]
        assert {view.spell(path) for path in _PATHS if path not in filled} == view.reader.consumed


def _get_reading_twice(view: EcsView, path: tuple[Any, ...], *types: type, default: Any = None) -> Any:
    """EcsView.get as it was before it read each value once: the reference its shortcut is held to."""
    spelled = view.spell(path)
    if view.template is not None:
        value = view.reader.raw(spelled, _MISSING)
        if value.__class__ is not str and is_intrinsic(value):
            return view._resolved(path, value, types, default)
        if types and str not in types and isinstance(value, str):
            coerced = _scalar(value, types)
            if coerced is not None:
                view.reader.take(spelled)
                return coerced
    return view.reader.get(spelled, *types, default=default)


_TYPES = [(), (str,), (int,), (bool,), (str, int, float, bool), (dict,), (list,), (int, float)]
_GET_PATHS = _PATHS + [("containerDefinitions", 0, "name"), ("containerDefinitions", 0, "healthCheck", "command", 0),
                       ("containerDefinitions", 0, "links", 0), ("containerDefinitions",)]


@pytest.mark.parametrize("types", _TYPES, ids=[",".join(t.__name__ for t in types) or "any" for types in _TYPES])
def test_get_reads_once_what_reading_twice_gave(types: tuple[type, ...]) -> None:
    for before, after in _views():
        for path in _GET_PATHS:
            try:
                expected: Any = ("value", _get_reading_twice(before, path, *types, default="d"))
            except InputError as err:
                expected = ("error", str(err), err.line)
            try:
                got: Any = ("value", after.get(path, *types, default="d"))
            except InputError as err:
                got = ("error", str(err), err.line)
            assert got == expected and type(got[1]) is type(expected[1]), (path, types)
            assert after.reader.consumed == before.reader.consumed, (path, types)
        assert after.reader.finish() == before.reader.finish(), types
