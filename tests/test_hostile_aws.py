"""Issue 17 item 11 and 9: plan/apply under real network conditions, and no password of an endpoint URL printed.

Every endpoint here is a socket on 127.0.0.1 that this test owns: one that accepts and never answers, and one
that throttles every request. The work is bounded by counting the requests the endpoint receives.
"""

from __future__ import annotations

import socket
import threading

import pytest
from typer.testing import CliRunner

from converter.aws.errors import AwsError, DetailedExit
from converter.aws.session import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_SECONDS, Redactor, client_config
from converter.cli import app
from tests.aws_helpers import CANARY_SECRET_KEY, isolate_aws_environment
from tests.helpers import SAMPLES

WEB = SAMPLES / "web-loadbalancer-hpa"
PASSWORD = "EndpointPassw0rd-k2ecs-canary"
THROTTLED = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 61\r\n"
             b"Connection: close\r\n\r\n" + b'{"__type":"ThrottlingException","message":"Rate exceeded..."}')


class Endpoint:
    """A loopback HTTP endpoint that counts requests and either never answers or always throttles."""

    def __init__(self, answer: bytes | None) -> None:
        self.answer, self.requests, self.held = answer, 0, []
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            connection.settimeout(5)
            try:
                data = connection.recv(65536)
            except OSError:
                data = b""
            if data:
                self.requests += 1
            if self.answer is None:
                self.held.append(connection)  # never answered, never closed until the end
            else:
                connection.sendall(self.answer)
                connection.close()

    def close(self) -> None:
        self.server.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def endpoint_factory(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    made: list[Endpoint] = []

    def make(answer: bytes | None) -> Endpoint:
        endpoint = Endpoint(answer)
        made.append(endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://k2ecs:{PASSWORD}@127.0.0.1:{endpoint.port}")
        return endpoint

    yield make
    for endpoint in made:
        endpoint.close()


def plan(*extra: str):
    args = ["plan", str(WEB / "input"), "--config", str(WEB / "k2ecs.yaml"), "--cluster", "prod",
            "--subnets", "subnet-0123456789abcdef0", "--security-groups", "sg-0123456789abcdef0", *extra]
    return CliRunner().invoke(app, args)


def test_the_clients_have_timeouts_and_standard_retries_and_honour_the_environment():
    config = client_config(None, environ={})
    assert (config.connect_timeout, config.read_timeout) == (DEFAULT_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS)
    assert config.retries == {"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS}
    config = client_config(2.5, environ={"AWS_MAX_ATTEMPTS": "3", "AWS_RETRY_MODE": "adaptive"})
    assert config.read_timeout == 2.5 and config.retries == {"mode": "adaptive", "total_max_attempts": 3}
    for bad in ({"AWS_MAX_ATTEMPTS": "0"}, {"AWS_MAX_ATTEMPTS": "many"}, {"AWS_RETRY_MODE": "eager"}):
        with pytest.raises(AwsError):
            client_config(None, environ=bad)


def test_a_hung_endpoint_fails_after_the_timeout_and_the_attempts_and_never_prints_its_password(endpoint_factory,
                                                                                                 monkeypatch):
    endpoint = endpoint_factory(None)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    result = plan("--timeout", "0.5")
    assert result.exit_code == DetailedExit.ERROR, result.output
    assert endpoint.requests == 2  # AWS_MAX_ATTEMPTS, each cut by --timeout
    assert "timeout" in result.output.lower()
    assert PASSWORD not in result.output and CANARY_SECRET_KEY not in result.output


def test_throttling_is_retried_up_to_the_attempts(endpoint_factory, monkeypatch):
    endpoint = endpoint_factory(THROTTLED)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    result = plan("--traceback")
    assert result.exit_code == DetailedExit.ERROR, result.output
    assert endpoint.requests == 3 and "ThrottlingException" in result.output
    assert PASSWORD not in result.output


def test_the_redactor_masks_the_user_info_of_any_url(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_ECS", f"https://ops:{PASSWORD}@proxy.example:8443")
    redact = Redactor()
    text = redact(f'Could not connect to "https://ops:{PASSWORD}@proxy.example:8443/" nor {PASSWORD}; '
                  "https://other:pw@host/")
    assert PASSWORD not in text and "pw@" not in text and "https://[redacted]@proxy.example:8443/" in text


class _FakeEcs:
    def __init__(self, live: dict[str, str]) -> None:
        self.live, self.asked = live, []

    def describe_services(self, cluster: str, services: list[str]) -> dict:
        self.asked.append(services)
        return {"services": [{"serviceName": name, "taskDefinition": self.live[name]} for name in services]}


def test_a_service_changed_by_a_concurrent_apply_is_detected_before_success():
    from types import SimpleNamespace

    from converter.aws.executor import client_token, concurrent_changes

    arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/"
    live = {f"s{i}": f"{arn}s{i}:2" for i in range(12)}
    live["s3"] = f"{arn}s3:7"  # the other run's later revision won
    expected = {name: f"{arn}{name}:2" for name in live}
    expected["s5"] = "s5"  # a family name: any revision of it is the latest the plan read
    ecs = _FakeEcs(live)
    changed = concurrent_changes(SimpleNamespace(ecs=ecs), "prod", expected)
    assert changed == [f"s3 runs {arn}s3:7, not {arn}s3:2"]
    assert [len(batch) for batch in ecs.asked] == [10, 2]  # DescribeServices takes 10 at most
    request = {"cluster": "prod", "serviceName": "web", "taskDefinition": f"{arn}web:1"}
    token = client_token(request)
    assert token == client_token(dict(reversed(list(request.items())))) and len(token) <= 36
    assert token != client_token({**request, "taskDefinition": f"{arn}web:2"})
    assert all(33 <= ord(char) <= 126 for char in token)
