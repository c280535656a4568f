"""Environment and secrets both ways: env and envFrom <-> ECS environment and secrets (docs/MAPPING.md#topic-environment).

Model -> ECS: ``secret_arn`` (a Secret key -> the ARN the settings map it to, else a placeholder, K2E-W103); values
of Secrets are never read. ECS -> model: ``secret_env`` and ``secret_reference`` (a valueFrom ARN -> a Secret name
and key, K2E-W713). The name/value lists themselves are read by converter/read/ecs/container.py ``_pairs``, which
checks each name against the Kubernetes API rules (write/kubernetes/rules.py, which converting Kubernetes must not
load); credentials written as plain env values are flagged here too (``plaintext_secret_findings``, K2E-W152; below).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from converter.core.field_pairs import CD, CONTAINER, container_field, pair, workloads
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, SecretEnv
from converter.core.settings import Settings, placeholder
from converter.rules.naming import dns_label

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView


# -- the model -> ECS --

def secret_arn(secret: SecretEnv, settings: Settings, findings: list[Finding]) -> str:
    """The ARN for a Secret key: the one the settings map it to, else a placeholder (K2E-W103); never its value."""
    keyed = settings.secrets.get(f"{secret.secret_name}/{secret.key}")
    if keyed is not None:
        return keyed
    whole = settings.secrets.get(secret.secret_name)
    if whole is not None and ":secretsmanager:" in whole:
        # One JSON key of a Secrets Manager secret: ARN:json-key:version-stage:version-id (#topic-environment).
        return f"{whole}:{secret.key}::"
    findings.append(make_finding("K2E-W103", secret.origin,
                                 f"{secret.name} comes from Secret {secret.secret_name} key {secret.key}; no ARN mapped, placeholder written"))
    return placeholder(f"secret-arn:{secret.secret_name}/{secret.key}")


# -- ECS -> the model --

def secret_env(view: EcsView, path: Path, name: str, value_from: str) -> SecretEnv:
    secret_name, key = secret_reference(value_from, name)
    view.note(path + ("valueFrom",), "K2E-W713",
              f"{name} reads {value_from or '(nothing)'}; the Deployment refers to Secret {secret_name} key {key}, which must be created",
              secret=secret_name, key=key, valueFrom=value_from)
    return SecretEnv(name=name, secret_name=secret_name, key=key, origin=view.origin(path), value_from=value_from)


_PLACEHOLDER_SECRET = re.compile(r"^<k2ecs:secret-arn:([^/>]+)/([^>]+)>$")


def secret_reference(value_from: str, variable: str) -> tuple[str, str]:
    """The Kubernetes Secret name and key for an ECS ``valueFrom`` (never its value)."""
    placeholder = _PLACEHOLDER_SECRET.match(value_from)
    if placeholder is not None:  # written by k2ecs convert: the Kubernetes names it came from
        return placeholder[1], placeholder[2]
    parts = value_from.split(":")
    if len(parts) >= 7 and parts[2] == "secretsmanager" and parts[5] == "secret":
        base = re.sub(r"-[A-Za-z0-9]{6}$", "", parts[6])  # Secrets Manager appends 6 random characters
        key = parts[7] if len(parts) > 7 and parts[7] else variable
        return dns_label(base.replace("/", "-"), "secret"), _secret_key(key)
    tail = value_from.rsplit("parameter/", 1)[-1] if ":ssm:" in value_from else value_from
    return dns_label(tail.strip("/").replace("/", "-"), "secret"), _secret_key(variable)


def _secret_key(text: str) -> str:
    key = re.sub(r"[^-._a-zA-Z0-9]+", "_", text)
    return key or "value"


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
PAIRS = {
    **workloads(
        pair(CONTAINER + "/env/*", f"{CD}.environment[name={{item.name}}]|{CD}.secrets[name={{item.name}}]",
             unit=True),
        pair(CONTAINER + "/envFrom/*", unit=True, resolver="env_from"),
    ),
    "ConfigMap": (
        pair("/metadata", note="(no field: identifies the ConfigMap)"),
        pair("/data", f"{CD}.environment", note="(values inlined where a workload refers to them)"),
        pair("/binaryData", note="(no field)"),
    ),
    "Secret": (
        pair("", f"{CD}.secrets", note="(secrets[].valueFrom ARNs; values are never read)"),
    ),
}
REVERSE_PAIRS = {"TaskDefinition": (
    container_field("/environment/*", "env[name={item.name}]", unit=True),
    container_field("/secrets/*", "env[name={item.name}]", unit=True),
)}
CONCERN = "env"


# ---- Credentials in plain env values (K2E-W152) ----
# Environment values that look like credentials: written to a task definition's plain ``environment``,
# they are readable by anyone who can describe it, and in every plan diff.
#
# tfsec/Trivy (aws-ecs-no-plaintext-secrets) and AWS Config (ecs-no-environment-secrets) flag such values,
# by the variable's name (AWS Config: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA; tfsec:
# names such as password, secret, token, key) and by known token shapes. The finding names the variable
# and what it looks like; its value is never quoted.

# A name that says it holds a credential, unless its last word says it holds something about one (a
# path, a URL, an ID, a length).
_CREDENTIAL_NAME = re.compile(r"(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIALS?|PRIVATE_?KEY|API_?KEY"
                              r"|ACCESS_?KEY|AUTH_DATA|(?:^|_)PWD|(?:^|_)KEY)(?:$|_)", re.IGNORECASE)
_ABOUT_A_CREDENTIAL = re.compile(r"_(?:FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|NAME|ID|ARN|REF|TYPE|LENGTH|SIZE|TTL|"
                                 r"TIMEOUT|EXPIRY|EXPIRES|HEADER|FIELD|PARAM|VERSION|ALGORITHM|ENABLED)$", re.IGNORECASE)
# Values that are settings, not credentials, whatever the name says.
_NOT_A_CREDENTIAL = re.compile(r"^(?:|true|false|yes|no|on|off|none|null|enabled|disabled|\d+|\$\(.*\)|\$\{.*\})$",
                               re.IGNORECASE)
# Known token shapes (their documented prefixes and lengths), for values whatever their variable's name.
TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key ID", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe secret key", re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)


def looks_like_a_credential(name: str, value: str) -> str | None:
    """What makes ``name=value`` look like a credential ("its name", "an AWS access key ID", ...), or None."""
    for what, shape in TOKEN_SHAPES:
        if shape.search(value):
            return what
    if _NOT_A_CREDENTIAL.match(value.strip()):
        return None
    if _CREDENTIAL_NAME.search(name) and not _ABOUT_A_CREDENTIAL.search(name):
        return "its name"
    return None


def plaintext_secret_findings(resource: str, containers: Iterable[Container]) -> list[Finding]:
    """A K2E-W152 for each plain environment variable that looks like a credential."""
    findings: list[Finding] = []
    for container in containers:
        for variable in container.environment:
            what = looks_like_a_credential(variable.name, variable.value)
            if what is not None:
                looks = "by its name" if what == "its name" else f"like {what}"
                # The value's own place (an envFrom variable's ConfigMap key), not the envFrom entry, which
                # declares every key of the ConfigMap: compare hides the value that finding points at.
                where = variable.origin if variable.value_origin is None else variable.value_origin
                findings.append(make_finding(
                    "K2E-W152", where,
                    f"{resource}: {variable.name} of container {container.name!r} looks like a credential ({looks}) "
                    f"and is written in plain text to environment (value not shown)"))
    return findings
