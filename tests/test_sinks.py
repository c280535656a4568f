"""The sinks of the streaming convert (converter.write.sinks) write what output_files() and stdout_document() write."""

from __future__ import annotations

import io
import json

from converter.core import jsontext
from converter.pipeline.convert import convert
from converter.load.loader import load_paths
from converter.write.output import output_files, stdout_document
from converter.core.settings import Settings
from converter.write.sinks import FolderSink, StdoutSink
from tests.helpers import ROOT

SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"


def _outputs():
    outputs = convert(load_paths([str(SAMPLE)]), Settings()).outputs
    assert outputs and any(o.scaling is not None for o in outputs)
    return outputs


def test_stdout_document_in_pieces_is_the_whole_document_as_dumps_writes_it():
    for outputs in (_outputs(), []):
        whole = {"workloads": [{"name": o.name, "resource": o.resource, "taskDefinition": o.task_definition,
                                "service": o.service, "scaling": o.scaling} for o in outputs]}
        assert stdout_document(outputs) == jsontext.dumps(whole) + "\n" == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"


def test_stdout_sink_writes_entries_by_position_with_replacements_and_drops():
    outputs = _outputs()
    first, other = outputs[0], outputs[-1]
    sink = StdoutSink()
    try:
        sink.put(2, first)
        sink.put(0, other)
        sink.put(1, first)
        sink.drop(1)
        sink.put(2, other)  # replaced: the entry written first is not used
        out = io.StringIO()
        sink.finish({}, out)
    finally:
        sink.close()
    assert out.getvalue() == stdout_document([other, other])


def test_stdout_sink_after_reset_holds_nothing():
    sink = StdoutSink()
    try:
        sink.put(0, _outputs()[0])
        sink.reset()
        out = io.StringIO()
        sink.finish({}, out)
    finally:
        sink.close()
    assert out.getvalue() == stdout_document([])


def test_folder_sink_writes_the_files_of_output_files_and_a_replacement_removes_stale_ones(tmp_path):
    outputs = _outputs()
    scaled = next(o for o in outputs if o.scaling is not None)
    unscaled = type(scaled)(name=scaled.name, resource=scaled.resource, task_definition=scaled.task_definition,
                            service=scaled.service, scaling=None)
    report = {"tool": "k2ecs", "findings": jsontext.LazyList([1, 2], lambda n: {"n": n})}
    target = tmp_path / "out"
    sink = FolderSink(str(target))
    try:
        assert not list(tmp_path.iterdir())  # nothing is made before the first file
        for position, output in enumerate(outputs):
            sink.put(position, output)
        sink.put(outputs.index(scaled), unscaled)  # rendered again without its scaling
        sink.finish(report)
    finally:
        sink.close()
    expected = output_files([unscaled if o is scaled else o for o in outputs],
                            {"tool": "k2ecs", "findings": [{"n": 1}, {"n": 2}]})
    assert {p.name: p.read_text() for p in target.iterdir()} == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the staging folder is gone


def _folder(tmp_path, files: dict[str, str]):
    target = tmp_path / "out"
    target.mkdir(parents=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def test_check_sink_gives_drift_of_the_whole_run_with_replacements_and_drops(tmp_path):
    """--check, streamed: the diff and the names that differ are drift()'s for the files output_files()
    makes, whatever the folder holds, and a workload put again is compared as it was put last."""
    import pytest

    from converter.write.drift import drift
    from converter.core.errors import UsageError
    from converter.write.sinks import CheckSink

    from dataclasses import replace

    first = _outputs()[0]
    other = replace(first, name=first.name + "-b")  # other files
    report = {"summary": {"workloads": 2}}
    written = output_files([first], report)
    changed = {name: text.replace("2", "3") for name, text in written.items()}
    folders = {
        "same": written,
        "changed, one extra, one missing": {**{k: v for k, v in list(changed.items())[1:]}, "old.service.json": "{}\n"},
        "empty": {},
    }
    for label, files in folders.items():
        target = _folder(tmp_path / label.replace(",", "").replace(" ", "-"), files)
        if label == "empty":
            (target / "nested").mkdir()  # a folder inside the output folder
        sink = CheckSink(str(target))
        sink.put(0, other)
        sink.put(1, first)
        sink.drop(1)
        sink.put(0, first)  # replaced: compared as put last
        assert sink.finish(report) == drift(str(target), written), label
    assert CheckSink(str(tmp_path / "missing")).finish(report) == drift(str(tmp_path / "missing"), {"report.json": written["report.json"]})
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        CheckSink(str(tmp_path / "a-file")).finish(report)
