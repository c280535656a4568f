"""What a streamed convert keeps of each workload and finding to the end of its run, where its peak memory is
(issue 24: peak memory above the baseline <= 5x the input; docs/PERFORMANCE.md "What a convert keeps of each
workload to its end, cut again"). Counts and kinds of what is held, never sizes measured or times."""

from __future__ import annotations

import gc
import io
import random
import sys
from array import array
from typing import Any

import pytest

from converter.core.findings import Finding, Origin, make_finding, merge_findings, sort_findings
import converter.core.findings as findings_module
from converter.core.settings import Settings
from converter.load.config import load_config
from converter.load.loader import parse_text
from converter.load.yaml_parts import Part, split_stream
from converter.pipeline import convert as pipeline_convert
from converter.pipeline.convert import convert
from converter.pipeline.deferred import Deferred, SourceText
from converter.pipeline.registries import WORKLOAD_PARSERS
from converter.report.baseline import review
from converter.write.iac import cloudformation
from converter.write.iac.cfn_text import _OUTPUT_MARKS
from converter.write.iac.links import link
from converter.write.iac.render import CLOUDFORMATION, TERRAFORM, IacSink
from converter.write.iac.spool import TextSpool
from converter.write.output import stdout_document
from converter.write.sinks import StdoutSink
from tests.helpers import ROOT


def _apps():
    """bench/apps.py: the applications the benchmark repeats."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import apps
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return apps


def _bench_text(repeats: int) -> str:
    return "".join(_apps().release_text(index) for index in range(1, repeats + 1))


def _bench_conversion(tmp_path, repeats: int = 2):
    apps = _apps()
    text = _bench_text(repeats)
    config = tmp_path / "k2ecs.yaml"
    config.write_text(apps.plan_config(text, "prod", "subnet-1", "sg-1"), encoding="utf-8")
    return convert(parse_text(text, "bundle.yaml"), load_config(str(config)))


def _findings(count: int, seed: int) -> list[Finding]:
    """Findings with many ties in file, line, path and code, so that the order among equals shows."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        origin = Origin(resource=f"Deployment/w{rng.randrange(5)}", file=rng.choice(("a.yaml", "b.yaml")),
                        line=rng.choice((None, 1, 2, 300)), path=rng.choice(("", "/spec", "/metadata")))
        made.append(make_finding(rng.choice(("K2E-W901", "K2E-I308", "K2E-E007")), origin,
                                 rng.choice(("same", "other", f"n{number % 3}"))))
    return made


def test_merge_findings_orders_as_sorting_both_would_and_makes_no_key_arrays(monkeypatch) -> None:
    for seed in range(20):
        kept, more = _findings(200, seed), _findings(random.Random(seed).randrange(0, 9), seed + 100)
        sort_findings(kept)
        expected = kept + more
        sort_findings(expected)
        sorts = []
        monkeypatch.setattr(findings_module, "sort_findings", lambda found: sorts.append(len(found)))
        merged = kept
        merge_findings(merged, more)
        monkeypatch.undo()
        assert merged is kept and [id(f) for f in merged] == [id(f) for f in expected]  # ties included
        assert sorts == []  # a few put in place: the whole list is not sorted again


def test_merge_findings_sorts_again_when_more_than_a_few_are_merged() -> None:
    kept, more = _findings(100, 1), _findings(findings_module.MERGE_AT_MOST + 1, 2)
    sort_findings(kept)
    expected = kept + more
    sort_findings(expected)
    merge_findings(kept, more)
    assert [id(f) for f in kept] == [id(f) for f in expected]


def test_review_reuses_the_list_it_is_given_up_when_nothing_is_accepted(tmp_path) -> None:
    result = _bench_conversion(tmp_path, repeats=1)
    given = list(result.findings)
    assert review(given, result.sources, reuse=True) is given
    copied = review(given, result.sources)
    assert copied is not given and copied == given


def test_the_template_writer_keeps_three_slots_a_workload_and_no_list(tmp_path) -> None:
    result = _bench_conversion(tmp_path)
    sink = IacSink(CLOUDFORMATION, spooled=True)
    try:
        for position, output in enumerate(result.outputs):
            sink.put(position, output)
        writer = sink.writer
        assert len(writer.workloads) == len(writer.outputs) == len(result.outputs) >= 24
        for written in writer.workloads + writer.outputs:
            assert not hasattr(written, "__dict__")
            assert written.marks.__class__ is str
            assert written.metrics is None or written.metrics.__class__ is tuple
        # every workload's outputs point at its service and its task definition: one string for them all
        assert all(written.marks is _OUTPUT_MARKS for written in writer.outputs)
        # the bases of the logical IDs are not kept but made at the end: the IDs are the ones build_stack gives
        rendering = sink.rendering(result.sources)
        reference = cloudformation.build_stack(link(result.outputs)).workloads
        assert rendering.model.workloads == reference and any(ids.policies for ids in reference)
    finally:
        sink.close()


