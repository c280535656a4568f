"""compare --html shows each source document from the input's own lines (issue 24), never a Secret's values.

The page used to write every document out again as YAML; it now cuts the document out of the file's text
(converter/compare/source_text.py), except where that text could show more than compare may: a Secret or a
document a sensitive reader read, a List item, a character YAML would escape.
"""

from __future__ import annotations

from pathlib import Path

from converter.compare import compare
from converter.compare import html as html_view
from converter.compare import markdown as markdown_view
from converter.compare import terminal as terminal_view
from converter.compare.source_text import SourceText
from converter.load.config import load_config
from converter.load.loader import load_paths
from tests.helpers import run_k2ecs

SECRET_VALUES = ("c2VjcmV0LWNhbmFyeS1kYXRh", "canary-string-data-value", "canary-annotation-value", "canary-label-free",
                 "plaintext-env-value")
BUNDLE = """\
# the bundle's header comment
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations: {note: canary-annotation-value}
type: Opaque
data:
  password: c2VjcmV0LWNhbmFyeS1kYXRh
stringData:
  user: canary-string-data-value
---
apiVersion: v1
kind: SECRET
metadata: {name: shouting, annotations: {a: canary-label-free}}
---
# the web Deployment
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx  # pinned by the platform team
        env:
        - name: USER
          valueFrom: {secretKeyRef: {name: db, key: user}}
---
# the worker: its plain environment value is flagged as a credential (K2E-W152)
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - name: app
        image: busybox  # the worker's comment
        env:
        - {name: DB_PASSWORD, value: plaintext-env-value}

# a trailing comment of the last document
"""


def _views(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "bundle.yaml"
    path.write_text(BUNDLE)
    texts: dict[str, str] = {}
    comparison = compare(load_paths([str(path)], texts=texts), load_config(None), (str(path),), texts)
    summary, details = markdown_view.render_bounded(comparison)
    return {"terminal": terminal_view.render(comparison), "markdown": summary + (details or ""),
            "html": html_view.render(comparison)}


def test_no_value_of_a_secret_reaches_any_view_while_other_documents_are_shown_from_the_input(tmp_path: Path):
    views = _views(tmp_path)
    for name, text in views.items():
        for value in SECRET_VALUES:
            assert value not in text, (name, value)
    page = views["html"]
    # The Deployment is the input's own text: its comment is there, which writing the data out again drops.
    assert "image: nginx  # pinned by the platform team" in page
    assert "- name: USER\n          valueFrom: {secretKeyRef: {name: db, key: user}}\n</code>" in page
    # The Secrets are written out from their redacted data.
    assert "password: (value not shown)" in page and "user: (value not shown)" in page
    assert "values not shown" in page
    # A plain environment value flagged as a credential (K2E-W152) is not shown either: the worker, which holds
    # one, is written out from its redacted data (without its comment), not cut from the input.
    assert "value: (value not shown)" in page
    assert "# the worker's comment" not in page and "image: busybox\n" in page


def test_the_command_line_passes_the_text_on_and_no_format_shows_a_secret(tmp_path: Path):
    (tmp_path / "bundle.yaml").write_text(BUNDLE)
    out, review = tmp_path / "page.html", tmp_path / "review.md"
    for extra in ((), ("--markdown", str(review)), ("--html", str(out))):
        result = run_k2ecs("compare", str(tmp_path / "bundle.yaml"), "--no-pager", *extra)
        assert result.returncode == 0, result.stderr
        texts = [result.stdout, result.stderr] + [p.read_text() for p in (out, review) if p.exists()]
        for text in texts:
            for value in SECRET_VALUES:
                assert value not in text
    assert "# pinned by the platform team" in out.read_text()


def _cut(text: str, line: int) -> str | None:
    return SourceText({"f.yaml": text}).document("f.yaml", line)


def test_a_document_is_cut_from_its_first_line_to_the_next_marker_without_what_trails_it():
    text = "a: 1\nb: |\n  keep\n  # kept: inside the literal\n\n# about the next one\n---\n# lead\nc: 2\n...\n"
    assert _cut(text, 1) == "a: 1\nb: |\n  keep\n  # kept: inside the literal\n"
    assert _cut(text, 9) == "c: 2\n"
    assert _cut("x: 1\r\ny: 2\r\n", 1) == "x: 1\ny: 2\n"


def test_text_that_could_act_on_the_screen_or_start_on_its_marker_is_not_cut():
    assert _cut("a: \"\u202eevil\"\n", 1) is None  # a bidi override: the emitter writes it escaped
    assert _cut("--- {a: 1}\n", 1) is None
    assert _cut("a: 1\u2028b: 2\n", 1) is None  # a line break the two line counts disagree on
    assert _cut("a: 1\n", 7) is None
    assert SourceText(None).document("f.yaml", 1) is None
    assert _cut("a: caf\u00e9\n", 1) == "a: caf\u00e9\n"


def test_a_list_item_is_written_out_from_its_data(tmp_path: Path):
    path = tmp_path / "list.yaml"
    path.write_text("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap  # a comment\n"
                    "  metadata: {name: settings}\n  data: {MODE: fast}\n")
    texts: dict[str, str] = {}
    comparison = compare(load_paths([str(path)], texts=texts), load_config(None), (str(path),), texts)
    shown = [source.text for view in comparison.workloads for source in view.workload.sources]
    assert shown and all("# a comment" not in text and "kind: ConfigMap" in text for text in shown)


def test_each_cut_reads_back_as_its_own_document_over_the_samples_and_the_corpus():
    """The cut of every top-level document the page may show from the input parses to that document's data,
    with its lines where the rows say (each key's line, read again with the cut's first line)."""
    from converter.compare.kubernetes_input import _is_secret
    from converter.load.loader import parse_text
    from tests.helpers import corpus_k8s_files, sample_cases

    files = [str(p) for case in sample_cases() for p in sorted((case / "input").rglob("*.y*ml"))]
    files += [str(p) for p in corpus_k8s_files()]
    cut = 0
    for file in files:
        texts: dict[str, str] = {}
        try:
            documents = load_paths([file], texts=texts)
        except Exception:  # a deliberately broken input: the loader's own tests hold it
            continue
        shown = SourceText(texts)
        for document in documents:
            if document.prefix or _is_secret(document.data):
                continue
            text = shown.document(document.file, document.line)
            if text is None:
                continue
            [again] = parse_text(text, document.file, first_line=document.line)
            assert again.data == document.data, (file, document.line)
            for key in document.data:
                assert again.line_of((key,)) == document.line_of((key,)), (file, key)
            cut += 1
    assert cut > 100
