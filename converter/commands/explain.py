"""`k2ecs explain CODE`, `k2ecs explain --list`, and either as JSON with --json."""

from __future__ import annotations

import json
from typing import Optional

import typer

from converter.core.errors import ExitStatus


def explain(
    code: Optional[str] = typer.Argument(None, metavar="CODE", show_default=False,
                                         help="A finding code, e.g. K2E-W110 (or give --list)."),
    list_codes: bool = typer.Option(False, "--list", help="List every finding code with its severity and title."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: one code's entry, or with --list all of them."),
) -> None:
    """Explain a finding code, or list them all."""
    from converter.core.codes import CODES, code_entry, explain as explain_code  # lazy: start-up (converter/cli_common.py)
    from converter.core.resources import mapping_doc

    if list_codes == (code is not None):
        typer.echo("k2ecs: error: give a finding code or --list (not both)", err=True)
        raise typer.Exit(ExitStatus.USAGE)
    if list_codes:
        if as_json:
            typer.echo(json.dumps([code_entry(info) for info in CODES.values()], indent=2, ensure_ascii=False))
        else:
            for info in CODES.values():
                typer.echo(f"{info.code}  {info.severity.label:<7}  {info.title}")
        return
    info = CODES.get(code.upper())
    if info is None:
        typer.echo(f"k2ecs: error: unknown finding code {code!r} (k2ecs explain --list lists them)", err=True)
        raise typer.Exit(ExitStatus.USAGE)
    if as_json:
        typer.echo(json.dumps(code_entry(info), indent=2, ensure_ascii=False))
    else:
        installed = mapping_doc()
        typer.echo(explain_code(code, None if installed is None else str(installed)))
