"""A HorizontalPodAutoscaler's behavior -> Application Auto Scaling cooldowns (docs/MAPPING.md#topic-scaling-behavior).

Stabilization windows and scaling policies have no target-tracking counterpart: the closest settings are
ScaleOutCooldown and ScaleInCooldown, and what they cannot express (rate limits, selectPolicy) is named in
a finding. converter.read.kubernetes.hpa.parse_hpa calls scaling_behavior for autoscaling/v2 and v2beta2.
"""

from __future__ import annotations

from converter.core.reader import Path, Reader
from converter.core.limits import limit_value
from converter.core.record import Record, set_field

# [K8S-HPA] "Default Behavior" (#topic-scaling-behavior): scale up with no window, policies every 15 s; scale down
# after a 300 s window.
DEFAULT_SCALE_UP_WINDOW = 0
DEFAULT_POLICY_PERIOD = 15
DEFAULT_SCALE_DOWN_WINDOW = 300
MAX_WINDOW = limit_value("hpa-stabilization-window-seconds")  # [K8S-AS2] HPAScalingRules.stabilizationWindowSeconds
MAX_PERIOD = limit_value("hpa-policy-period-seconds")  # [K8S-AS2] HPAScalingPolicy.periodSeconds


class _Rules(Record):
    window: int
    period: int  # the shortest policy period
    disabled: bool
    lost: tuple[str, ...]  # rate-limit settings target tracking cannot express
    lost_path: Path | None
    also_lost: tuple[Path, ...]  # the other fields of ``lost`` (e.g. selectPolicy beside policies)

    def __init__(self, window: int, period: int, disabled: bool, lost: tuple[str, ...],
                 lost_path: Path | None, also_lost: tuple[Path, ...] = ()) -> None:
        set_field(self, "also_lost", also_lost)
        set_field(self, "window", window)
        set_field(self, "period", period)
        set_field(self, "disabled", disabled)
        set_field(self, "lost", lost)
        set_field(self, "lost_path", lost_path)


def scaling_behavior(reader: Reader, *, read: bool) -> tuple[int, int, bool, bool]:
    """(scale-out cooldown, scale-in cooldown, scale-out disabled, scale-in disabled)."""
    base = ("spec", "behavior")
    default_out = max(DEFAULT_SCALE_UP_WINDOW, DEFAULT_POLICY_PERIOD)
    if not read or not reader.mapping(base):
        if read or not reader.has(base):  # v1/v2beta1 have no behavior: a stray one stays W901
            reader.note(base, "K2E-I311", f"behavior is not set; Kubernetes defaults -> ScaleOutCooldown "
                        f"{default_out} s (written: the AAS default is 300 s), ScaleInCooldown "
                        f"{DEFAULT_SCALE_DOWN_WINDOW} s")
        _windows_differ(reader, DEFAULT_SCALE_UP_WINDOW, default_out, DEFAULT_SCALE_DOWN_WINDOW, DEFAULT_SCALE_DOWN_WINDOW)
        return default_out, DEFAULT_SCALE_DOWN_WINDOW, False, False
    up = _rules(reader, base + ("scaleUp",), DEFAULT_SCALE_UP_WINDOW)
    down = _rules(reader, base + ("scaleDown",), DEFAULT_SCALE_DOWN_WINDOW)
    # Derived (#topic-scaling-behavior): AAS blocks further scale-out for the cooldown, which is roughly what the HPA's
    # window and its fastest policy period together allow.
    scale_out = max(up.window, up.period)
    scale_in = down.window
    for rules, direction, cooldown in ((up, "scaleUp", f"ScaleOutCooldown {scale_out} s"),
                                       (down, "scaleDown", f"ScaleInCooldown {scale_in} s")):
        if rules.lost_path is not None:
            reader.note(rules.lost_path, "K2E-W504", f"{direction} {'; '.join(rules.lost)}: target tracking has "
                        f"no rate limits or tolerance; only {cooldown} was kept",
                        **({"paths": [reader.origin(p).path for p in rules.also_lost]} if rules.also_lost else {}))
    if up.disabled:
        reader.note(base + ("scaleUp", "selectPolicy"), "K2E-W508", "scaleUp selectPolicy Disabled -> "
                    "SuspendedState.DynamicScalingOutSuspended, which stops scale-out by every policy of the target")
    for direction, default in (("scaleUp", f"window {DEFAULT_SCALE_UP_WINDOW} s, policies every "
                                           f"{DEFAULT_POLICY_PERIOD} s -> ScaleOutCooldown {scale_out} s"),
                               ("scaleDown", f"window {DEFAULT_SCALE_DOWN_WINDOW} s -> ScaleInCooldown {scale_in} s")):
        if not reader.has(base + (direction,)):
            reader.note(base + (direction,), "K2E-I311", f"{direction} is not set; Kubernetes default {default}")
    _windows_differ(reader, up.window, scale_out, down.window, scale_in)
    return scale_out, scale_in, up.disabled, down.disabled


