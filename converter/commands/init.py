"""`k2ecs init PATH...`: write a commented k2ecs.yaml with the settings the input lacks, as placeholders."""

from __future__ import annotations

import os
import sys
from typing import List

import typer

from converter.cli_common import SettingsFlags, conversion
from converter.guard import guarded
from converter.core.errors import ExitStatus, UsageError


def init(
    paths: List[str] = typer.Argument(..., metavar="PATH", show_default=False,
                                      help="The manifests, as given to k2ecs convert."),
    file: str = typer.Option("k2ecs.yaml", "-f", "--file", metavar="FILE",
                             help="The config file to write, or - for stdout."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
    traceback: bool = typer.Option(False, "--traceback", help="Show the Python traceback on errors."),
) -> None:
    """Write a commented k2ecs.yaml with a placeholder for each setting the input needs and lacks."""

    def run() -> int:
        from converter.write.init_config import config_text, needed_settings  # lazy: start-up (converter/cli_common.py)
        from converter.report.report_file import ReportFile

        if file != "-" and os.path.lexists(file) and not force:
            raise UsageError("exists; k2ecs init does not replace a config (use --force)", file=file)
        # No config and no flags: every setting the input needs shows up as a placeholder (an existing
        # ./k2ecs.yaml must not fill them in).
        result = conversion(paths, SettingsFlags(discover_config=False))
        text = config_text(needed_settings(result.outputs), list(paths))
        if file == "-":
            sys.stdout.write(text)
            return ExitStatus.OK
        target = ReportFile(file, "config")
        try:
            target.write_with(lambda handle: handle.write(text))
        finally:
            target.discard()
        sys.stderr.write(f"k2ecs: wrote {file}: replace each <k2ecs:...> placeholder, then run "
                         f"k2ecs convert {' '.join(paths)}\n")
        return ExitStatus.OK

    raise typer.Exit(guarded(run, traceback))
