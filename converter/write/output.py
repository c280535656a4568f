"""Writing a conversion: all files to a temporary folder beside the target, then one swap into place.

An interrupted or failed run therefore leaves the previous output untouched, and a folder that holds
anything k2ecs did not write is never replaced (converter.write.output_guard).
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from converter.core import jsontext
from converter.core.errors import OutputValidationError, UsageError
from converter.core.limits import limit_value
from converter.write.output_guard import refuse_dangling_link, refuse_unless_own_output

REPORT_FILE = "report.json"
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no translation below the text written (StagedFolder.write)
_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")  # not on Windows


def dumps(payload: Any) -> str:
    # The text of json.dumps(payload, indent=2, ensure_ascii=False), without its pure-Python encoder.
    return jsontext.dumps(payload) + "\n"


def output_files(outputs: list[Any], report: dict[str, Any]) -> dict[str, str]:
    files: dict[str, str] = FileNames()
    for output in outputs:
        for name, text in payload_files(output).items():
            files[name] = text
    files[REPORT_FILE] = dumps(report)
    return files


def payload_files(output: Any) -> dict[str, str]:
    """One workload's files of ``-o``: <name>.taskdef.json, .service.json and .scaling.json (when it scales)."""
    files = {f"{output.name}.taskdef.json": _taskdef_text(output) + "\n",
             f"{output.name}.service.json": dumps(output.service)}
    if output.scaling is not None:
        files[f"{output.name}.scaling.json"] = dumps(output.scaling)
    return files


def with_report(rendered: dict[str, str], report: dict[str, Any]) -> dict[str, str]:
    """The files of another --format (converter.write.iac: CloudFormation, Terraform) plus report.json."""
    files: dict[str, str] = FileNames(rendered)
    files[REPORT_FILE] = dumps(report)
    return files


def write_rendering(target: str, pieces: dict[str, list[str]], report: dict[str, Any]) -> None:
    """The files of another --format (converter.write.iac.render.Rendering.pieces) and report.json, written as
    the folder ``target`` as write_atomically(target, with_report(...)) writes them, a piece at a time and the
    report as it is dumped: neither the files nor the report are made whole in memory (issue 24)."""
    names: dict[str, list[str]] = FileNames(pieces)
    names[REPORT_FILE] = []  # refused when a rendered file has its name
    check_file_names(names)
    folder = StagedFolder(target)
    try:
        for name, parts in pieces.items():
            folder.write_with(name, lambda handle, parts=parts: handle.writelines(parts))
        folder.write_with(REPORT_FILE, lambda handle: (jsontext.dump(report, handle), handle.write("\n")))
        folder.commit()
    finally:
        folder.discard()


class FileNames(dict):
    """File name -> text (or what is known of it) that refuses a name twice: a workload called like a reserved file (report.json in
    a format that writes <name>.json) or like another workload must never overwrite it silently."""

    def __setitem__(self, name: str, text: str) -> None:
        if name in self:
            raise OutputValidationError(f"two outputs would be written to the same file {name!r}")
        super().__setitem__(name, text)


def stdout_document(outputs: list[Any]) -> str:
    if not outputs:
        return dumps({"workloads": []})
    return STDOUT_HEAD + ",\n".join(map(stdout_entry, outputs)) + STDOUT_TAIL


# The stdout document, {"workloads": [entry, ...]} as dumps() writes it, in pieces: converter.write.sinks
# writes the entries one at a time. tests/test_sinks.py compares with dumps() of the whole document.
STDOUT_HEAD = '{\n  "workloads": [\n'
STDOUT_TAIL = "\n  ]\n}\n"


def _taskdef_text(output: Any) -> str:
    """jsontext.dumps(output.task_definition): the text render_workload wrote when it measured it, if any."""
    text = getattr(output, "task_definition_text", None)
    return jsontext.dumps(output.task_definition) if text is None else text