def test_a_spooled_text_keeps_where_each_text_ends_and_nothing_else() -> None:
    spool = TextSpool(spooled=True)
    try:
        texts = ["a\n", "", "é\0b\n", "x" * 5000]
        for text in texts:
            spool.add(text)
        assert spool.kept == [] and isinstance(spool.ends, array) and spool.ends.itemsize == 8
        assert len(spool) == 4 and list(spool.texts()) == texts == list(spool.texts())
        spool.clear()
        assert len(spool) == 0 and list(spool.texts()) == []
    finally:
        spool.close()


def test_the_command_s_terraform_sink_keeps_no_workload_model(tmp_path) -> None:
    result = _bench_conversion(tmp_path)
    kept = {}
    for spooled in (False, True):
        sink = IacSink(TERRAFORM, spooled=spooled)
        try:
            for position, output in enumerate(result.outputs):
                sink.put(position, output)
            kept[spooled] = len(sink.writer.builder.workloads)
            # the log groups' resources are made from their labels when written, not kept from the first workload
            assert "log_resources" not in vars(sink.writer.builder) and len(sink.writer.builder.log_resources) > 1
            assert sink.rendering(result.sources).files == kept.setdefault(("files", spooled), sink.rendering(result.sources).files)
        finally:
            sink.close()
    assert kept[False] == len(result.outputs) and kept[True] == 0
    assert kept[("files", False)] == kept[("files", True)]


def test_the_stdout_sink_keeps_two_arrays_and_writes_in_position_order(tmp_path) -> None:
    outputs = _bench_conversion(tmp_path, repeats=1).outputs[:3]
    sink = StdoutSink()
    try:
        for position, output in enumerate(outputs):
            sink.put(position, output)
        assert not hasattr(sink, "spans") and [sink.positions.itemsize, sink.ends.itemsize] == [8, 8]
        assert len(sink.positions) == len(sink.ends) == 3
        out = io.StringIO()
        sink.finish({}, out)
    finally:
        sink.close()
    assert out.getvalue() == stdout_document(outputs)


def test_a_source_text_keeps_its_parts_as_numbers_and_gives_them_as_split_stream_does() -> None:
    apps = _apps()
    text = apps.bundle(100_000)
    source = SourceText("bench.yaml", text)
    assert isinstance(source.spans, array) and len(source.spans) == 5 * len(source.parts)
    assert source.parts == split_stream(text, WORKLOAD_PARSERS)
    assert not any(isinstance(value, Part) for value in vars(source).values())
    entries = source.entries()
    assert sum(isinstance(entry, Deferred) for entry in entries) == sum(part.workload for part in source.parts) > 10
    assert [entry.part for entry in entries if isinstance(entry, Deferred)] == [p for p in source.parts if p.workload]


