"""The one canonical report of a run, and its views. Schema: schemas/report.schema.json.

Every view (text, json, markdown, sarif, junit) renders the canonical report dict and nothing else
(SARIF also reads the code registry for its rules table); the views other than text and json live in
:mod:`converter.report` and are imported only when asked for.
"""

from __future__ import annotations

import io
from collections import Counter
from importlib import import_module
from typing import Any, Callable, Sequence, TextIO

from converter import __version__
from converter.core import jsontext
from converter.core.findings import Finding, Severity

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}
FORMATS = ("text", "json", "markdown", "sarif", "junit")


def build_report(findings: list[Finding], sources: list[Any], outputs: list[Any],
                 calls: Sequence[Any] | None = None, *, outputs_as_written: bool = False) -> dict[str, Any]:
    """``calls``: the service-to-service call graph (converter.pipeline.calls.Call); a ``calls`` list when any.
    ``outputs_as_written``: the outputs' entries made one at a time as a view writes them, like the findings,
    for a caller that changes none of them (3,120 dicts with their lists of files were 1.5 MB of a 10 MB
    convert's peak, issue 24)."""
    counts = Counter(f.severity.label for f in findings)
    accepted = sum(1 for f in findings if is_accepted(f))
    summary = {
        "resources": len(sources),
        "converted": sum(1 for s in sources if s.status == "converted"),
        "workloads": len(outputs),
        "errors": counts.get("error", 0),
        "warnings": counts.get("warning", 0),
        "info": counts.get("info", 0),
    }
    if accepted:
        summary["accepted"] = accepted
    report = {
        "tool": "k2ecs",
        "version": __version__,
        "summary": summary,
        # Made one at a time as a view writes them, as the findings are (a 10 MB bundle has 26,520 sources and
        # 10,400 calls: as dicts at once, they were the report's own high-water mark, issue 24).
        "resources": jsontext.LazyList(sources, _source_dict),
        "outputs": jsontext.LazyList(outputs, _output_dict) if outputs_as_written else list(map(_output_dict, outputs)),
        # Made one at a time as a view writes them: as dicts, a large run's findings weigh several times more.
        "findings": jsontext.LazyList(findings, finding_dict, finding_json),
    }
    if calls:
        report["calls"] = jsontext.LazyList(calls, _call_dict)
    return report


def _output_dict(output: Any) -> dict[str, Any]:
    name = output.name
    return {"resource": output.resource, "name": name,
            "files": [f"{name}.taskdef.json", f"{name}.service.json"] + ([f"{name}.scaling.json"] if output.scaling else [])}


def _source_dict(source: Any) -> dict[str, Any]:
    return {"resource": source.resource, "file": source.file, "line": source.line, "status": source.status}


