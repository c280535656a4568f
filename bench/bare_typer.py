"""The start-up yardstick: a Typer app with the same shape as `k2ecs convert` that does nothing.

`python bench/bare_typer.py convert one.yaml` costs the interpreter, Typer (and what Typer imports) and
argument parsing; `python -m converter convert one.yaml` is compared with it (bench/run.py).
"""

from typing import List

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True)


@app.callback()
def root() -> None:
    """A bare app."""


@app.command()
def convert(paths: List[str] = typer.Argument(..., help="Ignored.")) -> None:
    """Do nothing."""


if __name__ == "__main__":
    app()
