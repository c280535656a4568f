"""`k2ecs compare`: rows from the real conversion, terminal / Markdown / HTML views, cost sketch, safety.

Either side is the input: Kubernetes manifests (samples/*) or ECS input (samples/ecs-*). Expected names,
codes, statuses and counts are derived from the conversion itself (converter.pipeline.convert, or
converter.pipeline.reverse for ECS input) and the rule tables (converter.compare.rules), never copied from an
earlier run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from converter.core.codes import CODES
from converter.compare import compare
from converter.compare import markdown as markdown_view
from converter.compare import html as html_view
from converter.compare import terminal as terminal_view
from converter.compare.rules import (NEEDS_INPUT, NOT_MAPPED, STATUS_BY_CODE, STATUSES, WORST_FIRST, finding_status,
                                     row_status)
from converter.load.config import load_config
from converter.pipeline.convert import convert
from converter.core.errors import ExitStatus
from converter.load.loader import load_paths
from converter.core.resources import load_schema
from converter.pipeline.reverse import convert_to_kubernetes
from converter.core.settings import PLACEHOLDER_PREFIX, Settings
from tests.helpers import ROOT, SAMPLES, run_k2ecs, sample_cases
from tests.reverse_support import ecs_sample_cases

CHROMIUM = "/usr/bin/chromium"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CANARIES = ("sk_live_canary_value_never_output", "maps-canary-value-never-output", "c3VwZXItc2VjcmV0LWRiLXBhc3N3b3Jk",
            "YXBwX3VzZXI=", "canary-in-an-annotation", "canary-in-string-data")

HOSTILE = """\
apiVersion: v1
kind: Secret
metadata:
  name: hostile-secret
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"token":"canary-in-an-annotation"}}'
stringData:
  token: canary-in-string-data
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "<script>alert(1)</script>"
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hostile
  labels: {app: hostile}
  annotations: {note: "<script>alert(2)</script>"}
spec:
  replicas: 1
  selector: {matchLabels: {app: hostile}}
  template:
    metadata: {labels: {app: hostile}}
    spec:
      containers:
        - name: app
          image: example.com/app:1
          workingDir: "/srv/a | b\\nline two \\e[31mred\\e[0m"
          env:
            - {name: PIPE, value: "a | b"}
            - {name: "WEIRD]NAME[.x", value: brackets}
            - {name: MULTI, value: "line one\\nline two"}
            - {name: ESCAPE, value: "\\e[31mred\\e[0m"}
            - {name: HTML, value: "<script>alert('x')</script>"}
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: hostile-secret, key: token}}
          resources: {requests: {cpu: 250m, memory: 256Mi}}
