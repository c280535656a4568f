"""Start-up stays cheap (issue 9): what `k2ecs convert` imports and defines, and the records that replaced dataclasses.

No timings here (they drift on shared machines; bench/startup.py measures start-up, bench/run.py the paths): these tests break when the
laziness the start-up depends on regresses. A child process runs `k2ecs convert` on Kubernetes input and
reports the modules it imported and the converter classes that went through ``dataclasses``; every
record class is checked against the dataclass it stands for.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from converter.core.record import MutableRecord, Record
from tests.helpers import ROOT, SAMPLES

# Run in the child: convert with the real CLI, then write what was imported and which converter classes
# dataclasses processed.
CHILD = """
import atexit, dataclasses, json, runpy, sys
processed = []
original = dataclasses._process_class
def counting(cls, *args, **kwargs):
    processed.append(cls.__module__ + "." + cls.__qualname__)
    return original(cls, *args, **kwargs)
dataclasses._process_class = counting
out, sys.argv = sys.argv[1], ["k2ecs", *sys.argv[2:]]
def report():
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"modules": sorted(sys.modules), "dataclasses": processed}, handle)
atexit.register(report)
runpy.run_module("converter", run_name="__main__", alter_sys=True)
"""

# The modules whose value classes are records (converter.core.record), no longer dataclasses.
RECORD_MODULES = ("converter.core.model", "converter.core.model_exposure", "converter.core.settings", "converter.core.code_info", "converter.report.baseline",
                  "converter.read.kubernetes.container_env", "converter.read.kubernetes.context", "converter.read.kubernetes.hpa_behavior",
                  "converter.read.kubernetes.metadata", "converter.rules.rollout",
                  "converter.rules.exposure.forward", "converter.rules.resources.forward", "converter.write.ecs.taskdef",
                  "converter.read.ecs.detect", "converter.read.ecs.intrinsics", "converter.pipeline.calls",
                  "converter.read.kubernetes.injection")


# Imported by `k2ecs convert` on Kubernetes input: never (heavy, or needed only for other input or commands).
NEVER_FOR_KUBERNETES_INPUT = ("boto3", "botocore", "jinja2", "jsonschema", "converter.pipeline.reverse", "converter.write.iac",
                              "converter.read.ecs.detect", "converter.read.ecs.intrinsics",
                              "converter.read.ecs.taskdef", "converter.aws")


def run_convert(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "child.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), "convert", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr  # 1: findings at --fail-on, still a full run
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kubernetes_run(tmp_path_factory) -> dict:
    tmp_path = tmp_path_factory.mktemp("startup")
    return run_convert(tmp_path, str(SAMPLES / "web-loadbalancer-hpa" / "input" / "web.yaml"),
                       "--report-file", str(tmp_path / "report.txt"))


def test_convert_on_kubernetes_input_imports_nothing_it_does_not_need(kubernetes_run):
    modules = kubernetes_run["modules"]
    assert "converter.pipeline.convert" in modules and "converter.core.model" in modules  # the run did convert
    loaded = [m for m in modules if any(m == name or m.startswith(name + ".") for name in NEVER_FOR_KUBERNETES_INPUT)]
    assert loaded == []


def test_convert_on_kubernetes_input_defines_no_dataclass_in_the_record_modules(kubernetes_run):
    """The modules whose value classes became records stay free of dataclasses (each costs about 0.6 ms of
    start-up); a new value class there is a converter.core.record.Record."""
    assert any(name.startswith("converter.") for name in kubernetes_run["dataclasses"])  # the count works
    assert [name for name in kubernetes_run["dataclasses"] if name.rsplit(".", 1)[0] in RECORD_MODULES] == []


def test_convert_on_ecs_input_still_finds_the_ecs_detection(tmp_path):
    """The cheap sniff sends ECS input to the full detection: the laziness must not lose the reverse direction."""
    run = run_convert(tmp_path, str(SAMPLES / "ecs-fargate-web-alb" / "input"), "-o", str(tmp_path / "out"),
                      "--report-file", str(tmp_path / "report.txt"))
    assert "converter.read.ecs.detect" in run["modules"] and "converter.pipeline.reverse" in run["modules"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".yaml")


def test_detect_sniff_is_the_light_modules_sniff():
    from converter.read.ecs import detect, sniff

    assert detect.sniff is sniff.sniff


# -- records ---------------------------------------------------------------------------------------


def record_classes() -> list[type]:
    for name in RECORD_MODULES:
        importlib.import_module(name)
    found, todo = [], [Record]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub is not MutableRecord and sub.__module__.startswith("converter."):
                found.append(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


class Sentinel:
    """A distinct, hashable, comparable value per field."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sentinel) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


