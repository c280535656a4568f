"""Issue 24: the sets of paths each reader read, held from parsing to rendering as tuples (Reader.freeze).

`convert --to k8s` parses every ECS document before it links the first (a service finds its task definition
anywhere in the input), so the peak of a large run is the end of parsing, and each reader's two sets of paths
were 3.8 MB of it at 1 MB of input (tuples: 0.6 MB). Bounded by what is held (readers holding a set, counted
through a hook), never by time; the findings and outputs compared with a run that freezes nothing."""

from __future__ import annotations

import json

import pytest

from converter.core.document import Document
from converter.core.reader import Reader
from converter.load.inputs import load_inputs
from converter.load.loader import parse_text
from converter.pipeline.reverse import convert_to_kubernetes
from tests.reverse_support import ecs_sample_cases
from tests.test_reverse_held import _TEMPLATE, _as_dicts, _policy, _target, _workloads

CASES = ecs_sample_cases()


def _thawed(readers) -> int:
    return sum(reader.consumed.__class__ is set for reader in readers)


def _spied(monkeypatch):
    """The run's source records as they are made, and a count of the readers holding sets at each hook."""
    from converter.pipeline import reverse

    sources, at_link, at_render = [], [], []
    real_record, real_link, real_render = reverse._record, reverse._link_and_render, reverse._render

    def link(parsed, *rest):
        at_link.append(_thawed(record.reader for record in sources))
        return real_link(parsed, *rest)

    def render(task, *rest):
        at_render.append(_thawed(record.reader for record in sources))
        return real_render(task, *rest)

    monkeypatch.setattr(reverse, "_record", lambda piece: sources.append(real_record(piece)) or sources[-1])
    monkeypatch.setattr(reverse, "_link_and_render", link)
    monkeypatch.setattr(reverse, "_render", render)
    return sources, at_link, at_render


def test_no_reader_holds_a_set_of_paths_when_linking_starts_and_one_workload_at_a_time_while_rendering(monkeypatch):
    sources, at_link, at_render = _spied(monkeypatch)
    documents = parse_text(json.dumps(_workloads(12), indent=1), "t.json", cfn_tags=True)
    result = convert_to_kubernetes(documents, as_text=True, release=True)
    assert len(result.outputs) == 12 and len(sources) == 12 * 4 + 1  # service, task, target, policy; the wrapper
    assert at_link == [0]
    # while workload k renders, its four readers are thawed: the earlier ones are released, the later still frozen
    assert at_render == [4] * 12
    assert all(source.reader.released for source in result.sources)


@pytest.mark.parametrize("release", [False, True], ids=["kept", "released"])
def test_freezing_finds_and_writes_what_a_run_that_freezes_nothing_does(monkeypatch, release):
    """Every ECS sample, and the loose links of a describe dump and a template (a task two services run, tasks no
    service runs, targets and policies noted after the services, K2E-I724 noted in a policy as its service renders,
    conditions): the same findings, statuses and outputs with the paths frozen between parsing and rendering."""
    dump = {"taskDefinitions": [{"family": "web", "revision": 1, "taskRoleArn": "arn:aws:iam::1:role/web",
                                 "containerDefinitions": [{"name": "app", "image": "nginx", "odd": 1,
                                                           "portMappings": [{"containerPort": 80, "name": "http"}]}]},
                                {"family": "alone", "containerDefinitions": [{"name": "a", "image": "busybox"}]}],
            "services": [{"serviceName": "web", "taskDefinition": "web:1", "desiredCount": 0, "odd": 1,
                          "deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 50}},
                         {"serviceName": "web-b", "taskDefinition": "web", "serviceConnectConfiguration": {
                             "enabled": True, "namespace": "ns", "services": [{"portName": "nope", "clientAliases": [{"port": 80}]}]}},
                         {"serviceName": "gone", "taskDefinition": "nowhere"}],
            "ScalableTargets": [_target("web-b", 0), _target("gone"), _target("nobody")],
            "ScalingPolicies": [_policy("web-b", "b"), _policy("gone", "g"), _policy("nobody", "n")]}

    def inputs():
        yield parse_text(json.dumps(dump, indent=1), "dump.json", cfn_tags=True) + parse_text(_TEMPLATE, "stack.yaml", cfn_tags=True)
        for case in CASES:
            yield load_inputs([str(case / "input")], cfn_tags=True)

    frozen = [convert_to_kubernetes(documents, as_text=True, release=release) for documents in inputs()]
    monkeypatch.setattr(Reader, "freeze", lambda self: None)
    plain = [convert_to_kubernetes(documents, as_text=True, release=release) for documents in inputs()]
    assert len(frozen) == len(CASES) + 1 and any(result.outputs for result in frozen)
    for one, other in zip(frozen, plain):
        assert _as_dicts(one.findings) == _as_dicts(other.findings)
        assert [(s.resource, s.status) for s in one.sources] == [(s.resource, s.status) for s in other.sources]
        assert [(o.name, o.inputs, o.text) for o in one.outputs] == [(o.name, o.inputs, o.text) for o in other.outputs]


def _reader() -> Reader:
    data = {"a": 1, "b": {"c": 2, "d": [3, 4]}, "e": "x"}
    reader = Reader(Document("f.json", 0, data, 1, {}), "R")
    reader.get(("a",))
    reader.mapping(("b",))
    reader.get(("b", "c"))
    return reader


def test_a_frozen_reader_finishes_as_it_would_and_a_note_thaws_it():
    frozen, plain = _reader(), _reader()
    sets = (set(frozen.consumed), set(frozen.visited))
    frozen.freeze()
    assert frozen.consumed.__class__ is tuple and frozen.visited.__class__ is tuple
    assert (set(frozen.consumed), set(frozen.visited)) == sets
    frozen.note(("e",), "K2E-I703", "named")  # covers: the paths are a set again, with ("e",) in it
    plain.note(("e",), "K2E-I703", "named")
    assert frozen.consumed == sets[0] | {("e",)} and frozen.visited == sets[1]
    frozen.freeze()
    assert [f.as_dict() for f in frozen.finish()] == [f.as_dict() for f in plain.finish()]
    assert any(f.code == "K2E-W901" for f in plain.findings)  # b/d is not read: the catch-all names it
    frozen.thaw()
    with pytest.raises(AttributeError):  # a read between freeze() and thaw() fails at once, not silently
        frozen.freeze()
        frozen.get(("b", "d"))
