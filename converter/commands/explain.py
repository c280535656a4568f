"""`k2ecs explain CODE`."""

from __future__ import annotations

import typer

from converter.errors import ExitStatus


def explain(code: str = typer.Argument(..., help="A finding code, e.g. K2E-W110.")) -> None:
    """Explain one finding code."""
    from converter.codes import explain as explain_code

    try:
        typer.echo(explain_code(code))
    except KeyError:
        typer.echo(f"k2ecs: error: unknown finding code {code!r}", err=True)
        raise typer.Exit(ExitStatus.USAGE)
