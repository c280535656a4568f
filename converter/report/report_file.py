"""`--report-file` (and compare's --markdown and --html files): written in one step, in a place checked
before anything else is written.

The report goes to a temporary file beside the target, which is then renamed over it: a reader (a CI step
watching the file) never sees half a report, and a run that fails leaves the previous report as it was.
The temporary file is made when the command starts, so a folder that does not exist or cannot be written
is a usage error before any output is written, not an error after the output folder was replaced.
A target that exists and is not a regular file (``/dev/null``, ``/dev/stderr``, a named pipe) cannot be
replaced and is written to as it is.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from converter.core.errors import UsageError
from converter.write.output import current_umask


class ReportFile:
    def __init__(self, target: str, what: str = "report") -> None:
        """``what`` names the file in errors ("cannot write the report: ...")."""
        self.target = target
        self.what = what
        self.temporary: Optional[str] = None
        try:
            existing = os.stat(target)  # through a symlink: the file it names is the one replaced
        except FileNotFoundError:
            existing = None
        except OSError as err:
            raise self._error(err) from None
        self.mode = None if existing is None else stat.S_IMODE(existing.st_mode)
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise UsageError(f"the {what} file is a folder", file=target)
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            self.destination = None  # a device or a pipe: written to directly
            return
        self.destination = Path(target).resolve()
        try:
            handle, self.temporary = tempfile.mkstemp(prefix=f".{self.destination.name}.k2ecs-",
                                                      dir=self.destination.parent)
            os.close(handle)
        except OSError as err:
            raise self._error(err) from None

    def _error(self, err: OSError) -> UsageError:
        return UsageError(f"cannot write the {self.what}: {err.strerror or err}", file=self.target)

    def write_with(self, writer: Callable[[TextIO], Any]) -> None:
        """The file, written by ``writer(handle)``, in the target's place."""
        try:
            if self.temporary is None:
                with open(self.target, "w", encoding="utf-8") as handle:
                    writer(handle)
                return
            with open(self.temporary, "w", encoding="utf-8") as handle:
                writer(handle)
            os.chmod(self.temporary, self.mode if self.mode is not None else 0o666 & ~current_umask())  # mkstemp's is 0600
            os.replace(self.temporary, self.destination)  # type: ignore[arg-type]
            self.temporary = None
        except OSError as err:
            raise self._error(err) from None

    def discard(self) -> None:
        """Remove the temporary file if the file was not written (always called, also after a write)."""
        if self.temporary is not None:
            try:
                os.unlink(self.temporary)
            except OSError:
                pass
            self.temporary = None


def prepared(target: Optional[str]) -> Optional[ReportFile]:
    return None if target is None else ReportFile(target)
