"""Regular expressions run on untrusted text do work linear in it (issue 21: "catastrophic backtracking").

Two patterns did not: document._GUESS_NAME (names an unparsable document) tried a metadata block of n
indented lines without a name in 2^n ways, and sarif_locations.HELM_SOURCE scanned a line's trailing
blanks once per character before them. Their rewrites must match exactly what the old patterns matched
(checked here against the old patterns on small generated texts, where the old ones are still quick),
and hostile inputs must finish: they run in a child interpreter whose timeout is a hang guard only
(minutes of slack; with the old patterns these inputs would run for years), never a timing assertion.
"""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from converter.core.document import _GUESS_NAME, guess_resource
from converter.report.sarif_locations import helm_sources
from tests.helpers import ROOT

OLD_GUESS_NAME = re.compile(r"^metadata:[ \t]*\r?\n(?:[ \t]+.*\r?\n)*?[ \t]+name:[ \t]*[\'\"]?([A-Za-z0-9][-A-Za-z0-9_.]*)", re.M)
OLD_HELM_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.M)

_YAMLISH = st.lists(st.sampled_from(["metadata:", "name:", "kind: Pod", " ", "  ", "\t", "\r", "\n", "\n", "a",
                                     "web-1", "'", '"', "# Source: ", "x/y.yaml", "\x0b", "\xa0"]),
                    max_size=24).map("".join)


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_guess_name_matches_what_the_old_pattern_matched(text: str) -> None:
    old, new = OLD_GUESS_NAME.search(text), _GUESS_NAME.search(text)
    assert (old and (old.span(), old.group(1))) == (new and (new.span(), new.group(1)))


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_helm_sources_match_what_the_old_pattern_found(text: str) -> None:
    old = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in OLD_HELM_SOURCE.finditer(text)]
    assert helm_sources(text) == old


def test_guess_resource_still_names_a_broken_document() -> None:
    text = "kind: Deployment\nmetadata:\n  labels:\n    app: web\n  name: web-1\nspec: [\n"
    assert guess_resource(text) == "Deployment/web-1"


_HOSTILE = """
import sys
from converter.core.document import guess_resource
from converter.report.sarif_locations import helm_sources
# 400 indented lines under metadata and no name: the old pattern split each line two ways, 2^400 tries.
assert guess_resource("kind: Pod\\nmetadata:\\n" + "  a\\n" * 400 + "spec: [\\n") == "Pod/(unnamed)"
# a 2 MB line of blanks after a # Source: marker: the old pattern did some 2*10^12 steps on it.
assert helm_sources("# Source: c/t.yaml" + " " * 2_000_000 + "x\\n") == [(1, "c/t.yaml" + " " * 2_000_000 + "x")]
print("done")
"""


def test_hostile_lines_finish() -> None:
    result = subprocess.run([sys.executable, "-c", _HOSTILE], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)  # a hang guard only: the child takes well under a second
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
