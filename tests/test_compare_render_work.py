"""What the views do per row is bounded and the same as before (issue 24): the HTML rows are made in Python
with markupsafe's escaping, and the terminal fills a long value only up to the lines it shows.

Work is counted in calls (tests/helpers.py ``within_call_budget``), never timed.
"""

from __future__ import annotations

import pytest
from markupsafe import Markup, escape

from converter.compare import html as html_view
from converter.compare import terminal
from tests.helpers import within_call_budget

HOSTILE = ["<script>alert('x')</script>", 'a "quoted" & <b>bold</b>', "/spec/template/spec/containers/0/env/3",
           "caf\u00e9 \u202e /x.y", "", "&amp;", "it's"]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_rows_escape_exactly_as_markupsafe_and_the_template_did(text: str):
    assert html_view._escape(text) == str(escape(text))
    # What the template's filter wrote: markupsafe's escape, then a <wbr> after each / and . (issue 24).
    assert html_view._breakable(text) == str(escape(text).replace("/", Markup("/<wbr>")).replace(".", Markup(".<wbr>")))


def test_a_long_value_is_filled_only_up_to_the_lines_the_cell_shows():
    value = ", ".join(f'"key{index}": "value {index}"' for index in range(400))  # about 8,000 characters
    lines, calls = within_call_budget(2_000, terminal._cell, "/spec/template", value, 40)
    assert len(lines) == 1 + terminal.VALUE_LINES and lines[-1].endswith(terminal.ELLIPSIS)
    # The same lines as filling the whole value and cutting it after.
    whole = terminal._wrap("= " + value, 40, indent="  ")
    assert lines[1:-1] == whole[: terminal.VALUE_LINES - 1] and lines[-1].startswith(whole[terminal.VALUE_LINES - 1][:30])
    assert calls < 2_000 < len(whole) * 20


@pytest.mark.parametrize("text", HOSTILE + ["a | b", "line one\r\nline two\rthree\nfour", "`code` *em* _u_ [l](x) #h ~s~ !i \\"])
def test_a_markdown_cell_escapes_every_punctuation_mark_with_a_backslash(text: str):
    import re

    from converter.compare import markdown

    expected = re.sub(r"([\\`*_\[\]<>|~#&!])", r"\\\1", text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    assert markdown.cell(text) == expected
    assert "|" not in markdown.cell(text).replace("\\|", "")


def test_the_terminal_and_markdown_views_never_write_the_documents_out(tmp_path):
    """Only the page shows the source and payload texts: the other views must not pay for making them."""
    from pathlib import Path

    from converter.compare import compare, markdown
    from converter.load.config import load_config
    from converter.load.loader import load_paths

    case = Path(__file__).resolve().parent.parent / "samples" / "secrets-and-configmaps"
    comparison = compare(load_paths([str(case / "input")]), load_config(str(case / "k2ecs.yaml")))
    terminal.render(comparison)
    markdown.render_bounded(comparison)
    workloads = [view.workload for view in comparison.workloads]
    assert workloads and all("text" not in vars(source) for workload in workloads for source in workload.sources)
    assert all(not workload.target_text._made for workload in workloads)
    page = html_view.render(comparison)
    # The page makes each pane as it prints it, and keeps none (they are the input's size and more).
    assert all("text" not in vars(source) for workload in workloads for source in workload.sources)
    assert all(not workload.target_text._made for workload in workloads)
    assert all(html_view._escape(source.text_of()) in page for workload in workloads for source in workload.sources)
    assert all(html_view._escape(text) in page for workload in workloads for text in workload.target_text.values())


def test_compare_pauses_the_cyclic_gc_while_it_builds_and_renders(monkeypatch):
    """As conversion() does: the GC rescanning millions of live objects was a fifth of compare at 10 MB."""
    import gc
    from pathlib import Path

    import converter.compare
    from tests.helpers import k2ecs_in_process

    seen = []
    real = converter.compare.by_section
    original = html_view.Page.section

    def build(*args, **kwargs):
        seen.append(("build", gc.isenabled()))
        return real(*args, **kwargs)

    def render(*args, **kwargs):
        seen.append(("html", gc.isenabled()))
        return original(*args, **kwargs)

    monkeypatch.setattr(converter.compare, "by_section", build)
    monkeypatch.setattr(html_view.Page, "section", render)
    case = Path(__file__).resolve().parent.parent / "samples" / "web-loadbalancer-hpa"
    assert gc.isenabled()
    result = k2ecs_in_process("compare", str(case / "input"), "--html", "-")
    assert result.returncode == 0, result.stderr
    assert seen == [("build", False), ("html", False)]
    assert gc.isenabled() and not gc.get_freeze_count()  # given back, and unfrozen, at the end
