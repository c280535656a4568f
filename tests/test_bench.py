"""Smoke test of the benchmark (bench/run.py, issue 24): on a tiny bundle it runs every path end to end, each
ends with the exit status it should, and the table has its shape. Speed is never asserted here; the
numbers live in docs/PERFORMANCE.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_every_path_on_a_tiny_bundle_and_prints_the_table() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from paths import NOT_MEASURED, PATHS
    finally:
        sys.path.remove(str(ROOT / "bench"))
    # One repeat of the applications (about 40 KB), one pair, no warm-up run (the size is its own memory
    # baseline): every path, the moto server and the table, as cheaply as the harness allows.
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "30k", "--pairs", "1",
                             "--warm-runs", "0"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert out.startswith("# k2ecs benchmark"), out
    assert re.search(r"nproc \d+", out), out
    table = out[out.index("## CPU time x floor"):].splitlines()
    header = [cell.strip() for cell in table[1].strip("|").split("|")]
    assert header == ["path", "x floor 30 KB", "CPU s 30 KB (floor)", "wall x floor 30 KB",
                      "time / input ratio (exponent)", "memory / input at 30 KB",
                      "goals at 30 KB: speed / linear / memory"], header
    rows = {cells[0]: cells for cells in ([c.strip() for c in line.strip("|").split("|")]
                                          for line in table[3:3 + len(PATHS)])}
    assert list(rows) == [path.name for path in PATHS]
    for name, cells in rows.items():
        # a ratio, not "exit N: ..." or "timeout": the path ran and ended with the status it should
        assert re.fullmatch(r"\d+\.\d\dx \(1 pair\)", cells[1]), cells
        assert re.fullmatch(r"\d+\.\d\d \(\d+\.\d\d\)", cells[2]), cells
        assert cells[4] == "-"  # one size: no scaling
        assert re.fullmatch(r"-?\d+\.\dx", cells[5]), cells
        speed, linear, memory = cells[6].split(" / ")
        assert re.fullmatch(r"(NOT )?MET \(<= [23]\.0x\)", speed) or (name.startswith("plan") and speed == "-")
        assert linear == "-" and memory in ("MET", "NOT MET"), cells
    for name, why in NOT_MEASURED:
        assert f"{name}: {why}" in out


def test_loading_and_converting_leave_no_cyclic_garbage() -> None:
    """cli_common.conversion pauses the cyclic GC while loading and converting and then freezes what was built
    (the GC's scans were a quarter of a large run). That is only sound while these steps leave no reference
    cycles behind: unreachable cycles would be kept until the command ends. A recursive closure in
    Reader.finish once left one per document."""
    import gc

    from converter.load.config import load_config
    from converter.pipeline.convert import convert
    from converter.load.loader import load_paths, parse_text
    from tests.helpers import sample_cases

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import bundle
    finally:
        sys.path.remove(str(ROOT / "bench"))
    runs = [(lambda: parse_text(bundle(20, 9), "bench.yaml"), load_config(None))]
    for case in sample_cases():  # settings first: reading a config imports jsonschema, whose import leaves cycles
        config = case / "k2ecs.yaml"
        runs.append((lambda case=case: load_paths([str(case / "input")]),
                     load_config(str(config) if config.is_file() else None)))
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for load, settings in runs:
            for release in (False, True):  # the CLI releases what readers consumed as it goes
                result = convert(load(), settings, release=release)
                assert result.outputs
                del result
        unreachable = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert unreachable == 0


def test_releasing_readers_early_changes_nothing() -> None:
    """convert(release=True), which the CLI uses to save memory, gives the same outputs, findings (in the same
    order), sources and accepted findings as the default."""
    from converter.report.baseline import review
    from converter.load.config import load_config
    from converter.pipeline.convert import convert
    from converter.load.loader import load_paths, parse_text
    from tests.helpers import CORPUS, sample_cases

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import bundle
    finally:
        sys.path.remove(str(ROOT / "bench"))
    runs = [(lambda: parse_text(bundle(20, 9), "bench.yaml"), load_config(None))]
    for case in sample_cases():
        config = case / "k2ecs.yaml"
        runs.append((lambda case=case: load_paths([str(case / "input")]),
                     load_config(str(config) if config.is_file() else None)))
    # accept annotations, read after the conversion from what the released readers keep
    runs.append((lambda: load_paths([str(ROOT / "tests" / "fixtures" / "ci" / "app.yaml")]), load_config(None)))
    if (CORPUS / "k8s").is_dir():
        from converter.load.inputs import load_inputs  # as the command line reads a folder (issue 18)

        runs.append((lambda: load_inputs([str(CORPUS / "k8s")]), load_config(None)))
    for load, settings in runs:
        kept, released = convert(load(), settings), convert(iter(load()), settings, release=True)
        assert [f.as_dict() for f in released.findings] == [f.as_dict() for f in kept.findings]
        assert [f.as_dict() for f in review(released.findings, released.sources)] == \
               [f.as_dict() for f in review(kept.findings, kept.sources)]
        assert [(o.name, o.resource, o.task_definition, o.service, o.scaling) for o in released.outputs] == \
               [(o.name, o.resource, o.task_definition, o.service, o.scaling) for o in kept.outputs]
        assert [(s.resource, s.file, s.line, s.status) for s in released.sources] == \
               [(s.resource, s.file, s.line, s.status) for s in kept.sources]
        assert all(s.reader.consumed is None for s in released.sources)


def test_findings_share_one_string_per_path_and_message_text() -> None:
    """A large run keeps every finding to its end; the same path or message text made again for each
    workload is kept once (make_finding), which was a sixth of the peak at 10,000 workloads."""
    from converter.pipeline.convert import convert
    from converter.load.loader import parse_text
    from converter.core.settings import Settings

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import bundle
    finally:
        sys.path.remove(str(ROOT / "bench"))
    findings = convert(parse_text(bundle(6, 3), "bench.yaml"), Settings()).findings
    by_text: dict[str, set[int]] = {}
    for finding in findings:
        for text in (finding.path, finding.message):
            by_text.setdefault(text, set()).add(id(text))
    repeated = [text for text in by_text if sum(1 for f in findings if text in (f.path, f.message)) > 1]
    assert len(repeated) > 10  # the bundle's workloads do have findings in common
    assert all(len(by_text[text]) == 1 for text in repeated)


def test_reverse_conversion_and_iac_rendering_leave_no_growing_cyclic_garbage(tmp_path: Path) -> None:
    """cli_common.built_without_gc pauses the cyclic GC while `--to k8s` loads and converts ECS input and
    while `--format cloudformation|terraform` renders, then freezes what was built (the GC's scans were 8.6
    of 31.6 CPU seconds of `--to k8s` on a 16 MB template, issue 24). Sound only while these steps leave no
    reference cycles that grow with the input: those would be kept until the command ends. A recursive
    closure in intrinsics.referenced_resources left one per resource. (What does not grow, such as the
    cycle json.dumps's encoder leaves once per call, is bounded.)"""
    import gc

    from converter.load.config import load_config
    from converter.load.inputs import load_inputs
    from converter.load.loader import parse_text
    from converter.pipeline.convert import convert
    from converter.pipeline.reverse import convert_to_kubernetes
    from converter.write.iac.render import render

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import bundle
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for case in sorted((ROOT / "samples").glob("ecs-*")):  # first uses (imports, lazy classes) before counting
        assert convert_to_kubernetes(load_inputs([str(case / "input")], cfn_tags=True)).outputs, case

    def garbage(workloads: int) -> int:
        conversion = convert(parse_text(bundle(workloads, 3), "bench.yaml"), load_config(None))
        template = tmp_path / f"template-{workloads}.yaml"
        template.write_text(render("cloudformation", conversion).files["template.yaml"], encoding="utf-8")
        gc.collect()
        gc.disable()
        try:
            for fmt, cfn_json in (("cloudformation", False), ("cloudformation", True), ("terraform", False)):
                assert render(fmt, conversion, cfn_json=cfn_json).files
            result = convert_to_kubernetes(load_inputs([str(template)], cfn_tags=True))
            assert len(result.outputs) == workloads
            del result
            return gc.collect()
        finally:
            gc.enable()

    garbage(2)
    assert garbage(20) == garbage(2)


def test_bench_path_selection_adds_the_paths_a_path_reads_from_and_profile_takes_a_whole_name() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import run as bench_run
    finally:
        sys.path.remove(str(ROOT / "bench"))
    # --paths: comma-separated parts; a path that reads another path's output brings that path along
    assert bench_run.selected_paths("from CloudFormation") == {"--to k8s (from CloudFormation)",
                                                                "convert --format cloudformation"}
    # --profile: one name, which may itself hold a comma
    assert [p.name for p in bench_run.matching_paths(["convert (ECS JSON, stdout)"])] == ["convert (ECS JSON, stdout)"]
    with pytest.raises(SystemExit, match="no path matches"):
        bench_run.matching_paths(["no such path"])
