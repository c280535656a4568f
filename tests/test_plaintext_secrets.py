"""Issue 17 item 10: credentials in plain environment (literal or from a ConfigMap) are warned about, never shown."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from typer.testing import CliRunner

from converter.cli import app
from converter.rules.env import looks_like_a_credential

GITHUB = "ghp_" + "A1b2C3d4E5" * 3 + "F6g7H8"  # 36 characters after the prefix, made up
AWS_KEY = "AKIA" + "K2ECSEXAMPLE0001"


@pytest.mark.parametrize("name, value, expected", [
    ("DB_PASSWORD", "hunter2-hunter2", "its name"),
    ("API_TOKEN", "abc123def456", "its name"),
    ("STRIPE_KEY", "whatever-it-is", "its name"),
    ("CLIENT_SECRET", "s3cr3t", "its name"),
    ("ANYTHING", GITHUB, "a GitHub token"),
    ("AWS_ACCESS_KEY_ID", AWS_KEY, "an AWS access key ID"),
    ("TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
    ("DB_PASSWORD_FILE", "/run/secrets/db", None),
    ("TOKEN_TTL", "3600", None),
    ("SECRET_ENABLED", "true", None),
    ("KEYCLOAK_URL", "https://id.example.com", None),
    ("MONKEY", "banana", None),
    ("DB_PASSWORD", "", None),
    ("DB_PASSWORD", "$(FROM_ELSEWHERE)", None),
])
def test_what_looks_like_a_credential(name, value, expected):
    assert looks_like_a_credential(name, value) == expected


def test_literal_and_configmap_credentials_are_warned_about_and_never_shown(tmp_path):
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                  "data": {"GITHUB_PAT": GITHUB, "LOG_LEVEL": "debug"}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{
                                            "name": "app", "image": "nginx",
                                            "env": [{"name": "DB_PASSWORD", "value": "hunter2-hunter2"},
                                                    {"name": "REGION", "value": "eu-west-1"}],
                                            "envFrom": [{"configMapRef": {"name": "settings"}}]}]}}}}
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump_all([config_map, deployment]))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["convert", str(manifest), "--report", "json", "--report-file", str(report),
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    findings = [f for f in json.loads(report.read_text())["findings"] if f["code"] == "K2E-W152"]
    assert sorted(f["message"].split(": ", 1)[1].split(" of ")[0] for f in findings) == ["DB_PASSWORD", "GITHUB_PAT"]
    text = report.read_text()
    assert "hunter2" not in text and GITHUB not in text
    text_report = CliRunner().invoke(app, ["convert", str(manifest), "--fail-on", "never", "-o", str(tmp_path / "o"),
                                           "--report-file", os.devnull])
    assert text_report.exit_code == 0


def test_an_expansion_that_draws_on_a_credential_is_reported_without_its_values(tmp_path):
    """K2E-I170 quotes a value before and after $(VAR) expansion; when the expansion draws on a variable that
    looks like a credential (W152's rule), the report names the variables and quotes no value."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{
                                            "name": "app", "image": "nginx",
                                            "args": ["--db=postgres://u:$(DB_PASSWORD)@db", "--zone=$(REGION)"],
                                            "env": [{"name": "DB_PASSWORD", "value": "hunter2-hunter2"},
                                                    {"name": "REGION", "value": "eu-west-1"},
                                                    {"name": "DSN", "value": "postgres://u:$(DB_PASSWORD)@db"},
                                                    {"name": "ZONE", "value": "$(REGION)a"}]}]}}}}
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump(deployment))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["convert", str(manifest), "--report", "json", "--report-file", str(report),
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert "postgres://u:hunter2-hunter2@db" in result.stdout  # the payload carries the expanded value, as the kubelet would
    expansions = {f["path"]: f["message"] for f in json.loads(report.read_text())["findings"] if f["code"] == "K2E-I170"}
    assert len(expansions) == 4, expansions
    text = report.read_text()
    assert "hunter2" not in text
    hidden = [m for m in expansions.values() if "values not shown: DB_PASSWORD looks like a credential" in m]
    assert len(hidden) == 2, expansions
    assert any("'$(REGION)a' expanded to 'eu-west-1a'" in m for m in expansions.values())
    assert any("'--zone=$(REGION)' expanded to '--zone=eu-west-1'" in m for m in expansions.values())
    terminal = CliRunner().invoke(app, ["convert", str(manifest), "--fail-on", "never", "-o", str(tmp_path / "o")])
    assert terminal.exit_code == 0 and "hunter2" not in terminal.stderr
