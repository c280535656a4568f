"""How a row's status and the effort estimate are decided: tables kept as data, shown on every page.

A row's status comes from its findings (codes and severities) and from its target value; a row with no
finding whose field the conversion consumed is "mapped". The tables below are the whole rule: the
renderers print them (``status_rules``, ``effort_rules``) so a reader can check any row by hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from converter.core.findings import Finding
from converter.core.settings import PLACEHOLDER_PREFIX

MAPPED, APPROXIMATED, NEEDS_INPUT, NOT_MAPPED = "mapped", "approximated", "needs input", "not mapped"
STATUSES = (MAPPED, APPROXIMATED, NEEDS_INPUT, NOT_MAPPED)  # display order
WORST_FIRST = (NOT_MAPPED, NEEDS_INPUT, APPROXIMATED, MAPPED)  # a row with several findings takes the first that applies
STATUS_MEANING = {
    MAPPED: "carried to the target with the same meaning",
    APPROXIMATED: "carried, but its meaning or value changed: review it",
    NEEDS_INPUT: "the target needs a value or resource the source does not carry (a <k2ecs:...> placeholder, an ARN, a Secret or load balancer to create)",
    NOT_MAPPED: "no counterpart: not in the output",
}

# Codes whose status is not the one their severity gives. A code's letter is its severity (converter.core.codes).
STATUS_BY_CODE = {
    NOT_MAPPED: (
        "K2E-W001", "K2E-I002", "K2E-I004", "K2E-I008", "K2E-I009", "K2E-W101", "K2E-W105", "K2E-W115",
        "K2E-W116", "K2E-W120", "K2E-I124", "K2E-W131", "K2E-W136", "K2E-W138", "K2E-W139", "K2E-W140",
        "K2E-W142", "K2E-W143", "K2E-W206", "K2E-W208", "K2E-W304", "K2E-I309", "K2E-W403", "K2E-W404",
        "K2E-W405", "K2E-W406", "K2E-W408", "K2E-W409", "K2E-W410", "K2E-W412", "K2E-I413", "K2E-W504",
        "K2E-W510", "K2E-W901",
        "K2E-I416",  # a Service port name ECS has no place for
        "K2E-W130",  # a security setting Fargate refuses: not written
        "K2E-W506",  # a metric the HPA controller never scales on: no policy written for it
        # ECS -> Kubernetes: fields with no Kubernetes counterpart, what the cluster provides, read-only fields.
        "K2E-I701", "K2E-W702", "K2E-I703", "K2E-W708", "K2E-W709", "K2E-W710", "K2E-W711", "K2E-I712",
        "K2E-W725", "K2E-W728", "K2E-W729", "K2E-I733", "K2E-I734",
        "K2E-W719",  # the task size: no pod-level field, nothing written for it
        "K2E-W743",  # an env entry Kubernetes refuses: left out
        "K2E-W744", "K2E-W745",  # a tag or Docker label key, a mount path the API server refuses: left out
    ),
    NEEDS_INPUT: (
        "K2E-W103", "K2E-E104", "K2E-W137", "K2E-W147", "K2E-W310", "K2E-W402", "K2E-W502",
        "K2E-W801", "K2E-W802", "K2E-W803",
        "K2E-I415",  # a load balancer annotation to apply by hand, or whose effect to check
        # ECS -> Kubernetes: a deploy-time value to write in, a Secret to create, a role trust policy, a load balancer.
        "K2E-W704", "K2E-W713", "K2E-W714", "K2E-W721",
    ),
}
# Whole number ranges: 6xx are the settings Kubernetes manifests do not carry.
STATUS_BY_RANGE = ((600, 699, NEEDS_INPUT),)
# Every other code takes the status of its severity (STATUS_BY_SEVERITY); they are named here all the same, so
# that a code dropped from STATUS_BY_CODE, or a new code given no status, fails tests/test_compare_truth.py
# instead of silently taking its severity's.
BY_SEVERITY = (
    "K2E-W003", "K2E-I005", "K2E-W006", "K2E-E007", "K2E-E020", "K2E-E021", "K2E-I022", "K2E-E030", "K2E-E031",
    "K2E-E032", "K2E-I033", "K2E-I034", "K2E-I035", "K2E-I036", "K2E-I102", "K2E-W106", "K2E-W107", "K2E-W110",
    "K2E-W111", "K2E-W112", "K2E-I113", "K2E-W114", "K2E-W121", "K2E-W122", "K2E-W123", "K2E-W132",
    "K2E-W135", "K2E-I141", "K2E-E144", "K2E-W145", "K2E-W146", "K2E-W148", "K2E-I149", "K2E-E150", "K2E-E151",
    "K2E-W152", "K2E-W160", "K2E-W180", "K2E-I182", "K2E-I183", "K2E-I170", "K2E-W171", "K2E-W172", "K2E-W201",
    "K2E-W202", "K2E-W203", "K2E-E204", "K2E-I205", "K2E-I207", "K2E-I209", "K2E-W210", "K2E-I211", "K2E-W212",
    "K2E-W213", "K2E-W302", "K2E-W303", "K2E-I308", "K2E-I312", "K2E-I311", "K2E-I320", "K2E-I321", "K2E-W322",
    "K2E-I401", "K2E-E407", "K2E-W411", "K2E-I414", "K2E-W430", "K2E-W433", "K2E-W434", "K2E-W435", "K2E-I501",
    "K2E-W503", "K2E-E505", "K2E-E507", "K2E-W508", "K2E-W509", "K2E-W511", "K2E-W512", "K2E-I520",
    "K2E-W521", "K2E-W530", "K2E-I531", "K2E-I532", "K2E-I705", "K2E-E706", "K2E-I707", "K2E-W715", "K2E-W716",
    "K2E-I717", "K2E-I718", "K2E-I720", "K2E-W722", "K2E-W723", "K2E-I724", "K2E-W726", "K2E-I727",
    "K2E-W730", "K2E-I731", "K2E-I735", "K2E-I736", "K2E-I732", "K2E-I741", "K2E-I742", "K2E-E740",
    "K2E-W746",
)
STATUS_BY_SEVERITY = {"error": NOT_MAPPED, "warning": APPROXIMATED, "info": APPROXIMATED}

# Effort: hours per row, by status and the highest severity among the row's findings ("none" for a row
# without findings). "default" covers every severity not listed. A rough planning number, not a quote.
EFFORT_HOURS = {
    MAPPED: {"default": Decimal("0")},
    APPROXIMATED: {"info": Decimal("0.1"), "default": Decimal("0.5")},
    NEEDS_INPUT: {"default": Decimal("0.25"), "error": Decimal("0.5")},
    NOT_MAPPED: {"info": Decimal("0.1"), "error": Decimal("2"), "default": Decimal("1")},
}

_CODE_STATUS = {code: status for status, codes in STATUS_BY_CODE.items() for code in codes}


def finding_status(finding: Finding) -> str:
    status = _CODE_STATUS.get(finding.code)
    if status is not None:
        return status
    number = int(finding.code[5:])
    for low, high, ranged in STATUS_BY_RANGE:
        if low <= number <= high:
            return ranged
    return STATUS_BY_SEVERITY[finding.severity.label]


def row_status(findings: Iterable[Finding], target_value: Any, covered: bool, written: bool = True) -> str:
    """The status of one row: from its findings, a placeholder as its target value, whether it was consumed, and
    whether its target is in the output (``written``: set, absent with the same meaning, or no target field).

    A row without findings whose target is not in the output is "not mapped", whatever was consumed: the page
    never says "mapped" beside "(not set)".

    Only a text value counts for the placeholder rule: a whole object that holds a placeholder somewhere
    (a load balancer list, say) has a finding of its own about it.
    """
    if isinstance(findings, (tuple, list)) and not findings:  # most rows: what the lines below give for none
        if isinstance(target_value, str) and PLACEHOLDER_PREFIX in target_value:
            return NEEDS_INPUT
        return MAPPED if covered and written else NOT_MAPPED
    found = {finding_status(f) for f in findings}
    if isinstance(target_value, str) and PLACEHOLDER_PREFIX in target_value:
        found.add(NEEDS_INPUT)
    if not found:
        found.add(MAPPED if covered and written else NOT_MAPPED)
    if not written and not found & {NOT_MAPPED, NEEDS_INPUT}:
        found = {NOT_MAPPED}  # "approximated" says the field was carried: this one is not in the output
    return next(status for status in WORST_FIRST if status in found)


def worse(first: str, second: str) -> str:
    return next(status for status in WORST_FIRST if status in (first, second))


def worst_severity(findings: Iterable[Finding]) -> str:
    levels = [f.severity for f in findings]
    return max(levels).label if levels else "none"


def row_effort(status: str, findings: Iterable[Finding]) -> Decimal:
    table = EFFORT_HOURS[status]
    if isinstance(findings, (tuple, list)) and not findings:  # most rows
        return table.get("none", table["default"])
    return table.get(worst_severity(findings), table["default"])


def status_rules() -> list[tuple[str, str]]:
    """The status table as (condition, status) lines for the renderers to print.

    A finding takes the status of the first of the finding lines that matches it; the lines after them
    are about the row itself. A row then takes the worst status it collected (``precedence_rule``).
    """
    lines = [(f"finding code {', '.join(codes)}", status) for status, codes in STATUS_BY_CODE.items()]
    lines += [(f"finding code in K2E-x{low}..x{high} (settings Kubernetes manifests do not carry)", status)
              for low, high, status in STATUS_BY_RANGE]
    lines += [(f"any other {severity} finding", status) for severity, status in STATUS_BY_SEVERITY.items()]
    lines.append((f"the target value is text holding a {PLACEHOLDER_PREFIX}...> placeholder", NEEDS_INPUT))
    lines.append(("a field of a document that was not converted (or of a workload that produced no payloads)", NOT_MAPPED))
    lines.append(("no finding, the conversion consumed the field, and its target is set (or absent with the same "
                  "meaning, as privileged: false)", MAPPED))
    lines.append(("no finding, and the conversion did not consume the field", NOT_MAPPED))
    lines.append(("the target field is not set in the output, and no finding says it needs input", NOT_MAPPED))
    return lines


def precedence_rule() -> str:
    return ("Each finding takes the first finding line above that matches it. A row takes the worst status "
            "it collected, in this order: " + ", ".join(WORST_FIRST) + ".")


def effort_rules() -> list[tuple[str, str, Decimal]]:
    """(status, highest finding severity of the row, hours per row) lines for the renderers to print."""
    lines = []
    for status in STATUSES:
        table = EFFORT_HOURS[status]
        for severity, hours in table.items():
            label = "any other" if severity == "default" and len(table) > 1 else ("any" if severity == "default" else severity)
            lines.append((status, label, hours))
    return lines
