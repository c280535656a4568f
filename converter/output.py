"""Writing a conversion: all files to a temporary folder beside the target, then one swap into place.

An interrupted or failed run therefore leaves the previous output untouched, and a folder that is not
a k2ecs output is never replaced.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from converter import jsontext
from converter.errors import OutputValidationError, UsageError

REPORT_FILE = "report.json"


def dumps(payload: Any) -> str:
    # The text of json.dumps(payload, indent=2, ensure_ascii=False), without its pure-Python encoder.
    return jsontext.dumps(payload) + "\n"


def output_files(outputs: list[Any], report: dict[str, Any]) -> dict[str, str]:
    files: dict[str, str] = _Files()
    for output in outputs:
        files[f"{output.name}.taskdef.json"] = dumps(output.task_definition)
        files[f"{output.name}.service.json"] = dumps(output.service)
        if output.scaling is not None:
            files[f"{output.name}.scaling.json"] = dumps(output.scaling)
    files[REPORT_FILE] = dumps(report)
    return files


def with_report(rendered: dict[str, str], report: dict[str, Any]) -> dict[str, str]:
    """The files of another --format (converter.iac: CloudFormation, Terraform) plus report.json."""
    files: dict[str, str] = _Files(rendered)
    files[REPORT_FILE] = dumps(report)
    return files


class _Files(dict):
    """File name -> text that refuses a name twice: a workload called like a reserved file (report.json in
    a format that writes <name>.json) or like another workload must never overwrite it silently."""

    def __setitem__(self, name: str, text: str) -> None:
        if name in self:
            raise OutputValidationError(f"two outputs would be written to the same file {name!r}")
        super().__setitem__(name, text)


def stdout_document(outputs: list[Any]) -> str:
    return dumps({"workloads": [
        {"name": o.name, "resource": o.resource, "taskDefinition": o.task_definition, "service": o.service,
         "scaling": o.scaling} for o in outputs
    ]})


def write_atomically(target: str, files: dict[str, str]) -> None:
    """Write ``files`` as the folder ``target``: all or nothing, the previous content untouched on failure.

    The files go to a staging folder beside ``target`` (same file system, so the move is a rename), and
    the staging folder then takes ``target``'s place in one atomic exchange (Linux renameat2), or in two
    renames elsewhere. Staging folders carry the writer's process id, so one left behind by a killed
    run (SIGKILL, power loss) is recognised and cleared by the next run, which also puts back a previous
    output caught between the two renames.
    """
    check_file_names(files)
    destination = Path(target).resolve()  # a symlink named as -o stays; the folder it points to is replaced
    if destination.exists() and not destination.is_dir():
        raise UsageError("output path exists and is not a folder", file=target)
    if destination.is_dir() and any(destination.iterdir()) and not (destination / REPORT_FILE).is_file():
        raise UsageError("output folder is not empty and holds no k2ecs report.json; refusing to replace it", file=target)
    parent = destination.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        settle_leftovers(parent, destination.name)
        staging = Path(tempfile.mkdtemp(prefix=f"{_staging_prefix(destination.name)}{os.getpid()}-", dir=parent))
    except OSError as err:
        raise UsageError(f"cannot write the output: {err.strerror or err}", file=target) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the output folder should get the usual mode
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        _swap(staging, destination)
    except OSError as err:
        raise UsageError(f"cannot write the output: {err.strerror or err}", file=target) from None
    finally:
        # After an exchange the staging path holds the previous output; after a failure, the partial new one.
        shutil.rmtree(staging, ignore_errors=True)


# File names: the longest most file systems allow, and names no output file may take.
MAX_FILE_NAME_BYTES = 255
_STAGING = ".{name}.k2ecs-"
_OLD = "old-"


def check_file_names(files: dict[str, str]) -> None:
    """Refuse, before anything is written, names that would leave the folder, fail to be created, or collide.

    Names come from manifests (sanitised upstream); this is the last line of defence, for every format.
    Names equal but for case are refused too: on macOS and Windows one would overwrite the other.
    """
    seen: dict[str, str] = {}
    for name in files:
        if (not name or name in (".", "..") or name.startswith(".") or "/" in name or "\\" in name
                or os.sep in name or any(ord(char) < 32 for char in name)):
            raise OutputValidationError(f"refusing to write output file name {name!r}")
        size = len(name.encode("utf-8"))
        if size > MAX_FILE_NAME_BYTES:
            raise OutputValidationError(f"output file name {name[:40]!r}... is {size} bytes, over the "
                                        f"{MAX_FILE_NAME_BYTES}-byte file-name limit")
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            raise OutputValidationError(f"output files {other!r} and {name!r} differ only in case; "
                                        "on a case-insensitive file system one would overwrite the other")


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
    import ctypes

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
