"""Which Services and HorizontalPodAutoscaler each workload is rendered with (converter.pipeline.convert).

The Services and HPAs of a run are all parsed before its first workload is linked; each workload is then
linked in input order, so "first" below means first in the input:

- a Service selects a workload when its selector is not empty, every selector pair is among the pod
  template's labels, and the namespaces agree (kube-proxy and the endpoints controller select pods by
  labels.SelectorFromSet of spec.selector; an empty selector selects nothing we could convert); a Service
  that selects several workloads serves its names from the first (K2E-W403), one that selects none is
  K2E-W404; an ExternalName Service selects nothing;
- an HPA scales the first workload of its target kind and name in its namespace (K2E-E505 when none);
  several HPAs on one workload scale none of it (K2E-E507).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from converter.rules.exposure.forward import selects
from converter.core.findings import Finding, make_finding
from converter.core.model import Autoscaling, Exposure, Workload
from converter.pipeline.references import what_was_met
from converter.pipeline.registries import WORKLOAD_PARSERS


@dataclass
class Linked:
    """A Service or HPA, and the numbers of the workloads it matched, in order."""

    model: Exposure | Autoscaling
    matches: list[int] = field(default_factory=list)


class Links:
    """The Services and HPAs of a run, indexed so that linking a workload looks at few of them."""

    def __init__(self) -> None:
        self.exposures: list[Linked] = []  # the Services that can select a workload
        self.scalers: list[Linked] = []
        self.by_label: dict[tuple[str, str], list[int]] = {}
        self.by_target: dict[tuple[str, str], list[int]] = {}
        self.resources: list[str] = []  # the resource of each linked workload, by number

    def add_exposure(self, exposure: Exposure) -> bool:
        """False: the Service selects nothing (ExternalName, or no selector) and is not linked."""
        if exposure.type == "ExternalName" or not exposure.selector:
            return False
        self.exposures.append(Linked(exposure))
        return True

    def add_scaler(self, scaler: Autoscaling) -> None:
        self.by_target.setdefault((scaler.target_kind, scaler.target_name), []).append(len(self.scalers))
        self.scalers.append(Linked(scaler))

    def index(self) -> None:
        """Index each Service under the selector pair fewest Services share. A workload carries every pair of
        a Service that selects it, that one included, so it finds the Service in that bucket. Helm charts
        give every selector the release's app.kubernetes.io/instance pair first: indexed by the first pair,
        every Service fell in one bucket and each workload was tried against all of them (issue 24)."""
        shared = Counter(pair for linked in self.exposures for pair in linked.model.selector)  # type: ignore[union-attr]
        self.by_label = {}
        for number, linked in enumerate(self.exposures):
            rarest = min(linked.model.selector, key=lambda pair: (shared[pair], pair))  # type: ignore[union-attr]
            self.by_label.setdefault(rarest, []).append(number)

    def link(self, workload: Workload) -> tuple[list[Exposure], Autoscaling | None]:
        """The workload's number is the next one; the Services it serves and the HPA that scales it."""
        number = len(self.resources)
        self.resources.append(workload.resource)
        scalers: list[Autoscaling] = []
        for scaler_number in self.by_target.get((workload.kind, workload.name), ()):
            linked = self.scalers[scaler_number]
            if not linked.matches and same_namespace(workload.namespace, linked.model.namespace):
                linked.matches.append(number)  # an HPA scales the first workload it names
                scalers.append(linked.model)  # type: ignore[arg-type]
        scaler = scalers[0] if len(scalers) == 1 else None  # several: none acts (K2E-E507)
        attached: list[Exposure] = []
        candidates = [n for label in workload.pod_labels for n in self.by_label.get(label, ())]
        for exposure_number in sorted(candidates):
            linked = self.exposures[exposure_number]
            exposure: Exposure = linked.model  # type: ignore[assignment]
            if same_namespace(workload.namespace, exposure.namespace) and selects(exposure, workload):
                linked.matches.append(number)
                if len(linked.matches) == 1:
                    attached.append(exposure)  # selects several: the first serves the names (K2E-W403)
        return attached, scaler

    def findings(self, declared: dict | None) -> list[Finding]:
        """The linking findings: the Services' in input order, then the HPAs'. ``declared``: Intake.seen."""
        findings: list[Finding] = []
        for linked in self.exposures:
            if not linked.matches:
                findings.append(selects_nothing(linked.model))  # type: ignore[arg-type]
            elif len(linked.matches) > 1:
                findings.append(selects_several(linked.model, [self.resources[n] for n in linked.matches]))  # type: ignore[arg-type]
        findings.extend(scales_nothing(linked.model, declared) for linked in self.scalers if not linked.matches)  # type: ignore[arg-type]
        by_workload: dict[int, list[Autoscaling]] = {}
        for linked in self.scalers:
            if linked.matches:
                by_workload.setdefault(linked.matches[0], []).append(linked.model)  # type: ignore[arg-type]
        for number in sorted(by_workload):
            if len(by_workload[number]) > 1:
                findings.extend(ambiguous_scalers(by_workload[number], self.resources[number]))
        return findings


def same_namespace(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def selects_nothing(exposure: Exposure) -> Finding:
    return make_finding("K2E-W404", exposure.origin, f"Service {exposure.name} selects no converted workload")


def selects_several(exposure: Exposure, resources: list[str]) -> Finding:
    return make_finding("K2E-W403", exposure.origin,
                        f"Service {exposure.name} selects {', '.join(resources)}; its names are served by {resources[0]} "
                        f"alone, so {', '.join(resources[1:])} get no traffic through them")


def scales_nothing(scaler: Autoscaling, declared: dict | None = None) -> Finding:
    """K2E-E505, saying what the target reference met: ``declared`` is Intake.seen (converter.pipeline.references)."""
    met = "which was not converted" if declared is None else \
        what_was_met(scaler.target_kind, scaler.target_name, scaler.namespace, declared,
                     frozenset(canonical for canonical, _ in WORKLOAD_PARSERS.values()))
    return make_finding("K2E-E505", scaler.origin, f"HorizontalPodAutoscaler {scaler.name} scales "
                                                   f"{scaler.target_kind}/{scaler.target_name}, {met}")


def ambiguous_scalers(scalers: list[Autoscaling], resource: str) -> list[Finding]:
    """Several HPAs scale one workload: the HPA controller refuses to act on any of them
    (validateAndParseSelector, pkg/controller/podautoscaler/horizontal.go: "pods by selector ... are controlled
    by multiple HPAs", ScalingActive False, AmbiguousSelector), so none is converted (K2E-E507)."""
    names = ", ".join(s.name for s in scalers)
    return [make_finding("K2E-E507", scaler.origin,
                         f"HorizontalPodAutoscalers {names} all scale {resource}; the HPA controller scales none of "
                         "them (AmbiguousSelector), so no scaling was written and the service keeps its replicas")
            for scaler in scalers]
