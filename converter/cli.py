"""The command line. The only module that reads files, prints and exits; errors are caught once, here."""

from __future__ import annotations

import sys

import typer

from converter import __version__
from converter.cli_common import K2ecsCommand
from converter.commands import apply, baseline, compare, convert, explain, init, plan


def _version(value: bool) -> None:
    if value:
        typer.echo(f"k2ecs {__version__}")
        raise typer.Exit()


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
    "init": (init.init, None),
}


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def build_app(only: str | None = None) -> typer.Typer:
    """The k2ecs app with every command, or with the one named ``only``."""
    # Plain (click) help rather than rich panels: at 80 columns the panels cut option names, and they show a
    # type for every flag. -h as well as --help; completion (--install-completion) on, as typer offers it.
    built = typer.Typer(add_completion=True, pretty_exceptions_enable=False, no_args_is_help=True,
                        rich_markup_mode=None, context_settings=CONTEXT_SETTINGS,
                        help="Move container workloads between Kubernetes and Amazon ECS, and report what does not carry over.")
    built.callback()(root)
    for name, (command, cls) in COMMANDS.items():
        if only is None or name == only:
            built.command(name, cls=cls or K2ecsCommand)(command)
    return built


app = build_app()


def main() -> None:
    arguments = sys.argv[1:]
    # Typer builds every command it has, each from its function's signature, at every start. When the
    # command comes first, as it always does but for `k2ecs --help` and `--version`, only that one is
    # built: 5 ms of `k2ecs convert`'s start-up (docs/PERFORMANCE.md). Anything else sees the whole app.
    # The program is k2ecs however it was started (python -m converter too), so help says `k2ecs convert` and
    # shell completion answers to _K2ECS_COMPLETE.
    if arguments and arguments[0] in COMMANDS:
        build_app(only=arguments[0])(prog_name="k2ecs")
    else:
        app(prog_name="k2ecs")


if __name__ == "__main__":  # pragma: no cover
    main()