"""


def _config(case: Path):
    return load_config(str(case / "k2ecs.yaml") if (case / "k2ecs.yaml").is_file() else None)


def _ecs(case: Path) -> bool:
    return case.name.startswith("ecs-")


def _comparison(case: Path):
    if _ecs(case):
        return compare(load_paths([str(case / "input")], cfn_tags=True), Settings(), (str(case / "input"),))
    return compare(load_paths([str(case / "input")]), _config(case), (str(case / "input"),))


def _conversion(case: Path):
    """The conversion compare shows: forward for Kubernetes input, reverse for ECS input."""
    if _ecs(case):
        return convert_to_kubernetes(load_paths([str(case / "input")], cfn_tags=True))
    return convert(load_paths([str(case / "input")]), _config(case))


CASES = sample_cases()
IDS = [case.name for case in CASES]
ECS_CASES = ecs_sample_cases()
BOTH = CASES + ECS_CASES
BOTH_IDS = [case.name for case in BOTH]


# -- rows follow the conversion ---------------------------------------------------------------------

@pytest.mark.parametrize("case", BOTH, ids=BOTH_IDS)
def test_every_finding_and_workload_of_the_conversion_is_in_the_comparison(case: Path):
    conversion = _conversion(case)
    comparison = _comparison(case)
    assert (comparison.source_side, comparison.target_side) == (("ECS", "Kubernetes") if _ecs(case) else ("Kubernetes", "ECS"))
    names = [view.workload.name for view in comparison.workloads]
    for output in conversion.outputs:
        assert output.name in names
    shown_documents = {(s.resource, s.file) for view in comparison.workloads for s in view.workload.sources}
    assert shown_documents == {(s.resource, s.file) for s in conversion.sources}  # every input document, somewhere
    shown = [(f.code, f.resource, f.path, f.message) for view in comparison.workloads for row in view.rows for f in row.findings]
    for finding in conversion.findings:
        assert (finding.code, finding.resource, finding.path, finding.message) in shown
    unconverted = {(s.resource, s.file) for s in conversion.sources if s.status == "not-converted"}
    for view in comparison.workloads:
        assert sum(view.counts.values()) == len(view.rows)
        for row in view.rows:
            # The status follows the rule table: the worst status of its findings, a placeholder, or mapped.
            expected = {finding_status(f) for f in row.findings}
            if (row.source_resource, row.source_file) in unconverted:
                expected.add(NOT_MAPPED)
            if PLACEHOLDER_PREFIX in row.target_value and not row.target_value.startswith(("[", "{")):
                expected.add(NEEDS_INPUT)
            if expected:
                assert row.status == next(s for s in WORST_FIRST if s in expected), row
            else:
                assert row.status in ("mapped", NOT_MAPPED), row


def test_env_rows_show_the_ecs_entry_read_from_the_payload(tmp_path: Path):
    (tmp_path / "app.yaml").write_text(HOSTILE)
    paths = [str(tmp_path / "app.yaml"), str(SAMPLES / "secrets-and-configmaps" / "input")]
    comparison = compare(load_paths(paths), load_config(None))
    rows = [(view, row) for view in comparison.workloads for row in view.rows if re.search(r"/env/\d+$", row.source_field)]
    assert len(rows) >= 10
    for view, row in rows:
        name = json.loads(row.source_value)["name"]
        container = view.workload.targets["taskDefinition"]["containerDefinitions"][0]
        entry = next(e for e in container.get("environment", []) + container.get("secrets", []) if e["name"] == name)
        assert json.loads(row.target_value) == entry, row


def test_a_field_nothing_read_is_not_mapped_with_the_catch_all_code(tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text((SAMPLES / "worker-no-ports" / "input" / "worker.yaml").read_text()
                        .replace("spec:\n", "spec:\n  someFutureField: 7\n", 1))
    comparison = compare(load_paths([str(manifest)]), load_config(None))
    rows = [row for view in comparison.workloads for row in view.rows if row.source_field.endswith("/someFutureField")]
    assert len(rows) == 1 and rows[0].status == NOT_MAPPED and rows[0].codes == ("K2E-W901",)


def test_same_name_in_two_namespaces_gets_the_right_payloads(tmp_path: Path):
    containers = "".join(f"        - {{name: c{i}, image: example.com/c:{i}}}\n" for i in range(11))
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n"
                  "  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n"
                  "    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n{containers}")
    (tmp_path / "a.yaml").write_text(deployment.format(ns="a", replicas=1, containers=containers))  # too many: E144
    (tmp_path / "b.yaml").write_text(deployment.format(ns="b", replicas=4, containers=containers.split("\n", 1)[0] + "\n"))
    conversion = convert(load_paths([str(tmp_path)]), load_config(None))
    assert [o.resource for o in conversion.outputs] == ["Deployment/web"]
    views = {view.workload.sources[0].file: view for view in
             compare(load_paths([str(tmp_path)]), load_config(None)).workloads}
    assert not views[str(tmp_path / "a.yaml")].workload.converted
    assert views[str(tmp_path / "a.yaml")].counts["mapped"] == 0  # nothing of it reached ECS
    converted = views[str(tmp_path / "b.yaml")]
    assert converted.workload.targets["service"]["desiredCount"] == 4


def test_every_registered_code_has_a_status_and_the_table_names_only_registered_codes():
    for codes in STATUS_BY_CODE.values():
        assert set(codes) <= set(CODES)
    from converter.core.findings import Finding

    for code, info in CODES.items():
        finding = Finding(code=code, severity=info.severity, resource="Deployment/x", file="f", line=1, path="",
                          message="m", suggestion="s")
        assert finding_status(finding) in STATUSES
        assert row_status([finding], "plain", True) in STATUSES
    assert row_status([], "<k2ecs:cluster>", True) == NEEDS_INPUT
    assert row_status([], "x", False) == NOT_MAPPED


# -- Markdown ---------------------------------------------------------------------------------------

def _cells(line: str) -> list[str]:
    """Cells of one GFM table row, split on the pipes that are not escaped."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _assert_tables_well_formed(text: str) -> None:
    """Every row of every table has as many cells as its header: no value broke out of its cell."""
    width = None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
        elif width is None:
            width = len(_cells(line))
        else:
            assert len(_cells(line)) == width, line


