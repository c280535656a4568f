"""HorizontalPodAutoscaler parsing (converter.read.kubernetes.hpa) and AAS rendering (converter.rules.scaling.forward), MAPPING §5."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import botocore.loaders
import botocore.model
import botocore.validate
import pytest

from converter.rules.scaling.forward import render_scaling
from converter.rules.resources.forward import TaskSize
from converter.core.errors import InputError
from converter.read.kubernetes.context import ParseContext
from converter.read.kubernetes.hpa import parse_hpa
from converter.core.reader import Reader
from converter.load.loader import parse_text
from converter.core.model import Autoscaling, MetricTarget
from converter.core.settings import Settings, placeholder

CORPUS = Path("/work/shared/corpus")
MIB = 2**20


# -- helpers ------------------------------------------------------------------------------------------

def parse(text: str, file: str = "hpa.yaml"):
    [document] = parse_text(textwrap.dedent(text), file)
    name = (document.data.get("metadata") or {}).get("name", "?")
    reader = Reader(document, f"HorizontalPodAutoscaler/{name}")
    result = parse_hpa(reader, ParseContext(settings=Settings()))
    return result, reader.finish()


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


def by_code(findings, code):
    return [f for f in findings if f.code == code]


def size(cpu_units=256, memory_mib=512, requests_cpu="0.1", requests_memory=300 * MIB) -> TaskSize:
    return TaskSize(cpu_units=cpu_units, memory_mib=memory_mib, need_cpu_units=cpu_units, need_memory_mib=memory_mib,
                    requests_cpu_cores=None if requests_cpu is None else Decimal(requests_cpu),
                    requests_memory_bytes=None if requests_memory is None else Decimal(requests_memory))


_MODEL = botocore.model.ServiceModel(
    botocore.loaders.create_loader().load_service_model("application-autoscaling", "service-2"))


def assert_valid(payload: dict) -> None:
    """Every rendered input passes botocore's ParamValidator for its operation."""
    checks = [("RegisterScalableTarget", payload["scalableTarget"])]
    checks += [("PutScalingPolicy", policy) for policy in payload["scalingPolicies"]]
    for operation, params in checks:
        report = botocore.validate.ParamValidator().validate(params, _MODEL.operation_model(operation).input_shape)
        assert not report.has_errors(), report.generate_report()


def render(autoscaling: Autoscaling, task: TaskSize | None = None, settings: Settings | None = None,
           service: str = "web"):
    payload, findings = render_scaling(autoscaling, service_name=service, size=task or size(),
                                       settings=settings or Settings(cluster="prod"), resource="Deployment/web")
    assert_valid(payload)
    return payload, findings


def scaling(*metrics: MetricTarget, **overrides) -> Autoscaling:
    origin = metrics[0].origin if metrics else _origin()
    fields = dict(name="web", namespace=None, target_kind="Deployment", target_name="web", min_replicas=1,
                  max_replicas=10, metrics=metrics, scale_out_cooldown_seconds=15, scale_in_cooldown_seconds=300,
                  origin=origin)
    fields.update(overrides)
    return Autoscaling(**fields)


def _origin():
    from converter.core.findings import Origin
    return Origin(resource="HorizontalPodAutoscaler/web", file="hpa.yaml", line=1, path="")


def metric(resource="cpu", utilization=None, average=None) -> MetricTarget:
    return MetricTarget(resource=resource, utilization_percent=None if utilization is None else Decimal(utilization),
                        average_value=None if average is None else Decimal(average), origin=_origin())


def policy_config(payload, index=0) -> dict:
    return payload["scalingPolicies"][index]["TargetTrackingScalingPolicyConfiguration"]


# -- parsing: autoscaling/v1 --------------------------------------------------------------------------

V1 = """\
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: ui
  namespace: ui
  labels:
    app: ui
  annotations:
    team: web
  uid: 1234
  resourceVersion: "99"
  creationTimestamp: "2024-01-01T00:00:00Z"
  generation: 3
spec:
  minReplicas: 2
  maxReplicas: 4
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ui
  targetCPUUtilizationPercentage: 50
status:
  currentReplicas: 2
  desiredReplicas: 2
"""


