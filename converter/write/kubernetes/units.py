"""Neutral quantities (cores, bytes as Decimal) -> Kubernetes quantity strings, spelled one way only."""

from __future__ import annotations

from decimal import Decimal

from converter.core.quantity import KIB, MIB, MILLICORES_PER_CORE


def cpu_quantity(cores: Decimal) -> str:
    """Whole cores as "2", whole millicores as "250m", anything finer as a plain decimal."""
    milli = cores * MILLICORES_PER_CORE
    if milli == milli.to_integral_value():
        milli_int = int(milli)
        return str(milli_int // MILLICORES_PER_CORE) if milli_int % MILLICORES_PER_CORE == 0 else f"{milli_int}m"
    return format(cores.normalize(), "f")


def memory_quantity(size: Decimal) -> str:
    """Mebibytes when exact (ECS counts memory in MiB), else kibibytes, else bytes."""
    if size == size.to_integral_value():
        whole = int(size)
        if whole % MIB == 0:
            return f"{whole // MIB}Mi"
        if whole % KIB == 0:
            return f"{whole // KIB}Ki"
        return str(whole)
    return format((size / MIB).normalize(), "f") + "Mi"
