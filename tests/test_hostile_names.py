"""Issue 17 item 7: a workload's ECS name is a function of (namespace, name), whatever the order or the rest of the run."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from converter.cli import app
from converter.core.errors import ExitStatus


def deployment(name: str, namespace: str | None, image: str, replicas: int = 1, kind: str = "Deployment") -> dict:
    metadata = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "app", "image": image}]}}}
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec}


def names_of(folder: Path, files: dict[str, list[dict]], *args: str) -> tuple[int, dict]:
    """Write ``files`` (file name -> documents) to ``folder`` and convert it to stdout: (status, report)."""
    folder.mkdir()
    for name, documents in files.items():
        (folder / name).write_text(yaml.safe_dump_all(documents, sort_keys=False))
    report = folder.parent / f"{folder.name}.report.json"
    result = CliRunner().invoke(app, ["convert", str(folder), "--report", "json", "--report-file", str(report), *args])
    data = json.loads(report.read_text())
    return result.exit_code, data


def ecs_names(stdout_run) -> dict[str, tuple[str, int]]:
    return {w["name"]: (w["taskDefinition"]["containerDefinitions"][0]["image"], w["service"]["desiredCount"])
            for w in stdout_run["workloads"]}


def convert_stdout(folder: Path) -> dict:
    result = CliRunner().invoke(app, ["convert", str(folder), "--fail-on", "never", "--report-file", "/dev/null"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


PROD = deployment("checkout", "prod", "shop/checkout:1.0", replicas=3)
DEV = deployment("checkout", "dev", "shop/checkout:dev", replicas=1)


def test_names_do_not_depend_on_file_order_or_on_the_rest_of_the_run(tmp_path):
    alone, both = tmp_path / "alone", tmp_path / "both"
    for folder, files in ((alone, {"prod.yaml": [PROD]}), (both, {"a-dev.yaml": [DEV], "prod.yaml": [PROD]})):
        folder.mkdir()
        for name, documents in files.items():
            (folder / name).write_text(yaml.safe_dump_all(documents, sort_keys=False))
    assert ecs_names(convert_stdout(alone)) == {"prod-checkout": ("shop/checkout:1.0", 3)}
    assert ecs_names(convert_stdout(both)) == {"prod-checkout": ("shop/checkout:1.0", 3),
                                               "dev-checkout": ("shop/checkout:dev", 1)}
    (both / "a-dev.yaml").rename(both / "z-dev.yaml")  # the dev file now sorts last
    assert ecs_names(convert_stdout(both))["prod-checkout"] == ("shop/checkout:1.0", 3)


def test_the_default_namespace_and_none_keep_the_plain_name(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.yaml").write_text(yaml.safe_dump_all([deployment("web", None, "web:1"),
                                                       deployment("api", "default", "api:1")]))
    assert set(ecs_names(convert_stdout(folder))) == {"web", "api"}


def test_a_real_collision_is_an_error_on_both_whatever_the_order(tmp_path):
    web = deployment("web", "shop", "web:1")
    twin = deployment("web", "shop", "web:2", kind="StatefulSet")
    for number, order in enumerate(([web, twin], [twin, web])):
        status, report = names_of(tmp_path / f"run{number}", {"all.yaml": order})
        assert status == ExitStatus.FINDINGS
        collisions = [f for f in report["findings"] if f["code"] == "K2E-E021"]
        assert sorted(f["resource"] for f in collisions) == ["Deployment/web", "StatefulSet/web"]
        assert "same ECS name shop-web" in collisions[0]["message"]
        assert report["outputs"] == []


def test_a_long_name_is_cut_with_a_digest_so_names_that_share_a_beginning_stay_apart(tmp_path):
    base = "a" * 230
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.yaml").write_text(yaml.safe_dump_all([deployment(base + "-one", "ns", "x:1"),
                                                       deployment(base + "-two", "ns", "x:1")]))
    names = list(ecs_names(convert_stdout(folder)))
    assert len(names) == 2 and names[0] != names[1]
    assert all(len(f"{n}.taskdef.json".encode()) <= 255 for n in names)


# -- item 8: a workload's own problem is an error finding on it, never a whole-run exit 4 -----------------

def test_problems_from_the_input_are_findings_on_their_workload_and_the_rest_converts(tmp_path):
    twins = deployment("twins", None, "x:1")
    twins["spec"]["template"]["spec"]["containers"].append({"name": "app", "image": "y:1"})
    big = deployment("big", None, "x:1")
    big["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": f"V{i}", "value": "v" * 200} for i in range(400)]
    for output in ("stdout", "folder"):
        folder = tmp_path / output
        status, report = names_of(folder, {"a.yaml": [twins], "b.yaml": [big], "c.yaml": [deployment("ok", None, "x:1")]},
                                  *(["-o", str(tmp_path / f"{output}-out")] if output == "folder" else []))
        assert status == ExitStatus.FINDINGS
        assert [o["name"] for o in report["outputs"]] == ["ok"]
        codes = {f["resource"]: f["code"] for f in report["findings"] if f["severity"] == "error"}
        assert codes == {"Deployment/twins": "K2E-E150", "Deployment/big": "K2E-E151"}
