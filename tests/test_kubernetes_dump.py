"""converter.write.kubernetes.dump: the manifests written as PyYAML's dumper (libyaml's emitter) writes them,
byte for byte, on k2ecs's manifests and on documents made to find where the two could differ."""

from __future__ import annotations

import random
from typing import Any

import pytest
import yaml

from converter.write.kubernetes import dump
from tests.test_reverse_validation import DOCUMENTS


def _by_dumper(documents: list[Any]) -> str:
    return "".join("---\n" + yaml.dump(document, **dump._OPTIONS) for document in documents)


STRINGS = [
    "", " ", "a", "a b", "a  b", " a", "a ", "a:", "a:b", "a: b", "a #b", "a#b", "#a", "-a", "- a", "-", "?", "? a", ":a",
    "/healthz", "http://x:80/y?z=1&w", "registry.example.com/shop/frontend:v0.5.3", "app.kubernetes.io/name",
    "curl -fsS http://localhost:8080/healthz || exit 1", "true", "True", "TRUE", "yes", "No", "on", "OFF", "y", "n",
    "null", "Null", "~", "0", "8080", "-1", "+1", "1.5", "1e3", "1.0e+3", ".5", ".inf", ".nan", "0x1f", "0o17", "0b1",
    "1_000", "1:30", "2024-01-01", "2024-01-01T00:00:00Z", "=", "<<", "a,b", "[a]", "{a}", "a[0]", "a{b}", "*a", "&a",
    "!a", "%a", "@a", "`a", "'a'", '"a"', "a'b", 'a"b', "a\\b", "é", "日本", "a\tb", "a\nb", "a\n", "\na", "a\n\nb",
    "until nc -z db 5432; do sleep 2; done\n", "\x7f", "\x85", "\u2028", "\ufeff", "a" * 128, "a" * 129, "a" * 300,
    "a=b", "a+b", "a@b", "a,", "a b c", "A/B", "x-y_z.w", "Always", "ClusterIP", "TCP", "e" * 5 + ":" + "f",
]
SCALARS = STRINGS + [0, 1, -7, 2**70, 1.5, -0.0, 1e20, 3e-7, float("inf"), float("nan"), True, False, None]


@pytest.mark.parametrize("documents", [DOCUMENTS], ids=["samples"])
def test_k2ecs_manifests_are_written_as_the_dumper_writes_them(documents: list[Any]) -> None:
    assert dump.dump_documents(documents) == _by_dumper(documents)


@pytest.mark.parametrize("scalar", SCALARS, ids=range(len(SCALARS)))
def test_each_scalar_as_key_value_and_item(scalar: Any) -> None:
    documents = [
        {"k": scalar, "list": [scalar, [scalar, scalar], {"in": scalar}], "map": {"deep": {"k": scalar}}},
        {"k": [{"a": scalar, "b": [scalar]}], "e": [], "f": {}},
    ]
    if isinstance(scalar, str) or scalar is None or isinstance(scalar, (int, float)):
        documents.append({scalar: 1, "x": {scalar: [scalar]}})
    assert dump.dump_documents(documents) == _by_dumper(documents)


def _node(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.5:
        return rng.choice(SCALARS)
    if roll < 0.8:
        return {rng.choice(STRINGS[:60]) if rng.random() < 0.3 else f"key{index}": _node(rng, depth + 1)
                for index in range(rng.randrange(0, 4))}
    return [_node(rng, depth + 1) for _ in range(rng.randrange(0, 4))]


@pytest.mark.parametrize("seed", range(40))
def test_generated_documents(seed: int) -> None:
    rng = random.Random(seed)
    documents = [{"apiVersion": "v1", "kind": "Thing", "spec": _node(rng, 1), "more": _node(rng, 1)} for _ in range(3)]
    assert dump.dump_documents(documents) == _by_dumper(documents)


def test_most_scalars_are_written_without_asking_the_dumper(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Any] = []
    real = dump._written
    monkeypatch.setattr(dump, "_written", lambda node, before, after: asked.append(node) or real(node, before, after))
    dump.dump_documents(DOCUMENTS * 3)
    scalars = sum(1 for document in DOCUMENTS for _ in _leaves(document))
    assert len(asked) < scalars // 10  # each other scalar once per run, not once per use
    assert dump._plain("registry.example.com/shop/frontend:v0.5.3") and not dump._plain("8080")


def _leaves(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _leaves(value)
    elif isinstance(node, list):
        for item in node:
            yield from _leaves(item)
    else:
        yield node
