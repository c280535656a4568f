"""docs/MAPPING.md, generated from the registries the code runs: ``python -m converter.report.mapping_doc > docs/MAPPING.md``.

Five parts, each read from its one source:

* concerns: ``converter.core.concerns.CONCERNS``, each concern's rule module (both directions, its pairs) and
  where the Kubernetes side is read and written;
* topics: ``converter.core.topics.TOPICS``, with the codes that name each topic;
* rules, both directions: ``rule_tables()``, the field pairs the concern modules declare beside their rules
  (``converter.core.field_pairs``), each row linked to the concern that owns it;
* finding codes: ``converter.core.codes.CODES`` (severity, title, explanation, suggestion, topics);
* limits: ``converter.core.limits.LIMITS``, schemas/ecs_rules.json and schemas/fargate_sizes.json.

Every section a reader may link to has an explicit anchor (``<a id="..."></a>``) built from the identity
of what it describes (a code, a topic key, a rule's source path, a limit's key), never from its text, so
links survive rewording. tests/test_mapping_doc.py fails when docs/MAPPING.md is stale.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Iterable, NamedTuple

from converter.core.code_info import CodeInfo
from converter.core.codes import CODES, MAPPING_DOC, code_anchor, topic_anchor
from converter.core.concerns import BY_KEY, CONCERNS, source_path
from converter.core.field_pairs import Pair, forward_pairs, pair_tables, reverse_pairs
from converter.core.limits import GROUPS, LIMITS
from converter.core.resources import load_schema
from converter.core.topics import TOPICS

ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')


class Rule(NamedTuple):
    anchor: str
    source: str  # a path in the source document
    targets: tuple[str, ...]  # paths in the output; empty when the field has no counterpart
    note: str
    concern: str  # the key of the concern that owns it (converter.core.concerns)


class RuleTable(NamedTuple):
    direction: str  # "k8s" (Kubernetes -> ECS) or "ecs" (ECS -> Kubernetes)
    kind: str
    same_as: str | None  # another kind whose rules these are
    rules: tuple[Rule, ...]


def slug(text: str) -> str:
    """A path as an anchor fragment: ``/spec/{containers}/*/image`` -> ``spec-containers-item-image``."""
    text = text.replace("*", "item").replace("~1", "-").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "document"


def rule_tables() -> list[RuleTable]:
    """Every field pair the conversion maps, per direction and source kind.

    Both directions: the pairs each concern module declares beside the rules that apply them
    (converter.core.field_pairs.forward_pairs and reverse_pairs, the same pairs ``k2ecs compare`` shows;
    tests/test_compare_truth.py checks the forward ones against the conversion).
    """
    owner = {(side, kind, p.pattern): table.concern for table in pair_tables()
             for side in ("forward", "reverse") for kind, pairs in getattr(table, side).items() for p in pairs}
    tables: list[RuleTable] = []
    for direction, side, fields in (("k8s", "forward", forward_pairs()), ("ecs", "reverse", reverse_pairs())):
        seen: dict[tuple[Any, ...], str] = {}
        for kind, entries in fields.items():
            key = tuple((e.pattern, tuple(e.targets), e.note, e.resolver) for e in entries)
            same_as = seen.setdefault(key, kind)
            rules = tuple(Rule(anchor=rule_anchor(direction, kind, entry.pattern),
                               source=entry.pattern or "(the whole document)",
                               targets=tuple(part for target in entry.targets for part in target.split("|")),
                               note=_note(entry), concern=owner[(side, kind, entry.pattern)]) for entry in entries)
            tables.append(RuleTable(direction, kind, None if same_as == kind else same_as, rules))
    return tables


def rule_anchor(direction: str, kind: str, pattern: str) -> str:
    return f"rule-{direction}-{slug(kind)}-{slug(pattern)}"


def _note(entry: Pair) -> str:
    note = entry.note.strip("()")
    if entry.resolver:
        computed = f"targets computed per item ({entry.resolver.replace('_', ' ')})"
        note = f"{note}; {computed}" if note else computed
    return note


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _link(code: str) -> str:
    return f"[{code}](#{code_anchor(code)})"


# -- the document ------------------------------------------------------------------------------------

def mapping_markdown() -> str:
    lines = ["# k2ecs mapping reference", "",
             f"Generated from the registries the code runs (`python -m converter.report.mapping_doc > {MAPPING_DOC}`); "
             "do not edit by hand. `k2ecs explain CODE` prints a code's section; SARIF rules link to it.", "",
             "- [Concerns](#concerns): where each part of the mapping lives in the code, both directions",
             "- [Topics](#topics): what each part of the mapping does, and the codes it reports",
             "- [Rules, Kubernetes to ECS](#rules-k8s) and [ECS to Kubernetes](#rules-ecs): every field pair",
             "- [Finding codes](#codes): every code with its severity, explanation and what to do",
             "- [Limits](#limits): every limit k2ecs enforces, with its source", ""]
    lines += _concerns_section()
    lines += _topics_section()
    lines += _rules_section()
    lines += _codes_section()
    lines += _limits_section()
    return "\n".join(lines)


def _concerns_section() -> list[str]:
    tables = pair_tables()
    lines = ['<a id="concerns"></a>', "", "## Concerns", "",
             "The neutral model is Kubernetes-shaped, so the mapping is model <-> ECS: each concern has one rule "
             "module (converter/rules/) that owns it in both directions, with the field pairs of both directions "
             "(the rules tables further down, and what `k2ecs compare` shows) and the facts it applies. Reading and "
             "writing Kubernetes are that format's I/O. `module:function` names a function of that module.", ""]
    for concern in CONCERNS:
        mine = [t for t in tables if t.concern == concern.key]
        # A pair shared by several kinds (a Deployment's and a StatefulSet's pod template) counts once.
        counts = {side: len({p for t in mine for pairs in getattr(t, side).values() for p in pairs})
                  for side in ("forward", "reverse")}
        lines += [f'<a id="concern-{concern.key}"></a>', "", f"### {concern.title}", ""]
        if concern.topics:
            lines += ["Topics: " + ", ".join(f"[{TOPICS[key].title}](#{topic_anchor(key)})" for key in concern.topics), ""]
        lines += [f"- Rule, both directions: `{source_path(concern.rule)}` ({counts['forward']} field pairs Kubernetes "
                  f"to ECS, {counts['reverse']} ECS to Kubernetes)",
                  f"- Model to ECS: {_locations(concern.forward)}",
                  f"- ECS to model: {_locations(concern.reverse)}"]
        if concern.kubernetes:
            lines += [f"- Kubernetes read and written: {_locations(concern.kubernetes)}"]
        lines += [""]
        if concern.one_way:
            lines += [f"One way: {concern.one_way}", ""]
        if concern.elsewhere:
            lines += [f"Elsewhere: {concern.elsewhere}", ""]
    return lines


def _locations(locations: tuple[str, ...]) -> str:
    """Each module once, in the order named, with its functions: `a.py` (`f`, `g`), `b.py`."""
    functions: dict[str, list[str]] = {}
    for location in locations:
        module, _, function = location.partition(":")
        functions.setdefault(module, []).extend([function] if function else [])
    return ", ".join(f"`{source_path(module)}`" + (" (" + ", ".join(f"`{f}`" for f in names) + ")" if names else "")
                     for module, names in functions.items())


def _topics_section() -> list[str]:
    by_topic: dict[str, list[str]] = {key: [] for key in TOPICS}
    for info in CODES.values():
        for key in info.topics:
            by_topic[key].append(info.code)
    lines = ['<a id="topics"></a>', "", "## Topics", ""]
    for topic in TOPICS.values():
        lines += [f'<a id="{topic_anchor(topic.key)}"></a>', "", f"### {topic.title}", "", topic.summary, ""]
        if by_topic[topic.key]:
            lines += ["Codes: " + ", ".join(_link(code) for code in by_topic[topic.key]), ""]
    return lines


def _rules_section() -> list[str]:
    headings = {"k8s": ("Rules, Kubernetes to ECS", "Kubernetes field", "ECS field"),
                "ecs": ("Rules, ECS to Kubernetes", "ECS field", "Kubernetes field")}
    lines: list[str] = []
    tables = rule_tables()
    for direction, (title, source, target) in headings.items():
        lines += [f'<a id="rules-{direction}"></a>', "", f"## {title}", "",
                  "Paths are JSON Pointers into the source document (`*` is any key or item); targets name the "
                  "field of the output that the source field becomes. A field with no target has no counterpart.", ""]
        for table in (t for t in tables if t.direction == direction):
            lines += [f'<a id="rules-{direction}-{slug(table.kind)}"></a>', "", f"### {table.kind}", ""]
            if table.same_as is not None:
                lines += [f"The rules of [{table.same_as}](#rules-{direction}-{slug(table.same_as)}).", ""]
                continue
            lines += [f"| {source} | {target} | Note | Concern |", "|---|---|---|---|"]
            for rule in table.rules:
                targets = "<br>".join(_cell(_code(t)) for t in rule.targets) or "(none)"
                concern = f"[{BY_KEY[rule.concern].title}](#concern-{rule.concern})"
                lines.append(f'| <a id="{rule.anchor}"></a>{_cell(_code(rule.source))} | {targets} | {_cell(rule.note)} '
                             f"| {concern} |")
            lines.append("")
    return lines


def _codes_section() -> list[str]:
    lines = ['<a id="codes"></a>', "", "## Finding codes", "",
             "The letter after `K2E-` is the severity (E error, W warning, I info). A code is never reused.", ""]
    for info in CODES.values():
        lines += _code_lines(info)
    return lines


def _code_lines(info: CodeInfo) -> list[str]:
    lines = [f'<a id="{code_anchor(info.code)}"></a>', "", f"### {info.code}: {info.title}", "",
             f"Severity: {info.severity.label}", "", info.explanation, "", f"What to do: {info.suggestion}", ""]
    if info.topics:
        lines += ["Topics: " + ", ".join(f"[{TOPICS[key].title}](#{topic_anchor(key)})" for key in info.topics), ""]
    return lines


def _limits_section() -> list[str]:
    lines = ['<a id="limits"></a>', "", "## Limits", ""]
    for group, title in GROUPS.items():
        lines += [f'<a id="limits-{group}"></a>', "", f"### {title}", "",
                  "| Limit | Value | Source | Read by |", "|---|---|---|---|"]
        for entry in (e for e in LIMITS.values() if e.group == group):
            lines.append(f'| <a id="limit-{entry.key}"></a>{_cell(entry.what)} | {entry.value:,} {entry.unit} '
                         f"| {_cell(entry.source)} | {_cell(entry.enforced_by)} |")
        lines.append("")
    lines += ['<a id="limits-ecs"></a>', "", "### ECS rules and quotas", "",
              "Read from `schemas/ecs_rules.json` by the validators (`converter/validate/ecs_rules*.py`) and the "
              "renderers; the key's `V` number is the validator check that enforces it.", "",
              "| Rule | Value |", "|---|---|"]
    rules = load_schema("ecs_rules.json")
    lines += [f'| <a id="limit-ecs-{slug(path)}"></a>`{_cell(path)}` | {_cell(shown)} |'
              for path, shown in _ecs_leaves(rules, "")]
    lines += ["", '<a id="limits-fargate"></a>', "", "### Fargate task sizes", "",
              "Read from `schemas/fargate_sizes.json` by `converter/rules/resources/forward.py`: the valid task-level cpu and "
              "memory pairs.", "", "| CPU units | Memory (MiB) | Operating systems | Platform version |",
              "|---|---|---|---|"]
    for size in load_schema("fargate_sizes.json"):
        lines.append(f'| <a id="limit-fargate-{size["cpu_units"]}"></a>{size["cpu_units"]} '
                     f'| {", ".join(str(m) for m in size["memory_mib"])} | {", ".join(size["os"])} '
                     f'| {size["min_platform_version"] or "any"} |')
    lines.append("")
    return lines


def _ecs_leaves(node: Any, path: str) -> Iterable[tuple[str, str]]:
    """Each rule of ecs_rules.json as (dotted path, value shown); a {field, min, max} range is one rule."""
    if isinstance(node, dict) and "min" in node and "max" in node:
        unit = f" {node['unit']}" if node.get("unit") else ""
        yield path, f"{node['min']:,} to {node['max']:,}{unit}"
    elif isinstance(node, dict):
        for key, child in node.items():
            if not key.startswith("_"):
                yield from _ecs_leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(node, list) and node and all(isinstance(item, dict) and "field" in item for item in node):
        for item in node:
            yield from _ecs_leaves(item, f"{path}.{item['field']}")
    elif isinstance(node, list):
        yield path, ", ".join(f"`{item}`" for item in node) or "(none)"
    elif isinstance(node, bool) or node is None:
        yield path, str(node).lower() if node is not None else "null"
    elif isinstance(node, int):
        yield path, f"{node:,}"
    else:
        yield path, f"`{node}`"


def anchors(markdown: str) -> list[str]:
    """The explicit anchors of a generated document, in order."""
    return ANCHOR.findall(markdown)


if __name__ == "__main__":  # pragma: no cover - writes docs/MAPPING.md
    sys.stdout.write(mapping_markdown())
