"""SARIF as GitHub code scanning needs it (issue 23 item 2): paths relative to the repository root from
any sub-folder, Helm ``# Source:`` mapped back to the chart file, a helpUri per rule, fingerprints that
survive edits and rewording, and GitHub's documented upload requirements."""

from __future__ import annotations

import copy
import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema

from converter.core.codes import CODES
from converter.report.sarif import sarif_log
from converter.report.sarif_locations import Locator, helm_sources
from converter.core.resources import load_schema
from tests.helpers import ROOT, SAMPLES, run_k2ecs

WEB = SAMPLES / "web-loadbalancer-hpa" / "input" / "web.yaml"
SARIF_SCHEMA = load_schema("sarif-schema-2.1.0.json")


def github_upload_problems(log: dict, size_bytes: int) -> list[str]:
    """GitHub's documented requirements for an uploaded SARIF file ("SARIF support for code scanning" and
    "Uploading a SARIF file to GitHub", docs.github.com): SARIF 2.1.0; at most 10 MB gzip-compressed; at most
    20 runs, 25,000 results and 25,000 rules per run, 1,000 locations per result and 20 tags per rule; each
    result with a ruleId, message.text and a physical location whose uri is relative to the repository root
    (no scheme, no ``..``), with region.startLine >= 1; ``tool.driver.name``."""
    problems = []
    if log.get("version") != "2.1.0":
        problems.append("version")
    if size_bytes > 10 * 1024 * 1024:
        problems.append("size")
    if len(log["runs"]) > 20:
        problems.append("runs")
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        if not driver.get("name"):
            problems.append("driver.name")
        if len(run["results"]) > 25_000 or len(driver.get("rules", [])) > 25_000:
            problems.append("too many results or rules")
        for rule in driver.get("rules", []):
            if len(rule.get("properties", {}).get("tags", [])) > 20:
                problems.append(f"{rule['id']}: tags")
        for result in run["results"]:
            if not result.get("ruleId") or not result.get("message", {}).get("text"):
                problems.append("result without ruleId or message")
            locations = result.get("locations", [])
            if not 1 <= len(locations) <= 1000:
                problems.append("locations")
            for location in locations:
                physical = location["physicalLocation"]
                uri = physical["artifactLocation"]["uri"]
                if ":" in uri.split("/")[0] or uri.startswith("/") or ".." in uri.split("/") or "%3C" in uri:
                    problems.append(f"uri not relative to the repository root: {uri}")
                if physical.get("region", {}).get("startLine", 0) < 1:
                    problems.append(f"{uri}: no startLine")
    return problems


def _repo(tmp_path: Path) -> Path:
    """A git work tree: manifests in deploy/k8s/, a Helm chart in charts/web/."""
    repo = tmp_path / "repo"
    (repo / "deploy" / "k8s").mkdir(parents=True)
    (repo / "charts" / "web" / "templates").mkdir(parents=True)
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    else:
        (repo / ".git").mkdir()
    shutil.copy(WEB, repo / "deploy" / "k8s" / "web.yaml")
    (repo / "charts" / "web" / "Chart.yaml").write_text("apiVersion: v2\nname: webchart\nversion: 0.1.0\n")
    shutil.copy(WEB, repo / "charts" / "web" / "templates" / "deployment.yaml")
    return repo


def _sarif(*args: str, cwd: Path, stdin: str | None = None) -> tuple[dict, str]:
    result = run_k2ecs("convert", *args, "--report", "sarif", "--fail-on", "never", cwd=cwd, stdin=stdin)
    assert result.returncode == 0, result.stderr
    log = json.loads(result.stderr)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return log, result.stderr


def _uris(log: dict) -> set[str]:
    return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}