@pytest.mark.parametrize("case", BOTH, ids=BOTH_IDS)
def test_markdown_names_every_workload_code_and_counts_its_rows(case: Path):
    conversion = _conversion(case)
    args = ["compare", "input", "--markdown", "-"] + (["--config", "k2ecs.yaml"] if (case / "k2ecs.yaml").is_file() else [])
    result = run_k2ecs(*args, cwd=case)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    _assert_tables_well_formed(text)
    for output in conversion.outputs:
        assert f"<summary><b>{output.name}</b>" in text
    for finding in conversion.findings:
        assert f"`{finding.code}`" in text
    # Each section's table: statuses counted from the rows equal the summary line and the overview table.
    sections = [part.split("</details>")[0].strip() for part in text.split("<details>")[1:]]
    table = next(part for part in text.split("\n\n") if part.startswith("| Section | Resource |"))
    overview = {_cells(line)[0]: _cells(line) for line in table.splitlines()[2:]}
    totals = dict.fromkeys(STATUSES, 0)
    for section in sections:
        name = re.search(r"<summary><b>(.*?)</b>", section).group(1)
        rows = [_cells(line) for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Status")
                and not line.startswith("| ---")]
        counted = {status: sum(1 for cells in rows if cells[0] == status) for status in STATUSES}
        assert ", ".join(f"{counted[s]} {s}" for s in STATUSES) in section.splitlines()[0]
        assert overview[name][2:6] == [str(counted[s]) for s in STATUSES]
        for status in STATUSES:
            totals[status] += counted[status]
        for cells in rows:
            codes = re.findall(r"`(K2E-[EWI]\d{3})`", cells[6])
            assert cells[0] in STATUSES
            if codes:
                statuses = {finding_status(_finding(code)) for code in codes}
                if PLACEHOLDER_PREFIX.replace("<", "\\<") in cells[5] and not cells[5].startswith(("\\[", "{")):
                    statuses.add(NEEDS_INPUT)
                assert cells[0] == next(s for s in WORST_FIRST if s in statuses)
    shared = _shared(_comparison(case))
    whole = re.search(r"\*\*Whole input:\*\* (.*?);", text).group(1)
    if not shared:  # a document shown in two sections counts once in the whole-input line
        assert whole == ", ".join(f"{totals[s]} {s}" for s in STATUSES)
    assert "### How statuses and effort are decided" in text and "Hours per row" in text
    side = "ECS → Kubernetes" if _ecs(case) else "Kubernetes → ECS"
    assert f"## k2ecs compare: {side}" in text


def _shared(comparison) -> bool:
    """Whether a document is shown in two sections (then it counts once in the whole-input totals)."""
    seen = [(s.resource, s.file, s.line) for view in comparison.workloads for s in view.workload.sources]
    return len(seen) != len(set(seen))


def _finding(code: str):
    from converter.core.findings import Finding

    return Finding(code=code, severity=CODES[code].severity, resource="x", file="f", line=1, path="", message="",
                   suggestion="")


def test_markdown_escapes_pipes_newlines_and_html(tmp_path: Path):
    (tmp_path / "app.yaml").write_text(HOSTILE)
    text = markdown_view.render(compare(load_paths([str(tmp_path / "app.yaml")]), load_config(None)))
    assert "/srv/a \\| b<br>line two" in text
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\\<script\\>alert(1)\\</script\\>" in text  # a name (not converted: "other resources")
    _assert_tables_well_formed(text)


# -- terminal ---------------------------------------------------------------------------------------

def test_terminal_output_off_a_tty_is_plain_and_fits_100_columns(tmp_path: Path):
    (tmp_path / "app.yaml").write_text(HOSTILE)
    for args, cwd in ((["compare", "input"], SAMPLES / "web-loadbalancer-hpa"),
                      (["compare", str(tmp_path / "app.yaml")], None),
                      (["compare", *[str(case / "input") for case in CASES]], None),
                      (["compare", *[str(case / "input") for case in ECS_CASES]], None)):
        result = run_k2ecs(*args, cwd=cwd)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout
        assert max(len(line) for line in result.stdout.splitlines()) <= 100
        assert "STATUS" in result.stdout
    shown = run_k2ecs("compare", str(tmp_path / "app.yaml")).stdout
    assert "\\x1b[31mred" in shown and "/srv/a | b\\nline two" in shown  # control characters shown escaped


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run k2ecs with stdout on a pseudo-terminal, as a user's shell would."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "converter", *args], stdout=follower, stderr=subprocess.PIPE,
                               env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
                                    "PYTHONPATH": str(ROOT), **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed when the process exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_unless_no_color_is_set():
    case = str(SAMPLES / "web-loadbalancer-hpa" / "input")
    assert ANSI.search(_on_a_terminal("compare", case, env={}))
    assert not ANSI.search(_on_a_terminal("compare", case, env={"NO_COLOR": "1"}))


