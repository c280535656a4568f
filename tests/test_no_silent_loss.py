"""No silent loss: every leaf of every converted input is consumed by a mapping or named by a finding.

Run over every sample and every file of ../shared/corpus/k8s (skipped when the corpus is absent).
On failure the message lists the leaves that were lost silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.pipeline.convert import convert
from converter.core.document import pointer
from converter.core.errors import InputError
from converter.load.inputs import load_inputs
from converter.load.loader import load_paths
from converter.core.settings import Settings
from tests.helpers import corpus_k8s_files, leaves, pointer_parts, require_corpus, sample_cases, yields_nothing


def silently_lost(paths: list[str]) -> list[str]:
    conversion = convert(load_inputs(paths), Settings())  # as the command line reads them
    finding_paths: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for finding in conversion.findings:
        finding_paths.setdefault((finding.file, finding.resource), []).append(pointer_parts(finding.path))
    lost = []
    for source in conversion.sources:
        reader = source.reader
        document = reader.document
        named = finding_paths.get((document.file, source.resource), [])
        for leaf in leaves(document.data):
            full = tuple(str(step) for step in document.prefix + leaf)
            if any(leaf[:depth] in reader.consumed for depth in range(len(leaf) + 1)):
                continue
            if any(full[: len(path)] == path for path in named):
                continue
            lost.append(f"{document.file}:{document.line_of(leaf)} {source.resource} {pointer(document.prefix + leaf)}")
    return lost


@pytest.mark.parametrize("case", sample_cases(), ids=lambda p: p.name)
def test_no_leaf_of_a_sample_is_lost_silently(case: Path):
    assert silently_lost([str(case / "input")]) == []


@pytest.mark.parametrize("path", corpus_k8s_files() or [None], ids=lambda p: "none" if p is None else p.parent.name + "/" + p.name)
def test_no_leaf_of_a_corpus_file_is_lost_silently(path: Path | None):
    require_corpus()
    if yields_nothing(path):  # refused whole (exit 3): nothing of it is converted, so nothing is lost silently
        with pytest.raises(InputError):
            silently_lost([str(path)])
        return
    assert silently_lost([str(path)]) == []


def test_the_walk_itself_catches_a_field_no_mapping_consumed(tmp_path: Path):
    """Guard for the guard: if the catch-all were removed, an unknown field must show up as lost."""
    manifest = tmp_path / "d.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
        "    spec:\n      containers: [{name: c, image: nginx, surprise: 1}]\n")
    conversion = convert(load_paths([str(manifest)]), Settings())
    catch_all = [f for f in conversion.findings if f.code == "K2E-W901"]
    assert [f.path for f in catch_all] == ["/spec/template/spec/containers/0/surprise"]
    # Without the catch-all findings the walk reports exactly that leaf.
    reader = conversion.sources[0].reader
    reader.findings[:] = [f for f in reader.findings if f.code != "K2E-W901"]
    consumed_only = [leaf for leaf in leaves(reader.document.data)
                     if not any(leaf[:d] in reader.consumed for d in range(len(leaf) + 1))
                     and not any(tuple(str(s) for s in leaf)[: len(pointer_parts(f.path))] == pointer_parts(f.path)
                                 for f in reader.findings)]
    assert consumed_only == [("spec", "template", "spec", "containers", 0, "surprise")]
