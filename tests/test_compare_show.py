"""rows.show's short cuts for an int, a bool and null (issue 24) give the compact JSON the encoder gave."""

from __future__ import annotations

import json
from typing import Any

import pytest

from converter.compare.rows import MAX_VALUE_CHARS, show


def _old_show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(", ", ": "),
                                                          default=str)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + f"... ({len(text) - MAX_VALUE_CHARS} more characters)"
    return text


@pytest.mark.parametrize("value", [0, 1, -7, 8080, 10 ** 30, 10 ** 2100, True, False, None, 1.5, float("nan"), "",
                                   "x" * 2500, "1", [1, True, None], {"a": 1, "b": [False]}, {1: "x", True: "y"}])
def test_show_is_the_compact_json_it_replaced(value: Any):
    assert show(value) == _old_show(value)
