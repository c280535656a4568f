"""Run a Python program as ``python`` would, and at exit write its peak resident set size to a file.

Usage: python bench/peak.py OUT_FILE (-m MODULE | -c CODE | SCRIPT) [ARGS...]

Why not getrusage/os.wait4 in the parent: on Linux ru_maxrss survives fork and exec, so a child of a
big benchmark process reports at least the parent's size. The kernel's per-process high-water mark of
the program's own address space (VmHWM in /proc/self/status) starts fresh at exec, so this wrapper reads
it at exit. Elsewhere it falls back to getrusage(RUSAGE_SELF).ru_maxrss.
"""

from __future__ import annotations

import atexit
import runpy
import sys


def peak_rss() -> int:
    """Bytes."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for row in status:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def main() -> None:
    out, mode, *rest = sys.argv[1:]

    def write() -> None:
        with open(out, "w", encoding="ascii") as handle:
            handle.write(str(peak_rss()))

    atexit.register(write)
    if mode == "-m":
        sys.argv = [rest[0], *rest[1:]]
        sys.path[0] = __import__("os").getcwd()  # as `python -m` does
        runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
    elif mode == "-c":
        sys.argv = ["-c", *rest[1:]]
        exec(compile(rest[0], "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = [mode, *rest]
        sys.path[0] = str(__import__("pathlib").Path(mode).resolve().parent)
        runpy.run_path(mode, run_name="__main__")


if __name__ == "__main__":
    main()
