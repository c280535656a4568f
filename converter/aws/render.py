"""The plan and the apply report as text. Pure: the commands print what these return."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from converter.aws.diff import MISSING
from converter.aws.plan import (
    CREATE,
    DELETE,
    NO_CHANGE,
    UPDATE,
    Change,
    NewRevision,
    Plan,
)

SYMBOLS = {CREATE: "+", UPDATE: "~", DELETE: "-", NO_CHANGE: "="}
_VALUE_CHARS = 200  # a long value (a command line, a policy document) is cut, not wrapped


def render_plan(plan: Plan) -> str:
    return "".join(plan_parts(plan))


def plan_parts(plan: Plan) -> Iterator[str]:
    """The plan's text, a workload at a time (each part whole lines): printed as it is made, a plan of thousands
    of workloads is not held as one text (issue 24)."""
    yield f"Plan for ECS cluster {plan.cluster} in {plan.region} ({plan.endpoint})\n\n"
    for workload in plan.workloads:
        lines = [f"{workload.name} ({workload.resource})"]
        for change in workload.changes:
            lines.extend(_change_lines(change))
        lines.extend(f"    note: {note}" for note in workload.notes)
        yield "\n".join(lines) + "\n\n"
    yield summary(plan) + "\n"


def summary(plan: Plan) -> str:
    if not plan.pending:
        return "No changes: what exists in AWS matches the input."
    return (f"Plan: {plan.count(CREATE)} to create, {plan.count(UPDATE)} to update, {plan.count(DELETE)} to delete, "
            f"{plan.count(NO_CHANGE)} unchanged.")


def _change_lines(change: Change) -> list[str]:
    lines = [f"  {SYMBOLS[change.action]} {change.label}: {change.action}"]
    lines.extend(f"      {item.path}: {_value(item.before)} -> {_value(item.after)}" for item in change.diffs)
    lines.extend(f"      ({note})" for note in change.notes)
    return lines


def _value(value: Any) -> str:
    if value is MISSING:
        return "(not set)"
    if isinstance(value, NewRevision):
        return str(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _VALUE_CHARS else text[:_VALUE_CHARS - 3] + "..."


def progress_line(change: Change, result: str) -> str:
    return f"  {change.label}: {result}\n"


def render_stopped(done: list[tuple[Change, str]], failed: tuple[Change, str], not_done: list[Change]) -> str:
    """The report of an apply that stopped part-way: what was done, what failed, what was not done."""
    change, error = failed
    lines = [f"Apply stopped part-way: {len(done)} change(s) done, 1 failed, {len(not_done)} not done."]
    lines.extend(f"  done      {item.label}: {result}" for item, result in done)
    lines.append(f"  FAILED    {change.label} ({change.action}): {error}")
    lines.extend(f"  not done  {item.label} ({item.action})" for item in not_done)
    lines.append("Run k2ecs apply again with the same arguments to complete the rest; what is done is not repeated.")
    return "\n".join(lines) + "\n"