def test_a_run_from_a_sub_folder_points_at_the_file_from_the_repository_root(tmp_path: Path):
    repo = _repo(tmp_path)
    log, text = _sarif("k8s", cwd=repo / "deploy")
    assert _uris(log) == {"deploy/k8s/web.yaml"}
    assert (repo / "deploy/k8s/web.yaml").is_file()
    assert github_upload_problems(log, len(gzip.compress(text.encode()))) == []
    first = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    lines = (repo / "deploy/k8s/web.yaml").read_text().splitlines()
    assert 1 <= first["region"]["startLine"] <= len(lines)


def test_sarif_root_overrides_the_git_root(tmp_path: Path):
    repo = _repo(tmp_path)
    log, _ = _sarif("k8s", "--sarif-root", ".", cwd=repo / "deploy")
    assert _uris(log) == {"k8s/web.yaml"}
    assert run_k2ecs("convert", "k8s", "--sarif-root", ".", cwd=repo / "deploy").returncode == 2  # not with text


def test_piped_helm_output_is_placed_at_the_chart_template_it_came_from(tmp_path: Path):
    repo = _repo(tmp_path)
    rendered = "---\n# Source: webchart/templates/deployment.yaml\n" + WEB.read_text()
    log, text = _sarif("-", cwd=repo / "deploy", stdin=rendered)
    assert _uris(log) == {"charts/web/templates/deployment.yaml"}
    assert all("(rendered at <stdin>:" in r["message"]["text"] for r in log["runs"][0]["results"])
    assert github_upload_problems(log, len(gzip.compress(text.encode()))) == []


def test_helm_sources_and_locator_pick_the_marker_before_the_line():
    text = "# Source: a/templates/x.yaml\nkind: A\n---\n# Source: a/templates/y.yaml\nkind: B\n"
    assert helm_sources(text) == [(1, "a/templates/x.yaml"), (4, "a/templates/y.yaml")]
    locate = Locator(root="/r", cwd="/r/sub", markers={"f.yaml": helm_sources(text)}, charts={"a": "charts/a"},
                     existing=frozenset({"charts/a/templates/x.yaml", "charts/a/templates/y.yaml"}))
    assert locate.place("f.yaml", 2).path == "charts/a/templates/x.yaml"
    assert locate.place("f.yaml", 5).path == "charts/a/templates/y.yaml"
    assert locate.place("g.yaml", 5).path == "sub/g.yaml"
    assert locate.place("../../etc/x.yaml", 1) .relative is False  # outside the root: an absolute file URI


def test_every_rule_has_a_help_uri_to_its_anchor_in_docs_mapping_md():
    log, _ = _sarif(str(WEB), cwd=ROOT)
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', (ROOT / "docs" / "MAPPING.md").read_text()))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CODES)
    for rule in rules:
        page, anchor = rule["helpUri"].split("#")
        assert page.endswith("/docs/MAPPING.md") and anchor == rule["id"].lower() and anchor in anchors
        # the code's topics: links to the rules it rests on, each to an anchor of the same file
        for link in re.findall(r"\((https://[^)]+)\)", rule["help"]["markdown"]):
            assert link.split("#")[0] == page and link.split("#")[1] in anchors, link


def test_fingerprints_survive_moved_lines_and_reworded_messages_but_not_a_different_finding():
    report = json.loads(run_k2ecs("convert", str(WEB), "--report", "json", "--fail-on", "never").stderr)
    reworded = copy.deepcopy(report)
    for finding in reworded["findings"]:
        finding["message"] = "reworded: " + finding["message"]
        finding["suggestion"] = "reworded"
        finding["line"] = (finding["line"] or 0) + 7

    def prints(r: dict) -> list[str]:
        return [x["partialFingerprints"]["k2ecsFinding/v2"] for x in sarif_log(r)["runs"][0]["results"]]

    assert prints(report) == prints(reworded)
    assert len(set(prints(report))) == len(prints(report))  # one per finding
    moved = copy.deepcopy(report)
    moved["findings"][0]["path"] += "/x"
    assert prints(moved)[0] != prints(report)[0]
