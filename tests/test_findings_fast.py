"""make_finding, Origin.at and Origin.of set a frozen dataclass's slots directly: the objects they make must be
the ones the dataclass constructors and dataclasses.replace make (issue 24)."""

import copy
import pickle
from dataclasses import replace

from converter.core.codes import CODES
from converter.core.findings import NO_DETAILS, Finding, Message, Origin, make_finding, sort_findings

ORIGIN = Origin(resource="Deployment/web", file="in.yaml", line=12, path="/spec")


def _fields(finding: Finding) -> tuple:
    return (finding.code, finding.severity, finding.suggestion, finding.file, finding.resource, finding.line,
            finding.path, finding.message, dict(finding.extra), finding.kind)


def _by_init(code: str, origin: Origin, message, suggestion=None, **extra) -> Finding:
    info = CODES[code]
    return Finding(code=code, severity=info.severity, resource=origin.resource, file=origin.file, line=origin.line,
                   path=origin.path, message=message,
                   suggestion=info.suggestion if suggestion is None else suggestion, extra=extra or NO_DETAILS)


def test_origin_at_is_replace() -> None:
    for pointer, line in (("/spec/replicas", None), ("/spec/replicas", 3), ("", None)):
        made = ORIGIN.at(pointer, line)
        expected = replace(ORIGIN, path=pointer, line=ORIGIN.line if line is None else line)
        assert made == expected and repr(made) == repr(expected) and hash(made) == hash(expected)
        assert made.__class__ is Origin
    assert Origin(resource="a", file="f", line=None, path="").at("/x").line is None


def test_origin_of_is_the_constructor() -> None:
    made = Origin.of("Service/s", "b.yaml", None, "/metadata")
    assert made == Origin(resource="Service/s", file="b.yaml", line=None, path="/metadata")
    assert repr(made) == repr(Origin(resource="Service/s", file="b.yaml", line=None, path="/metadata"))


def test_make_finding_is_the_constructor() -> None:
    cases = [
        ("K2E-W901", ORIGIN, "not mapped", None, {}),
        ("K2E-I620", ORIGIN.at("/x", 4), Message("{} logs to {}", "Deployment/web", "/ecs/web"), None, {}),
        ("K2E-W304", ORIGIN, "revisionHistoryLimit", "my own suggestion", {"value": 3}),
        ("K2E-W304", ORIGIN.at("/y"), "again", None, {}),  # the kind kept for (code, file) from the first call
    ]
    for code, origin, message, suggestion, extra in cases:
        for _ in range(2):  # the second time from the kinds kept
            made = make_finding(code, origin, message, suggestion, **extra)
            expected = _by_init(code, origin, message, suggestion, **extra)
            assert made.__class__ is Finding
            assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
            assert _fields(made) == _fields(expected) and made.as_dict() == expected.as_dict()
            assert made.sort_key() == expected.sort_key()
            copied = replace(made, path="/other")  # compare/ copies findings this way
            assert copied.path == "/other" and copied.code == code and copied.message == made.message
            assert copied.suggestion == made.suggestion and copied.extra == made.extra
            for again in (copy.copy(made), copy.deepcopy(made), pickle.loads(pickle.dumps(made))):
                assert again == expected and _fields(again) == _fields(expected)
                assert again.extra == made.extra and (again.extra is NO_DETAILS) == (not extra)
    own = make_finding("K2E-W304", ORIGIN, "m", "own")
    assert own.suggestion == "own" and make_finding("K2E-W304", ORIGIN, "m").suggestion == CODES["K2E-W304"].suggestion


def test_made_findings_sort_like_constructed_ones() -> None:
    origins = [ORIGIN.at(f"/p{i % 3}", i % 4 or None) for i in range(12)]
    made = [make_finding("K2E-W304" if i % 2 else "K2E-W901", o, f"m{11 - i}") for i, o in enumerate(origins)]
    built = [_by_init("K2E-W304" if i % 2 else "K2E-W901", o, f"m{11 - i}") for i, o in enumerate(origins)]
    sort_findings(made)
    sort_findings(built)
    assert [_fields(f) for f in made] == [_fields(f) for f in built]
