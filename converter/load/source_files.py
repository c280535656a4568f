"""Input files: folders walked for manifests, each file opened safely and read bounded, its bytes decoded.

A walk keeps regular files with a manifest suffix (a FIFO or a device found in a folder is skipped); every
read stops one byte past the input-file-bytes limit, whatever size the file reports; the text must be UTF-8
with no NUL byte, within the bounds converter.load.yaml_bounds checks before anything is parsed.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Iterable

from converter.core.errors import InputError
from converter.core.limits import limit_value
from converter.load.yaml_bounds import bound_problem

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = limit_value("input-file-bytes")


def read_source(path: str) -> tuple[str, str]:
    """Return ``(display name, text)`` for a path or ``-`` (stdin); the text must be UTF-8."""
    if path == "-":
        raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        name = "<stdin>"
    else:
        name = path
        try:
            raw = read_bounded(path, name)
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror or err}", file=name) from None
    return name, decode_source(raw, name)


def read_bounded(path: str, name: str) -> bytes:
    """At most MAX_FILE_BYTES of ``path``. The size a file reports is not a bound: it is 0 for /dev/zero,
    a FIFO or a procfs file, which read on without end, so the read itself stops one byte past the limit."""
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > MAX_FILE_BYTES:
            raise InputError(f"file is {status.st_size} bytes, over the {MAX_FILE_BYTES}-byte limit", file=name)
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"file is over the {MAX_FILE_BYTES}-byte limit", file=name)
    return raw


def decode_source(raw: bytes, name: str) -> str:
    """The text of a manifest's bytes: at most MAX_FILE_BYTES, UTF-8 (a BOM is dropped), no NUL byte."""
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"input is over the {MAX_FILE_BYTES}-byte limit", file=name)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[err.start]:02x})", file=name, line=line) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("binary data (NUL byte) in a manifest", file=name, line=line)
    problem = bound_problem(text)
    if problem is not None:
        raise InputError(problem[0], file=name, line=problem[1])
    return text


def expand_paths(paths: Iterable[str], skipped: list[str] | None = None) -> list[str]:
    """Files as given, directories walked recursively (sorted, manifest suffixes only), ``-`` kept.
    A file of a walk that is not a regular file (nor a link to one) is left out, and added to ``skipped``."""
    result: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = [
                os.path.join(root, name)
                for root, dirs, files in os.walk(path)
                for name in files
                if name.lower().endswith(MANIFEST_SUFFIXES)
            ]
            for file in sorted(found):
                if is_regular_file(file):
                    result.append(file)
                elif skipped is not None:
                    skipped.append(file)
        elif path == "-" or os.path.exists(path):
            result.append(path)
        else:
            raise InputError("no such file or directory", file=path)
    return result


def is_regular_file(path: str) -> bool:
    """Whether a file found in a folder is one to read: a regular file, or a link to one. A FIFO would
    wait for a writer forever, and a device or a link to one (/dev/zero) reads on without end; a walk
    skips them (a path named on the command line is read as given, bounded: `<(kustomize build)`)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # a dangling link: read_source reports it with its name

