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
from urllib.parse import unquote, urlsplit

from converter.aws.errors import AwsError

MASK = "[redacted]"
# Access key IDs have a fixed shape: redact any, not only the ones we know of (a session might
# have picked up another from a profile, and an error could quote it).
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA|ANPA|ANVA|AGPA|ABIA|ACCA)[A-Z0-9]{12,124}\b")
_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
# Shorter strings are not worth masking (and would mangle ordinary words).
_MIN_SECRET_CHARS = 8


# The user-info part of a URL (``https://user:password@host``), as AWS_ENDPOINT_URL may hold for a proxy or
# an emulator: botocore quotes the endpoint URL in connection errors.
_URL_USER_INFO = re.compile(r"(?<=://)[^/@\s\"']+@")


class Redactor:
    """Replaces every credential it knows of with ``[redacted]``; starts from the environment."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self.add(*(os.environ.get(name) for name in _CREDENTIAL_VARIABLES))
        for name, value in os.environ.items():
            if name.startswith("AWS_ENDPOINT_URL"):
                self.add_endpoint(value)

    def add_endpoint(self, url: str) -> None:
        """The user name and password of an endpoint URL (each masked wherever it appears, if long enough)."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return
        for value in (parts.username, parts.password):
            if value is not None:
                self.add(value, unquote(value))

    def add(self, *values: str | None) -> None:
        for value in values:
            if value is not None and len(value) >= _MIN_SECRET_CHARS:
                self._secrets.add(value)

    def __call__(self, text: str) -> str:
        # Longest first, so that a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _ACCESS_KEY_ID.sub(MASK, _URL_USER_INFO.sub(MASK + "@", text))


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


# Network behaviour of the clients (issue 17: botocore's defaults, 60 s timeouts and legacy retries of
# 3 attempts, made a hung endpoint take 3 x 60 s and three throttles fail the run). The "standard" retry
# mode retries throttling, transient errors and timeouts with exponential backoff and jitter (botocore
# docs, "Retries": standard mode); AWS_RETRY_MODE (legacy, standard, adaptive) and AWS_MAX_ATTEMPTS (the
# total number of attempts of one call) are honoured, as botocore's own configuration chain does.
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_MAX_ATTEMPTS = 8
RETRY_MODES = ("legacy", "standard", "adaptive")


def client_config(timeout_seconds: float | None, environ: Any = None) -> Any:
    """The botocore Config of k2ecs's clients: connect and read timeouts, retry mode and attempts."""
    from botocore.config import Config  # lazy: see open_session()

    environ = os.environ if environ is None else environ
    timeout = DEFAULT_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds
    mode = environ.get("AWS_RETRY_MODE") or "standard"
    if mode not in RETRY_MODES:
        raise AwsError(f"AWS_RETRY_MODE {mode!r} is not one of {', '.join(RETRY_MODES)}")
    attempts_text = environ.get("AWS_MAX_ATTEMPTS")
    attempts = DEFAULT_MAX_ATTEMPTS
    if attempts_text:
        if not attempts_text.strip().isdigit() or int(attempts_text) < 1:
            raise AwsError(f"AWS_MAX_ATTEMPTS {attempts_text!r} is not a whole number of at least 1")
        attempts = int(attempts_text)
    return Config(connect_timeout=timeout, read_timeout=timeout,
                  retries={"mode": mode, "total_max_attempts": attempts})


@dataclass(frozen=True)
class Opened:
    """A boto3 session whose region and credentials are resolved, before any client is made."""

    session: Any
    region: str


def open_session(region: str | None, profile: str | None, redact: Redactor) -> Opened:
    """The session, its region and credentials resolved now, so their absence is an error before anything else
    happens, and the resolved values join the redactor. No client yet: making one loads its service model, tens
    of MB for a moment, which plan and apply make after the conversion rather than beside it (issue 24)."""
    try:
        # lazy: a missing or broken boto3/botocore is the AwsError below, not a traceback at import
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
    return Opened(session, session.region_name)


def connect(opened: Opened, timeout_seconds: float | None = None) -> Clients:
    """ECS, Application Auto Scaling and CloudWatch Logs clients of the session open_session() opened."""
    config = client_config(timeout_seconds)
    ecs = opened.session.client("ecs", config=config)
    autoscaling = opened.session.client("application-autoscaling", config=config)
    return Clients(ecs=ecs, autoscaling=autoscaling, region=opened.region, endpoint=ecs.meta.endpoint_url,
                   logs=opened.session.client("logs", config=config))


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
    import botocore.exceptions  # lazy: see open_session()

    return isinstance(err, (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError))


def error_code(err: BaseException) -> str | None:
    response = getattr(err, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        return response["Error"].get("Code")
    return None