def test_terminal_colours_only_when_asked_and_still_fits():
    comparison = _comparison(SAMPLES / "web-loadbalancer-hpa")
    coloured = terminal_view.render(comparison, color=True)
    assert ANSI.search(coloured)
    assert max(len(ANSI.sub("", line)) for line in coloured.splitlines()) <= 100
    assert ANSI.sub("", coloured) == terminal_view.render(comparison, color=False)
    assert "Effort rule" in coloured and "Estimate only" in coloured


# -- HTML -------------------------------------------------------------------------------------------

class _Page(HTMLParser):
    """Collects tags with their attributes and the text outside hidden elements, scripts and styles."""

    VOID = {"meta", "link", "br", "img", "input", "col", "wbr", "hr", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[bool] = []  # whether each open element hides its content
        self.text: list[str] = []
        self.styles: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in self.VOID:
            return
        hides = "hidden" in attributes or tag in ("script", "style", "noscript", "head")
        self.stack.append(hides or (bool(self.stack) and self.stack[-1]))
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.styles.append(data)
        if not (self.stack and self.stack[-1]):
            self.text.append(data)

    @property
    def visible(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _assert_self_contained(text: str) -> None:
    page = _parse(text)
    for tag, attributes in page.tags:
        assert tag != "link", "no external stylesheets or fonts"
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed", "object"):
            assert "src" not in attributes and "data" not in attributes, tag
    css = "".join(page.styles)
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?https?:", css) and "@font-face" not in css
    assert re.search(r"(?:src|href)=\"?https?://[^\"]*\.(?:js|css|woff2?|ttf|otf)", text) is None
    assert "default-src 'none'" in text  # the page's own CSP forbids every fetch


@pytest.mark.parametrize("case", BOTH, ids=BOTH_IDS)
def test_html_page_for_each_sample(case: Path):
    conversion = _conversion(case)
    comparison = _comparison(case)
    text = html_view.render(comparison)
    _assert_self_contained(text)
    page = _parse(text)
    for output in conversion.outputs:
        assert f'<span class="name">{output.name}</span>' in text
        if _ecs(case):  # the generated manifests, as YAML, beside the ECS source
            from converter.write.kubernetes.dump import dump_documents

            for document in output.documents:
                assert html_escape(dump_documents([document]), quote=False) in text.replace("&#39;", "'").replace("&#34;", '"')
        else:
            assert json.dumps(output.task_definition["family"]) in text.replace("&#34;", '"')
    source, target = ("ECS", "Kubernetes (YAML)") if _ecs(case) else ("Kubernetes (YAML)", "ECS (JSON)")
    assert f"<h3>{source}" in text and f"<h3>{target}</h3>" in text
    for finding in conversion.findings:
        assert f">{finding.code}</code>" in text
    rows = [attributes["data-status"] for tag, attributes in page.tags if tag == "tr" and "data-status" in attributes]
    for status in STATUSES:
        assert rows.count(status.replace(" ", "-")) == comparison.counts[status] or _shared(comparison)
    assert len(rows) == sum(len(view.rows) for view in comparison.workloads)
    sections = [attributes for tag, attributes in page.tags if tag == "details" and "workload" in (attributes.get("class") or "")]
    assert len(sections) == len(comparison.workloads) and all("open" in s for s in sections)
    assert "How statuses and effort are decided" in page.visible


def test_html_escapes_everything_from_the_manifests_and_never_shows_secret_values(tmp_path: Path):
    (tmp_path / "app.yaml").write_text(HOSTILE)
    text = html_view.render(compare(load_paths([str(tmp_path / "app.yaml")]), load_config(None)))
    _assert_self_contained(text)
    assert text.count("<script") == 1  # the page's own filter script
    for escaped in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(2)&lt;/script&gt;",
                    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"):
        assert escaped in text
    for canary in CANARIES:
        assert canary not in text


def test_secret_values_never_appear_in_any_view(tmp_path: Path):
    case = SAMPLES / "secrets-and-configmaps"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(HOSTILE)
    out = tmp_path / "page.html"
    result = run_k2ecs("compare", "input", str(hostile), "--config", "k2ecs.yaml", "--html", str(out),
                       "--markdown", str(tmp_path / "review.md"), cwd=case)
    assert result.returncode == 0, result.stderr
    assert CANARIES[0] in (case / "input" / "app.yaml").read_text()  # the sample does carry the canaries
    for text in (result.stdout, result.stderr, out.read_text(), (tmp_path / "review.md").read_text()):
        for canary in CANARIES:
            assert canary not in text
    assert "(value not shown)" in out.read_text()


# -- the page in a real browser ---------------------------------------------------------------------

def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180)


BROWSER_PAGES = {
    "kubernetes-input": ([SAMPLES / "web-loadbalancer-hpa", SAMPLES / "unsupported-kinds", SAMPLES / "secrets-and-configmaps"],
                         NOT_MAPPED),
    "ecs-input": ([SAMPLES / "ecs-fargate-web-alb"], NEEDS_INPUT),
}


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                    reason="no headless browser: install Debian's chromium (apt-get install -y chromium) "
                           "to open the compare page in it; .ci/run does this on CI")
