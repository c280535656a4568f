"""The IaC writers the command uses (render.IacSink: cfn_text, hcl_text, terraform.TerraformText) give the bytes
of the ones they replaced: the stack or configuration built whole (build_stack, build_configuration) and
written through the Jinja templates and filters (render_text, render_files).

Compared over every sample, every corpus file, the rich inputs of tests/test_iac.py, the hostile values of
tests/test_iac_escaping.py and a release of each of the benchmark's applications, where the rendering
takes each workload as the streamed conversion hands it over. Also: a rendering error is raised in the
order rendering the whole run raised it, and the -o folder is the one write_atomically wrote.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from converter.core.errors import OutputValidationError
from converter.core.settings import Settings
from converter.load.config import load_config
from converter.load.loader import parse_text
from converter.pipeline.convert import Conversion, convert
from converter.write.iac import cloudformation, mapping, terraform
from converter.write.iac.links import link
from converter.write.iac.render import CLOUDFORMATION, TERRAFORM, IacSink, render
from converter.write.output import with_report, write_atomically, write_rendering
from tests.helpers import ROOT
from tests.test_iac import CASES as _CASES, _rich_conversions, conversion
from tests.test_iac_escaping import HOSTILE


def _reference(fmt: str, result: Conversion) -> dict[str, str]:
    """The files as rendered before the writers: the whole run linked, built and put through the templates."""
    if not result.outputs:
        return {}
    linked = link(result.outputs)
    if fmt == CLOUDFORMATION:
        return {cloudformation.YAML_FILE: cloudformation.render_text(cloudformation.build_stack(linked), as_json=False)}
    return terraform.render_files(terraform.build_configuration(linked))


def _same(result: Conversion) -> None:
    for fmt in (CLOUDFORMATION, TERRAFORM):
        assert render(fmt, result).files == _reference(fmt, result), fmt


@pytest.mark.parametrize("case", _CASES)
def test_the_writers_give_the_templates_bytes_on_every_sample(case: Path):
    _same(conversion(case))


def test_the_writers_give_the_templates_bytes_on_rich_and_hostile_inputs():
    for result in _rich_conversions():
        _same(result)
    _same(convert(parse_text(HOSTILE, "hostile.yaml"), Settings()))


def test_the_writers_give_the_templates_bytes_on_the_bench_applications(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import apps
    finally:
        sys.path.remove(str(ROOT / "bench"))
    text = apps.bundle(1)  # one release of each application
    config = tmp_path / "k2ecs.yaml"
    config.write_text(apps.plan_config(text, "prod", "subnet-1", "sg-1"), encoding="utf-8")
    result = convert(parse_text(text, "bundle.yaml"), load_config(str(config)))
    assert len(result.outputs) >= 12
    _same(result)
    # unconfigured: placeholders become parameters and variables without defaults
    _same(convert(parse_text(text, "bundle.yaml"), Settings()))


def test_the_text_does_not_depend_on_when_each_workload_is_handed_over():
    """Logical IDs are decided at the end (a workload's name may be taken by a parameter or log group met
    later): the sink given workload after workload writes what the whole run gives."""
    many = conversion(next(p.values[0] for p in _CASES if len(conversion(p.values[0]).outputs) > 3))
    hostile = convert(parse_text(HOSTILE, "hostile.yaml"), Settings())
    for result in (many, hostile):
        for fmt in (CLOUDFORMATION, TERRAFORM):
            for spooled in (False, True):  # the command's sink keeps the text in a temporary file
                sink = IacSink(fmt, spooled=spooled)
                for position, output in enumerate(result.outputs):
                    sink.put(position, output)
                sink.reset()  # a restarted conversion (convert.convert's again()) starts the text over
                for position, output in enumerate(result.outputs):
                    sink.put(position, output)
                rendering = sink.rendering(result.sources)
                assert rendering.files == _reference(fmt, result)
                assert rendering.files == rendering.files  # read back as often as asked
                assert rendering.findings == render(fmt, result).findings
                sink.close()


def _two_deployments() -> Conversion:
    text = "".join(f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{index}}}
spec:
  selector: {{matchLabels: {{app: app{index}}}}}
  template:
    metadata: {{labels: {{app: app{index}}}}}
    spec:
      containers: [{{name: c, image: nginx}}]
""" for index in range(2))
    return convert(parse_text(text, "t.yaml"), Settings())


@pytest.mark.parametrize("fmt", [CLOUDFORMATION, TERRAFORM])
def test_a_linking_error_of_a_later_workload_is_raised_before_a_building_error_of_an_earlier_one(fmt: str):
    result = _two_deployments()
    result.outputs[0].task_definition["unmapped"] = 1
    with pytest.raises(OutputValidationError, match="payload member 'unmapped'"):
        render(fmt, result)
    result.outputs[1].task_definition["family"] = "x-<k2ecs:cluster>-y"
    with pytest.raises(OutputValidationError, match="placeholder inside"):
        render(fmt, result)


