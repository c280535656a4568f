"""Errors of plan and apply, and their exit statuses (terraform's ``plan -detailed-exitcode`` convention)."""

from __future__ import annotations

import enum

from converter.core.errors import K2ecsError


class DetailedExit(enum.IntEnum):
    """Exit statuses of ``k2ecs plan`` and ``k2ecs apply``.

    They differ from :class:`converter.core.errors.ExitStatus` on purpose: 2 must mean "changes pending" for
    scripts that use plan as a drift check, so every error of these two commands exits 1 instead of the
    USAGE / INVALID_INPUT / INVALID_OUTPUT statuses convert uses. A bug still exits 70 (INTERNAL).
    """

    NO_CHANGES = 0  # plan: nothing would change; apply: everything applied (or nothing to do)
    ERROR = 1  # any error; for apply also a refusal to proceed, and a failure part-way
    CHANGES = 2  # plan only: changes are pending


class AwsError(K2ecsError):
    """A problem talking to AWS or with what exists there; the message never holds credentials."""

    exit_status = DetailedExit.ERROR  # type: ignore[assignment]


class PreflightError(AwsError):
    """Found before any change: placeholders, missing network settings, missing cluster, ..."""


class RefusedError(AwsError):
    """apply without consent: no TTY and no --yes, or the answer at the prompt was not yes."""


class ApplyFailed(AwsError):
    """A change failed part-way; the report of what was and was not done has been printed."""


class WaitTimeout(AwsError):
    """--wait gave up before the services reached a steady state (the changes themselves are applied)."""
