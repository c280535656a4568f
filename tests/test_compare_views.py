"""compare's views for people: terminal width, colour and pager rules, --only changes, the Markdown bound for
a pull-request comment, and one line per file written instead of the whole terminal table."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from converter import console
from converter.compare import compare
from converter.compare import markdown as markdown_view
from converter.compare import terminal as terminal_view
from converter.compare.terminal import exact
from converter.load.loader import load_paths
from tests.helpers import CORPUS, SAMPLES, require_corpus, run_k2ecs

ANSI = re.compile(r"\x1b\[[0-9;]*m")
GITHUB_COMMENT_CHARS = 65_536  # the largest body GitHub accepts for an issue or pull-request comment


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("env,tty,expected", [
    ({"COLUMNS": "200"}, False, 200),
    ({"COLUMNS": "132"}, True, 132),
    ({}, False, console.DEFAULT_WIDTH),  # piped: 80
    ({"COLUMNS": "abc"}, False, console.DEFAULT_WIDTH),
    ({"COLUMNS": "0"}, False, console.DEFAULT_WIDTH),
    ({"COLUMNS": "12"}, False, console.MIN_WIDTH),
    ({"COLUMNS": "99999"}, False, console.MAX_WIDTH),
])
def test_width_from_columns_else_the_terminal_else_80(env, tty, expected):
    stream = FakeTerminal() if tty else io.StringIO()
    assert console.terminal_width(env, stream) == expected


@pytest.mark.parametrize("mode,env,tty,expected", [
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),  # no-color.org: set and not empty
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": "0"}, False, False),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ("auto", {"TERM": "dumb"}, True, False),
])
def test_colour_rules(mode, env, tty, expected):
    assert console.use_color(mode, env, tty) is expected


def test_pager_only_on_a_terminal_for_text_longer_than_it():
    text = "line\n" * 50
    assert console.wants_pager(text, tty=True, height=40, enabled=True)
    assert not console.wants_pager(text, tty=True, height=60, enabled=True)
    assert not console.wants_pager(text, tty=False, height=40, enabled=True)
    assert not console.wants_pager(text, tty=True, height=40, enabled=False)  # --no-pager
    assert console.pager_command({}) == ["less"]
    assert console.pager_command({"PAGER": "more -s"}) == ["more", "-s"]
    assert console.pager_command({"PAGER": "more", "K2ECS_PAGER": "cat"}) is None
    assert console.pager_command({"PAGER": ""}) is None
    assert console.pager_command({"PAGER": "'unbalanced"}) is None


def test_write_paged_sends_long_text_through_the_pager(tmp_path: Path, monkeypatch):
    caught = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"import sys; open({str(caught)!r}, 'w').write(sys.stdin.read())\""
    monkeypatch.setattr(console, "terminal_height", lambda stream: 10)
    stream = FakeTerminal()
    text = "".join(f"row {i}\n" for i in range(30))
    console.write_paged(text, stream, {"K2ECS_PAGER": pager})
    assert caught.read_text() == text and stream.getvalue() == ""
    console.write_paged("short\n", stream, {"K2ECS_PAGER": pager})
    assert stream.getvalue() == "short\n"  # fits the screen: written directly


@pytest.fixture(scope="module")
def web():
    case = SAMPLES / "web-loadbalancer-hpa"
    from converter.load.config import load_config
    return compare(load_paths([str(case / "input")]), load_config(str(case / "k2ecs.yaml")), ("input",))


def test_the_table_uses_the_width_it_is_given_and_breaks_no_word(web):
    for width in (60, 80, 200):
        text = terminal_view.render(web, width=width)
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= width
        if width == 200:
            assert max(len(line) for line in lines) > 150  # the room is used, not left empty
    # No word is broken across lines: every run of letters of the 80-column table (but one cut with "...")
    # is a whole word of the 200-column table, where nothing wraps mid-word either.
    wide = set(re.findall(r"[A-Za-z]+", terminal_view.render(web, width=200)))
    narrow = terminal_view.render(web, width=80)
    broken = {match.group() for match in re.finditer(r"[A-Za-z]{3,}(?!\.\.\.|[A-Za-z])", narrow)} - wide
    assert broken == set()


def test_only_changes_hides_exactly_the_rows_that_map_exactly(web):
    full, changes = terminal_view.render(web, width=120), terminal_view.render(web, width=120, only_changes=True)
    hidden = sum(1 for view in web.workloads for row in view.rows if exact(row))
    kept = [row for view in web.workloads for row in view.rows if not exact(row)]
    assert hidden and kept
    assert changes.count("\nmapped ") == 0 < full.count("\nmapped ")
    assert sum(changes.count(f"\n{row.status:<12} ") for row in kept[:1]) >= 1
    notes = [int(n) for n in re.findall(r"\((\d+) row\(s\) that map exactly not shown", changes)]
    assert sum(notes) == hidden


def test_only_changes_and_color_flags_on_the_command_line():
    case = SAMPLES / "web-loadbalancer-hpa"
    plain = run_k2ecs("compare", "input", "--config", "k2ecs.yaml", "--only", "changes", cwd=case)
    assert plain.returncode == 0, plain.stderr
    assert "map exactly not shown" in plain.stdout and "\x1b" not in plain.stdout
    coloured = run_k2ecs("compare", "input", "--config", "k2ecs.yaml", "--color", "always", cwd=case)
    assert ANSI.search(coloured.stdout)
    assert run_k2ecs("compare", "input", "--color", "sometimes", cwd=case).returncode == 2


def test_html_or_markdown_to_a_file_prints_where_it_went_not_the_table(tmp_path: Path):
    case = SAMPLES / "web-loadbalancer-hpa"
    page, review = tmp_path / "page.html", tmp_path / "review.md"
    result = run_k2ecs("compare", "input", "--html", str(page), "--markdown", str(review), cwd=case)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    notes = result.stderr.splitlines()
    assert len(notes) == 2 and str(page) in notes[1] and str(review) in notes[0]
    assert f"({len(page.read_text()):,} characters)" in notes[1]
    assert not (tmp_path / "review.details.md").exists()  # it fits: one file


def test_markdown_summary_is_bounded_and_the_details_hold_every_section(web, tmp_path: Path):
    whole = markdown_view.render(web)
    summary, details = markdown_view.render_bounded(web, len(whole))
    assert summary == whole and details is None
    bound = len(whole) // 2
    summary, details = markdown_view.render_bounded(web, bound, "review.details.md")
    assert len(summary) <= bound and details == whole
    assert "`review.details.md`" in summary and summary.startswith(whole[:200])
    assert "### Decide first" in summary
    to_stdout, _ = markdown_view.render_bounded(web, bound)  # --markdown -: no second file to name
    assert len(to_stdout) <= bound and "--markdown FILE writes it" in to_stdout
    # The command line: --max-chars bounds the file; the details file is written beside it.
    case = SAMPLES / "web-loadbalancer-hpa"
    review = tmp_path / "review.md"
    result = run_k2ecs("compare", "input", "--config", "k2ecs.yaml", "--markdown", str(review), "--max-chars",
                       str(bound), cwd=case)
    assert result.returncode == 0, result.stderr
    assert len(review.read_text()) <= bound
    written = (tmp_path / "review.details.md").read_text()
    assert written.count("<details>") == whole.count("<details>") == len(web.workloads)
    assert run_k2ecs("compare", "input", "--markdown", "-", "--max-chars", "10", cwd=case).returncode == 2


def test_a_summary_smaller_than_its_overview_is_still_cut_to_the_bound(web):
    summary, details = markdown_view.render_bounded(web, 1000)
    assert len(summary) <= 1000 and "Cut at 1,000 characters" in summary and details is not None


# The corpus applications whose whole comparison is the longest Markdown (measured: 167 KB, 204 KB and 263 KB
# of details; 93 KB and 166 KB were reported for two of them before the bound).
LARGEST_APPLICATIONS = ("gcp-microservices-demo", "deathstarbench-hotel-reservation", "sourcegraph-deploy-base")


@pytest.mark.parametrize("name", LARGEST_APPLICATIONS)
def test_the_corpus_largest_applications_fit_a_comment(tmp_path: Path, name: str):
    require_corpus()
    review = tmp_path / "review.md"
    result = run_k2ecs("compare", str(CORPUS / "k8s" / name), "--markdown", str(review))
    assert result.returncode == 0, result.stderr
    summary, details = review.read_text(), (tmp_path / "review.details.md").read_text()
    assert len(summary) < GITHUB_COMMENT_CHARS < len(details)
    assert "### Decide first" in summary and summary.count("<details>") < details.count("<details>")