def test_a_building_error_is_raised_before_a_value_with_no_text():
    result = _two_deployments()
    result.outputs[0].task_definition["cpu"] = None  # no YAML for None: an error of writing
    with pytest.raises(TypeError):
        render(CLOUDFORMATION, result)
    result.outputs[1].task_definition["unmapped"] = 1
    with pytest.raises(OutputValidationError, match="payload member 'unmapped'"):
        render(CLOUDFORMATION, result)


def test_every_mapping_table_names_each_property_once():
    """cfn_text writes each member's line as it maps it: two members with one property name would be two keys
    (build_stack's dict kept the last value at the first place)."""
    seen: set[int] = set()

    def walk(table: Any) -> None:
        if id(table) in seen:
            return
        seen.add(id(table))
        names = [f.cfn for f in table.values() if f.cfn is not None]
        assert len(names) == len(set(names)), names
        for f in table.values():
            if f.nested is not None:
                walk(f.nested)

    for table, _, _ in mapping.RESOURCES.values():
        walk(table)
    walk(mapping.SCALING_POLICY)


def test_the_folder_is_what_write_atomically_wrote(tmp_path: Path):
    result = conversion(_CASES[0].values[0])
    rendering = render(TERRAFORM, result)
    report: dict[str, Any] = {"outputs": [], "findings": [{"message": "é 日本"}], "n": 1}
    write_atomically(str(tmp_path / "before"), with_report(rendering.files, report))
    write_rendering(str(tmp_path / "after"), rendering.pieces, report)
    before = {p.name: p.read_bytes() for p in (tmp_path / "before").iterdir()}
    after = {p.name: p.read_bytes() for p in (tmp_path / "after").iterdir()}
    assert after == before and "report.json" in after and "main.tf" in after


def test_stdout_is_the_files_as_they_were_joined():
    result = conversion(_CASES[0].values[0])
    for fmt in (CLOUDFORMATION, TERRAFORM):
        rendering = render(fmt, result)
        files = _reference(fmt, result)
        expected = ("".join(files.values()) if fmt == CLOUDFORMATION else
                    "\n".join(f"# ==> {name} <==\n" + text for name, text in files.items()))
        assert "".join(rendering.stdout_pieces()) == expected == rendering.stdout_text()


def _shape(node: Any) -> Any:
    """The value with each leaf's exact class beside it (True == 1, but a copy must keep True)."""
    if isinstance(node, dict):
        return ("dict", [(key, _shape(value)) for key, value in node.items()])
    if isinstance(node, list):
        return ("list", [_shape(value) for value in node])
    return (node.__class__, node)


def test_linking_leaves_the_conversions_payloads_as_they_were():
    """link_workload copies only the containers it changes (the rest is shared with the conversion's payloads)."""
    from converter.write.iac.links import _may_hold_placeholders

    results = [conversion(p.values[0]) for p in _CASES[:16]] + _rich_conversions()
    results.append(convert(parse_text(HOSTILE, "hostile.yaml"), Settings()))
    outputs = [o for result in results for o in result.outputs]
    assert any(o.scaling is not None for o in outputs) and any("<k2ecs:" in json.dumps(o.service) for o in outputs)
    before = [_shape([o.task_definition, o.service, o.scaling]) for o in outputs]
    for result in results:
        link(result.outputs)
        render(CLOUDFORMATION, result)
        render(TERRAFORM, result)
    assert [_shape([o.task_definition, o.service, o.scaling]) for o in outputs] == before
    for o in outputs:  # no placeholder is ever missed
        assert _may_hold_placeholders(o.task_definition, o.service, o.scaling) or "<k2ecs:" not in json.dumps(
            [o.task_definition, o.service, o.scaling], ensure_ascii=False)


def test_a_payload_marshal_cannot_write_is_walked():
    from converter.write.iac.links import _may_hold_placeholders

    class Text(str):
        pass

    assert _may_hold_placeholders({"a": [Text("x"), {"b": True}]})
    assert not _may_hold_placeholders({"a": ["x", {"b": True}]}) and _may_hold_placeholders({"a": ["<k2ecs:x>"]})


def test_the_cloudformation_line_starts_are_kept_once_for_the_run():
    """cfn_text keeps each property's line start (indent, key, ":") per indent for the whole run: the workloads
    after the first add none of their own, and what is kept is one entry per property name and indent."""
    many = conversion(next(p.values[0] for p in _CASES if len(conversion(p.values[0]).outputs) > 3))
    sink = IacSink(CLOUDFORMATION)
    sink.put(0, many.outputs[0])
    kept = [dict(heads) for heads in sink.writer.heads]
    properties: set[str] = set()
    tables = [table for table in mapping.__dict__.values() if isinstance(table, dict)]
    while tables:  # every property name of mapping.py, nested tables included
        for field in tables.pop().values():
            if isinstance(field, mapping.Field):
                properties.add(field.cfn)
                if isinstance(field.nested, dict):
                    tables.append(field.nested)
    assert sum(map(len, kept)) > 0 and all(set(heads) <= properties for heads in kept)
    for position, output in enumerate(many.outputs[1:], 1):
        sink.put(position, output)
    assert all(sink.writer.heads[indent][name] == kept[indent][name] for indent, heads in enumerate(kept) for name in heads)
    assert sink.rendering(many.sources).files == _reference(CLOUDFORMATION, many)
    sink.close()