@pytest.mark.parametrize("name", list(BROWSER_PAGES))
def test_the_page_renders_and_filters_in_headless_chromium(tmp_path: Path, name: str):
    cases, only = BROWSER_PAGES[name]
    out = tmp_path / "compare.html"
    result = run_k2ecs("compare", *[str(case / "input") for case in cases], "--html", str(out))
    assert result.returncode == 0, result.stderr
    comparison = compare(load_paths([str(case / "input") for case in cases], cfn_tags=all(map(_ecs, cases))),
                         load_config(None))
    url = out.resolve().as_uri()

    shot = tmp_path / "compare.png"
    _chromium("--screenshot=" + str(shot), "--window-size=1280,2000", url, profile=tmp_path / "profile-1")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if os.environ.get("K2ECS_KEEP_SCREENSHOT"):
        shutil.copy(shot, f"{os.environ['K2ECS_KEEP_SCREENSHOT']}.{name}.png")

    dom = _chromium("--dump-dom", url, profile=tmp_path / "profile-2").stdout
    page = _parse(dom)
    visible = page.visible
    assert f"k2ecs compare: {comparison.source_side} → {comparison.target_side}" in visible
    for view in comparison.workloads:
        assert view.workload.name in visible
    for status in STATUSES:  # the filter bar is hidden until its script runs
        assert f"{status} {comparison.counts[status]}" in visible
    rows = sum(len(view.rows) for view in comparison.workloads)
    assert f"Showing {rows} of {rows} rows" in visible

    # The filter, driven by the address: only the rows of one status stay visible.
    slug = only.replace(" ", "-")
    dom = _chromium("--dump-dom", f"{url}#show={slug}", profile=tmp_path / "profile-3").stdout
    page = _parse(dom)
    shown = [a["data-status"] for tag, a in page.tags if tag == "tr" and "data-status" in a and "hidden" not in a]
    assert shown and set(shown) == {slug}
    assert len(shown) == sum(view.counts[only] for view in comparison.workloads)
    assert f"Showing {len(shown)} of {rows} rows" in page.visible
    pressed = {a["data-status"]: a["aria-pressed"] for tag, a in page.tags if tag == "button" and "data-status" in a}
    assert pressed == {s.replace(" ", "-"): "true" if s == only else "false" for s in STATUSES}


# -- cost sketch ------------------------------------------------------------------------------------

