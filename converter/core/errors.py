"""One exception base class, caught once in the CLI, and the exit-status enum it maps to."""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """Process exit statuses. Documented in the README; values never change meaning."""

    OK = 0
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2  # bad flags, unreadable config, missing command arguments
    INVALID_INPUT = 3  # malformed YAML/JSON, wrong types, unknown structure
    INVALID_OUTPUT = 4  # a rendered payload (manifest) failed validation against the ECS model (Kubernetes schema)
    DRIFT = 5  # convert --check: the output folder differs from what the manifests convert to (the diff is on stdout)
    INTERNAL = 70  # an unexpected exception: a bug; rerun with --traceback and report it


class K2ecsError(Exception):
    """Base of every error k2ecs raises on purpose. ``str(err)`` is one line for the user."""

    exit_status: ExitStatus = ExitStatus.INTERNAL

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class UsageError(K2ecsError):
    exit_status = ExitStatus.USAGE


class InputError(K2ecsError):
    """The input cannot be read as what it claims to be (syntax, types, structure)."""

    exit_status = ExitStatus.INVALID_INPUT


class DocumentError(InputError):
    """One document does not validate (converter.core.reader.Reader.fail): with isolation, its
    finding (``path``, a tuple of steps, and ``detail``) instead of the run's error."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, path: tuple = (),
                 detail: str = "") -> None:
        super().__init__(message, file=file, line=line)
        self.path = path
        self.detail = detail or message


class OutputValidationError(K2ecsError):
    """A payload k2ecs rendered is not valid for the AWS API it targets; nothing is written."""

    exit_status = ExitStatus.INVALID_OUTPUT

    @classmethod
    def rendered(cls, resource: str, what: str, problems: list[str], *, file: str | None,
                 line: int | None) -> "OutputValidationError":
        """``resource``'s rendered ``what`` failed its validation: one line, the first three problems."""
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        return cls(f"{resource}: rendered {what} is not valid: {shown}", file=file, line=line)