def test_v1_with_target():
    hpa, findings = parse(V1)
    assert (hpa.name, hpa.namespace, hpa.target_kind, hpa.target_name) == ("ui", "ui", "Deployment", "ui")
    assert (hpa.min_replicas, hpa.max_replicas) == (2, 4)
    [cpu] = hpa.metrics
    assert (cpu.resource, cpu.utilization_percent, cpu.average_value) == ("cpu", Decimal(50), None)
    assert cpu.origin.path == "/spec/targetCPUUtilizationPercentage" and cpu.origin.line == 21
    # HPA default behavior: window 0 and 15 s policies up, 300 s window down (§5.4).
    assert (hpa.scale_out_cooldown_seconds, hpa.scale_in_cooldown_seconds) == (15, 300)
    assert not hpa.scale_in_disabled and not hpa.scale_out_disabled
    assert "K2E-W901" not in codes(findings)
    assert by_code(findings, "K2E-I008")[0].path == "/metadata/annotations/team"
    assert {f.path for f in by_code(findings, "K2E-I009")} >= {
        "/metadata/labels", "/metadata/uid", "/metadata/resourceVersion", "/metadata/creationTimestamp",
        "/metadata/generation"}
    assert by_code(findings, "K2E-I004")[0].path == "/status"
    assert [f.path for f in by_code(findings, "K2E-I311")] == ["/spec/behavior"]


def test_v1_without_target_defaults_to_cpu_80():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata: {name: ui}
        spec:
          maxReplicas: 4
          scaleTargetRef: {kind: Deployment, name: ui}
        """)
    [cpu] = hpa.metrics
    assert (cpu.resource, cpu.utilization_percent) == ("cpu", Decimal(80))
    assert hpa.min_replicas == 1
    assert sorted(f.path for f in by_code(findings, "K2E-I311")) == [
        "/spec/behavior", "/spec/minReplicas", "/spec/targetCPUUtilizationPercentage"]
    assert "K2E-W901" not in codes(findings)


def test_v1_alpha_annotations_are_reported():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata:
          name: ui
          annotations:
            autoscaling.alpha.kubernetes.io/metrics: '[{"type":"Pods"}]'
            autoscaling.alpha.kubernetes.io/current-metrics: '[]'
        spec: {maxReplicas: 4, scaleTargetRef: {kind: Deployment, name: ui}, targetCPUUtilizationPercentage: 70}
        """)
    assert [f.path for f in by_code(findings, "K2E-W510")] == ["/metadata/annotations/autoscaling.alpha.kubernetes.io~1metrics"]
    assert [f.path for f in by_code(findings, "K2E-I004")] == [
        "/metadata/annotations/autoscaling.alpha.kubernetes.io~1current-metrics"]
    assert "K2E-W901" not in codes(findings)


def test_v1_has_no_metrics_field():
    _, findings = parse("""\
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata: {name: ui}
        spec:
          maxReplicas: 4
          scaleTargetRef: {kind: Deployment, name: ui}
          metrics: [{type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 5}}}]
        """)
    assert [f.path for f in by_code(findings, "K2E-W901")] == ["/spec/metrics"]


# -- parsing: autoscaling/v2 --------------------------------------------------------------------------

V2 = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 20
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 60
  - type: Resource
    resource:
      name: memory
      target:
        type: AverageValue
        averageValue: 512Mi
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 30
      policies:
      - type: Pods
        value: 4
        periodSeconds: 60
      - type: Percent
        value: 100
        periodSeconds: 20
      selectPolicy: Max
    scaleDown:
      stabilizationWindowSeconds: 120
      policies:
      - type: Percent
        value: 10
        periodSeconds: 60
