"""Kubernetes resource quantities (docs/MAPPING.md#topic-quantities) and their exact ECS units (#topic-units).

Decimal throughout: 100m is 0.1 exactly, and 0.1 * 1024 = 102.4 rounds up to 103 CPU units.

The one home of the unit facts both directions use (issue 21, "facts repeat"): CPU units per core, bytes
per MiB and GiB, MiB per "GB" of an ECS task size, and the parser of task size strings ("1 vCPU", "2 GB").
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, ROUND_UP, Decimal, InvalidOperation, localcontext

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}
# number, then exactly one of: binary SI, decimal exponent (e/E followed by an integer), decimal SI.
_QUANTITY = re.compile(
    r"(?P<sign>[+-]?)(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exponent>[eE][+-]?[0-9]+)|(?P<decimal>[numkMGTPE]?))"
)
_NANO = Decimal("1e-9")
_MAX_INT64 = Decimal(2**63 - 1)
KIB = 2**10
MIB = 2**20
GIB = 2**30
# ECS: 1 vCPU is 1024 CPU units (botocore ECS RegisterTaskDefinitionRequest.cpu: "1024 (1 vCPU)", "128 CPU
# units (0.125 vCPUs)"; ContainerDefinition.cpu: the vCPUs of an instance type "by 1,024"). Kubernetes: 1 CPU
# is 1000m (k8s.io/apimachinery pkg/api/resource, Quantity.MilliValue).
CPU_UNITS_PER_CORE = 1024
MILLICORES_PER_CORE = 1000
# A task size's "GB" is 1024 MiB (botocore RegisterTaskDefinitionRequest.memory: "a string using GB (for example,
# 1GB or 1 GB) ... converted to an integer indicating the MiB", and its table: "1024 (1 GB), 2048 (2 GB)").
MIB_PER_GB = GIB // MIB
# Task cpu and memory as ECS accepts them (RegisterTaskDefinitionRequest cpu/memory are strings): 1024, "1024",
# "1 vCPU", "1 vcpu", "2 GB", "2GB" (#topic-task-size).
_TASK_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(vcpu|gb)?")


class QuantityError(ValueError):
    pass


def parse_quantity(value: object) -> Decimal:
    """The value of a Kubernetes quantity in base units (cores, bytes), rounded up to nano-units."""
    if value.__class__ is str:
        known = _PARSED.get(value)
        if known is not None:
            return known
    # Enough digits for 2^63 at nano precision; the default context (28 digits) cannot quantize that.
    with localcontext() as context:
        context.prec = 64
        result = _parse(value)
    if value.__class__ is str:
        if len(_PARSED) >= _PARSED_KEPT:
            _PARSED.clear()
        _PARSED[value] = result  # a Decimal cannot change: one may be shared
    return result


# The quantities met lately: a bundle writes the same few (250m, 512Mi) in every container.
_PARSED: dict[str, Decimal] = {}
_PARSED_KEPT = 4096


def _parse(value: object) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise QuantityError(f"{value!r} is not a quantity")
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise QuantityError(f"a quantity must be a string or number, not {type(value).__name__}")
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise QuantityError(f"{value!r} is not a Kubernetes quantity (e.g. 250m, 0.5, 128Mi, 1G)")
    try:
        number = Decimal(match["number"])
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        raise QuantityError(f"{value!r} is not a Kubernetes quantity") from None
    if match["binary"]:
        result = number * _BINARY[match["binary"]]
        if result > _MAX_INT64:
            result = _MAX_INT64  # apimachinery caps binary SI values at 2^63-1
    elif match["exponent"]:
        exponent = int(match["exponent"][1:])
        if abs(exponent) > 64:
            raise QuantityError(f"{value!r}: exponent out of range")
        result = number.scaleb(exponent)
    else:
        result = number * _DECIMAL[match["decimal"] or ""]
    if match["sign"] == "-":
        result = -result
    return result.quantize(_NANO, rounding=ROUND_UP) if result != result.to_integral_value() else result


def is_milli_memory(value: object) -> bool:
    """True for memory written with the milli suffix (``300m`` = 0.3 bytes), almost always a typo."""
    return isinstance(value, str) and value.strip().endswith("m")


def cpu_units_from_cores(cores: Decimal) -> int:
    """ECS CPU units: 1 vCPU = 1024 units = 1000m, rounded up (#topic-units)."""
    return int((cores * CPU_UNITS_PER_CORE).to_integral_value(rounding=ROUND_CEILING))


def millicores_for_units(units: int) -> tuple[int, bool]:
    """The smallest whole millicores that ECS would write back as ``units`` (or the next above), and whether exact.

    The forward mapping is units = ceil(millicores x 1024 / 1000) (#topic-units); each whole millicore maps
    to a distinct unit count, so this inverse gives back exactly the millicores a manifest had.
    """
    milli = (units - 1) * MILLICORES_PER_CORE // CPU_UNITS_PER_CORE + 1
    return milli, units_for_millicores(milli) == units


def units_for_millicores(milli: int) -> int:
    """cpu_units_from_cores for whole millicores, in integers: ceil(milli x 1024 / 1000)."""
    return -(-milli * CPU_UNITS_PER_CORE // MILLICORES_PER_CORE)


def millicores(cores: Decimal) -> Decimal:
    return cores * MILLICORES_PER_CORE


def mib_from_bytes(size_bytes: Decimal) -> int:
    """Whole MiB, rounded up (#topic-units): 300M -> 287, 1G -> 954, 1Gi -> 1024."""
    return int((size_bytes / MIB).to_integral_value(rounding=ROUND_CEILING))


class TaskSizeError(ValueError):
    pass


def parse_task_size(value: str | int, *, cpu: bool) -> int:
    """Task cpu in CPU units or memory in MiB from what ECS accepts: 1024, "1024", "1 vCPU", "1 GB".

    Decimal, and strict: anything else, or the other resource's unit ("2 GB" of cpu), raises TaskSizeError.
    A fraction of a unit is cut off ("0.1 vCPU" is 102 units), as both readers always did.
    """
    match = _TASK_SIZE.fullmatch(str(value).strip().lower())
    unit = "vcpu" if cpu else "gb"
    if match is None or (match[2] is not None and match[2] != unit):
        raise TaskSizeError(f"task {'cpu' if cpu else 'memory'} {value!r} is not a number of "
                            f"{'units or vCPU' if cpu else 'MiB or GB'}")
    number = Decimal(match[1])
    if match[2] is not None:
        number *= CPU_UNITS_PER_CORE if cpu else MIB_PER_GB
    return int(number)
