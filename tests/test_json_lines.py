"""converter.load.json_lines: a JSON object read by the json module gives the documents the YAML loader gives.

Every text is read twice by converter.load.loader.parse_text: as it reads it, and with the JSON reader
turned off (the YAML loader's way, which keeps its lines). Data with its types, lines, line tables,
duplicate keys and errors must be the same. Other tests pin which texts take the JSON way, so that the
comparisons do compare two readers.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from converter.core.document import Document, Unreadable
from converter.core.errors import InputError
from converter.load import json_lines, loader
from tests.helpers import SAMPLES
from tests.reverse_support import corpus_ecs_files
from tests.test_yaml_tree import _tables, _typed

MODES = {
    "ecs": {"isolate": True, "cfn_tags": True, "keep_last": False},  # read_text of ECS input (--to k8s)
    "kubernetes": {"isolate": True},  # read_text of manifests: duplicate keys kept last
    "whole": {},  # the config, and parse_text's own callers
}


def _outcome(text: str, **options: Any) -> Any:
    try:
        documents = loader.parse_text(text, "in.json", **options)
    except InputError as err:
        return ("error", str(err), err.file, err.line)
    found = []
    for item in documents:
        if isinstance(item, Unreadable):
            found.append(("unreadable", str(item.error), item.error.line, item.index, item.guess))
        else:
            assert isinstance(item, Document)
            found.append((item.index, item.line, item.prefix, _typed(item.data), _tables(item), item.duplicates))
    return found


def _both(text: str, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[Any, Any]:
    read = _outcome(text, **options)
    with monkeypatch.context() as patch:
        patch.setattr(loader, "read_json", lambda text, first_line=1: None)
        by_yaml = _outcome(text, **options)
    return read, by_yaml


# Texts the JSON reader reads: their lines must be the YAML loader's.
READ = [
    '{"a": 1}',
    '{"a":1,"b":[1,2,{"c":"d"}]}',
    '{\r\n  "a": 1,\r\n  "b": [\r\n    1\r\n  ]\r\n}\r\n',
    '{"a": "\\u00e9\\n\\t\\"\\\\\\/x", "b": "é日本", "c": "\\ud7ff\\ue000"}',
    '{"a": [[1, [2, []]], {}], "b": {}}',
    '{"a": 1.5, "b": 1e5, "c": 1.5e5, "d": 1.5E+5, "e": -0, "f": -0.0, "g": 0.5, "h": 1e400, "i": 100.25e-3}',
    '{"a": true, "b": false, "c": null, "d": 123456789012345678901234567890}',
    '{"a" :1 , "b":2}',
    '{"a":\n 1}', '{"a"   :\n\n 1}', '{"a":"b" ,\n"c":"d"}', '{"a": "b:c", "d": "e\\": f", "g": "[{,}]"}',
    '{"a": [\n\n1\n\n,\n\n2]}', '{\n"a": {\n"b": {\n}}}', '{"a":\r\n[\r\n]\r\n}', '\n\n\n  {"a":\n{"b": "c"}}  \n\n',
    '{"a": "#x", "b": "&y", "c": "*z", "d": "!Ref q", "e": "- x", "f": "--- "}',
    '{"": 1, " ": 2, "%s": 3}' % ("k" * 128),
    '{"a": "x\\u0000y"}',  # a NUL: the Kubernetes reading makes the document Unreadable
    '{"a": "\\uFFFE", "b": "\ufeff", "c": "\xa0"}',
    '{"kind": "List", "apiVersion": "v1", "items": [{"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x"}}]}',
    '{' + ", ".join('"k%d": [%d]' % (number, number) for number in range(40)) + '}',  # over 16 keys: a dict of lines
    '{"a": ' * 150 + '1' + '}' * 150,
]
# Texts the YAML loader must read (it refuses some of them, or reads them otherwise than json).
DECLINED = [
    '{"a": 1, "a": 2}', '{"a": {"b": 1, "c": 2, "b": 3}}',  # duplicate keys
    '{"a": NaN}', '{"a": -Infinity}',  # not JSON, and strings to YAML
    '{"a"\n : 1}', '{"a": [\n{\n"b"\r\n:\n1}]}',  # a key on another line than its colon
    '{"a": "\\ud83d\\ude00"}', '{"a": "\\ud800"}',  # escaped surrogates, which libyaml refuses
    '{"a": "\x85"}', '{"a": "\u2028"}', '{"a": "\r"}', '{"a": 1}\r',  # YAML's other line breaks
    '{"a": "\x7f"}', '{"a":\t1}',  # a character YAML refuses, a tab
    '{"%s": 1}' % ("k" * 1100),  # a key longer than YAML's implicit keys may be
    '{"a": 1}\n{"b": 2}', '{"a": 1,}', '{"a": 1\n "b": 2}', '{"a": }', '{"a": 1} # c', '{"a": 1,\n"b": }', '[{"a": 1}]', '"a"', '{"a": 01}',
    '{"a": ' * 199 + '1' + '}' * 199,  # at the depth limit: the loader's check says what it says
    '{"a": ' * 205 + '1' + '}' * 205,
]


@pytest.mark.parametrize("text", READ, ids=range(len(READ)))
def test_what_the_json_reader_reads(text: str) -> None:
    assert json_lines.read_json(text) is not None


@pytest.mark.parametrize("text", DECLINED, ids=range(len(DECLINED)))
def test_what_it_leaves_to_the_yaml_loader(text: str) -> None:
    assert json_lines.read_json(text) is None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("text", READ + DECLINED, ids=range(len(READ + DECLINED)))
def test_both_readers_give_the_same_documents(text: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    read, by_yaml = _both(text, monkeypatch, **MODES[mode])
    assert read == by_yaml


def _json_files() -> list[Path]:
    return sorted(SAMPLES.glob("**/*.json")) + [path for path in corpus_ecs_files() if path.suffix == ".json"]


@pytest.mark.parametrize("path", _json_files(), ids=lambda path: path.name)
def test_samples_and_corpus_read_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    read, by_yaml = _both(text, monkeypatch, **MODES["ecs"])
    assert read == by_yaml


def test_most_samples_take_the_json_way() -> None:
    texts = [path.read_text(encoding="utf-8") for path in _json_files()]
    assert sum(json_lines.read_json(text) is not None for text in texts) > len(texts) * 3 // 4


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice([0, -7, 2**70, 1.25, -0.5, 3e-7, True, False, None, "", "x", "a, b", "{[", "é\n\"\\", "\u00e9\u65e5"])
    if roll < 0.75:
        return {rng.choice(["a", "b", "name", "x y", "ü", "k:v", ""]) + str(index): _value(rng, depth + 1)
                for index in range(rng.randrange(0, 5))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|.', re.S)


def _layout(text: str, rng: random.Random) -> str:
    """The JSON text with blanks and line breaks (LF or CRLF) added after its brackets, commas and colons."""
    newline = rng.choice(["\n", "\r\n"])
    out = []
    for token in _TOKEN.findall(text):
        out.append(token)
        if token in "[{,:" and rng.random() < 0.5:
            out.append(rng.choice([" ", newline, newline + "  ", newline + newline]))
    return "".join(out)


@pytest.mark.parametrize("seed", range(30))
def test_generated_layouts_read_the_same(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    data = {"kind": "Thing", **{f"f{index}": _value(rng, 1) for index in range(6)}}
    text = _layout(json.dumps(data, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1, 2])), rng)
    assert json_lines.read_json(text) is not None
    for options in MODES.values():
        read, by_yaml = _both(text, monkeypatch, **options)
        assert read == by_yaml


def test_k2ecs_stdout_document_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from converter.cli import app
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["convert", str(SAMPLES / "web-loadbalancer-hpa" / "input")])
    assert result.exit_code in (0, 1), result.output
    text = result.stdout
    assert json_lines.read_json(text) is not None
    read, by_yaml = _both(text, monkeypatch, **MODES["ecs"])
    assert read == by_yaml


def test_bad_json_is_one_line_error_with_file_and_line() -> None:
    text = '{\n  "a": 1\n  "b": 2\n}\n'  # a comma missing: the YAML loader's message, at the line of "b"
    with pytest.raises(InputError) as raised:
        loader.parse_text(text, "out.json", cfn_tags=True)
    assert raised.value.file == "out.json" and raised.value.line == 3
    assert "\n" not in str(raised.value)
    [unreadable] = loader.read_text(text, "out.json", cfn_tags=True)
    assert isinstance(unreadable, Unreadable) and unreadable.error.line == 3


def test_a_duplicate_key_in_ecs_input_is_still_refused_with_both_lines() -> None:
    text = '{\n  "family": "a",\n  "family": "b"\n}\n'
    with pytest.raises(InputError) as raised:
        loader.parse_text(text, "td.json", cfn_tags=True, keep_last=False)
    assert raised.value.line is not None and "family" in str(raised.value)
