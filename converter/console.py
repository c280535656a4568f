"""What the CLI asks of the terminal it writes to: width, colour, and a pager for long output (as git does).

The rules are pure functions of (flag, environment, whether the stream is a terminal, its size), so they are
tested without a terminal; only ``write_paged`` starts a process, and only the CLI calls it.

- Width: $COLUMNS when it is a positive number, else the terminal's width, else 80 (output piped to a file
  or another program), bounded to [MIN_WIDTH, MAX_WIDTH] so a table keeps room for its columns.
- Colour (``--color auto|always|never``): always and never win; under auto, NO_COLOR set and not empty turns
  colour off (https://no-color.org), then FORCE_COLOR set and not empty (and not "0") turns it on, then colour
  is used when the stream is a terminal whose TERM is not "dumb".
- Pager: on a terminal, when the text has more lines than the terminal, through $K2ECS_PAGER, else $PAGER,
  else ``less`` with LESS=FRX when LESS is unset (git's default: quit if one screen, keep colours, leave the
  text on screen). A pager of "" or "cat" means none; a pager that cannot start means none.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from enum import Enum
from typing import Mapping, TextIO

DEFAULT_WIDTH = 80
MIN_WIDTH, MAX_WIDTH = 60, 400
DEFAULT_PAGER = "less"
DEFAULT_LESS = "FRX"


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def terminal_width(env: Mapping[str, str], stream: TextIO) -> int:
    columns = env.get("COLUMNS", "").strip()
    width = int(columns) if columns.isdigit() and int(columns) > 0 else None
    if width is None and is_terminal(stream):
        try:
            width = os.get_terminal_size(stream.fileno()).columns or None
        except (OSError, ValueError, AttributeError):
            width = None
    return min(max(width or DEFAULT_WIDTH, MIN_WIDTH), MAX_WIDTH)


def terminal_height(stream: TextIO) -> int | None:
    try:
        return os.get_terminal_size(stream.fileno()).lines or None
    except (OSError, ValueError, AttributeError):
        return None


def use_color(mode: ColorMode | str, env: Mapping[str, str], tty: bool) -> bool:
    mode = ColorMode(mode)
    if mode is not ColorMode.auto:
        return mode is ColorMode.always
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return tty and env.get("TERM", "") != "dumb"


def pager_command(env: Mapping[str, str]) -> list[str] | None:
    """The pager to run, or None for none."""
    command = env.get("K2ECS_PAGER", env.get("PAGER", DEFAULT_PAGER)).strip()
    if command in ("", "cat"):
        return None
    try:
        return shlex.split(command) or None
    except ValueError:  # unbalanced quotes: no pager rather than a traceback
        return None


def wants_pager(text: str, *, tty: bool, height: int | None, enabled: bool) -> bool:
    return enabled and tty and height is not None and text.count("\n") >= height


def write_paged(text: str, stream: TextIO, env: Mapping[str, str], *, enabled: bool = True) -> None:
    """``text`` to ``stream``, through the pager when ``wants_pager`` says so."""
    tty = is_terminal(stream)
    command = pager_command(env)
    if command is None or not wants_pager(text, tty=tty, height=terminal_height(stream) if tty else None,
                                          enabled=enabled) or shutil.which(command[0]) is None:
        stream.write(text)
        return
    pager_env = dict(os.environ)
    pager_env.setdefault("LESS", DEFAULT_LESS)
    stream.flush()
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=pager_env)
    except OSError:
        stream.write(text)
        return
    try:
        assert process.stdin is not None
        process.stdin.write(text.encode("utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the user quit the pager before the end: nothing more to show
        pass
    process.wait()
