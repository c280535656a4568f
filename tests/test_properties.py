"""Property tests: quantities (MAPPING §1.2, §1.5), Fargate sizing (§1.3), rolling-update percentages (§3.1),
and the no-silent-loss promise over generated Deployments.

Every expected value here is computed independently of the code under test (Fraction / integer
arithmetic, a hand-written copy of the §1.1 table, a hand-written model of Kubernetes' rounding).
"""

from __future__ import annotations

import copy
import math
import os
import re
import string
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, event, given, settings, strategies as st

from converter.pipeline.convert import convert
from converter.core.document import pointer
from converter.rules.rollout import rolling_percentages
from converter.rules.resources.forward import fargate_sizes, smallest_fargate_size
from converter.validate.ecs import validate_payloads
from converter.core.errors import InputError
from converter.load.loader import parse_text
from converter.core.quantity import QuantityError, cpu_units_from_cores, mib_from_bytes, parse_quantity
from converter.core.settings import Settings
from tests.helpers import fast_dump_all, leaves, pointer_parts

# ================================================================================================
# Quantities (§1.5) and unit conversion (§1.2)
# ================================================================================================

BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
DECIMAL_SI = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
NANO = Fraction(1, 10**9)
INT64_MAX = 2**63 - 1

digits = st.text(alphabet=string.digits, min_size=1, max_size=7)


@st.composite
def numbers(draw) -> tuple[str, Fraction]:
    """A <number> of §1.5 (all four productions) and its exact value."""
    form = draw(st.sampled_from(["int", "int.frac", "int.", ".frac"]))
    whole = draw(digits) if form != ".frac" else ""
    frac = draw(digits) if form in ("int.frac", ".frac") else ""
    text = {"int": whole, "int.frac": f"{whole}.{frac}", "int.": f"{whole}.", ".frac": f".{frac}"}[form]
    value = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    return text, value