def _windows_differ(reader: Reader, up_window: int, scale_out: int, down_window: int, scale_in: int) -> None:
    """K2E-I532: the cooldowns are the closest AAS setting, not the same behaviour. The HPA keeps the
    recommendations of the last window seconds and acts on the lowest (scale-up) or highest (scale-down)
    of them (stabilizeRecommendationWithBehaviors, horizontal.go), so every change waits for the metric to
    stay past the target for the window; an AAS cooldown only holds back further scaling after one."""
    # At the scale-down window (absent when defaulted, like the I311 notes): a finding at the document's root
    # would name every field of it.
    reader.note(("spec", "behavior", "scaleDown", "stabilizationWindowSeconds"), "K2E-I532",
                f"stabilization windows scaleUp {up_window} s / scaleDown {down_window} s became ScaleOutCooldown "
                f"{scale_out} s / ScaleInCooldown {scale_in} s: the HPA changes the replica count only when the "
                "metric has asked for it during the whole window, while AAS scales when its target-tracking alarm "
                "fires and then only waits the cooldown before scaling again in that direction", covers=False)


def _rules(reader: Reader, path: Path, default_window: int) -> _Rules:
    reader.mapping(path)
    window = reader.get(path + ("stabilizationWindowSeconds",), int)
    if window is None:
        window = default_window
    elif not 0 <= window <= MAX_WINDOW:
        reader.fail(path + ("stabilizationWindowSeconds",), f"stabilizationWindowSeconds must be 0-{MAX_WINDOW}")
    select = reader.get(path + ("selectPolicy",), str)
    if select not in (None, "Max", "Min", "Disabled"):
        reader.fail(path + ("selectPolicy",), "selectPolicy must be Max, Min or Disabled")
    tolerance = reader.get(path + ("tolerance",), str, int, float)
    policies_path = path + ("policies",)
    periods: list[int] = []
    described: list[str] = []
    for item, _ in reader.sequence(policies_path):
        reader.mapping(item)
        kind = reader.get(item + ("type",), str)
        value = reader.get(item + ("value",), int)
        period = reader.get(item + ("periodSeconds",), int)
        if kind not in ("Pods", "Percent"):
            reader.fail(item + ("type",), "a scaling policy type must be Pods or Percent")
        if value is None or value <= 0:
            reader.fail(item + ("value",), "a scaling policy value must be greater than 0")
        if period is None or not 0 < period <= MAX_PERIOD:
            reader.fail(item + ("periodSeconds",), f"periodSeconds must be 1-{MAX_PERIOD}")
        periods.append(period)
        described.append(f"{value}{'%' if kind == 'Percent' else ' pods'} per {period} s")
    if select == "Disabled":
        if periods:
            reader.note(policies_path, "K2E-I009", "policies have no effect while selectPolicy is Disabled")
        return _Rules(window, min(periods, default=DEFAULT_POLICY_PERIOD), True, (), None)
    lost = []
    if described:
        lost.append("policies " + ", ".join(described))
    if select is not None:
        lost.append(f"selectPolicy {select}")
    if tolerance is not None:
        lost.append(f"tolerance {tolerance}")
    present = [p for p in (policies_path, path + ("selectPolicy",), path + ("tolerance",)) if reader.raw(p) not in (None, [])]
    return _Rules(window, min(periods, default=DEFAULT_POLICY_PERIOD), False, tuple(lost),
                  present[0] if lost and present else None, tuple(present[1:]) if lost else ())
