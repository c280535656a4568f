"""compare never shows a plain environment value the conversion flags as a credential (K2E-W152).

The finding says the value is not shown; compare showed it in the rows, the ECS payload pane and the source
pane. The value is replaced by the placeholder compare uses for a Secret's data, in every format, while the
row for the variable stays with its status and every other value is shown as before.
"""

from __future__ import annotations

from pathlib import Path

from converter.compare import compare
from converter.compare import html as html_view
from converter.compare import markdown as markdown_view
from converter.compare import terminal as terminal_view
from converter.compare.sources import REDACTED
from converter.load.config import load_config
from converter.load.loader import load_paths
from tests.helpers import run_k2ecs

FLAGGED = "hunter2-flagged-canary"  # DB_PASSWORD: K2E-W152 by its name
INLINED = "cm-token-flagged-canary"  # API_TOKEN, inlined from a ConfigMap key: K2E-W152 too
SHOWN = "plain-greeting-shown"  # GREETING: not a credential, shown as before
MANIFEST = f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg}}
data: {{API_TOKEN: {INLINED}, MODE: fast}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: app
        image: nginx  # a comment the cut would keep
        env:
        - {{name: DB_PASSWORD, value: {FLAGGED}}}
        - {{name: GREETING, value: {SHOWN}}}
        - name: DB_URL
          value: "postgres://app:$(DB_PASSWORD)@db:5432/app"
        - name: API_TOKEN
          valueFrom: {{configMapKeyRef: {{name: cfg, key: API_TOKEN}}}}
"""
HIDDEN = (FLAGGED, INLINED)


def _comparison(tmp_path: Path):
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST)
    texts: dict[str, str] = {}
    return compare(load_paths([str(path)], texts=texts), load_config(None), (str(path),), texts)


def _views(comparison) -> dict[str, str]:
    summary, details = markdown_view.render_bounded(comparison)
    views = {"markdown": summary + (details or ""), "markdown-whole": markdown_view.render(comparison),
             "html": html_view.render(comparison)}
    for width in (40, 60, 80, 100, 160, 240):
        for only_changes in (False, True):
            views[f"terminal-{width}-{only_changes}"] = terminal_view.render(comparison, width=width,
                                                                             only_changes=only_changes)
    return views


def test_a_flagged_value_appears_in_no_format_and_an_unflagged_one_still_does(tmp_path: Path):
    views = _views(_comparison(tmp_path))
    for name, text in views.items():
        for value in HIDDEN:
            assert value not in text, (name, value)
        # Cut across lines by the terminal's wrapping, the value's halves would still be there.
        assert "hunter2-" not in text and "flagged-canary" not in text, name
    for name in ("markdown", "markdown-whole", "html", "terminal-160-True", "terminal-240-False"):
        assert REDACTED in views[name] and SHOWN in views[name], name


def test_the_row_of_a_flagged_variable_stays_with_its_status_and_both_sides_redacted(tmp_path: Path):
    comparison = _comparison(tmp_path)
    rows = {row.source_field: row for view in comparison.workloads for row in view.rows}
    flagged = rows["/spec/template/spec/containers/0/env/0"]
    assert flagged.status == "approximated" and "K2E-W152" in flagged.codes
    assert flagged.source_value == f'{{"name": "DB_PASSWORD", "value": "{REDACTED}"}}'
    assert flagged.target_value == f'{{"name": "DB_PASSWORD", "value": "{REDACTED}"}}'
    inlined = rows["/spec/template/spec/containers/0/env/3"]
    assert "K2E-W152" in inlined.codes and inlined.target_value == f'{{"name": "API_TOKEN", "value": "{REDACTED}"}}'
    plain = rows["/spec/template/spec/containers/0/env/1"]
    assert plain.status == "mapped" and SHOWN in plain.source_value and SHOWN in plain.target_value
    # A value the flagged one was expanded into hides it, and keeps the rest.
    url = rows["/spec/template/spec/containers/0/env/2"]
    assert url.target_value == f'{{"name": "DB_URL", "value": "postgres://app:{REDACTED}@db:5432/app"}}'
    # The ConfigMap's other key is shown.
    assert rows["/data"].source_value == f'{{"API_TOKEN": "{REDACTED}", "MODE": "fast"}}'


def test_the_source_pane_writes_a_document_holding_a_flagged_value_from_its_redacted_data(tmp_path: Path):
    comparison = _comparison(tmp_path)
    web = next(view.workload for view in comparison.workloads if view.workload.resource == "Deployment/web")
    deployment = next(source for source in web.sources if source.resource == "Deployment/web")
    assert "# a comment the cut would keep" not in deployment.text  # not the input's own lines
    assert f"value: {REDACTED}" in deployment.text and SHOWN in deployment.text
    assert all(value not in text for text in web.target_text.values() for value in HIDDEN)
    assert SHOWN in web.target_text["taskDefinition"]


def test_the_command_line_shows_no_flagged_value_in_any_format(tmp_path: Path):
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST)
    page, review = tmp_path / "page.html", tmp_path / "review.md"
    for extra in ((), ("--only", "changes"), ("--markdown", str(review)), ("--html", str(page))):
        result = run_k2ecs("compare", str(path), "--no-pager", *extra)
        assert result.returncode == 0, result.stderr
        for text in [result.stdout, result.stderr] + [p.read_text() for p in (page, review) if p.exists()]:
            for value in HIDDEN:
                assert value not in text, extra
    assert SHOWN in page.read_text() and SHOWN in review.read_text()


def test_the_redactor_hides_the_longest_value_at_each_place_and_leaves_untouched_data_as_it_is():
    from converter.compare.sources import Redactor

    private_key = "-----BEGIN PRIVATE KEY-----" + "K" * 3000  # longer than Python's recursion limit
    redactor = Redactor(["abcd", "abcdef", "a.b*c", "pw", private_key])
    assert redactor.text("x-abcdefg") == f"x-{REDACTED}g"  # abcdef, not abcd + "efg"
    assert redactor.text("abcd") == REDACTED and redactor.text("pw") == REDACTED
    assert redactor.text("pwd") == "pwd"  # a short value is hidden only where it is the whole value
    assert redactor.text("a.b*c!") == f"{REDACTED}!" and redactor.text("aXbYc") == "aXbYc"  # literal, not a pattern
    assert redactor.text("key: " + private_key) == f"key: {REDACTED}"
    untouched = {"env": [{"name": "A", "value": "plain"}], "port": 80}
    assert redactor.data(untouched) is untouched and not redactor.touches(untouched)
    touched = {"env": [{"name": "A", "value": "abcd"}], "port": 80}
    assert redactor.data(touched) == {"env": [{"name": "A", "value": REDACTED}], "port": 80}
    assert touched["env"][0]["value"] == "abcd"  # the input's data is not changed
