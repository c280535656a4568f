"""Task size: the smallest valid Fargate size that covers the pod (MAPPING §1.3), and EC2 sizing.

The Fargate table is data (schemas/fargate_sizes.json); this module only searches it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from converter.quantity import cpu_units_from_cores, mib_from_bytes
from converter.record import Record, set_field
from converter.resources import load_schema

# Service Connect's Envoy proxy is not in the task definition but needs room in the task (§1.1).
SERVICE_CONNECT_CPU_UNITS = 256
SERVICE_CONNECT_MEMORY_MIB = 64
# With no declared resources at all, the smallest Fargate size.
DEFAULT_CPU_UNITS = 256
DEFAULT_MEMORY_MIB = 512


class TaskSize(Record):
    cpu_units: int
    memory_mib: int
    need_cpu_units: int  # what the pod (plus anything k2ecs adds) needs, before rounding
    need_memory_mib: int
    requests_cpu_cores: Decimal | None  # Σ container requests, the HPA utilization denominator
    requests_memory_bytes: Decimal | None

    def __init__(self, *, cpu_units: int, memory_mib: int, need_cpu_units: int, need_memory_mib: int,
                 requests_cpu_cores: Decimal | None, requests_memory_bytes: Decimal | None) -> None:
        set_field(self, "cpu_units", cpu_units)
        set_field(self, "memory_mib", memory_mib)
        set_field(self, "need_cpu_units", need_cpu_units)
        set_field(self, "need_memory_mib", need_memory_mib)
        set_field(self, "requests_cpu_cores", requests_cpu_cores)
        set_field(self, "requests_memory_bytes", requests_memory_bytes)


@cache
def fargate_sizes(operating_system: str = "LINUX") -> tuple[tuple[int, int], ...]:
    """Every valid (cpu units, memory MiB) pair, sorted by cpu then memory."""
    pairs = [
        (row["cpu_units"], memory)
        for row in load_schema("fargate_sizes.json")
        if operating_system in row["os"]
        for memory in row["memory_mib"]
    ]
    return tuple(sorted(pairs))


def smallest_fargate_size(need_cpu_units: int, need_memory_mib: int, operating_system: str = "LINUX") -> tuple[int, int] | None:
    """The smallest CPU tier that has a memory option covering the need, then its smallest such memory.

    MAPPING §1.3 step 5: this choice is never beaten on either dimension by another valid size.
    """
    for cpu_units, memory_mib in fargate_sizes(operating_system):
        if cpu_units >= need_cpu_units and memory_mib >= need_memory_mib:
            return cpu_units, memory_mib
    return None


def cores_to_units(cores: Decimal | None) -> int:
    return 0 if cores is None else cpu_units_from_cores(cores)


def bytes_to_mib(size: Decimal | None) -> int:
    return 0 if size is None else mib_from_bytes(size)
