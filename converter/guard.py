"""The one place a command's errors are caught (issue 17): ``guarded(run, show_traceback)`` runs a command and
turns what it raises into one line on stderr and a documented exit status (converter.core.errors.ExitStatus,
the README's table). Also the stdout a run writes to, which lets its reader leave early.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
import traceback
from typing import Any, Iterable, TextIO

from converter.core.errors import ExitStatus, K2ecsError


class ReaderMayLeave:
    """stdout while a command runs. A reader that stops early (``k2ecs convert ... | head``) is not an error: what
    is still to be written goes nowhere, and the run goes on to its report and its own exit status, as it does
    when the reader reads to the end. (Python turns the SIGPIPE a shell's ``head`` causes into BrokenPipeError on
    the next write; the Python docs' "Note on SIGPIPE" points stdout at os.devnull, which is done here, so the
    interpreter's own flush at exit does not fail again.)"""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.reader_left = False  # writers of long output may stop making it

    def write(self, text: str) -> int:
        if not self.reader_left:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._left()
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            if self.reader_left:
                return
            self.write(line)

    def flush(self) -> None:
        if not self.reader_left:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._left()

    def _left(self) -> None:
        self.reader_left = True
        _drop_stdout(self.stream)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, buffer: the stream's own
        return getattr(self.stream, name)


def guarded(run, show_traceback: bool) -> int:
    original = sys.stdout
    sys.stdout = ReaderMayLeave(original)
    try:
        return _guarded(run, show_traceback)
    finally:
        sys.stdout = original
        gc.unfreeze()  # what conversion() froze goes back to the GC's oldest generation


def _guarded(run, show_traceback: bool) -> int:
    """``run()``'s status; an error is one line on stderr (after its traceback with --traceback) and its own
    status either way: --traceback shows more, it never changes what the run reports (issue 17)."""
    try:
        status = int(run())
        sys.stdout.flush()  # a full disk shows here, not at the interpreter's exit (status 120)
        return status
    except K2ecsError as err:
        _traceback(show_traceback)
        sys.stderr.write(f"k2ecs: error: {err}\n")
        return int(err.exit_status)
    except KeyboardInterrupt:
        sys.stderr.write("k2ecs: interrupted; nothing was written\n")
        return 130
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
            return _internal(err, show_traceback)
        _traceback(show_traceback)
        _drop_stdout()
        sys.stderr.write(f"k2ecs: error: cannot write the output: {err.strerror or err}\n")
        return int(ExitStatus.USAGE)
    except Exception as err:  # a bug: one line, and the way to see more
        return _internal(err, show_traceback)


def _internal(err: Exception, show_traceback: bool) -> int:
    _traceback(show_traceback)
    sys.stderr.write(f"k2ecs: internal error: {type(err).__name__}: {err} (rerun with --traceback and report it)\n")
    return int(ExitStatus.INTERNAL)


def _traceback(show: bool) -> None:
    if show:
        traceback.print_exc()


def _drop_stdout(stream: TextIO | None = None) -> None:
    """Forget what stdout still buffers (it cannot be written), so the interpreter's exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (sys.stdout if stream is None else stream).fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a file descriptor (a test's captured stdout)
        pass
