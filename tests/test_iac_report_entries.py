"""The report of an IaC rendering names the rendering's files for each output, entries made one at a time as
report.json is written (issue 24: the IaC path held two dicts per workload, the report's and the retargeted
one, through the writing of the report)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from converter.core import jsontext
from converter.report import canonical
from converter.write.iac.render import Rendering


def _outputs(count: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(name=f"w{index}", resource=f"Deployment/w{index}", scaling={} if index % 2 else None)
            for index in range(count)]


def _rendering() -> Rendering:
    return Rendering("terraform", {name: [] for name in ("versions.tf", "variables.tf", "main.tf", "outputs.tf")})


def test_retargeted_entries_are_made_as_the_report_is_written_and_name_the_rendered_files(monkeypatch):
    made = []
    real = canonical._output_dict
    monkeypatch.setattr(canonical, "_output_dict", lambda output: made.append(output) or real(output))
    outputs = _outputs(5)
    report = _rendering().retarget_report(canonical.build_report([], [], outputs, outputs_as_written=True))
    assert made == []  # nothing made before it is written
    text = jsontext.dumps(report)
    assert len(made) == len(outputs)
    entries = json.loads(text)["outputs"]
    assert entries == [{"resource": f"Deployment/w{index}", "name": f"w{index}", "files": ["main.tf", "outputs.tf"]}
                       for index in range(5)]


def test_retargeted_report_is_the_text_the_whole_list_gives():
    outputs = _outputs(4)
    lazy = _rendering().retarget_report(canonical.build_report([], [], outputs, outputs_as_written=True))
    whole = _rendering().retarget_report(canonical.build_report([], [], outputs))
    assert isinstance(whole["outputs"], list)
    assert jsontext.dumps(lazy) == jsontext.dumps(whole) == json.dumps(
        {**whole, "resources": [], "findings": []}, indent=2, ensure_ascii=False)


def test_main_tf_log_group_resources_are_made_as_the_file_is_written(monkeypatch):
    """Not joined into one text when the rendering is made and held to the end of the report (issue 24)."""
    from converter.core.settings import Settings
    from converter.load.loader import load_paths
    from converter.pipeline.convert import convert
    from converter.write.iac import terraform
    from converter.write.iac.render import IacSink
    from tests.helpers import SAMPLES

    result = convert(load_paths([str(SAMPLES / "web-loadbalancer-hpa" / "input")]), Settings())
    sink = IacSink("terraform", spooled=True)
    try:
        for position, output in enumerate(result.outputs):
            sink.put(position, output)
        made = []
        real = terraform.block
        monkeypatch.setattr(terraform, "block", lambda kind, labels, items: made.append(kind) or real(kind, labels, items))
        rendering = sink.rendering(result.sources)
        assert "resource" not in made
        text = "".join(rendering.pieces["main.tf"])
        groups = made.count("resource")
        assert groups and groups == text.count('resource "aws_cloudwatch_log_group"')
        assert "".join(rendering.pieces["main.tf"]) == text  # made again, the same, each time it is written
    finally:
        sink.close()