def stdout_entry(output: Any) -> str:
    text = getattr(output, "task_definition_text", None)
    taskdef = output.task_definition if text is None else jsontext.Verbatim(text, output.task_definition)
    entry = {"name": output.name, "resource": output.resource, "taskDefinition": taskdef,
             "service": output.service, "scaling": output.scaling}
    return "    " + jsontext.dumps(entry, level=2)  # an item of the "workloads" list, two levels deep


def write_atomically(target: str, files: dict[str, str]) -> None:
    """Write ``files`` as the folder ``target``: all or nothing, the previous content untouched on failure."""
    check_file_names(files)
    folder = StagedFolder(target)
    try:
        for name, text in files.items():
            folder.write(name, text)
        folder.commit()
    finally:
        folder.discard()


class _Text:
    """A writer of a text known whole (StagedFolder.write): written by _write_text without a file object."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, handle: Any) -> None:
        handle.write(self.text)


def _write_text(path: str, text: str, folder: int | None = None) -> None:
    """``text`` in a new file ``path``, as open(path, "w", encoding="utf-8") writes it; ``path`` relative to the
    folder whose descriptor is ``folder`` when given.

    Through os.open and os.write rather than open(): -o writes a few files per workload, and a text file
    object (FileIO, BufferedWriter, TextIOWrapper) for each cost twice the CPU time of the system calls
    themselves (issue 24: 0.58 s against 0.26 s for 8,000 files of 1.5 kB). Three system calls a file
    (openat, write, close): no stat, no fsync, no rename of its own (the folder is renamed once, at commit)."""
    if os.linesep != "\n":  # what text mode's newline translation writes
        text = text.replace("\n", os.linesep)
    data = memoryview(text.encode("utf-8"))
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o666, dir_fd=folder)
    try:
        while data:
            data = data[os.write(handle, data):]
    finally:
        os.close(handle)


class StagedFolder:
    """A folder written file by file that takes ``target``'s place in one step at commit().

    The files go to a staging folder beside ``target`` (same file system, so the move is a rename), and
    the staging folder then takes ``target``'s place in one atomic exchange (Linux renameat2), or in two
    renames elsewhere. Staging folders carry the writer's process id, so one left behind by a killed
    run (SIGKILL, power loss) is recognised and cleared by the next run, which also puts back a previous
    output caught between the two renames. Until commit(), ``target`` is untouched; discard() (always
    called, also after commit) removes what is left of the staging folder.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.names: dict[str, str] = {}  # casefold -> name, of the files written so far
        refuse_dangling_link(target)
        destination = self.destination = Path(target).resolve()  # a symlink named as -o stays; its folder is replaced
        if destination.exists() and not destination.is_dir():
            raise UsageError("output path exists and is not a folder", file=target)
        if destination.is_dir():
            refuse_unless_own_output(destination, target)
        parent = destination.parent
        with self._errors():
            parent.mkdir(parents=True, exist_ok=True)
            settle_leftovers(parent, destination.name)
            self.staging = Path(tempfile.mkdtemp(prefix=f"{_staging_prefix(destination.name)}{os.getpid()}-", dir=parent))
        self.fd: int | None = None
        try:
            with self._errors():
                self.staging.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the output folder should get the usual mode
                if _DIR_FD:
                    # Each file is created relative to the staging folder: the kernel looks up one name a file,
                    # not every folder of the path again (7,541 files at 10 MB; issue 24).
                    self.fd = os.open(self.staging, os.O_RDONLY | os.O_DIRECTORY)
        except BaseException:
            self.discard()  # no caller holds the folder yet to discard it
            raise

    def write(self, name: str, text: str) -> None:
        self.write_with(name, _Text(text))

    def write_with(self, name: str, writer: Any) -> None:
        """The file ``name``, written by ``writer(handle)`` (every file of the folder is written here)."""
        check_file_name(name, self.names)
        with self._errors():
            if writer.__class__ is _Text:
                if self.fd is None:
                    _write_text(os.path.join(self.staging, name), writer.text)
                else:
                    _write_text(name, writer.text, self.fd)
                return
            with open(self.staging / name, "w", encoding="utf-8") as handle:
                writer(handle)

    def remove(self, name: str) -> None:
        self.names.pop(name.casefold(), None)
        with self._errors():
            (self.staging / name).unlink(missing_ok=True)

    def clear(self) -> None:
        for name in list(self.names.values()):
            self.remove(name)

    def commit(self) -> None:
        with self._errors():
            _swap(self.staging, self.destination)

    def discard(self) -> None:
        # After an exchange the staging path holds the previous output; after a failure, the partial new one.
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        shutil.rmtree(self.staging, ignore_errors=True)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as err:
            raise UsageError(f"cannot write the output: {err.strerror or err}", file=self.target) from None