"""


def test_v2_cpu_memory_behavior():
    hpa, findings = parse(V2)
    cpu, memory = hpa.metrics
    assert (cpu.resource, cpu.utilization_percent, cpu.average_value) == ("cpu", Decimal(60), None)
    assert (memory.resource, memory.utilization_percent, memory.average_value) == ("memory", None, Decimal(512 * MIB))
    assert memory.origin.path == "/spec/metrics/1"
    # max(stabilization 30, shortest policy period 20) (§5.4); scale-in from the scale-down window.
    assert (hpa.scale_out_cooldown_seconds, hpa.scale_in_cooldown_seconds) == (30, 120)
    lost = by_code(findings, "K2E-W504")
    assert [f.path for f in lost] == ["/spec/behavior/scaleUp/policies", "/spec/behavior/scaleDown/policies"]
    assert "selectPolicy Max" in lost[0].message and "4 pods per 60 s" in lost[0].message
    assert "ScaleInCooldown 120 s" in lost[1].message
    assert codes(findings) == ["K2E-I532", "K2E-W504", "K2E-W504"]


def test_v2_policy_period_longer_than_window():
    hpa, _ = parse("""\
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
          maxReplicas: 5
          behavior:
            scaleUp:
              policies: [{type: Pods, value: 1, periodSeconds: 90}]
        """)
    assert (hpa.scale_out_cooldown_seconds, hpa.scale_in_cooldown_seconds) == (90, 300)


def test_v2_without_metrics_defaults_to_cpu_80():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
          minReplicas: 1
          maxReplicas: 5
        """)
    [cpu] = hpa.metrics
    assert (cpu.resource, cpu.utilization_percent) == ("cpu", Decimal(80))
    assert sorted(f.path for f in by_code(findings, "K2E-I311")) == ["/spec/behavior", "/spec/metrics"]
    assert codes(findings) == ["K2E-I311", "K2E-I311", "K2E-I532"]


MULTI_METRIC = """\
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: php-apache
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: php-apache
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
  - type: Pods
    pods:
      metric:
        name: packets-per-second
      target:
        type: AverageValue
        averageValue: 1k
  - type: Object
    object:
      metric:
        name: requests-per-second
      describedObject:
        apiVersion: networking.k8s.io/v1beta1
        kind: Ingress
        name: main-route
      target:
        type: Value
        value: 10k
status:
  observedGeneration: 1
  lastScaleTime: <some-time>
"""


def test_v2beta2_pods_and_object_metrics():
    hpa, findings = parse(MULTI_METRIC)
    [cpu] = hpa.metrics  # no MetricTarget for the adapter metrics
    assert (cpu.resource, cpu.utilization_percent) == ("cpu", Decimal(50))
    pods, obj = by_code(findings, "K2E-W502")
    assert (pods.path, pods.line) == ("/spec/metrics/1", 19)
    assert "CustomizedMetricSpecification" in pods.suggestion and "1000" in pods.suggestion
    assert obj.path == "/spec/metrics/2"
    assert "ALBRequestCountPerTarget" in obj.suggestion and "x 60" in obj.suggestion
    assert "600000" in obj.suggestion and "CustomizedMetricSpecification" in obj.suggestion
    assert codes(findings) == ["K2E-I004", "K2E-I311", "K2E-I532", "K2E-W502", "K2E-W502"]


def test_external_metric_suggestions():
    _, findings = parse("""\
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: worker}
        spec:
          scaleTargetRef: {kind: Deployment, name: worker}
          maxReplicas: 5
          metrics:
          - type: External
            external:
              metric: {name: queue_depth, selector: {matchLabels: {queue: jobs}}}
              target: {type: AverageValue, averageValue: "30"}
          - type: External
            external:
              metric: {name: queue_total}
              target: {type: Value, value: "100"}
        """)
    per_task, total = by_code(findings, "K2E-W502")
    assert "RunningTaskCount" in per_task.suggestion
    assert "step scaling" in total.suggestion
    assert "K2E-W901" not in codes(findings)


def test_container_resource_approximated():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
          - type: ContainerResource
            containerResource:
              name: cpu
              container: app
              target: {type: Utilization, averageUtilization: 70}
        """)
    [cpu] = hpa.metrics
    assert (cpu.resource, cpu.utilization_percent) == ("cpu", Decimal(70))
    [approx] = by_code(findings, "K2E-W503")
    assert approx.path == "/spec/metrics/0/containerResource/container" and "app" in approx.message
    assert "K2E-W901" not in codes(findings)


def test_resource_value_target_and_unknown_resource_are_reported():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Value, value: 500m}}
          - type: Resource
            resource: {name: ephemeral-storage, target: {type: AverageValue, averageValue: 1Gi}}
          - type: Resource
            resource: {name: memory, target: {type: Utilization, averageUtilization: 75, averageValue: 1Gi}}
        """)
    [memory] = hpa.metrics
    assert memory.utilization_percent == Decimal(75)
    assert [f.path for f in by_code(findings, "K2E-W510")] == ["/spec/metrics/0/resource/target", "/spec/metrics/1"]
    assert [f.path for f in by_code(findings, "K2E-I009")] == ["/spec/metrics/2/resource/target/averageValue"]
    assert "K2E-W901" not in codes(findings)


