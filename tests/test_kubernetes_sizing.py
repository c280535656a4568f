"""Tasks sized as Kubernetes sizes the pod (issue 20, MAPPING §1.3 corrected).

Upstream: SetDefaults_Pod (pkg/apis/core/v1/defaults.go) gives a container with only a limit request =
limit; AggregateContainerRequests (k8s.io/component-helpers resource/helpers.go) runs each init container
next to the native sidecars declared before it. convert() validates every payload against the botocore
model and the ECS rules (V7, V9), so each case below is also a valid RegisterTaskDefinition input.
"""

from __future__ import annotations

from converter.pipeline.convert import convert
from converter.load.loader import parse_text
from converter.core.settings import Settings


def deployment(containers: str, init: str = "", pod: str = "") -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
            + pod + (f"      initContainers:\n{init}" if init else "") + f"      containers:\n{containers}")


def run(text: str, **settings):
    return convert(parse_text(text, "t.yaml"), Settings(**settings))


def taskdef(text: str, **settings) -> dict:
    return run(text, **settings).outputs[0].task_definition


def messages(result, code: str) -> list[str]:
    return [f.message for f in result.findings if f.code == code]


APP_1G = "      - {name: app, image: a, resources: {requests: {cpu: 100m, memory: 1Gi}}}\n"
SIDECAR_2G = "      - {name: shipper, image: s, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 2Gi}}}\n"
INIT_3G = "      - {name: migrate, image: m, resources: {requests: {cpu: 100m, memory: 3Gi}}}\n"


def test_an_init_container_runs_next_to_the_sidecars_declared_before_it():
    # helpers.go: init container 'migrate' needs 3Gi + the 2Gi sidecar already running = 5 GiB.
    before = taskdef(deployment(APP_1G, SIDECAR_2G + INIT_3G))
    assert int(before["memory"]) >= 5 * 1024
    assert (before["cpu"], before["memory"]) == ("1024", "5120")
    # A sidecar declared after the init container starts once it has finished: max(3Gi, 1Gi + 2Gi) = 3 GiB.
    after = taskdef(deployment(APP_1G, INIT_3G + SIDECAR_2G))
    assert after["memory"] == "3072"


def test_cpu_is_summed_exactly_and_rounded_once():
    containers = ("      - {name: a, image: a, resources: {requests: {cpu: 100m, memory: 128Mi}}}\n"
                  "      - {name: b, image: b, resources: {requests: {cpu: 100m, memory: 128Mi}}}\n"
                  "      - {name: c, image: c, resources: {requests: {cpu: 50m, memory: 128Mi}}}\n")
    task = taskdef(deployment(containers))
    # 250m is exactly 256 units: the smallest Fargate size, not 512 (103 + 103 + 52 = 258 rounded each).
    assert task["cpu"] == "256"
    shares = [c["cpu"] for c in task["containerDefinitions"]]
    assert sum(shares) <= 256 and shares == [102, 102, 52]


def test_requests_default_to_limits_for_the_hpa_denominator():
    containers = "      - {name: app, image: a, resources: {limits: {cpu: 500m, memory: 1Gi}}}\n"
    hpa = ("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
           "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 6\n"
           "  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n")
    result = run(deployment(containers) + hpa)
    policy = result.outputs[0].scaling["scalingPolicies"][0]
    # request = limit = 500m = 512 units; 50% of it is 256 units of a 512-unit task: TargetValue 50.
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 50.0
    assert not messages(result, "K2E-W506")


def test_ec2_task_cpu_is_left_out_unless_every_container_has_a_cpu_limit():
    requests_only = deployment("      - {name: app, image: a, resources: {requests: {cpu: 250m, memory: 512Mi}}}\n")
    result = run(requests_only, launch_type="EC2")
    task = result.outputs[0].task_definition
    assert "cpu" not in task and task["containerDefinitions"][0]["cpu"] == 256
    assert messages(result, "K2E-I211")
    limited = deployment("      - {name: app, image: a, resources: {requests: {cpu: 250m, memory: 512Mi}, "
                         "limits: {cpu: 1500m, memory: 1Gi}}}\n")
    result = run(limited, launch_type="EC2")
    # the kubelet's pod quota is the sum of the limits: 1.5 cores = 1536 units, not the 256 requested
    assert result.outputs[0].task_definition["cpu"] == "1536" and not messages(result, "K2E-I211")


def test_no_resources_on_ec2_does_not_speak_of_fargate():
    result = run(deployment("      - {name: app, image: a}\n"), launch_type="EC2")
    (message,) = messages(result, "K2E-W201")
    assert "Fargate" not in message and "task cpu left out" in message


def test_ephemeral_storage_is_fargate_only_and_its_limit_is_a_warning():
    def storage(size: str) -> str:
        return deployment(f"      - {{name: app, image: a, resources: {{requests: {{cpu: 250m, memory: 512Mi, "
                          f"ephemeral-storage: {size}}}}}}}\n")
    ec2 = run(storage("50Gi"), launch_type="EC2")
    assert "ephemeralStorage" not in ec2.outputs[0].task_definition
    assert "applies to Fargate only" in messages(ec2, "K2E-I207")[0]
    small = run(storage("10Gi"))
    assert "ephemeralStorage" not in small.outputs[0].task_definition
    assert "covered by the Fargate default of 20 GiB" in messages(small, "K2E-I207")[0]
    big = run(storage("300Gi"))
    assert big.outputs[0].task_definition["ephemeralStorage"] == {"sizeInGiB": 200}
    assert "needs 300 GiB" in messages(big, "K2E-W212")[0] and not messages(big, "K2E-I207")


def test_windows_containers_get_no_linux_only_fields():
    containers = ("      - name: app\n        image: a\n        resources: {requests: {cpu: 1, memory: 2Gi}}\n"
                  "        securityContext: {runAsUser: 1000, readOnlyRootFilesystem: true, "
                  "capabilities: {drop: [ALL]}}\n")
    result = run(deployment(containers, pod="      nodeSelector: {kubernetes.io/os: windows}\n"))
    container = result.outputs[0].task_definition["containerDefinitions"][0]
    assert not {"user", "readonlyRootFilesystem", "linuxParameters"} & set(container)
    assert messages(result, "K2E-W180") == ["user, readonlyRootFilesystem, linuxParameters of 'app' not written: "
                                            "ECS does not support them for Windows containers"]
    linux = run(deployment(containers)).outputs[0].task_definition["containerDefinitions"][0]
    assert {"user", "readonlyRootFilesystem", "linuxParameters"} <= set(linux)


def test_a_zero_memory_limit_is_not_written():
    result = run(deployment("      - {name: app, image: a, resources: {requests: {cpu: 250m}, limits: {memory: 0}}}\n"))
    container = result.outputs[0].task_definition["containerDefinitions"][0]
    assert "memory" not in container
    assert messages(result, "K2E-W213")