@st.composite
def quantities(draw) -> tuple[str, Fraction]:
    """A valid quantity string and its exact value (before nano rounding)."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    text, value = draw(numbers())
    kind = draw(st.sampled_from(["binary", "decimal", "exponent"]))
    if kind == "binary":
        suffix = draw(st.sampled_from(sorted(BINARY)))
        value *= 2 ** BINARY[suffix]
    elif kind == "decimal":
        suffix = draw(st.sampled_from(sorted(DECIMAL_SI)))
        value *= Fraction(10) ** DECIMAL_SI[suffix]
    else:
        letter = draw(st.sampled_from("eE"))
        exponent = draw(st.integers(-12, 12))
        exp_sign = draw(st.sampled_from(["", "+"])) if exponent >= 0 else "-"
        suffix = f"{letter}{exp_sign}{abs(exponent)}"
        value *= Fraction(10) ** exponent
    return f"{sign}{text}{suffix}", -value if sign == "-" else value


def expected_quantity(text: str, exact: Fraction) -> Fraction:
    """Finer than nano rounds up, away from zero; binary SI above 2^63-1 is capped (§1.5 Precision)."""
    if any(text.endswith(suffix) for suffix in BINARY) and abs(exact) > INT64_MAX:
        return Fraction(INT64_MAX) if exact > 0 else -Fraction(INT64_MAX)  # the magnitude is capped
    if (exact / NANO).denominator != 1:
        magnitude = Fraction(math.ceil(abs(exact) / NANO)) * NANO
        return magnitude if exact > 0 else -magnitude
    return exact


@settings(max_examples=400, deadline=None)
@given(quantities(), st.sampled_from(["", " ", "  ", "\t"]))
def test_quantity_grammar_parses_to_exact_value(generated, padding):
    text, exact = generated
    parsed = parse_quantity(padding + text + padding)
    assert isinstance(parsed, Decimal)
    assert Fraction(parsed) == expected_quantity(text, exact), text
    assert parse_quantity(padding + text + padding) == parsed  # again, as remembered


@pytest.mark.parametrize("text, value", [
    ("250m", Fraction(1, 4)), ("1k", 1000), ("1Ki", 1024), ("128974848", 128974848), ("129e6", 129 * 10**6),
    ("129M", 129 * 10**6), ("123Mi", 123 * 2**20), ("1e3", 1000), ("1E3", 1000), ("1E", 10**18),
    (".5", Fraction(1, 2)), ("1.", 1), ("+1", 1), ("  1Gi ", 2**30), ("300m", Fraction(3, 10)),
    ("1n", NANO), ("0.1n", NANO), ("-0.1n", -NANO), ("1e-10", NANO), ("1E+2", 100), ("8Ei", INT64_MAX),
    ("1.5Gi", 3 * 2**29), ("100m", Fraction(1, 10)),
])
def test_quantity_table(text, value):
    """The §1.5 examples (and the precision rules)."""
    assert Fraction(parse_quantity(text)) == value


@pytest.mark.parametrize("value, expected", [(0.5, Fraction(1, 2)), (1, 1), (3, 3), (0.25, Fraction(1, 4)), (2.0, 2)])
def test_quantity_bare_numbers(value, expected):
    assert Fraction(parse_quantity(value)) == expected


INVALID_QUANTITIES = ["1K", "1e3m", "1 Mi", "1KB", "Mi", "", " ", "1e", "1ee3", "1.2.3", "--1", "+-1", "1Mi ",
                      "0x10", "1,5", "1_000", "1 k", "e3", "1Kii", "1mi", "1MI", "1.5.Gi", "∞", "1e3.5",
                      "NaN", "inf", "1i", "1Bi", ".", "+", "-", "1E3i"]


@pytest.mark.parametrize("text", INVALID_QUANTITIES)
def test_quantity_invalid_spellings_rejected(text):
    if text == "1Mi ":  # surrounding whitespace is trimmed: this one is legal
        assert parse_quantity(text) == 2**20
        return
    for _ in range(2):  # an error is not remembered as a value
        with pytest.raises(QuantityError):
            parse_quantity(text)


@pytest.mark.parametrize("value", [None, True, False, [], {}, float("nan"), float("inf")])
def test_quantity_non_quantities_rejected(value):
    with pytest.raises(QuantityError):
        parse_quantity(value)


_ORACLE = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?P<dot>\.?)(?P<frac>[0-9]*)"
                     r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE]?)")


def oracle(text: str):
    """§1.5 written out again: the exact value of a quantity string (nano-rounded, capped), or None."""
    match = _ORACLE.fullmatch(text.strip())
    if match is None or not (match["int"] or match["frac"]):
        return None
    if match["dot"] == "" and match["frac"]:  # "12" split as int="1" frac="2" by the regex: same number
        whole, frac = match["int"] + match["frac"], ""
    else:
        whole, frac = match["int"], match["frac"]
    value = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    suffix = match["suffix"]
    if suffix in BINARY:
        value *= 2 ** BINARY[suffix]
    elif suffix[:1] in ("e", "E") and len(suffix) > 1:
        value *= Fraction(10) ** int(suffix[1:])
    else:
        value *= Fraction(10) ** DECIMAL_SI[suffix]
    if match["sign"] == "-":
        value = -value
    return expected_quantity(text.strip(), value)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.+-eEiKMGTPnumkB ", min_size=1, max_size=9))
def test_quantity_accepts_exactly_the_grammar(text):
    exponent = re.search(r"[eE][+-]?([0-9]+)$", text.strip())
    assume(exponent is None or int(exponent[1]) <= 30)
    expected = oracle(text)
    if expected is None:
        with pytest.raises(QuantityError):
            parse_quantity(text)
    else:
        assert Fraction(parse_quantity(text)) == expected, text


@settings(max_examples=200, deadline=None)
@given(quantities(), st.sampled_from(["i", "B", "x", "m", "Ki", "e", "K", "e3", " 1", "Mi"]))
def test_quantity_junk_after_a_quantity(generated, junk):
    text, _ = generated
    candidate = text + junk
    expected = oracle(candidate)
    if expected is None:
        with pytest.raises(QuantityError):
            parse_quantity(candidate)
    else:
        assert Fraction(parse_quantity(candidate)) == expected, candidate


@pytest.mark.parametrize("text, value", [
    ("10000000000000000000.5", Fraction(20000000000000000001, 2)),  # 20 + 9 digits: more than Decimal's default 28
    ("100000000000000000000.1", Fraction(1000000000000000000001, 10)),
    ("9999999999999999999999999999999", 9999999999999999999999999999999),
    ("1.0000000001Ei", Fraction(2**60) * Fraction(10000000001, 10**10)),
])
def test_quantity_huge_values_are_exact(text, value):
    """Regression: values needing more than 28 significant digits raised decimal.InvalidOperation."""
    assert Fraction(parse_quantity(text)) == expected_quantity(text, value)


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=0, max_value=10**6, max_denominator=10**9))
def test_cpu_units_ceil_of_cores_times_1024(cores):
    # cores as a Decimal at most nano-precise, the way parse_quantity delivers it
    nano_cores = Fraction(math.ceil(cores / NANO)) * NANO
    decimal_cores = Decimal(nano_cores.numerator) / Decimal(nano_cores.denominator)
    assert Fraction(decimal_cores) == nano_cores
    assert cpu_units_from_cores(decimal_cores) == math.ceil(nano_cores * 1024)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**62), st.integers(0, 10**9 - 1))
def test_mib_ceil_of_bytes_over_2_20(whole, nanos):
    exact = Fraction(whole) + Fraction(nanos, 10**9)
    size = Decimal(whole) + Decimal(nanos).scaleb(-9)
    assume(Fraction(size) == exact)  # representable in the default 28-digit context
    assert mib_from_bytes(size) == math.ceil(exact / 2**20)


@settings(max_examples=300, deadline=None)
@given(quantities())
def test_units_from_parsed_quantities(generated):
    text, exact = generated
    assume(exact >= 0 and abs(exact) < 10**15)
    value = parse_quantity(text)
    rounded = expected_quantity(text, exact)
    assert cpu_units_from_cores(value) == math.ceil(rounded * 1024)
    assert mib_from_bytes(value) == math.ceil(rounded / 2**20)


@pytest.mark.parametrize("text, units", [("250m", 256), ("100m", 103), ("1", 1024), ("0.5", 512), ("1m", 2), ("1n", 1)])
def test_cpu_units_table(text, units):
    assert cpu_units_from_cores(parse_quantity(text)) == units


@pytest.mark.parametrize("text, mib", [("300Mi", 300), ("300M", 287), ("1G", 954), ("1Gi", 1024), ("1", 1), ("0", 0)])
def test_mib_table(text, mib):
    assert mib_from_bytes(parse_quantity(text)) == mib


# ================================================================================================
# Fargate sizes (§1.1) and minimality (§1.3)
# ================================================================================================

# §1.1, typed in by hand from MAPPING.md (not read from schemas/fargate_sizes.json).
TABLE = {
    256: ([512, 1024, 2048], {"LINUX"}),
    512: (list(range(1024, 4096 + 1, 1024)), {"LINUX"}),
    1024: (list(range(2048, 8192 + 1, 1024)), {"LINUX", "WINDOWS"}),
    2048: (list(range(4096, 16384 + 1, 1024)), {"LINUX", "WINDOWS"}),
    4096: (list(range(8192, 30720 + 1, 1024)), {"LINUX", "WINDOWS"}),
    8192: (list(range(16384, 61440 + 1, 4096)), {"LINUX"}),
    16384: (list(range(32768, 122880 + 1, 8192)), {"LINUX"}),
}


def table_pairs(operating_system: str = "LINUX") -> list[tuple[int, int]]:
    return [(cpu, mem) for cpu, (mems, oses) in TABLE.items() if operating_system in oses for mem in mems]


def test_fargate_table_matches_mapping():
    assert sorted(fargate_sizes("LINUX")) == sorted(table_pairs("LINUX"))
    assert len(fargate_sizes("LINUX")) == 74
    assert sorted(fargate_sizes("WINDOWS")) == sorted(table_pairs("WINDOWS"))
    assert len(fargate_sizes("WINDOWS")) == 43
    assert 1536 not in dict.fromkeys(m for c, m in fargate_sizes() if c == 256)


def check_minimal(need_cpu: int, need_mem: int, operating_system: str = "LINUX") -> None:
    pairs = table_pairs(operating_system)
    covering = [(c, m) for c, m in pairs if c >= need_cpu and m >= need_mem]
    chosen = smallest_fargate_size(need_cpu, need_mem, operating_system) if operating_system != "LINUX" \
        else smallest_fargate_size(need_cpu, need_mem)
    if not covering:
        assert chosen is None, (need_cpu, need_mem)
        return
    assert chosen is not None, (need_cpu, need_mem)
    assert chosen in pairs
    cpu, mem = chosen
    assert cpu >= need_cpu and mem >= need_mem
    assert not any(c < cpu for c, _ in covering), f"{(need_cpu, need_mem)}: a smaller cpu covers"
    assert not any(c == cpu and m < mem for c, m in covering), f"{(need_cpu, need_mem)}: same cpu, less memory"
    # §1.3: never beaten on either dimension
    assert mem == min(m for _, m in covering), f"{(need_cpu, need_mem)}: a valid size with less memory covers"


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 16384), st.integers(1, 122880))
def test_smallest_fargate_size_is_minimal(need_cpu, need_mem):
    check_minimal(need_cpu, need_mem)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20000), st.integers(1, 130000))
def test_smallest_fargate_size_none_exactly_when_nothing_covers(need_cpu, need_mem):
    check_minimal(need_cpu, need_mem)


def test_smallest_fargate_size_boundaries():
    """Every table value and its neighbours, in both dimensions (the brute-force check of §1.3, but exact)."""
    cpus = sorted({c + d for c in TABLE for d in (-1, 0, 1) if c + d >= 1} | {1, 16385})
    mems = sorted({m + d for _, (ms, _) in TABLE.items() for m in ms for d in (-1, 0, 1)} | {1, 122881})
    for cpu in cpus:
        for mem in mems:
            check_minimal(cpu, mem)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 8192), st.integers(1, 40000))
def test_smallest_fargate_size_windows(need_cpu, need_mem):
    check_minimal(need_cpu, need_mem, "WINDOWS")


@pytest.mark.parametrize("cpu, memory, proxy, expected", [
    ("250m", "300Mi", False, (256, 512)),
    ("250m", "1.5Gi", False, (256, 2048)),
    ("250m", "3000Mi", False, (512, 3072)),
    ("1", "9000Mi", False, (2048, 9216)),
    ("4", "31000Mi", False, (8192, 32768)),
    ("250m", "300Mi", True, (512, 1024)),
])
def test_fargate_worked_examples(cpu, memory, proxy, expected):
    """The §1.3 worked-examples table, through the unit conversion."""
    need_cpu = cpu_units_from_cores(parse_quantity(cpu)) + (256 if proxy else 0)
    need_mem = mib_from_bytes(parse_quantity(memory)) + (64 if proxy else 0)
    assert smallest_fargate_size(need_cpu, need_mem) == expected


def test_no_fargate_size_above_the_table():
    assert smallest_fargate_size(16385, 1) is None
    assert smallest_fargate_size(1, 122881) is None
    assert smallest_fargate_size(16384, 122880) == (16384, 122880)


# ================================================================================================
# Rolling update -> deploymentConfiguration (§3.1), against Kubernetes' own rounding
# ================================================================================================

def kubernetes_fenceposts(surge, unavailable, replicas: int) -> tuple[int, int]:
    """ResolveFenceposts (k8s.io/kubernetes/pkg/controller/deployment/util): written out independently."""

    def scaled(value, round_up: bool) -> int:
        if isinstance(value, int):
            return value
        percent = Fraction(int(value[:-1]), 100)
        exact = percent * replicas
        return math.ceil(exact) if round_up else math.floor(exact)

    s = scaled(surge, True)
    u = scaled(unavailable, False)
    if s == 0 and u == 0:
        u = 1
    return s, u


def check_rollout(surge, unavailable, replicas: int) -> None:
    s, u = kubernetes_fenceposts(surge, unavailable, replicas)
    result = rolling_percentages(surge, unavailable, replicas)
    maximum, minimum = result.maximum_percent, result.minimum_healthy_percent
    assert isinstance(maximum, int) and isinstance(minimum, int)
    most = replicas * maximum // 100  # ECS: floor(desired * maximumPercent / 100)
    fewest = -(-replicas * minimum // 100)  # ECS: ceil(desired * minimumHealthyPercent / 100)
    context = f"R={replicas} surge={surge!r} unavailable={unavailable!r} -> {maximum}%/{minimum}%"
    assert most == replicas + s, context
    assert fewest == max(0, replicas - u), context
    assert 0 <= minimum <= 100, context
    assert maximum >= 100, context
    # at least one task can be started or stopped ([ECSDG-2023:deployment-type-ecs] "Important")
    assert most > replicas or fewest < replicas, context


PERCENTS = [f"{p}%" for p in range(0, 101)]


def test_rollout_percentages_exhaustive():
    """Every R in 1..100, every whole percentage 0%..100% for both (both 0% is resolved by the fencepost)."""
    for replicas in range(1, 101):
        for surge in range(0, 101, 1):
            for unavailable in range(0, 101, 3):
                check_rollout(f"{surge}%", f"{unavailable}%", replicas)
        for unavailable in range(0, 101):
            check_rollout("25%", f"{unavailable}%", replicas)


int_or_percent = st.one_of(st.integers(0, 150), st.sampled_from(PERCENTS))


@settings(max_examples=150, deadline=None)
@given(int_or_percent, int_or_percent)
def test_rollout_percentages_int_and_percent(surge, unavailable):
    for replicas in range(1, 101):
        check_rollout(surge, unavailable, replicas)


def test_rollout_defaults_and_naive_counterexample():
    # K8s defaults 25%/25% at R=3: S=1, U=0 -> 134% / 100% (the naive 125%/75% can neither start nor stop)
    result = rolling_percentages(None, None, 3)
    assert (result.maximum_percent, result.minimum_healthy_percent) == (134, 100)
    assert rolling_percentages(None, None, 0).maximum_percent == 200  # R = 0 keeps the ECS defaults


# ================================================================================================
# No silent loss over generated Deployments
# ================================================================================================

UNKNOWN_KEY = "zzUnknownField"
DROPPED_WHOLE = {"K2E-W138", "K2E-W120", "K2E-W121"}
# Kept modest so the file runs in well under 30 s; raise it for a longer hunt: K2ECS_PROPERTY_EXAMPLES=2000
DEPLOYMENT_EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "120"))
# A long hunt skips shrinking (slow on these big examples); the failure message prints the manifest.
DEPLOYMENT_PHASES = (tuple(Phase) if "K2ECS_PROPERTY_EXAMPLES" not in os.environ
                     else (Phase.explicit, Phase.reuse, Phase.generate))

dns_label = st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
env_name = st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True)
safe_text = st.text(alphabet=string.ascii_letters + string.digits + " -_.:/=+@", max_size=20)
label_value = st.from_regex(r"([a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?)?", fullmatch=True)
label_key = st.sampled_from(["app", "tier", "team", "example.com/owner", "app.kubernetes.io/name", "version"])


@st.composite
def cpu_quantity(draw, millicores: int):
    """One spelling of a cpu quantity (string or bare number)."""
    options = [f"{millicores}m", str(Decimal(millicores) / 1000)]
    if millicores % 1000 == 0:
        options += [millicores // 1000, str(millicores // 1000)]
    if millicores % 250 == 0:
        options.append(float(Decimal(millicores) / 1000))
    options.append(f"{millicores * 1000}u")
    return draw(st.sampled_from(options))


@st.composite
def memory_quantity(draw, mib: int):
    options = [f"{mib}Mi", str(mib * 2**20), f"{mib * 1024}Ki", f"{mib * 2**20}e0"]
    if mib % 1024 == 0:
        options.append(f"{mib // 1024}Gi")
    if (mib * 2**20) % 10**6 == 0:
        options.append(f"{mib * 2**20 // 10**6}M")
    options.append(f"{Decimal(mib * 2**20) / 1000}k")
    return draw(st.sampled_from(options))


@st.composite
def resources(draw):
    out: dict = {}
    requests: dict = {}
    limits: dict = {}
    if draw(st.booleans()):
        cpu_request = draw(st.integers(1, 2000))
        requests["cpu"] = draw(cpu_quantity(cpu_request))
        if draw(st.booleans()):
            limits["cpu"] = draw(cpu_quantity(draw(st.integers(cpu_request, 2000))))
    elif draw(st.booleans()):
        limits["cpu"] = draw(cpu_quantity(draw(st.integers(1, 2000))))
    if draw(st.booleans()):
        memory_request = draw(st.integers(16, 3072))
        requests["memory"] = draw(memory_quantity(memory_request))
        if draw(st.booleans()):
            limits["memory"] = draw(memory_quantity(draw(st.integers(memory_request, 3072))))
    elif draw(st.booleans()):
        limits["memory"] = draw(memory_quantity(draw(st.integers(16, 3072))))
    if draw(st.integers(0, 9)) == 0:
        limits["ephemeral-storage"] = f"{draw(st.integers(1, 40))}Gi"
    if draw(st.integers(0, 9)) == 0:
        limits["nvidia.com/gpu"] = draw(st.sampled_from([1, "1", "2"]))
    if draw(st.integers(0, 9)) == 0:
        requests[draw(st.sampled_from(["hugepages-2Mi", "example.com/widget"]))] = "1"
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


@st.composite
def probe(draw, ports: list[dict], liveness_like: bool):
    handler = draw(st.sampled_from(["exec", "httpGet", "tcpSocket", "grpc"]))
    tcp_ports = [p for p in ports if p.get("protocol", "TCP") == "TCP"]
    named = [p["name"] for p in tcp_ports if "name" in p]

    def port_ref():
        choices = [draw(st.integers(1, 65535))]
        if tcp_ports:
            choices.append(draw(st.sampled_from(tcp_ports))["containerPort"])
        if named:
            choices.append(draw(st.sampled_from(named)))
        if draw(st.integers(0, 9)) == 0:
            choices.append("nosuchport")
        return draw(st.sampled_from(choices))

    if handler == "exec":
        body: dict = {"command": draw(st.lists(safe_text.filter(bool), min_size=1, max_size=3))}
    elif handler == "httpGet":
        body = {"port": port_ref()}
        if draw(st.booleans()):
            body["path"] = "/" + draw(st.from_regex(r"[a-z/]{0,10}", fullmatch=True))
        if draw(st.booleans()):
            body["scheme"] = draw(st.sampled_from(["HTTP", "HTTPS"]))
        if draw(st.booleans()):
            body["httpHeaders"] = [{"name": "X-Probe", "value": draw(safe_text)}]
        if draw(st.integers(0, 5)) == 0:
            body["host"] = "127.0.0.1"
    elif handler == "tcpSocket":
        body = {"port": port_ref()}
    else:
        body = {"port": draw(st.integers(1, 65535))}
        if draw(st.booleans()):
            body["service"] = draw(dns_label)
    out = {handler: body}
    for key, low, high in (("initialDelaySeconds", 0, 400), ("periodSeconds", 1, 400), ("timeoutSeconds", 1, 120),
                           ("failureThreshold", 1, 12)):
        if draw(st.booleans()):
            out[key] = draw(st.integers(low, high))
    if draw(st.booleans()):
        out["successThreshold"] = 1 if liveness_like else draw(st.integers(1, 3))
    if liveness_like and draw(st.integers(0, 9)) == 0:
        out["terminationGracePeriodSeconds"] = draw(st.integers(1, 60))
    return out


@st.composite
def security_context(draw):
    out: dict = {}
    for key, strategy in (("runAsUser", st.integers(0, 65535)), ("runAsGroup", st.integers(0, 65535)),
                          ("readOnlyRootFilesystem", st.booleans()), ("privileged", st.booleans()),
                          ("allowPrivilegeEscalation", st.booleans()), ("runAsNonRoot", st.booleans()),
                          ("seccompProfile", st.just({"type": "RuntimeDefault"})),
                          ("seLinuxOptions", st.just({"level": "s0:c123,c456"})),
                          ("procMount", st.just("Default")),
                          ("capabilities", st.fixed_dictionaries({}, optional={
                              "add": st.lists(st.sampled_from(["NET_ADMIN", "SYS_PTRACE", "CAP_CHOWN"]), max_size=2, unique=True),
                              "drop": st.lists(st.sampled_from(["ALL", "NET_RAW"]), max_size=2, unique=True)}))):
        if draw(st.integers(0, 3)) == 0:
            out[key] = draw(strategy)
    return out


@st.composite
def env_entry(draw, refs: dict):
    name = draw(env_name)
    kind = draw(st.sampled_from(["value", "value", "empty", "secret", "configMap", "field", "resource"]))
    if kind == "value":
        return {"name": name, "value": draw(st.one_of(safe_text, st.just("$(HOME)/x")))}
    if kind == "empty":
        return {"name": name}
    if kind == "secret":
        secret = draw(st.sampled_from(refs["secrets"] + ["missing-secret"]))
        ref = {"name": secret, "key": draw(st.sampled_from(["password", "token"]))}
        if draw(st.booleans()):
            ref["optional"] = draw(st.booleans())
        return {"name": name, "valueFrom": {"secretKeyRef": ref}}
    if kind == "configMap":
        config_map = draw(st.sampled_from(refs["configmaps"] + ["missing-config"]))
        ref = {"name": config_map, "key": draw(st.sampled_from(["level", "mode", "absent"]))}
        if draw(st.booleans()) or ref["key"] == "absent" or config_map == "missing-config":
            ref["optional"] = True  # a non-optional missing key is an error finding; keep most cases clean
        return {"name": name, "valueFrom": {"configMapKeyRef": ref}}
    if kind == "field":
        path = draw(st.sampled_from(["metadata.namespace", "metadata.name", "status.podIP", "spec.nodeName",
                                     "metadata.labels['app']", "spec.serviceAccountName"]))
        ref = {"fieldPath": path}
        if draw(st.booleans()):
            ref["apiVersion"] = "v1"
        return {"name": name, "valueFrom": {"fieldRef": ref}}
    ref = {"resource": draw(st.sampled_from(["limits.cpu", "requests.memory", "limits.memory"]))}
    if draw(st.booleans()):
        ref["divisor"] = draw(st.sampled_from(["1", "1m", "1Mi"]))
    return {"name": name, "valueFrom": {"resourceFieldRef": ref}}


@st.composite
def container(draw, name: str, port_pool: list[int], refs: dict, volume_names: list[str], role: str):
    out: dict = {"name": name, "image": draw(st.sampled_from(["nginx:1.27", "public.ecr.aws/x/y@sha256:" + "a" * 64,
                                                               "registry.example.com:5000/team/app:v1"]))}
    if role == "sidecar":
        out["restartPolicy"] = "Always"
    if draw(st.booleans()):
        out["command"] = draw(st.lists(st.one_of(safe_text, st.just("$(VAR)")), min_size=1, max_size=3))
    if draw(st.booleans()):
        out["args"] = draw(st.lists(safe_text, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        out["workingDir"] = "/srv"
    ports = []
    if role != "init" and draw(st.booleans()):
        for index in range(draw(st.integers(1, 3))):
            if not port_pool:
                break
            number = port_pool.pop()
            port: dict = {"containerPort": number}
            if draw(st.booleans()):
                port["name"] = f"p{name[:8]}{index}"[:15]
            if draw(st.booleans()):
                port["protocol"] = draw(st.sampled_from(["TCP", "TCP", "UDP", "SCTP"]))
            if draw(st.integers(0, 5)) == 0:
                port["hostPort"] = draw(st.sampled_from([number, number + 1]))
            if draw(st.integers(0, 9)) == 0:
                port["hostIP"] = "0.0.0.0"
            ports.append(port)
        if ports and draw(st.integers(0, 5)) == 0:  # the same number again, the other protocol
            first = ports[0]
            other = "UDP" if first.get("protocol", "TCP") == "TCP" else "TCP"
            ports.append({"containerPort": first["containerPort"], "protocol": other})
        out["ports"] = ports
    if draw(st.booleans()):
        out["env"] = draw(st.lists(env_entry(refs), max_size=4))
    if draw(st.integers(0, 3)) == 0:
        items = []
        for _ in range(draw(st.integers(1, 2))):
            if draw(st.booleans()):
                item = {"configMapRef": {"name": draw(st.sampled_from(refs["configmaps"] + ["missing-config"]))}}
                if item["configMapRef"]["name"] == "missing-config":
                    item["configMapRef"]["optional"] = True
            else:
                item = {"secretRef": {"name": draw(st.sampled_from(refs["secrets"] + ["missing-secret"]))}}
            if draw(st.booleans()):
                item["prefix"] = "P_"
            items.append(item)
        out["envFrom"] = items
    res = draw(resources())
    if res or draw(st.booleans()):
        out["resources"] = res
    if role in ("app", "sidecar"):
        for key in ("livenessProbe", "readinessProbe", "startupProbe"):
            if draw(st.integers(0, 2)) == 0:
                out[key] = draw(probe(ports, key != "readinessProbe"))
    if draw(st.booleans()):
        out["securityContext"] = draw(security_context())
    if volume_names and draw(st.booleans()):
        mounts = []
        for index, volume in enumerate(draw(st.lists(st.sampled_from(volume_names), min_size=1, max_size=3, unique=True))):
            mount: dict = {"name": volume, "mountPath": f"/mnt/{index}"}
            if draw(st.booleans()):
                mount["readOnly"] = draw(st.booleans())
            if draw(st.integers(0, 5)) == 0:
                mount["subPath"] = "sub"
            mounts.append(mount)
        out["volumeMounts"] = mounts
    extras = {
        "imagePullPolicy": st.sampled_from(["Always", "IfNotPresent", "Never"]),
        "lifecycle": st.just({"preStop": {"exec": {"command": ["sleep", "5"]}}}),
        "stdin": st.booleans(), "tty": st.booleans(),
        "terminationMessagePath": st.sampled_from(["/dev/termination-log", "/tmp/msg"]),
        "terminationMessagePolicy": st.sampled_from(["File", "FallbackToLogsOnError"]),
        "resizePolicy": st.just([{"resourceName": "cpu", "restartPolicy": "NotRequired"}]),
    }
    for key, strategy in extras.items():
        if draw(st.integers(0, 6)) == 0:
            out[key] = draw(strategy)
    return out


@st.composite
def volume(draw, name: str):
    kind = draw(st.sampled_from(["emptyDir", "emptyDir", "hostPath", "persistentVolumeClaim", "configMap",
                                 "secret", "projected", "downwardAPI", "nfs"]))
    if kind == "emptyDir":
        body: dict = {}
        if draw(st.booleans()):
            body["medium"] = draw(st.sampled_from(["Memory", ""]))
        if draw(st.booleans()):
            body["sizeLimit"] = "1Gi"
    elif kind == "hostPath":
        body = {"path": "/var/log"}
        if draw(st.booleans()):
            body["type"] = "Directory"
    elif kind == "persistentVolumeClaim":
        body = {"claimName": "data"}
    elif kind == "configMap":
        body = {"name": "app-config"}
    elif kind == "secret":
        body = {"secretName": "app-secret"}
    elif kind == "projected":
        body = {"sources": [{"serviceAccountToken": {"path": "token"}}]}
    elif kind == "downwardAPI":
        body = {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}
    else:
        body = {"server": "nfs.example.com", "path": "/exports"}
    return {"name": name, kind: body}


@st.composite
def deployments(draw):
    """(list of documents, the Deployment document, the path of an injected unknown field or None, settings)."""
    name = draw(dns_label)
    namespace = draw(st.sampled_from([None, "default", "shop"]))
    refs = {"configmaps": draw(st.lists(st.sampled_from(["app-config", "extra-config"]), max_size=2, unique=True)),
            "secrets": draw(st.lists(st.sampled_from(["app-secret", "db"]), max_size=2, unique=True))}
    metadata: dict = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if draw(st.booleans()):
        metadata["labels"] = draw(st.dictionaries(label_key, label_value, max_size=3))
    if draw(st.booleans()):
        metadata["annotations"] = draw(st.dictionaries(
            st.sampled_from(["note", "example.com/json", "kubectl.kubernetes.io/last-applied-configuration",
                             "deployment.kubernetes.io/revision"]),
            st.one_of(safe_text, st.just('{"a": [1, 2]}'), st.just("aws:reserved")), max_size=3))
    pod_labels = {"app": name}
    pod_labels.update(draw(st.dictionaries(st.sampled_from(["tier", "version"]), label_value, max_size=2)))
    template_metadata: dict = {"labels": pod_labels}
    if draw(st.integers(0, 3)) == 0:
        template_metadata["annotations"] = {"prometheus.io/scrape": "true"}
    if draw(st.integers(0, 5)) == 0:
        template_metadata["creationTimestamp"] = None

    volume_names = draw(st.lists(dns_label, max_size=3, unique=True))
    first_port, step = draw(st.integers(1, 60000)), draw(st.integers(1, 500))
    port_pool = [first_port + index * step for index in range(10)]
    roles = ["init"] * draw(st.integers(0, 2)) + ["sidecar"] * draw(st.integers(0, 1)) + ["app"] * draw(st.integers(1, 2))
    containers = []
    for index, role in enumerate(roles):
        containers.append((role, draw(container(f"c{index}-{role}", port_pool, refs, volume_names, role))))
    pod: dict = {"containers": [c for role, c in containers if role == "app"]}
    inits = [c for role, c in containers if role != "app"]
    if inits:
        pod["initContainers"] = inits
    if volume_names:
        pod["volumes"] = [draw(volume(v)) for v in volume_names]
    pod_extras = {
        "nodeSelector": st.dictionaries(st.sampled_from(["kubernetes.io/arch", "kubernetes.io/os", "disktype"]),
                                        st.sampled_from(["amd64", "arm64", "linux", "windows", "ssd"]), min_size=1, max_size=2),
        "tolerations": st.just([{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}]),
        "affinity": st.just({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}),
        "hostAliases": st.just([{"ip": "10.0.0.1", "hostnames": ["db.local"]}]),
        "securityContext": st.fixed_dictionaries({}, optional={
            "runAsUser": st.integers(0, 65535), "runAsGroup": st.integers(0, 65535), "fsGroup": st.integers(0, 65535),
            "runAsNonRoot": st.booleans(), "supplementalGroups": st.just([1000]),
            "sysctls": st.just([{"name": "net.core.somaxconn", "value": "1024"}])}),
        "serviceAccountName": st.sampled_from(["default", "app-sa", "unknown-sa"]),
        "terminationGracePeriodSeconds": st.integers(0, 300),
        "dnsPolicy": st.sampled_from(["ClusterFirst", "Default", "None"]),
        "restartPolicy": st.just("Always"),
        "imagePullSecrets": st.just([{"name": "regcred"}]),
        "priorityClassName": st.just("high"),
        "topologySpreadConstraints": st.just([{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]),
        "automountServiceAccountToken": st.booleans(),
        "enableServiceLinks": st.booleans(),
        "shareProcessNamespace": st.booleans(),
        "hostname": st.just("web"),
        "hostNetwork": st.booleans(),
        "os": st.fixed_dictionaries({"name": st.sampled_from(["linux", "windows"])}),
        "dnsConfig": st.just({"nameservers": ["1.1.1.1"]}),
        "schedulerName": st.just("default-scheduler"),
    }
    for key, strategy in pod_extras.items():
        if draw(st.integers(0, 6)) == 0:
            pod[key] = draw(strategy)

    spec: dict = {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": template_metadata, "spec": pod}}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, 20))
    strategy_kind = draw(st.sampled_from([None, "RollingUpdate", "Recreate"]))
    if strategy_kind == "Recreate":
        spec["strategy"] = {"type": "Recreate"}
    elif strategy_kind == "RollingUpdate":
        rolling = {}
        value = st.one_of(st.integers(0, 5), st.sampled_from(["0%", "10%", "25%", "50%", "100%"]))
        if draw(st.booleans()):
            rolling["maxSurge"] = draw(value)
        if draw(st.booleans()):
            rolling["maxUnavailable"] = draw(value)
        if rolling.get("maxSurge") in (0, "0%") and rolling.get("maxUnavailable") in (0, "0%"):
            rolling["maxUnavailable"] = 1  # Kubernetes validation forbids both literally 0
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling}
    for key, strategy in (("minReadySeconds", st.integers(0, 60)), ("progressDeadlineSeconds", st.integers(60, 900)),
                          ("revisionHistoryLimit", st.integers(0, 10)), ("paused", st.booleans())):
        if draw(st.integers(0, 4)) == 0:
            spec[key] = draw(strategy)
    deployment = {"apiVersion": "apps/v1", "kind": draw(st.sampled_from(["Deployment", "Deployment", "deployment"])),
                  "metadata": metadata, "spec": spec}
    if draw(st.integers(0, 9)) == 0:
        deployment["status"] = {"replicas": 1, "readyReplicas": 1}

    injected = None
    if draw(st.integers(0, 2)) == 0:
        targets = injection_targets(deployment)
        target = draw(st.sampled_from(targets))
        holder = deployment
        for step in target:
            holder = holder[step]
        holder[UNKNOWN_KEY] = draw(st.one_of(st.integers(), safe_text, st.booleans(),
                                             st.just({"nested": {"deeper": [1, 2]}}), st.just([1, "two"])))
        injected = target + (UNKNOWN_KEY,)

    documents = []
    for config_map in refs["configmaps"]:
        documents.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": config_map},
                          "data": {"level": "debug", "mode": "fast"}})
    for secret in refs["secrets"]:
        documents.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": secret},
                          "type": "Opaque", "data": {"password": "cGFzcw==", "token": "dG9r"}})
    if draw(st.booleans()):
        account: dict = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "app-sa"}}
        if draw(st.booleans()):
            account["metadata"]["annotations"] = {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/app"}
        documents.append(account)
    position = draw(st.integers(0, len(documents)))
    documents.insert(position, deployment)
    chosen_settings = draw(st.sampled_from([Settings(), Settings(), Settings(launch_type="EC2")]))
    return documents, deployment, injected, chosen_settings


def injection_targets(deployment: dict) -> list[tuple]:
    """Paths of mappings whose keys are Kubernetes schema fields (not user maps such as labels)."""
    targets: list[tuple] = [(), ("metadata",), ("spec",), ("spec", "template"), ("spec", "template", "metadata"),
                            ("spec", "template", "spec"), ("spec", "selector")]
    spec = deployment["spec"]
    if "strategy" in spec:
        targets.append(("spec", "strategy"))
        if "rollingUpdate" in spec["strategy"]:
            targets.append(("spec", "strategy", "rollingUpdate"))
    pod = spec["template"]["spec"]
    base = ("spec", "template", "spec")
    if isinstance(pod.get("securityContext"), dict):
        targets.append(base + ("securityContext",))
    if "os" in pod:
        targets.append(base + ("os",))
    for list_key in ("containers", "initContainers"):
        for index, item in enumerate(pod.get(list_key, [])):
            here = base + (list_key, index)
            targets.append(here)
            for key in ("securityContext", "resources", "livenessProbe", "readinessProbe", "startupProbe"):
                if isinstance(item.get(key), dict):
                    targets.append(here + (key,))
            for key in ("livenessProbe", "readinessProbe", "startupProbe"):
                for handler in ("httpGet", "tcpSocket", "exec", "grpc"):
                    if isinstance(item.get(key, {}).get(handler), dict):
                        targets.append(here + (key, handler))
            if isinstance(item.get("securityContext", {}).get("capabilities"), dict):
                targets.append(here + ("securityContext", "capabilities"))
            for list_field in ("ports", "env", "envFrom", "volumeMounts"):
                for position, entry in enumerate(item.get(list_field, [])):
                    targets.append(here + (list_field, position))
                    if list_field == "env" and "valueFrom" in entry:
                        targets.append(here + (list_field, position, "valueFrom"))
                        for ref_key, ref in entry["valueFrom"].items():
                            targets.append(here + (list_field, position, "valueFrom", ref_key))
                    if list_field == "envFrom":
                        for ref_key in ("configMapRef", "secretRef"):
                            if ref_key in entry:
                                targets.append(here + (list_field, position, ref_key))
    for index, item in enumerate(pod.get("volumes", [])):
        # volumes of a kind with no ECS equivalent are reported whole (W120/W121): not W901 targets
        if "emptyDir" in item or "hostPath" in item:
            targets.append(base + ("volumes", index))
            kind = "emptyDir" if "emptyDir" in item else "hostPath"
            targets.append(base + ("volumes", index, kind))
    return targets


def is_under(path: tuple, prefix: tuple) -> bool:
    return tuple(str(step) for step in path[: len(prefix)]) == tuple(str(step) for step in prefix) \
        and len(path) >= len(prefix)


def _document_offset(text: str, position: int) -> int:
    """Where the position-th document of a safe_dump_all text starts."""
    offset = 0
    for _ in range(position):
        offset = text.index("\n---\n", offset) + 5
    return offset


def assert_no_silent_loss(result, documents: list, deployment: dict, text: str):
    """Every leaf of the Deployment is under a consumed path or under the path of one of its findings."""
    position = next(index for index, document in enumerate(documents) if document is deployment)
    record = result.sources[position]  # one source per document, in order (no List here)
    assert record.line == text.count("\n", 0, _document_offset(text, position)) + 1
    consumed = record.reader.consumed
    # A finding about the whole document (I205 sizing, W601 network...) does not account for each field.
    finding_paths = [pointer_parts(f.path) for f in result.findings if f.resource == record.resource and f.path]
    lost = [pointer(leaf) for leaf in leaves(deployment)
            if not any(is_under(leaf, c) for c in consumed) and not any(is_under(leaf, p) for p in finding_paths)]
    assert not lost, f"fields lost silently: {lost}\n{text}"
    return record


@settings(max_examples=DEPLOYMENT_EXAMPLES, phases=DEPLOYMENT_PHASES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(deployments())
def test_no_silent_loss_over_generated_deployments(generated):
    documents, deployment, injected, chosen_settings = generated
    text = fast_dump_all(documents, sort_keys=False)
    docs = parse_text(text, "generated.yaml")
    try:
        result = convert(docs, chosen_settings)
    except InputError as err:  # the generator makes only valid Kubernetes: not even InputError is acceptable
        raise AssertionError(f"valid generated input rejected: {err}\n{text}") from err

    record = assert_no_silent_loss(result, documents, deployment, text)
    event(f"status={record.status} outputs={len(result.outputs)} injected={injected is not None}")

    if injected is not None:
        w901 = {f.path for f in result.findings if f.code == "K2E-W901" and f.resource == record.resource}
        # An item dropped whole and reported as dropped (a port declared twice, a volume with no ECS
        # equivalent) takes its unknown fields with it: the report already says the item is gone.
        dropped = [pointer_parts(f.path) for f in result.findings
                   if f.resource == record.resource and f.code in DROPPED_WHOLE and f.path]
        if any(is_under(injected, p) for p in dropped):
            event("unknown field inside an item reported as dropped")
            dropped_whole = True
        else:
            dropped_whole = False
        # reported at its own path, or (when nothing else in a mapping was read) with that mapping, whole
        assert dropped_whole or any(is_under(injected, pointer_parts(path)) for path in w901 if path), (
            f"unknown field {pointer(injected)} not reported as K2E-W901 at its path (W901 paths: {sorted(w901)})\n{text}")

    for output in result.outputs:
        scaling = output.scaling
        problems = validate_payloads(taskdef=output.task_definition, service=output.service,
                                     target=None if scaling is None else scaling["scalableTarget"],
                                     policies=[] if scaling is None else scaling["scalingPolicies"],
                                     launch_type=chosen_settings.launch_type)
        assert problems == [], f"{problems}\n{text}"
    # a Deployment that was converted must have produced exactly one output
    if record.status == "converted":
        assert len(result.outputs) == 1 or any(f.code == "K2E-E204" for f in result.findings)


# -- every schema mapping of one rich Deployment, an unknown field injected into each ----------------

KITCHEN_SINK = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "sink", "namespace": "shop", "labels": {"app": "sink"}, "annotations": {"note": "x"}},
    "spec": {
        "replicas": 3, "minReadySeconds": 5,
        "selector": {"matchLabels": {"app": "sink"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
        "template": {
            "metadata": {"labels": {"app": "sink"}},
            "spec": {
                "securityContext": {"runAsUser": 1000, "fsGroup": 2000},
                "os": {"name": "linux"},
                "serviceAccountName": "app-sa",
                "initContainers": [
                    {"name": "migrate", "image": "busybox", "command": ["sh", "-c", "true"]},
                    {"name": "proxy", "image": "envoy", "restartPolicy": "Always",
                     "ports": [{"containerPort": 9901, "name": "admin"}],
                     "startupProbe": {"tcpSocket": {"port": "admin"}, "periodSeconds": 5}},
                ],
                "containers": [{
                    "name": "app", "image": "nginx:1.27",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"},
                              {"containerPort": 8125, "protocol": "UDP"}],
                    "env": [
                        {"name": "PLAIN", "value": "1"},
                        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                        {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "level"}}},
                        {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
                    ],
                    "envFrom": [{"configMapRef": {"name": "app-config"}, "prefix": "C_"},
                                {"secretRef": {"name": "db"}}],
                    "resources": {"requests": {"cpu": "250m", "memory": "256Mi"},
                                  "limits": {"cpu": "500m", "memory": "512Mi"}},
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http",
                                                  "httpHeaders": [{"name": "X", "value": "y"}]},
                                      "periodSeconds": 10},
                    "readinessProbe": {"exec": {"command": ["cat", "/ready"]}},
                    "securityContext": {"readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"], "add": ["SYS_PTRACE"]}},
                    "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"},
                                     {"name": "logs", "mountPath": "/var/log", "readOnly": True}],
                    "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                }, {
                    "name": "grpc", "image": "grpc:1",
                    "livenessProbe": {"grpc": {"port": 9000, "service": "health"}},
                }],
                "volumes": [{"name": "scratch", "emptyDir": {"medium": "Memory"}},
                            {"name": "logs", "hostPath": {"path": "/var/log", "type": "Directory"}}],
            },
        },
    },
}
SINK_EXTRA = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config", "namespace": "shop"},
     "data": {"level": "debug"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "data": {"password": "cA=="}},
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "app-sa", "namespace": "shop"}},
]


def _sink_cases():
    return [pytest.param(target, id=pointer(target) or "/") for target in injection_targets(KITCHEN_SINK)]


@pytest.mark.parametrize("target", _sink_cases())
def test_unknown_field_is_reported_at_its_path(target):
    deployment = copy.deepcopy(KITCHEN_SINK)
    holder = deployment
    for step in target:
        holder = holder[step]
    holder[UNKNOWN_KEY] = {"nested": [1, 2]}
    text = yaml.safe_dump_all([deployment, *SINK_EXTRA], sort_keys=False)
    result = convert(parse_text(text, "sink.yaml"), Settings())
    w901 = {f.path for f in result.findings if f.code == "K2E-W901" and f.resource == "Deployment/sink"}
    assert pointer(target + (UNKNOWN_KEY,)) in w901, w901
    assert len(result.outputs) == 1


def test_kitchen_sink_has_no_silent_loss():
    text = yaml.safe_dump_all([KITCHEN_SINK, *SINK_EXTRA], sort_keys=False)
    result = convert(parse_text(text, "sink.yaml"), Settings())
    [record] = [s for s in result.sources if s.resource == "Deployment/sink"]
    finding_paths = [pointer_parts(f.path) for f in result.findings if f.resource == record.resource and f.path]
    lost = [pointer(leaf) for leaf in leaves(KITCHEN_SINK)
            if not any(is_under(leaf, c) for c in record.reader.consumed)
            and not any(is_under(leaf, p) for p in finding_paths)]
    assert lost == []
    assert not [f for f in result.findings if f.code == "K2E-W901"]
    [output] = result.outputs
    assert validate_payloads(taskdef=output.task_definition, service=output.service, target=None, policies=[],
                             launch_type="FARGATE") == []


@pytest.mark.parametrize("where", ["nodeSelector", "os"])
def test_windows_pod_is_not_silently_linux(where):
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "iis"},
        "spec": {"selector": {"matchLabels": {"app": "iis"}}, "template": {
            "metadata": {"labels": {"app": "iis"}},
            "spec": {"containers": [{"name": "iis", "image": "mcr.microsoft.com/windows/servercore/iis",
                                     "resources": {"requests": {"cpu": "250m", "memory": "300Mi"}}}]}}},
    }
    pod = deployment["spec"]["template"]["spec"]
    if where == "nodeSelector":
        pod["nodeSelector"] = {"kubernetes.io/os": "windows"}
    else:
        pod["os"] = {"name": "windows"}
    result = convert(parse_text(yaml.safe_dump(deployment), "iis.yaml"), Settings())
    noted = [f for f in result.findings if f.path.startswith(f"/spec/template/spec/{where}")]
    rendered = [o.task_definition.get("runtimePlatform", {}).get("operatingSystemFamily", "")
                for o in result.outputs]
    for output in result.outputs:
        family = output.task_definition.get("runtimePlatform", {}).get("operatingSystemFamily", "")
        if family.startswith("WINDOWS"):
            assert int(output.task_definition["cpu"]) >= 1024  # the smallest Windows Fargate size
        else:
            assert noted, f"a Windows pod rendered as {family or 'Linux (no runtimePlatform)'} with no finding"
    assert result.outputs or noted, rendered


# -- wrong types anywhere: only InputError, never a crash ------------------------------------------------

def all_paths(node, path=()):
    """Every path (mappings, lists and leaves) below the root."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from all_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from all_paths(value, path + (index,))


