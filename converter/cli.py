"""The command line. The only module that reads files, prints and exits; errors are caught once, here."""

from __future__ import annotations

import typer

from converter import __version__
from converter.commands import apply, baseline, compare, convert, explain, plan

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Move container workloads between Kubernetes and Amazon ECS, and report what does not carry over.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"k2ecs {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """k2ecs: Kubernetes <-> Amazon ECS, with an honest loss report."""


# The command registry: one line per command, each command in its own module under converter/commands/.
# Command modules import only typer and converter.cli_common at module level, so start-up stays cheap.
# plan and apply use terraform's detailed exit codes, so their parser errors must not exit 2.
COMMANDS = {
    "convert": (convert.convert, None),
    "baseline": (baseline.baseline, None),
    "explain": (explain.explain, None),
    "plan": (plan.plan, plan.DetailedExitCommand),
    "apply": (apply.apply, plan.DetailedExitCommand),
    "compare": (compare.compare, None),
}
for _name, (_command, _cls) in COMMANDS.items():
    app.command(_name, cls=_cls)(_command)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
