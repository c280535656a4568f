"""docs/ARCHITECTURE.md's layout section (converter.report.layout_doc): generated from the package tree, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.report.layout_doc import DOCUMENT, END, START, layout_section, with_layout


def test_the_layout_section_in_architecture_md_is_current() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert with_layout(text, layout_section()) == text, "run: python -m converter.report.layout_doc"


def test_every_package_appears_once_in_flow_order_with_its_docstring(tmp_path: Path) -> None:
    root = tmp_path / "converter"
    for name, doc in [("write", "Out."), ("load", "In."), ("rules", "Rules."), ("rules/zeta", "Z."),
                      ("rules/alpha", "A.\n\nNot this paragraph."), ("extra", "Unplaced.")]:
        (root / name).mkdir(parents=True)
        (root / name / "__init__.py").write_text(f'"""{doc}"""\n', encoding="utf-8")
        (root / name / "piece.py").write_text("", encoding="utf-8")
    (root / "cli.py").write_text("", encoding="utf-8")
    section = layout_section(root)
    rows = [line.split() for line in section.split("```")[1].splitlines() if line.startswith("  ") and "/" in line]
    assert [row[0] for row in rows] == ["load/", "rules/", "rules/alpha/", "rules/zeta/", "write/", "extra/"]
    assert "A." in section and "Not this paragraph" not in section
    assert section.startswith(START) and section.endswith(END + "\n")
    assert "- `rules/alpha/`: piece" in section


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="layout markers"):
        with_layout("# Architecture\n", "section")
