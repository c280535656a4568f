"""Environment values that look like credentials: written to a task definition's plain ``environment``,
they are readable by anyone who can describe it, and in every plan diff.

tfsec/Trivy (aws-ecs-no-plaintext-secrets) and AWS Config (ecs-no-environment-secrets) flag such values,
by the variable's name (AWS Config: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA; tfsec:
names such as password, secret, token, key) and by known token shapes. The finding names the variable
and what it looks like; its value is never quoted.
"""

from __future__ import annotations

import re
from typing import Iterable

from converter.core.findings import Finding, make_finding
from converter.core.model import Container

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
                findings.append(make_finding(
                    "K2E-W152", variable.origin,
                    f"{resource}: {variable.name} of container {container.name!r} looks like a credential ({looks}) "
                    f"and is written in plain text to environment (value not shown)"))
    return findings
