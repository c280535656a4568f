"""ParseContext.lookup: a reference finds the object of its namespace, else the first of its kind and name in
input order; the fallback is indexed (issue 24), not a scan of every referenced object."""

from __future__ import annotations

import random

from converter.core.reader import Reader
from converter.core.settings import Settings
from converter.read.kubernetes.context import ParseContext, Referenced


def _scan(referenced: dict, kind: str, namespace, name: str):
    """The rule as a scan of ``referenced`` in its order (what lookup did before it was indexed)."""
    found = referenced.get((kind, namespace, name))
    if found is None:
        found = next((candidate for (k, _, n), candidate in referenced.items() if k == kind and n == name), None)
    return found


def test_lookup_agrees_with_a_scan_in_input_order_through_adds_and_removes():
    rng = random.Random(24)
    context = ParseContext(settings=Settings())
    kinds, namespaces, names = ("ConfigMap", "Secret", "ServiceAccount"), (None, "a", "b", "c"), ("x", "y", "z")
    for _ in range(2000):
        identity = (rng.choice(kinds), rng.choice(namespaces), rng.choice(names))
        if rng.random() < 0.4:
            context.remove(identity)  # what a later declaration of the same object does (intake, K2E-E007)
        elif rng.random() < 0.7:
            context.add(identity, Referenced(reader=Reader({}, "ConfigMap/x")))
        else:
            assert context.lookup(*identity) is _scan(context.referenced, *identity)
    assert {key for same in context.by_name.values() for key in same} == set(context.referenced)


def test_a_context_built_from_referenced_objects_indexes_them():
    first, second = Referenced(reader=Reader({}, "ConfigMap/x")), Referenced(reader=Reader({}, "ConfigMap/x"))
    context = ParseContext(settings=Settings(), referenced={("Secret", "b", "db"): first, ("Secret", "a", "db"): second})
    assert context.lookup("Secret", None, "db") is first and first.used and not second.used
    assert context.lookup("Secret", "a", "db") is second
    assert context.lookup("Secret", "a", "other") is None


class _NoScan(dict):
    def items(self):  # pragma: no cover - failing is the point
        raise AssertionError("lookup scanned every referenced object")

    def __iter__(self):  # pragma: no cover
        raise AssertionError("lookup scanned every referenced object")


def test_a_reference_to_an_object_not_in_the_input_does_not_scan_the_others():
    context = ParseContext(settings=Settings())
    for index in range(1000):
        context.add(("ConfigMap", "team", f"config-{index}"), Referenced(reader=Reader({}, "ConfigMap/x")))
    context.referenced = _NoScan(context.referenced)
    assert context.lookup("ServiceAccount", "team", "missing") is None
    assert context.lookup("ConfigMap", None, "config-7") is not None
