"""EcsView's one-read shortcuts give what the reads they replace give (issue 24): the same answers, the
same consumed paths (the no-silent-loss bookkeeping, and compare's rows, read them) and the same findings."""

from __future__ import annotations

from typing import Any

import pytest

from converter.core.document import Document
from converter.core.reader import Reader
from converter.load import loader
from converter.read.ecs.intrinsics import Template
from converter.read.ecs.view import EcsView

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
