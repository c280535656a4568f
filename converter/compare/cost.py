"""A cost sketch for the Fargate services: vCPU-hours and GB-hours per month, priced from a data table.

An estimate, labelled as one everywhere it is shown: compute only, on-demand, at the prices, region and
date of ``schemas/fargate_prices.json``. The task size and the task counts are read from the ECS side,
whichever side was the input (task cpu/memory, service desiredCount, scalable target Min/MaxCapacity),
never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

# Fargate bills memory in GB of 1024 MiB (MIB_PER_GB), the unit of the task memory table (#topic-units).
from converter.compare.payloads import pinned
from converter.core.quantity import CPU_UNITS_PER_CORE, MIB_PER_GB

CENT = Decimal("0.01")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    label: str  # "desired", "min", "max"
    tasks: int
    vcpu_hours: Decimal
    gb_hours: Decimal
    cost: Decimal


@dataclass(frozen=True, kw_only=True)
class CostLine:
    workload: str
    vcpu: Decimal | None = None
    memory_gb: Decimal | None = None
    platform: str = ""  # the price table row, e.g. "Linux/x86"
    scenarios: tuple[Scenario, ...] = ()
    note: str = ""  # why the workload is not priced


@dataclass(frozen=True, kw_only=True)
class CostSketch:
    lines: dict[str, CostLine]
    totals: tuple[Scenario, ...]
    region: str
    region_name: str
    currency: str
    date: str
    hours_per_month: int
    sources: tuple[dict[str, str], ...]
    description: str
    region_note: str = ""  # set when the input is for another region than the table's
    price_rows: tuple[tuple[str, Decimal, Decimal], ...] = field(default=())  # (label, per vCPU-hour, per GB-hour)

    @property
    def caption(self) -> str:
        return (f"Estimate only: on-demand Fargate compute at {self.region} ({self.region_name}) prices, "
                f"{self.currency}, per month of {self.hours_per_month} hours, as read on {self.date}. "
                "A service without scaling counts at its desiredCount in the min and max totals.")


def cost_sketch(workloads: Iterable[Any], prices: dict[str, Any], region: str | None) -> CostSketch:
    hours = Decimal(prices["hours_per_month"])
    lines: dict[str, CostLine] = {}
    for workload in workloads:
        with pinned(workload):  # one workload's payloads at a time (compare.payloads)
            if not workload.ecs:
                continue
            lines[workload.name] = _line(workload.name, workload.ecs, prices, hours)
    totals = []
    priced = [line for line in lines.values() if line.scenarios]
    for label in ("desired", "min", "max"):
        chosen = [_pick(line, label) for line in priced]
        totals.append(Scenario(label=label, tasks=sum(s.tasks for s in chosen),
                               vcpu_hours=sum((s.vcpu_hours for s in chosen), Decimal(0)),
                               gb_hours=sum((s.gb_hours for s in chosen), Decimal(0)),
                               cost=sum((s.cost for s in chosen), Decimal(0))))
    note = ""
    if region is not None and region != prices["region"]:
        note = f"This input is for region {region}; prices there differ from {prices['region']}."
    return CostSketch(
        lines=lines, totals=tuple(totals), region=prices["region"], region_name=prices["region_name"],
        currency=prices["currency"], date=prices["date"], hours_per_month=prices["hours_per_month"],
        sources=tuple(prices["sources"]), description=prices["description"], region_note=note,
        price_rows=tuple((row["label"], Decimal(row["per_vcpu_hour"]), Decimal(row["per_gb_hour"]))
                         for row in prices["prices"].values()))


def _pick(line: CostLine, label: str) -> Scenario:
    """The scenario of that label, or the desired count when the service does not scale."""
    return next((s for s in line.scenarios if s.label == label), line.scenarios[0])


def _line(name: str, ecs: dict[str, Any], prices: dict[str, Any], hours: Decimal) -> CostLine:
    taskdef = ecs.get("taskDefinition") or {}
    service = ecs.get("service") or {}
    launch = service.get("launchType")
    if launch is None:
        launch = "FARGATE" if "FARGATE" in (taskdef.get("requiresCompatibilities") or []) else "EC2"
    if launch != "FARGATE":
        return CostLine(workload=name, note=f"launch type {launch}: priced by the instances, not sketched")
    platform = taskdef.get("runtimePlatform") or {}
    key = f"{platform.get('operatingSystemFamily', 'LINUX')}/{platform.get('cpuArchitecture', 'X86_64')}"
    row = prices["prices"].get(key)
    if row is None:
        return CostLine(workload=name, note=f"{key} is not in the price table")
    try:
        vcpu = Decimal(str(taskdef["cpu"])) / CPU_UNITS_PER_CORE
        memory_gb = Decimal(str(taskdef["memory"])) / MIB_PER_GB
    except (KeyError, ArithmeticError):
        return CostLine(workload=name, note="the task definition has no task-level cpu and memory")
    counts = [("desired", service.get("desiredCount"))]
    target = (ecs.get("scaling") or {}).get("scalableTarget") or {}
    counts += [("min", target.get("MinCapacity")), ("max", target.get("MaxCapacity"))]
    per_vcpu, per_gb = Decimal(row["per_vcpu_hour"]), Decimal(row["per_gb_hour"])
    scenarios = []
    for label, tasks in counts:
        if not isinstance(tasks, int) or isinstance(tasks, bool):
            continue
        vcpu_hours = vcpu * tasks * hours
        gb_hours = memory_gb * tasks * hours
        cost = (vcpu_hours * per_vcpu + gb_hours * per_gb).quantize(CENT, rounding=ROUND_HALF_UP)
        scenarios.append(Scenario(label=label, tasks=tasks, vcpu_hours=vcpu_hours, gb_hours=gb_hours, cost=cost))
    if not scenarios:
        return CostLine(workload=name, note="the service has no desiredCount")
    return CostLine(workload=name, vcpu=vcpu, memory_gb=memory_gb, platform=row["label"], scenarios=tuple(scenarios))


def number(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 547.50 -> 547.5, 1E+3 -> 1000."""
    return format(value.normalize(), "f")