# File names: the longest most file systems allow, and names no output file may take.
MAX_FILE_NAME_BYTES = limit_value("file-name-bytes")
_STAGING = ".{name}.k2ecs-"
_OLD = "old-"


def check_file_names(files: dict[str, str]) -> None:
    """Refuse, before anything is written, names that would leave the folder, fail to be created, or collide."""
    seen: dict[str, str] = {}
    for name in files:
        check_file_name(name, seen)


def check_file_name(name: str, seen: dict[str, str]) -> None:
    """Refuse a name that would leave the folder, fail to be created, or collide with one in ``seen``
    (casefold -> name, to which it is added).

    Names come from manifests (sanitised upstream); this is the last line of defence, for every format.
    Names equal but for case are refused too: on macOS and Windows one would overwrite the other.
    """
    if (not name or name in (".", "..") or name.startswith(".") or "/" in name or "\\" in name
            or os.sep in name or any(ord(char) < 32 for char in name)):
        raise OutputValidationError(f"refusing to write output file name {name!r}")
    size = len(name.encode("utf-8"))
    if size > MAX_FILE_NAME_BYTES:
        raise OutputValidationError(f"output file name {name[:40]!r}... is {size} bytes, over the "
                                    f"{MAX_FILE_NAME_BYTES}-byte file-name limit")
    folded = name.casefold()
    # The name itself as its key when it has no capitals (most): -o keeps one entry per file to the end of
    # the run, and a second string each was 0.6 MB of a 10 MB convert -o's peak (issue 24).
    other = seen.setdefault(name if folded == name else folded, name)
    if other != name:
        raise OutputValidationError(f"output files {other!r} and {name!r} differ only in case; "
                                    "on a case-insensitive file system one would overwrite the other")


def current_umask() -> int:
    """The process's umask (which can only be read by setting it): the mode a file made with mkstemp or a
    folder made with mkdtemp should get, instead of their private 0600/0700, is 0666 or 0777 without it."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _staging_prefix(name: str) -> str:
    return _STAGING.format(name=name)


def settle_leftovers(parent: Path, name: str) -> None:
    """Clear what a killed run left beside ``parent/name``; put a previous output caught mid-swap back."""
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there; leftovers are kept
        return
    prefix = _staging_prefix(name)
    for entry in sorted(parent.glob(glob.escape(prefix) + "*")):
        rest = entry.name[len(prefix):]
        old = rest.startswith(_OLD)
        pid = rest[len(_OLD):] if old else rest
        pid = pid.split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)) or not entry.is_dir():
            continue
        if old and not (parent / name).exists():
            entry.rename(parent / name)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, as another user
        return True
    return True


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # lazy: only Linux uses it, and only when an output folder is replaced

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without the flag
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, destination: Path) -> None:
    """Put ``staging`` at ``destination``; when ``destination`` existed, leave its old content at ``staging``."""
    if not destination.exists():
        staging.rename(destination)
        return
    if _exchange(staging, destination):
        return
    # Two renames: between them ``destination`` is missing, its content at ``old``; settle_leftovers (next
    # run) and the except below put it back if this run dies or fails there.
    old = Path(tempfile.mkdtemp(prefix=f"{_staging_prefix(destination.name)}{_OLD}{os.getpid()}-", dir=destination.parent))
    old.rmdir()
    destination.rename(old)
    try:
        staging.rename(destination)
    except BaseException:
        old.rename(destination)
        raise
    old.rename(staging)  # removed with the staging folder by the caller
