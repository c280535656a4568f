"""Tasks started and scaled as Kubernetes does (issue 20).

Upstream: pkg/kubelet/prober/worker.go (liveness waits for the startup probe and its own delay),
CreateService healthCheckGracePeriodSeconds and DeploymentCircuitBreaker (botocore ECS model),
pkg/controller/podautoscaler/horizontal.go (replicas 0 not scaled; several HPAs: AmbiguousSelector).
convert() validates every payload against the botocore model and the ECS rules.
"""

from __future__ import annotations

from converter.pipeline.convert import convert
from converter.load.loader import parse_text
from converter.core.settings import Settings


def deployment(container: str = "", replicas: int = 2, spec: str = "") -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
            f"  replicas: {replicas}\n" + spec + "  selector: {matchLabels: {app: web}}\n  template:\n"
            "    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
            "      - name: web\n        image: nginx:1.27\n        ports: [{containerPort: 8080}]\n"
            "        resources: {requests: {cpu: 250m, memory: 512Mi}}\n" + container)


def hpa(name: str = "web", min_replicas: int = 2, max_replicas: int = 10) -> str:
    return ("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
            f"metadata: {{name: {name}}}\nspec:\n"
            "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
            f"  minReplicas: {min_replicas}\n  maxReplicas: {max_replicas}\n")


SERVICE = ("---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n"
           "  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n")
LIVENESS = "        livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 10}\n"


def run(text: str):
    return convert(parse_text(text, "t.yaml"), Settings(cluster="prod"))


def codes(result, code: str) -> list[str]:
    return [f.message for f in result.findings if f.code == code]


def test_start_period_keeps_the_startup_probes_own_delay():
    startup = "        startupProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 60, failureThreshold: 6, periodSeconds: 5}\n"
    result = run(deployment(LIVENESS + startup))
    check = result.outputs[0].task_definition["containerDefinitions"][0]["healthCheck"]
    assert check["startPeriod"] == 90  # 60 + 6 x 5, not 30
    assert "healthCheckGracePeriodSeconds" not in result.outputs[0].service  # 90 s fits in startPeriod


def test_a_start_up_budget_above_300_seconds_becomes_the_grace_period():
    startup = "        startupProbe: {httpGet: {path: /healthz, port: 8080}, failureThreshold: 60, periodSeconds: 10}\n"
    result = run(deployment(LIVENESS + startup))
    output = result.outputs[0]
    assert output.task_definition["containerDefinitions"][0]["healthCheck"]["startPeriod"] == 300
    assert output.service["healthCheckGracePeriodSeconds"] == 600
    (adjusted,) = codes(result, "K2E-I113")
    assert "startPeriod 600 -> 300" in adjusted and "healthCheckGracePeriodSeconds 600 covers the rest" in adjusted
    assert codes(result, "K2E-I320") == ["healthCheckGracePeriodSeconds 600 for Deployment/web: liveness of 'web' "
                                         "counts failures after 600 s, above the 300 s startPeriod ceiling"]


def test_a_load_balanced_readiness_probe_sets_the_grace_period():
    readiness = "        readinessProbe: {httpGet: {path: /ready, port: 8080}, initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3}\n"
    result = run(deployment(readiness) + SERVICE)
    assert result.outputs[0].service["healthCheckGracePeriodSeconds"] == 50  # 20 + 3 x 10
    without_lb = run(deployment(readiness))
    assert "healthCheckGracePeriodSeconds" not in without_lb.outputs[0].service


def test_the_progress_deadline_becomes_the_circuit_breaker():
    result = run(deployment(spec="  progressDeadlineSeconds: 120\n"))
    configuration = result.outputs[0].service["deploymentConfiguration"]
    assert configuration["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert not codes(result, "K2E-W304")
    assert codes(result, "K2E-I321")[0].startswith("progressDeadlineSeconds 120 became deploymentCircuitBreaker")


def test_replicas_zero_with_an_hpa_stays_at_zero():
    result = run(deployment(replicas=0) + hpa())
    output = result.outputs[0]
    assert output.service["desiredCount"] == 0
    assert output.scaling["scalableTarget"]["SuspendedState"] == {
        "DynamicScalingInSuspended": True, "DynamicScalingOutSuspended": True, "ScheduledScalingSuspended": True}
    assert codes(result, "K2E-W530")
    resumed = run(deployment(replicas=1) + hpa(min_replicas=3))
    assert resumed.outputs[0].service["desiredCount"] == 3 and "SuspendedState" not in resumed.outputs[0].scaling["scalableTarget"]


def test_two_hpas_on_one_workload_scale_nothing():
    result = run(deployment(replicas=4) + hpa("first") + hpa("second"))
    output = result.outputs[0]
    assert output.scaling is None and output.service["desiredCount"] == 4
    assert len(codes(result, "K2E-E507")) == 2


def test_an_absolute_max_surge_is_compared_at_the_scalers_maximum():
    spec = "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n"
    result = run(deployment(spec=spec) + hpa(max_replicas=50))
    assert result.outputs[0].service["deploymentConfiguration"]["maximumPercent"] == 150
    assert codes(result, "K2E-W322") == ["maxSurge 1 became maximumPercent 150 at desiredCount 2; at 50 tasks ECS "
                                         "may start 25 extra where Kubernetes starts 1"]
    assert not codes(run(deployment(spec=spec)), "K2E-W322")  # without a scaler desiredCount does not move