def known_bug(path: tuple) -> bool:
    """Mutations with a known wrong outcome, documented by xfail tests in test_bad_input.py."""
    return path[-2:] == ("hostPath", "path") or path[-1:] == ("hostPath",)  # EC2: sourcePath None, exit 4


odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([-(2**63), 2**63, 10**30, 65536, 0]),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.sampled_from([float("nan"), float("inf")]),
    st.sampled_from(["", "two", "1KB", "-1", "25%", "101%", "abc%", "1e400", "0x10", "$(X)", "Always", "TCP",
                     "http", "  ", "\u00e9", "/"]),
    st.just([]), st.just({}), st.just([1, "a"]), st.just({"a": 1}), st.just([{"a": 1}]),
)


@settings(max_examples=max(DEPLOYMENT_EXAMPLES, 150), phases=DEPLOYMENT_PHASES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(deployments(), st.data())
def test_wrong_types_anywhere_raise_only_input_error(generated, data):
    documents, deployment, _, chosen_settings = generated
    paths = [p for p in all_paths(deployment) if p and not known_bug(p)]
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(paths))
        holder = deployment
        try:
            for step in target[:-1]:
                holder = holder[step]
            holder[target[-1]] = copy.deepcopy(data.draw(odd_values))  # no shared objects: no YAML anchors
        except (KeyError, IndexError, TypeError):  # an earlier mutation replaced a parent
            continue
    try:
        text = fast_dump_all(documents, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)
    try:
        docs = parse_text(text, "mutated.yaml")
        result = convert(docs, chosen_settings)
    except InputError as err:
        event("InputError")
        message = str(err)
        assert "\n" not in message and message.startswith("mutated.yaml:"), message
        return
    except Exception as err:  # noqa: BLE001 - the point of the test
        raise AssertionError(f"{type(err).__name__}: {err}\n{text}") from err
    event("converted")
    assert_no_silent_loss(result, documents, deployment, text)
    for output in result.outputs:
        scaling = output.scaling
        assert validate_payloads(taskdef=output.task_definition, service=output.service,
                                 target=None if scaling is None else scaling["scalableTarget"],
                                 policies=[] if scaling is None else scaling["scalingPolicies"],
                                 launch_type=chosen_settings.launch_type) == []