def test_every_module_that_was_converted_has_records():
    modules = {cls.__module__ for cls in record_classes()}
    assert modules == set(RECORD_MODULES)


@pytest.mark.parametrize("cls", record_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_record_behaves_as_the_dataclass_it_replaces(cls):
    fields = cls._record_fields
    annotations: dict = {}
    for klass in reversed(cls.__mro__):
        annotations.update(klass.__dict__.get("__annotations__", {}))
    assert tuple(annotations) == fields  # every annotation is a field, in order

    parameters: dict[str, inspect.Parameter] = {}
    for klass in cls.__mro__:
        if "__init__" in klass.__dict__ and issubclass(klass, Record):
            for name, parameter in list(inspect.signature(klass.__init__).parameters.items())[1:]:
                if parameter.kind is not inspect.Parameter.VAR_KEYWORD:
                    parameters.setdefault(name, parameter)
    assert set(parameters) == set(fields)  # __init__ takes exactly the fields

    values = {name: Sentinel(name) for name in fields}
    record = cls(**values)
    assert {name: getattr(record, name) for name in fields} == values  # each argument lands in its own field

    # The same class as a dataclass, from the same annotations: same repr, equality and hash.
    frozen = not issubclass(cls, MutableRecord)
    twin = dataclasses.make_dataclass(cls.__name__, [(name, annotations[name]) for name in fields], frozen=frozen)
    twin.__qualname__ = cls.__qualname__
    reference = twin(**values)
    assert repr(record) == repr(reference)
    assert record == cls(**values)
    assert record != reference  # equal only to its own class, as a dataclass
    if frozen:
        assert hash(record) == hash(reference)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, fields[0], "changed")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(record, fields[0])
    else:
        with pytest.raises(TypeError):
            hash(record)
        setattr(record, fields[0], "changed")
        assert getattr(record, fields[0]) == "changed"
        setattr(record, fields[0], values[fields[0]])
    with pytest.raises(AttributeError):  # slots: no stray attributes
        object.__setattr__(record, "not_a_field", 1)

    # dataclasses.fields/replace (reverse.py and ecs_input use replace on the model), copy and pickle.
    assert [f.name for f in dataclasses.fields(record)] == list(fields)
    changed = dataclasses.replace(record, **{fields[-1]: Sentinel("new")})
    assert getattr(changed, fields[-1]) == Sentinel("new") and type(changed) is cls
    assert all(getattr(changed, name) == values[name] for name in fields[:-1])
    assert copy.deepcopy(record) == record and copy.copy(record) == record
    if cls.__qualname__ == cls.__name__:  # module-level classes only
        assert pickle.loads(pickle.dumps(record)) == record


def test_record_defaults_are_the_dataclass_defaults():
    from converter.core.model import Container, Probe, Resources, SecurityContext
    from converter.core.settings import Settings

    probe = Probe(handler="tcp", origin=None)
    assert (probe.scheme, probe.period_seconds, probe.timeout_seconds, probe.failure_threshold) == ("HTTP", 10, 1, 3)
    container = Container(name="app", image="nginx", role="app", origin=None)
    assert container.resources == Resources() and container.security == SecurityContext()
    assert container.environment == () and container.liveness is None
    first, second = Settings(), Settings()
    first.task_roles["sa"] = "arn"  # a dict default is each instance's own, as default_factory=dict made it
    assert second.task_roles == {}
    assert {f.name: f.default for f in dataclasses.fields(Probe)}["period_seconds"] == 10


def test_settings_merged_applies_known_overrides_that_are_not_none():
    from converter.core.settings import Settings

    merged = Settings(cluster="a", region="r").merged({"cluster": "b", "region": None, "unknown": 1})
    assert (merged.cluster, merged.region) == ("b", "r") and type(merged) is Settings


def test_a_subclass_record_keeps_its_own_fields_after_its_base_was_asked():
    """dataclasses.fields of a base record caches the base's fields on the base class; a subclass with more
    fields must still answer with its own, whichever class was asked first (the test order once depended on
    the module names, when kubernetes.service's ServiceExposure extended model.Exposure)."""
    from converter.core.record import Record, set_field

    class Base(Record):
        name: str

        def __init__(self, name: str) -> None:
            set_field(self, "name", name)

    class Wider(Base):
        port: int

        def __init__(self, name: str, port: int = 80) -> None:
            set_field(self, "name", name)
            set_field(self, "port", port)

    base = [f.name for f in dataclasses.fields(Base)]  # asked first: cached on Base
    own = [f.name for f in dataclasses.fields(Wider)]
    assert base == ["name"] and own == ["name", "port"]
    assert dataclasses.replace(Wider("a", 1), port=2) == Wider("a", 2)