def test_the_slots_of_a_batch_go_when_it_is_done(monkeypatch) -> None:
    """Pass 2 lets each batch's slots (their deferred parts, or their models) go once it is done, not at the
    end of the run with all the others'."""
    apps = _apps()
    source = SourceText("bench.yaml", apps.bundle(100_000))
    entries = source.entries()
    workloads = sum(isinstance(entry, Deferred) for entry in entries)
    alive: list[int] = []

    class Counting:
        def put(self, position, output) -> None:
            gc.collect()
            alive.append(sum(1 for item in gc.get_objects() if isinstance(item, pipeline_convert._Slot)
                             and item.deferred is not None and item.deferred.source is source))

        def reset(self) -> None:
            alive.clear()

    monkeypatch.setattr(pipeline_convert, "BATCH_WORKLOADS", 4)
    result = pipeline_convert.convert(entries, Settings(), release=True, sink=Counting(), again=lambda: [])
    assert len(result.outputs) == workloads == len(alive) > 8
    # the batch being put is alive, with the batches after it; none of the batches before it
    assert alive == [workloads - 4 * (number // 4) for number in range(workloads)]


def _planned_bundle(tmp_path, size: int):
    """A bench bundle of about ``size`` bytes and the settings flags of its k2ecs.yaml, placeholders filled for plan."""
    from converter.cli_common import SettingsFlags

    apps = _apps()
    text = apps.bundle(size)
    path = tmp_path / "bundle.yaml"
    path.write_text(text, encoding="utf-8")
    config = tmp_path / "k2ecs.yaml"
    config.write_text(apps.plan_config(text, "prod", "subnet-1", "sg-1"), encoding="utf-8")
    return path, SettingsFlags(str(config))


def test_plan_s_conversion_reads_a_large_file_part_by_part_and_keeps_the_payloads_not_their_text(tmp_path, monkeypatch) -> None:
    from converter.cli_common import conversion, kept_conversion
    from converter.pipeline import deferred

    path, flags = _planned_bundle(tmp_path, 150_000)
    whole = conversion([str(path)], flags)
    read_back: list[int] = []
    documents = deferred.Deferred.documents
    monkeypatch.setattr(deferred.Deferred, "documents", lambda self: read_back.append(1) or documents(self))
    kept = kept_conversion([str(path)], flags)
    assert len(read_back) == len(whole.outputs) > 12  # each workload parsed when the conversion reached it
    assert [(o.name, o.task_definition, o.service, o.scaling) for o in kept.outputs] == \
        [(o.name, o.task_definition, o.service, o.scaling) for o in whole.outputs]
    assert all(o.task_definition_text is None for o in kept.outputs)
    assert all(o.task_definition_text is not None for o in whole.outputs)
    assert kept.findings == whole.findings
    # each kept output holds its payloads as bytes, not dicts (issue 24: plan's peak held every workload's dicts)
    assert all(isinstance(o.packed_task_definition, bytes) and isinstance(o.packed_service, bytes)
               and not any(isinstance(getattr(o, slot), (dict, list)) for slot in o.__slots__) for o in kept.outputs)


def test_a_plan_holds_its_requests_as_bytes_and_reads_them_as_given(tmp_path) -> None:
    from converter.aws.plan import CREATE, build_plan
    from converter.aws.state import LiveWorkload
    from converter.cli_common import kept_conversion

    path, flags = _planned_bundle(tmp_path, 60_000)
    outputs = kept_conversion([str(path)], flags).outputs
    plan = build_plan(outputs, {o.name: LiveWorkload() for o in outputs}, cluster="c", region="r", endpoint="e")
    changes = [change for workload in plan.workloads for change in workload.changes]
    assert len(changes) > len(outputs) > 4 and all(change.action == CREATE for change in changes)
    assert all(isinstance(change.packed_request, bytes) for change in changes)
    definitions = [change for change in changes if change.kind == "task definition"]
    # a task definition's request is its output's bytes, not a second copy of them
    assert all(change.packed_request is o.packed_task_definition for change, o in zip(definitions, outputs))
    assert not any(hasattr(change, "__dict__") for change in changes)
    assert [change.request for change in definitions] == [o.task_definition for o in outputs]
    first = definitions[0]
    first.request["family"] = "changed"  # a copy each time it is read: the plan's request is as it was made
    assert first.request["family"] == outputs[0].task_definition["family"] != "changed"
    assert first == definitions[0] and first != definitions[1]


def test_a_streamed_conversion_keeps_a_record_of_three_slots_per_output(tmp_path) -> None:
    outputs = _bench_conversion(tmp_path, repeats=1).outputs
    records = convert(parse_text("".join(_bench_text(1)), "bundle.yaml"), Settings(), sink=StdoutSink()).outputs
    assert len(records) == len(outputs) and all(not hasattr(record, "__dict__") for record in records)


def test_the_names_a_rendering_takes_are_kept_in_dicts_not_sets(tmp_path) -> None:
    """A set's table grows fourfold at each resize: the labels and output names of thousands of workloads are
    kept in core.names.Taken, a dict that unique_within reads as it reads a set."""
    from converter.core.names import Taken, unique_within

    taken = Taken()
    assert [unique_within("web", taken), unique_within("web", taken), unique_within("web-2", taken)] == \
        ["web", "web-2", "web-2-2"] and list(taken) == ["web", "web-2", "web-2-2"]
    result = _bench_conversion(tmp_path)
    for fmt in (CLOUDFORMATION, TERRAFORM):
        sink = IacSink(fmt, spooled=True)
        try:
            for position, output in enumerate(result.outputs):
                sink.put(position, output)
            writer = sink.writer
            held = [writer.output_ids] if fmt == CLOUDFORMATION else [writer.builder.output_names, *writer.builder.taken.values()]
            assert held and all(names.__class__ is Taken and len(names) >= len(result.outputs) for names in held[:2])
            assert all(not hasattr(ids, "__dict__") for ids in (written.ids for written in getattr(writer, "workloads", [])))
        finally:
            sink.close()


def _referenced_documents(monkeypatch, text: str, settings: Settings, release: bool):
    """The conversion, and the documents its referenced objects' readers hold when the last workload is parsed."""
    held = {}
    close = pipeline_convert.Intake.close_referenced

    def closing(intake):
        held.update({identity: found.reader.document for identity, found in intake.context.referenced.items()})
        close(intake)

    monkeypatch.setattr(pipeline_convert.Intake, "close_referenced", closing)
    result = convert(parse_text(text, "bundle.yaml"), settings, release=release)
    monkeypatch.undo()
    return result, held


def test_a_released_run_keeps_of_each_configmap_and_secret_what_the_workloads_read(tmp_path, monkeypatch) -> None:
    apps = _apps()
    text = _bench_text(2)
    config = tmp_path / "k2ecs.yaml"
    config.write_text(apps.plan_config(text, "prod", "subnet-1", "sg-1"), encoding="utf-8")
    settings = load_config(str(config))
    whole, whole_held = _referenced_documents(monkeypatch, text, settings, release=False)
    kept, held = _referenced_documents(monkeypatch, text, settings, release=True)
    kinds = {identity[0] for identity in held}
    assert kinds == {"ConfigMap", "Secret"} and len(held) == len(whole_held) >= 8
    for (kind, _, _), document in held.items():
        allowed = {"data", "binaryData"} if kind == "ConfigMap" else {"data", "stringData", "binaryData"}
        assert set(document.data) <= allowed and document.data  # no metadata, labels, apiVersion or kind
        assert len(document.line_table) <= 2  # the root's lines of what is kept, and those of data's keys
    # whole documents without release: metadata and every line table entry
    assert all("metadata" in document.data and len(document.line_table) > 2 for document in whole_held.values())
    assert kept.findings == whole.findings and kept.outputs == whole.outputs


_REFERENCED = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data:
  MODE: fast
  LEVEL: "3"
binaryData:
  blob: aGk=
extra: field
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: accepted
  annotations:
    k2ecs.io/accept: "K2E-I002: kept for later"
data:
  A: b
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
type: Opaque
data:
  password: cGFzcw==
stringData:
  token: abc
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          envFrom:
            - configMapRef: {name: settings}
            - secretRef: {name: creds}
          env:
            - name: ONE
              valueFrom: {configMapKeyRef: {name: settings, key: MODE}}
"""


def test_what_is_kept_of_a_referenced_object_answers_as_its_whole_document(monkeypatch) -> None:
    whole, whole_held = _referenced_documents(monkeypatch, _REFERENCED, Settings(), release=False)
    kept, held = _referenced_documents(monkeypatch, _REFERENCED, Settings(), release=True)
    assert set(held[("ConfigMap", None, "settings")].data) == {"data", "binaryData"}
    assert set(held[("Secret", None, "creds")].data) == {"data", "stringData"}
    # the review of accepted findings reads its metadata after the run: kept whole, with all its lines
    accepted = held[("ConfigMap", None, "accepted")]
    assert "metadata" in accepted.data and len(accepted.line_table) == len(whole_held[("ConfigMap", None, "accepted")].line_table) > 2
    assert kept.findings == whole.findings and kept.outputs == whole.outputs  # lines of data's keys included
    assert any(f.resource == "ConfigMap/accepted" and f.code == "K2E-I002" for f in kept.findings)
    # a value of the wrong type fails where it is written, as in the whole document
    broken = _REFERENCED.replace("  LEVEL: \"3\"", "  LEVEL: {nested: 1}")
    failed, _ = _referenced_documents(monkeypatch, broken, Settings(), release=True)
    failed_whole, _ = _referenced_documents(monkeypatch, broken, Settings(), release=False)
    assert failed.findings == failed_whole.findings and any(f.code == "K2E-E031" for f in failed.findings)


def test_namespaces_and_selector_keys_are_one_string_each_in_what_the_run_keeps(monkeypatch) -> None:
    text = _bench_text(2)
    seen = {}
    close = pipeline_convert.Intake.close_referenced

    def closing(intake):
        seen.update(intake.seen)
        close(intake)

    monkeypatch.setattr(pipeline_convert.Intake, "close_referenced", closing)
    exposures = []
    service_parser = pipeline_convert.EXPOSURE_PARSERS["service"][1]

    def parsing(reader, context):
        exposure = service_parser(reader, context)
        exposures.append(exposure)
        return exposure

    monkeypatch.setitem(pipeline_convert.EXPOSURE_PARSERS, "service", (pipeline_convert.EXPOSURE_PARSERS["service"][0], parsing))
    convert(parse_text(text, "bundle.yaml"), Settings(), release=True)
    namespaces = [identity[1] for identity in seen if identity[1] is not None]
    # the table of declarations, kept to the end of the run: a namespace is one string however many documents name it
    assert len(namespaces) > 2 * len(set(namespaces)) and len({id(ns) for ns in namespaces}) == len(set(namespaces))
    kept = [exposure for exposure in exposures if exposure is not None]
    assert len(kept) >= 10
    keys = [key for exposure in kept for key, _ in exposure.selector]
    assert len({id(key) for key in keys}) == len(set(keys)) < len(keys)
    spaces = [exposure.namespace for exposure in kept]
    assert len({id(ns) for ns in spaces}) == len(set(spaces)) < len(spaces)


def test_a_request_marshal_cannot_write_is_kept_as_given() -> None:
    import datetime

    from converter.aws.plan import CREATE, Change

    when = datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)
    change = Change("service", "web", CREATE, request={"at": when})
    assert change.request == {"at": when} and change.packed_request.__class__ is dict
    assert Change("service", "web", CREATE, request={"at": 1}).packed_request.__class__ is bytes


def test_the_plan_is_printed_a_workload_at_a_time_as_one_text_would_be(tmp_path) -> None:
    """plan writes its text a workload at a time (each part redacted on its own) rather than one text of every
    workload; the parts are exactly the lines the whole text had."""
    from converter.aws.plan import build_plan
    from converter.aws.render import _change_lines, plan_parts, render_plan, summary
    from converter.aws.state import LiveWorkload
    from converter.cli_common import kept_conversion

    path, flags = _planned_bundle(tmp_path, 40_000)
    outputs = kept_conversion([str(path)], flags).outputs
    plan = build_plan(outputs, {o.name: LiveWorkload() for o in outputs}, cluster="c", region="r", endpoint="e")
    lines = [f"Plan for ECS cluster {plan.cluster} in {plan.region} ({plan.endpoint})", ""]
    for workload in plan.workloads:  # the whole text, as it was made before it was made in parts
        lines.append(f"{workload.name} ({workload.resource})")
        for change in workload.changes:
            lines.extend(_change_lines(change))
        lines.extend(f"    note: {note}" for note in workload.notes)
        lines.append("")
    lines.append(summary(plan))
    parts = list(plan_parts(plan))
    assert len(parts) == len(plan.workloads) + 2 > 4 and all(part.endswith("\n") for part in parts)
    assert "".join(parts) == render_plan(plan) == "\n".join(lines) + "\n"


def test_plan_lets_the_conversion_go_before_it_makes_the_clients(tmp_path, monkeypatch) -> None:
    """What plan keeps of the conversion is its outputs and the findings to show: the rest (records, call graph)
    is let go before the clients load their service models (issue 24: plan's peak)."""
    import weakref
    from dataclasses import replace

    from converter.aws import pipeline, session
    from converter.aws.errors import AwsError
    from converter.aws.session import Redactor
    from converter.cli_common import kept_conversion
    from tests.aws_helpers import isolate_aws_environment

    isolate_aws_environment(monkeypatch, tmp_path)
    path, flags = _planned_bundle(tmp_path, 40_000)
    made: list[Any] = []
    alive_at_connect: list[bool] = []

    def convert(cluster: str, region: str) -> Any:
        result = kept_conversion([str(path)], replace(flags, cluster=cluster, region=region))
        made.append(weakref.ref(result))
        return result

    def connect(*_: Any) -> Any:
        alive_at_connect.append(made[0]() is not None)
        raise AwsError("stop before any call")

    monkeypatch.setattr(session, "connect", connect)
    with pytest.raises(AwsError, match="stop before any call"):
        pipeline.prepare(config=flags.config, cluster="prod", region="eu-west-3", profile=None, convert=convert,
                         redact=Redactor())
    assert alive_at_connect == [False]