def test_price_table_is_data_with_region_source_and_date():
    prices = load_schema("fargate_prices.json")
    assert re.fullmatch(r"[a-z]{2}-[a-z]+-\d", prices["region"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prices["date"])
    assert prices["sources"] and all(source["url"].startswith("https://") for source in prices["sources"])
    assert "LINUX/X86_64" in prices["prices"]
    for row in prices["prices"].values():
        assert Decimal(row["per_vcpu_hour"]) > 0 and Decimal(row["per_gb_hour"]) > 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cost_sketch_is_priced_from_the_payloads_and_the_table(case: Path):
    prices = load_schema("fargate_prices.json")
    row = prices["prices"]["LINUX/X86_64"]
    comparison = _comparison(case)
    for output in _conversion(case).outputs:
        line = comparison.cost.lines[output.name]
        taskdef, service = output.task_definition, output.service
        counts = {"desired": service["desiredCount"]}
        if output.scaling is not None:
            counts["min"] = output.scaling["scalableTarget"]["MinCapacity"]
            counts["max"] = output.scaling["scalableTarget"]["MaxCapacity"]
        assert {s.label: s.tasks for s in line.scenarios} == counts
        for scenario in line.scenarios:
            vcpu_hours = Decimal(taskdef["cpu"]) / 1024 * scenario.tasks * prices["hours_per_month"]
            gb_hours = Decimal(taskdef["memory"]) / 1024 * scenario.tasks * prices["hours_per_month"]
            assert scenario.vcpu_hours == vcpu_hours and scenario.gb_hours == gb_hours
            cost = vcpu_hours * Decimal(row["per_vcpu_hour"]) + gb_hours * Decimal(row["per_gb_hour"])
            assert abs(scenario.cost - cost) < Decimal("0.005")
    assert "Estimate" in comparison.cost.caption and prices["region"] in comparison.cost.caption


def test_ec2_services_are_not_priced():
    case = SAMPLES / "web-loadbalancer-hpa"
    comparison = compare(load_paths([str(case / "input")]), _config(case).merged({"launch_type": "EC2"}))
    assert all(not line.scenarios and "EC2" in line.note for line in comparison.cost.lines.values())


def _input_objects(case: Path, conversion, output) -> dict[str, dict]:
    """The task definition, service and scalable target an output was made from, as the input spells them."""
    found: dict[str, dict] = {}
    for resource in output.inputs:
        record = next(r for r in conversion.sources if r.resource == resource)
        data = record.reader.document.data
        kind = resource.split("/", 1)[0]
        for key in ("taskDefinition", "service"):
            if isinstance(data.get(key), dict):
                data = data[key]
        found[kind] = data
    return found


@pytest.mark.parametrize("case", [c for c in ECS_CASES if c.name != "ecs-cloudformation-stack"],
                         ids=[c.name for c in ECS_CASES if c.name != "ecs-cloudformation-stack"])
def test_cost_sketch_of_ecs_input_prices_its_task_definitions_and_services(case: Path):
    prices = load_schema("fargate_prices.json")
    conversion = _conversion(case)
    comparison = _comparison(case)
    for output in conversion.outputs:
        line = comparison.cost.lines[output.name]
        objects = _input_objects(case, conversion, output)
        taskdef, service = objects["TaskDefinition"], objects.get("Service", {})
        launch = service.get("launchType") or ("FARGATE" if "FARGATE" in taskdef.get("requiresCompatibilities", []) else "EC2")
        if launch != "FARGATE":
            assert not line.scenarios and launch in line.note
            continue
        counts = {"desired": service["desiredCount"]}
        if "ScalableTarget" in objects:
            counts.update(min=objects["ScalableTarget"]["MinCapacity"], max=objects["ScalableTarget"]["MaxCapacity"])
        assert {s.label: s.tasks for s in line.scenarios} == counts
        platform = taskdef.get("runtimePlatform", {})
        row = prices["prices"][f"{platform.get('operatingSystemFamily', 'LINUX')}/{platform.get('cpuArchitecture', 'X86_64')}"]
        for scenario in line.scenarios:
            vcpu_hours = Decimal(taskdef["cpu"]) / 1024 * scenario.tasks * prices["hours_per_month"]
            gb_hours = Decimal(taskdef["memory"]) / 1024 * scenario.tasks * prices["hours_per_month"]
            assert scenario.vcpu_hours == vcpu_hours and scenario.gb_hours == gb_hours
            cost = vcpu_hours * Decimal(row["per_vcpu_hour"]) + gb_hours * Decimal(row["per_gb_hour"])
            assert abs(scenario.cost - cost) < Decimal("0.005")
    assert any(line.scenarios for line in comparison.cost.lines.values()) or case.name == "ecs-ec2-bridge-hostport"


def test_cloudformation_input_side_by_side(tmp_path: Path):
    """Short-form tags read as data; intrinsics resolved for the cost sketch; resources shown once each."""
    case = SAMPLES / "ecs-cloudformation-stack"
    template = load_paths([str(case / "input")], cfn_tags=True)[0].data
    conversion = _conversion(case)
    comparison = _comparison(case)
    [output] = conversion.outputs
    view = next(v for v in comparison.workloads if v.workload.name == output.name)
    resources = template["Resources"]
    # The task size comes through Fn::FindInMap, desiredCount through a Ref to a parameter's Default.
    size = template["Mappings"]["Sizes"]["small"]
    desired = template["Parameters"]["DesiredCount"]["Default"]
    target = resources["ScalableTarget"]["Properties"]
    assert {s.label: s.tasks for s in view.cost.scenarios} == {"desired": desired, "min": target["MinCapacity"],
                                                             "max": target["MaxCapacity"]}
    assert view.cost.vcpu == Decimal(size["Cpu"]) / 1024 and view.cost.memory_gb == Decimal(size["Memory"]) / 1024
    # Each resource is a document of its own; the template's pane names them instead of repeating them.
    other = next(v for v in comparison.workloads if not v.workload.is_workload)
    pane = next(s for s in other.workload.sources if s.resource.startswith("Template/")).text
    for logical_id in resources:
        assert re.search(rf"{logical_id}: \(shown as \S+/{logical_id}\)", pane)
    assert "ContainerDefinitions" not in pane
    # A resource type k2ecs does not convert is one row, with its finding.
    log_group = [r for r in other.rows if r.source_resource == "AWS::Logs::LogGroup/LogGroup"]
    assert [r.codes for r in log_group] == [("K2E-W702",)] and log_group[0].status == NOT_MAPPED
    # The same page from standard input (the side is sniffed from the text, short-form tags and all).
    text = (case / "input" / "catalog-stack.yaml").read_text()
    assert "!Ref" in text
    result = run_k2ecs("compare", "-", "--markdown", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert f"<summary><b>{output.name}</b>" in result.stdout and "## k2ecs compare: ECS → Kubernetes" in result.stdout


def test_a_finding_about_several_fields_marks_each_of_their_rows():
    case = SAMPLES / "ecs-describe-task-definition"
    comparison = _comparison(case)
    listing = [f for view in comparison.workloads for row in view.rows for f in row.findings if f.extra.get("paths")]
    assert listing
    shown = {row.source_field for view in comparison.workloads for row in view.rows}
    joined = 0
    for finding in listing:
        rows = {row.source_field: row for view in comparison.workloads for row in view.rows if finding in row.findings}
        for pointer in finding.extra["paths"]:
            if pointer in shown:  # an empty list (no events) is no row
                assert rows[pointer].status == finding_status(finding), pointer
                joined += pointer != finding.path
    assert joined >= 2


NOECHO = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword: {Type: String, NoEcho: true, Default: noecho-canary-never-shown}
  Pin: {Type: Number, NoEcho: "true", Default: 4071}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: app
      Cpu: "256"
      Memory: "512"
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: app
          Image: example.com/app:1
          Environment:
            - {Name: DB_PASSWORD, Value: !Ref DbPassword}
            - {Name: DSN, Value: !Sub "postgres://app:${DbPassword}@db/app"}
            - {Name: PIN, Value: !Ref Pin}
            - {Name: PLAIN, Value: plain-environment-value}
          Secrets:
            - {Name: API_KEY, ValueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/api-AbCdEf"}
"""


def test_secret_values_of_ecs_input_never_appear_in_any_view(tmp_path: Path):
    """NoEcho Defaults are secrets the template carries; secrets[].valueFrom are ARNs; environment is plain."""
    stack = tmp_path / "stack.yaml"
    stack.write_text(NOECHO)
    documents = load_paths([str(stack)], cfn_tags=True)
    conversion = convert_to_kubernetes(documents)
    generated = json.dumps([d for o in conversion.outputs for d in o.documents])
    canaries = {str(p["Default"]) for p in documents[0].data["Parameters"].values() if str(p.get("NoEcho")).lower() == "true"}
    canaries |= {str(v) for s in conversion.sources if s.reader.sensitive for v in _leaves(s.reader.document.data)}
    assert "noecho-canary-never-shown" in canaries and "noecho-canary-never-shown" not in generated  # nor does the reverse
    out, review = tmp_path / "page.html", tmp_path / "review.md"
    result = run_k2ecs("compare", str(stack), "--html", str(out), "--markdown", str(review))
    assert result.returncode == 0, result.stderr
    views = (result.stdout, result.stderr, out.read_text(), review.read_text())
    for text in views:
        for canary in canaries:
            assert canary not in text
        # stdout is empty: with --html/--markdown FILE, compare says where each file went (on stderr) instead
        assert "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/api-AbCdEf" in text \
            or text in (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "plain-environment-value" in out.read_text() and "(value not shown)" in out.read_text()
    assert "values not shown" in out.read_text()  # the template's pane says so


def _leaves(node):
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaves(value)]
    if isinstance(node, list):
        return [leaf for value in node for leaf in _leaves(value)]
    return [node]


# -- the command ------------------------------------------------------------------------------------

def test_mixed_input_and_settings_with_ecs_input_are_usage_errors(tmp_path: Path):
    taskdef = SAMPLES / "ecs-fargate-web-alb" / "input" / "web.taskdef.json"
    mixed = run_k2ecs("compare", str(taskdef), str(SAMPLES / "web-loadbalancer-hpa" / "input"))
    assert mixed.returncode == ExitStatus.USAGE and "mixes" in mixed.stderr and str(taskdef) in mixed.stderr
    review = tmp_path / "review.md"
    for flags in (["--cluster", "prod"], ["--config", str(SAMPLES / "web-loadbalancer-hpa" / "k2ecs.yaml")],
                  ["--no-assign-public-ip"]):
        result = run_k2ecs("compare", str(taskdef), "--markdown", str(review), *flags)
        assert result.returncode == ExitStatus.USAGE, result.stderr
        assert flags[0].lstrip("-").split("-")[-1] in result.stderr and "ECS" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert not review.exists()


def test_bad_output_targets_are_usage_errors_and_nothing_is_written(tmp_path: Path):
    both = run_k2ecs("compare", "input", "--markdown", "-", "--html", "-", cwd=SAMPLES / "web-loadbalancer-hpa")
    assert both.returncode == ExitStatus.USAGE
    review = tmp_path / "review.md"
    missing = run_k2ecs("compare", "input", "--markdown", str(review), "--html", str(tmp_path / "nope" / "page.html"),
                        cwd=SAMPLES / "web-loadbalancer-hpa")
    assert missing.returncode == ExitStatus.USAGE and "page.html" in missing.stderr
    assert not review.exists()


def test_one_file_named_for_both_views_is_a_usage_error_and_nothing_is_written(tmp_path: Path):
    """The page would be written over the summary (or its details file): refused before anything is read."""
    case = SAMPLES / "web-loadbalancer-hpa"
    review = tmp_path / "review.md"
    for page in (review, tmp_path / "review.details.md", tmp_path / "." / "review.md"):
        result = run_k2ecs("compare", "input", "--markdown", str(review), "--html", str(page), cwd=case)
        assert result.returncode == ExitStatus.USAGE, result.stderr
        assert "--html names a file that --markdown writes" in result.stderr and str(page) in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    apart = run_k2ecs("compare", "input", "--markdown", str(review), "--html", str(tmp_path / "page.html"), cwd=case)
    assert apart.returncode == 0, apart.stderr
    assert review.read_text().startswith("#") and (tmp_path / "page.html").read_text().startswith("<!DOCTYPE html>")


def test_output_files_are_written_as_report_files_are(tmp_path: Path):
    """A folder or a full disk is a usage error that names the file; a file is replaced in one step and
    keeps its mode; a device is written to as it is; nothing is left beside the targets."""
    case = SAMPLES / "web-loadbalancer-hpa"
    folder = run_k2ecs("compare", "input", "--markdown", str(tmp_path), cwd=case)
    assert folder.returncode == ExitStatus.USAGE and "the comparison file is a folder" in folder.stderr
    review = tmp_path / "review.md"
    review.write_text("the last review\n")
    review.chmod(0o640)
    written = run_k2ecs("compare", "input", "--markdown", str(review), "--html", os.devnull, cwd=case)
    assert written.returncode == 0, written.stderr
    assert "the last review" not in review.read_text() and oct(review.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(os.listdir(tmp_path)) == ["review.md"]
    if os.path.exists("/dev/full"):
        full = run_k2ecs("compare", "input", "--markdown", "/dev/full", cwd=case)
        assert full.returncode == ExitStatus.USAGE, full.stderr
        assert full.stderr.strip() == "k2ecs: error: /dev/full: cannot write the comparison: No space left on device"


def test_jinja2_is_imported_only_for_the_html_page(tmp_path: Path):
    script = ("import sys\nfrom typer.testing import CliRunner\nfrom converter.cli import app\n"
              "before = 'jinja2' in sys.modules\n"
              "CliRunner().invoke(app, ['compare', sys.argv[1], '--markdown', sys.argv[2]])\n"
              "print(before, 'jinja2' in sys.modules)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", script, str(SAMPLES / "web-loadbalancer-hpa" / "input"),
                             str(tmp_path / "r.md")], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.split() == ["False", "False"], result.stderr
    assert (tmp_path / "r.md").is_file()
