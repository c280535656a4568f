"""AWS clients from boto3's standard chain, and the redaction that keeps credentials out of every output.

boto3 is imported here, inside :func:`connect`, and nowhere else in k2ecs: ``k2ecs convert`` never
reaches this module. botocore itself honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_ECS, ...) when it
builds a client, so an endpoint such as a local emulator needs no code here.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from converter.aws.errors import AwsError

MASK = "[redacted]"
# Access key IDs have a fixed shape: redact any, not only the ones we know of (a session might
# have picked up another from a profile, and an error could quote it).
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA|ANPA|ANVA|AGPA|ABIA|ACCA)[A-Z0-9]{12,124}\b")
_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
# Shorter strings are not worth masking (and would mangle ordinary words).
_MIN_SECRET_CHARS = 8


class Redactor:
    """Replaces every credential it knows of with ``[redacted]``; starts from the environment."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self.add(*(os.environ.get(name) for name in _CREDENTIAL_VARIABLES))

    def add(self, *values: str | None) -> None:
        for value in values:
            if value is not None and len(value) >= _MIN_SECRET_CHARS:
                self._secrets.add(value)

    def __call__(self, text: str) -> str:
        # Longest first, so that a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _ACCESS_KEY_ID.sub(MASK, text)


@contextmanager
def redacting_logs(redact: Redactor) -> Iterator[None]:
    """While active, every log record (botocore's debug log quotes the access key ID) is redacted.

    A record factory, not a logger filter: filters on ``botocore`` miss records of its child loggers.
    """
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep its template only
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)


@dataclass
class Clients:
    ecs: Any
    autoscaling: Any  # application-autoscaling
    region: str
    endpoint: str
    logs: Any = None  # CloudWatch Logs, for the awslogs log groups; None: log groups are not checked


def connect(region: str | None, profile: str | None, redact: Redactor) -> Clients:
    """ECS and Application Auto Scaling clients. Credentials are resolved now, so their absence is an
    error before anything else happens, and the resolved values join the redactor."""
    try:
        import boto3
        import botocore.exceptions
    except ImportError as err:
        raise AwsError(f"plan and apply need boto3, which cannot be imported ({err}); "
                       f"install it with pip install boto3") from None

    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound:
        raise AwsError(f"AWS profile {profile!r} is not in the AWS config or credentials files") from None
    if session.region_name is None:
        raise AwsError("no AWS region: give --region, set region in --config, AWS_REGION or AWS_DEFAULT_REGION, "
                       "or set a region in the AWS profile")
    try:
        credentials = session.get_credentials()
        frozen = None if credentials is None else credentials.get_frozen_credentials()
    except botocore.exceptions.BotoCoreError as err:
        raise AwsError(f"AWS credentials could not be loaded: {redact(str(err))}") from None
    if frozen is None or frozen.access_key is None:
        raise AwsError("no AWS credentials found by boto3's standard chain (environment variables, --profile, "
                       "shared credentials and config files, SSO, container or instance role)")
    redact.add(frozen.access_key, frozen.secret_key, frozen.token)
    ecs = session.client("ecs")
    autoscaling = session.client("application-autoscaling")
    return Clients(ecs=ecs, autoscaling=autoscaling, region=session.region_name, endpoint=ecs.meta.endpoint_url,
                   logs=session.client("logs"))


def error_text(err: BaseException, redact: Redactor) -> str:
    """One line about a botocore error, without credentials: the AWS error code and message when there is one."""
    response = getattr(err, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        error = response["Error"]
        operation = getattr(err, "operation_name", None) or "the call"
        text = f"{operation} failed: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    else:
        text = f"{type(err).__name__}: {err}"
    return redact(" ".join(text.split()))


def is_botocore_error(err: BaseException) -> bool:
    import botocore.exceptions

    return isinstance(err, (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError))


def error_code(err: BaseException) -> str | None:
    response = getattr(err, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        return response["Error"].get("Code")
    return None