def test_v2beta1_shapes():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v2beta1
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
          - type: Resource
            resource: {name: cpu, targetAverageUtilization: 65}
          - type: Resource
            resource: {name: memory, targetAverageValue: 256Mi}
          - type: Pods
            pods: {metricName: rps, targetAverageValue: "100"}
        """)
    cpu, memory = hpa.metrics
    assert cpu.utilization_percent == Decimal(65) and memory.average_value == Decimal(256 * MIB)
    [pods] = by_code(findings, "K2E-W502")
    assert "rps" in pods.message
    assert "K2E-W901" not in codes(findings)


def test_unknown_api_version_is_read_as_v2():
    hpa, findings = parse("""\
        apiVersion: autoscaling/v3
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
          maxReplicas: 5
          metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 40}}}]
        """)
    assert hpa.metrics[0].utilization_percent == Decimal(40)
    assert [f.path for f in by_code(findings, "K2E-W006")] == ["/apiVersion"]


BEHAVIOR = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: web}}
spec:
  scaleTargetRef: {{kind: Deployment, name: web}}
  minReplicas: 1
  maxReplicas: 5
  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}}}]
  behavior:
{behavior}
"""


def test_scale_down_disabled_is_exact():
    hpa, findings = parse(BEHAVIOR.format(behavior="""\
            scaleDown:
              selectPolicy: Disabled
              policies: [{type: Pods, value: 1, periodSeconds: 60}]
        """))
    assert hpa.scale_in_disabled and not hpa.scale_out_disabled
    assert hpa.scale_in_cooldown_seconds == 300
    assert "K2E-W504" not in codes(findings)
    assert [f.path for f in by_code(findings, "K2E-I009")] == ["/spec/behavior/scaleDown/policies"]
    assert [f.path for f in by_code(findings, "K2E-I311")] == ["/spec/behavior/scaleUp"]
    assert "K2E-W901" not in codes(findings)


def test_scale_up_disabled_suspends_scale_out():
    hpa, findings = parse(BEHAVIOR.format(behavior="""\
            scaleUp: {selectPolicy: Disabled}
            scaleDown: {stabilizationWindowSeconds: 60}
        """))
    assert hpa.scale_out_disabled and not hpa.scale_in_disabled
    assert hpa.scale_in_cooldown_seconds == 60
    assert [f.path for f in by_code(findings, "K2E-W508")] == ["/spec/behavior/scaleUp/selectPolicy"]
    assert codes(findings) == ["K2E-I532", "K2E-W508"]


def test_tolerance_and_select_policy_without_policies():
    _, findings = parse(BEHAVIOR.format(behavior="""\
            scaleUp: {tolerance: "0.05"}
            scaleDown: {selectPolicy: Min}
        """))
    up, down = by_code(findings, "K2E-W504")
    assert up.path == "/spec/behavior/scaleUp/tolerance" and "tolerance 0.05" in up.message
    assert down.path == "/spec/behavior/scaleDown/selectPolicy"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("maxReplicas", '"ten"', "expected an integer"),
    ("minReplicas", "-1", "negative"),
    ("maxReplicas", "0", "at least 1"),
])
def test_wrong_types_fail_with_line(field, value, words):
    text = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
