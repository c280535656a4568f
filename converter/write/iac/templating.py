"""The Jinja2 environment for templates/: loaded on first use, and strict about escaping.

``finalize`` sees every ``{{ ... }}`` value before it is written: anything that did not come out of an
escaping filter (``filters.Safe``) stops the rendering, so an unescaped value is a bug caught at once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from converter.core.errors import OutputValidationError
from converter.write.iac.filters import FILTERS, Safe
from converter.core.resources import templates_dir


def _finalize(value: Any) -> Safe:
    if isinstance(value, Safe):
        return value
    raise OutputValidationError(f"template value {value!r} was not passed through an escaping filter")


@cache
def environment() -> Any:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # escaping is per syntax (YAML, HCL), by the filters; finalize enforces it
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