def _call_dict(call: Any) -> dict[str, Any]:
    return call.as_dict()


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding of the report as a dict (the views that read Finding objects directly check for this maker)."""
    return finding.as_dict()


def finding_json(finding: Finding, level: int) -> str | None:
    """jsontext.dumps(finding_dict(finding)) as an item ``level`` deep, from the finding's fields; None for what
    it does not write so (a subclass, details, a field of another type), which is then made a dict and written."""
    if finding.__class__ is not Finding or finding.extra or level + 1 >= _DEEPEST:
        return None
    line = finding.line
    if line is None:
        line_text = "null"
    elif line.__class__ is int:
        line_text = int.__repr__(line)
    else:
        return None
    # The code, severity, file and suggestion are the finding's kind, which many findings share: their text
    # (and the lines around them) made once per kind and level, not for each of a report's 60,000 findings.
    kind = finding.kind
    texts = _KIND_TEXTS.get(id(kind))
    if texts is None or texts[0] is not kind or texts[1] != level:  # the kept kind itself: an id can be reused
        texts = _kind_texts(kind, level)
        if texts is None:
            return None
    resource, path, message = finding.resource, finding.path, finding.text
    if message.__class__ is not str:
        message = str(message)
    if resource.__class__ is not str or path.__class__ is not str or message.__class__ is not str:
        return None
    _, _, head, before_line, after_message = texts
    return (f'{head}{_encode(resource)}{before_line}{line_text}{_PATH[level]}{_encode(path)}{_MESSAGE[level]}'
            f'{_encode(message)}{after_message}')


# id(kind) -> (kind, level, its texts): keyed by identity, as a kind's own hash (a tuple's, its Severity's in
# Python) cost more than the texts saved.
_KIND_TEXTS: dict[int, tuple[Any, int, str, str, str]] = {}
_KINDS_KEPT = 4096  # findings.py keeps as many kinds; a run of more starts again


def _kind_texts(kind: Any, level: int) -> tuple[Any, int, str, str, str] | None:
    """(kind, level, the text before the resource, between the resource and the line, after the message) of a
    finding of ``kind`` ``level`` deep; None when a field is not a str (written through its dict instead)."""
    code, severity, suggestion, file = kind
    texts = [jsontext.string(value) for value in (code, severity.label, file, suggestion)]
    if None in texts:
        return None
    code, severity, file, suggestion = texts
    inner, outer = jsontext.newline(level + 1), jsontext.newline(level)
    if len(_PATH) <= level:
        _PATH.extend(f',{jsontext.newline(depth + 1)}"path": ' for depth in range(len(_PATH), level + 1))
        _MESSAGE.extend(f',{jsontext.newline(depth + 1)}"message": ' for depth in range(len(_MESSAGE), level + 1))
    made = (kind, level, f'{{{inner}"code": {code},{inner}"severity": {severity},{inner}"resource": ',
            f',{inner}"file": {file},{inner}"line": ',
            f',{inner}"suggestion": {suggestion}{outer}}}')
    if len(_KIND_TEXTS) >= _KINDS_KEPT:
        _KIND_TEXTS.clear()
    _KIND_TEXTS[id(kind)] = made
    return made


_PATH: list[str] = []  # per level: what comes before a finding's path, and its message
_MESSAGE: list[str] = []
_encode = jsontext.encode_basestring


_DEEPEST = 64  # jsontext writes itself no deeper (its _NEWLINES)


def is_accepted(finding: Finding | dict[str, Any]) -> bool:
    if isinstance(finding, dict):
        return finding.get("accepted") is not None
    return getattr(finding, "accepted", None) is not None


def exceeds(findings: list[Finding], fail_on: str) -> bool:
    """Whether a finding that is not accepted is at or above ``fail_on``."""
    threshold = FAIL_ON[fail_on]
    return threshold is not None and any(f.severity >= threshold and not is_accepted(f) for f in findings)


def fails(finding: dict[str, Any], fail_on: str) -> bool:
    """The same rule for one finding of the canonical report (for the views)."""
    threshold = FAIL_ON[fail_on]
    return (threshold is not None and not is_accepted(finding)
            and Severity[finding["severity"].upper()] >= threshold)


def render_json(report: dict[str, Any], **_: Any) -> str:
    return jsontext.dumps(report) + "\n"  # json.dumps(report, indent=2, ensure_ascii=False), faster


def where(finding: dict[str, Any]) -> str:
    return finding["file"] if finding["line"] is None else f"{finding['file']}:{finding['line']}"


def render_text(report: dict[str, Any], *, text_options: Any = None, **_: Any) -> str:
    out = io.StringIO()
    write_text(report, out, text_options=text_options)
    return out.getvalue()


def write_text(report: dict[str, Any], handle: TextIO, *, text_options: Any = None, **_: Any) -> None:
    """The text view (converter.report.text): grouped by resource, errors first, a table per code.
    ``text_options``: a TextOptions (quiet, ignore, color), or None for the defaults."""
    from converter.report.text import TextOptions, write_grouped  # lazy: views load when asked for

    write_grouped(report, handle, TextOptions() if text_options is None else text_options)


def write_json(report: dict[str, Any], handle: TextIO, **_: Any) -> None:
    jsontext.dump(report, handle)
    handle.write("\n")


_VIEWS = {"markdown": "converter.report.markdown", "sarif": "converter.report.sarif",
          "junit": "converter.report.junit"}
RENDERERS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json}


WRITERS: dict[str, Callable[..., None]] = {"text": write_text, "json": write_json}


def render_to(report: dict[str, Any], fmt: str, handle: TextIO, *, fail_on: str = "error", **options: Any) -> None:
    """render(), written to ``handle`` as it is made where the view allows (text and json)."""
    writer = WRITERS.get(fmt)
    if writer is None:
        handle.write(render(report, fmt, fail_on=fail_on, **options))
    else:
        writer(report, handle, fail_on=fail_on, **options)


def render(report: dict[str, Any], fmt: str, *, fail_on: str = "error", **options: Any) -> str:
    """The report in format ``fmt`` (one of FORMATS); ``fail_on`` decides JUnit failures. ``options`` go to
    the view: ``text_options`` (converter.report.text.TextOptions) shape the text view only, and the
    machine formats keep every finding; SARIF takes ``locate`` (converter.report.sarif_locations)."""
    if fmt == "text":
        return render_text(report, text_options=options.get("text_options"))
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        renderer = import_module(_VIEWS[fmt]).render
    return renderer(report, fail_on=fail_on, **options)