""".replace(f"  {field}: {'1' if field == 'minReplicas' else '10'}\n", f"  {field}: {value}\n")
    with pytest.raises(InputError) as raised:
        parse(text)
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(f"  {field}:"))
    assert raised.value.line == expected_line
    assert raised.value.file == "hpa.yaml"
    assert words in raised.value.message and field in raised.value.message


@pytest.mark.parametrize("spec", [
    "scaleTargetRef: {kind: Deployment, name: web}",  # no maxReplicas
    "maxReplicas: 3",  # no scaleTargetRef
    "{scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3, metrics: [{type: Resource, resource: "
    "{name: cpu, target: {type: Utilization, averageUtilization: '50%'}}}]}",
    "{scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3, metrics: [{type: Resource, resource: "
    "{name: memory, target: {type: AverageValue, averageValue: lots}}}]}",
    "{scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3, metrics: [{type: Resource, resource: "
    "{name: cpu, target: {type: Utilisation, averageUtilization: 50}}}]}",
    "{scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3, behavior: {scaleUp: {policies: "
    "[{type: Pods, value: 1, periodSeconds: 4000}]}}}",
    "{scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3, behavior: {scaleDown: {selectPolicy: Fastest}}}",
])
def test_invalid_specs_fail(spec):
    with pytest.raises(InputError) as raised:
        parse(f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec: {spec}\n")
    assert raised.value.line is not None


def test_missing_name_fails():
    with pytest.raises(InputError):
        parse("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {}\n"
              "spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}\n")


# -- rendering (§5.1-§5.4) ----------------------------------------------------------------------------

def test_worked_example_memory_300mi_80_percent_on_512():
    payload, findings = render(scaling(metric("memory", utilization=80)))
    config = policy_config(payload)
    assert config["TargetValue"] == 46.88  # 80 x 300 / 512 = 46.875 (MAPPING §5.3: "46.9%")
    assert config["TargetValue"] == pytest.approx(46.9, abs=0.05)
    assert config["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}
    [rescaled] = by_code(findings, "K2E-I501")
    assert "240 MiB" in rescaled.message and "46.88" in rescaled.message and "409.6 MiB" in rescaled.message
    assert payload["scalingPolicies"][0]["PolicyName"] == "web-memory-target-tracking"


def test_cpu_rescale():
    payload, findings = render(scaling(metric("cpu", utilization=50)))
    assert policy_config(payload)["TargetValue"] == 20.0  # 50 x 102.4 units / 256
    assert policy_config(payload)["PredefinedMetricSpecification"]["PredefinedMetricType"] == \
        "ECSServiceAverageCPUUtilization"
    [rescaled] = by_code(findings, "K2E-I501")
    assert "51.2 CPU units" in rescaled.message and rescaled.extra["target_value"] == 20.0


def test_no_rescale_when_requests_equal_task_size():
    payload, findings = render(scaling(metric("cpu", utilization=70)), task=size(1024, 2048, "1", 2048 * MIB))
    assert policy_config(payload)["TargetValue"] == 70.0
    assert findings == []


def test_average_value_targets():
    payload, findings = render(scaling(metric("cpu", average="0.2"), metric("memory", average=256 * MIB)))
    assert policy_config(payload, 0)["TargetValue"] == 80.0  # 100 x 204.8 / 256
    assert policy_config(payload, 1)["TargetValue"] == 50.0  # 100 x 256 MiB / 512
    assert codes(findings) == ["K2E-I501", "K2E-I501"]


def test_missing_requests_write_no_policy_as_the_hpa_controller_never_scales():
    # calculatePodRequestsFromContainers (replica_calculator.go): a container without a request for the
    # metric's resource is an error, so the HPA never acts on that metric.
    payload, findings = render(scaling(metric("cpu", utilization=50), metric("memory", utilization=70)),
                               task=size(requests_cpu=None, requests_memory=None))
    assert payload["scalingPolicies"] == []
    warnings = by_code(findings, "K2E-W506")
    assert len(warnings) == 2 and "Deployment/web declares no cpu request" in warnings[0].message
    assert codes(findings) == ["K2E-W506", "K2E-W506", "K2E-W512"]  # and no policy at all: W512
    # one container without a request is enough, even when the others have one
    partial = TaskSize(cpu_units=256, memory_mib=512, need_cpu_units=256, need_memory_mib=512,
                       requests_cpu_cores=Decimal("0.1"), requests_memory_bytes=Decimal(300 * MIB),
                       cpu_request_missing=("shipper",))
    payload, findings = render(scaling(metric("cpu", utilization=50), metric("memory", utilization=70)), task=partial)
    assert [p["PolicyName"] for p in payload["scalingPolicies"]] == ["web-memory-target-tracking"]
    assert "container(s) shipper of Deployment/web" in by_code(findings, "K2E-W506")[0].message


def test_scalable_target_and_cooldowns_always_written():
    payload, _ = render(scaling(metric("cpu", utilization=50), min_replicas=2, max_replicas=8))
    assert payload["scalableTarget"] == {
        "ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount",
        "MinCapacity": 2, "MaxCapacity": 8}
    [policy] = payload["scalingPolicies"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert {k: policy[k] for k in ("ServiceNamespace", "ResourceId", "ScalableDimension")} == {
        "ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount"}
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert (config["ScaleOutCooldown"], config["ScaleInCooldown"], config["DisableScaleIn"]) == (15, 300, False)


def test_missing_cluster_placeholder():
    payload, findings = render(scaling(metric("cpu", utilization=50)), settings=Settings())
    resource_id = f"service/{placeholder('cluster')}/web"
    assert payload["scalableTarget"]["ResourceId"] == resource_id
    assert payload["scalingPolicies"][0]["ResourceId"] == resource_id
    assert len(by_code(findings, "K2E-W606")) == 1


def test_disabled_directions():
    payload, _ = render(scaling(metric("cpu", utilization=50), scale_out_disabled=True, scale_in_disabled=True))
    assert payload["scalableTarget"]["SuspendedState"] == {"DynamicScalingOutSuspended": True}
    assert policy_config(payload)["DisableScaleIn"] is True


def test_bounds_guards():
    payload, findings = render(scaling(metric("cpu", utilization=0), min_replicas=5, max_replicas=3))
    assert (payload["scalableTarget"]["MinCapacity"], payload["scalableTarget"]["MaxCapacity"]) == (5, 5)
    assert policy_config(payload)["TargetValue"] == 0.01
    assert len(by_code(findings, "K2E-W509")) == 2


def test_target_above_100_on_fargate():
    over = scaling(metric("cpu", utilization=200))
    task = size(256, 512, "0.25", 300 * MIB)
    _, findings = render(over, task=task)
    assert by_code(findings, "K2E-W511")
    _, findings = render(over, task=task, settings=Settings(cluster="prod", launch_type="EC2"))
    assert not by_code(findings, "K2E-W511")  # ECS utilization can exceed 100 on EC2 (§5.3)


def test_policy_names_unique_and_bounded():
    payload, _ = render(scaling(metric("cpu", utilization=50), metric("memory", average="0.1")), service="s" * 300)
    names = [p["PolicyName"] for p in payload["scalingPolicies"]]
    assert len(set(names)) == 2 and all(1 <= len(n) <= 256 for n in names)
    assert names[1].endswith("-memory-target-tracking")


def test_targets_on_one_metric_merge_at_the_lowest():
    # AAS: one target-tracking policy per predefined metric; the HPA keeps the largest replica count of its
    # metrics (computeReplicasForMetrics), i.e. the lowest target of one metric.
    many = [metric("cpu", utilization=u) for u in range(90, 40, -2)]  # 25 cpu targets, 90% down to 42%
    payload, findings = render(scaling(*many, metric("cpu", average="0.1")))
    [policy] = payload["scalingPolicies"]
    values = sorted(float(f.extra["target_value"]) for f in by_code(findings, "K2E-I501"))
    assert policy_config(payload)["TargetValue"] == values[0]
    [merged] = by_code(findings, "K2E-I531")
    assert merged.message.startswith("26 cpu targets")


def test_parsed_v2_renders_valid_payloads():
    hpa, _ = parse(V2)
    payload, _ = render(hpa)
    assert [policy_config(payload, i)["ScaleOutCooldown"] for i in (0, 1)] == [30, 30]
    assert policy_config(payload, 1)["TargetValue"] == 100.0  # 512Mi per pod on a 512 MiB task


# -- corpus -------------------------------------------------------------------------------------------

def _corpus_hpas() -> list[Path]:
    if not (CORPUS / "k8s").is_dir():
        return []
    return sorted(path for path in (CORPUS / "k8s").rglob("*.y*ml") if "HorizontalPodAutoscaler" in path.read_text())


@pytest.mark.skipif(not (CORPUS / "k8s").is_dir(), reason="corpus not available")
@pytest.mark.parametrize("path", _corpus_hpas(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_hpa_has_no_catch_all(path):
    for document in parse_text(path.read_text(), str(path)):
        if document.data.get("kind") != "HorizontalPodAutoscaler":
            continue
        reader = Reader(document, f"HorizontalPodAutoscaler/{document.data['metadata']['name']}")
        hpa = parse_hpa(reader, ParseContext(settings=Settings()))
        findings = reader.finish()
        assert "K2E-W901" not in codes(findings), [f.path for f in by_code(findings, "K2E-W901")]
        if document.data.get("apiVersion") != "autoscaling/v1" and "targetCPUUtilizationPercentage" in document.data["spec"]:
            assert "K2E-W521" in codes(findings)  # a v1 field in v2: reported as the cluster treats it
        render(hpa)
