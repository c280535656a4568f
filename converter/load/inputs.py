"""Kubernetes input as people have it: folders walked the way a user means them, and every file read
with isolation, so one broken document costs that document only (issue 18).

A folder is walked in sorted order (``kubectl apply -f DIR`` applies its files in lexical order, so a
later declaration of the same object wins: converter.pipeline.convert.Intake). What is in a folder but is no
manifest is skipped with one info finding that says how to make manifests of it:

- a Helm chart source (a folder with ``Chart.yaml``: its ``values.yaml`` and ``templates/`` are
  inputs of ``helm template``, not objects), whole;
- a kustomization file (``kustomization.yaml``, ``.yml``, ``Kustomization``: ``kubectl kustomize``'s
  input); the other files of its folder are read as they are;
- a hidden folder (``.github/``, ``.gitlab/``, ...: CI and tool settings), unless named as the input;
- a file that holds ``{{`` and of which no document parses: a Go or Helm template.

``--exclude GLOB`` removes files or folders whose path below the input folder, or whose name,
matches (``fnmatch``). Only :mod:`converter.cli_common` calls :func:`load_inputs` (it reads files).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any, Callable, Iterable

from converter.core.errors import InputError
from converter.core.document import Unreadable
from converter.load.loader import read_text
from converter.load.source_files import MANIFEST_SUFFIXES, is_regular_file, read_source
from converter.load.own_report import read_own_report

CHART_FILES = ("Chart.yaml", "Chart.yml")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
NOT_SEARCHED = frozenset({".git", ".hg", ".svn"})  # version control's own folders: nothing of the user's


@dataclass(frozen=True)
class Skipped:
    """A file or folder that is not a manifest: one info finding (``code``), nothing converted."""

    code: str
    file: str
    message: str


def load_inputs(paths: Iterable[str], exclude: tuple[str, ...] = (),
                read: Callable[[str], tuple[str, str]] = read_source, *, cfn_tags: bool = False,
                source: Callable[[str], Any] | None = None) -> list[Any]:
    """Documents (converter.core.document.Document), Unreadable documents and files, and Skipped entries, in the
    order of the inputs. A path that does not exist is an InputError: nothing of the run is read.
    ``read``: (display name, text) of a path, read_source unless the caller has read it already.
    ``source``: a path's converter.pipeline.deferred.SourceText (in place of ``read``), whose workload parts are
    converter.pipeline.deferred.Deferred entries, parsed when the conversion reaches them."""
    items: list[Any] = []
    for path, skipped in walk(paths, exclude):
        if skipped is not None:
            items.append(skipped)
            continue
        if cfn_tags and source is None and read is read_source and path != "-":
            report = read_own_report(path)
            if report is not None:
                items.append(report)
                continue
        try:
            if source is None:
                name, text = read(path)
                templated, documents = "{{" in text, read_text(text, name, cfn_tags=cfn_tags)
            else:
                opened = source(path)
                name, templated, documents = opened.name, opened.templated, opened.entries()
        except InputError as err:
            items.append(Unreadable(err))
            continue
        # Nothing of it parses and it holds {{: a template. (A rendered bundle may hold {{ in a ConfigMap,
        # a Grafana dashboard: one broken document there costs that document only, as anywhere.)
        if templated and documents and all(isinstance(document, Unreadable) for document in documents):
            items.append(Skipped("K2E-I036", name, "holds {{ }} and is not YAML: a Go or Helm template, not a manifest"))
            continue
        items.extend(documents)
    return items


def walk(paths: Iterable[str], exclude: tuple[str, ...] = ()) -> list[tuple[str, Skipped | None]]:
    """(file to read, None) or (path, Skipped) for each input, folders walked in sorted order."""
    found: list[tuple[str, Skipped | None]] = []
    for path in paths:
        if path == "-":
            found.append((path, None))
        elif os.path.isdir(path):
            found.extend(_walk_folder(path, exclude))
        elif os.path.exists(path):
            skipped = _not_a_manifest(path)
            found.append((path, skipped))
        else:
            raise InputError("no such file or directory", file=path)
    return found


def _walk_folder(top: str, exclude: tuple[str, ...]) -> list[tuple[str, Skipped | None]]:
    found: list[tuple[str, Skipped | None]] = []
    for root, dirs, files in os.walk(top):
        relative = os.path.relpath(root, top)
        chart = next((name for name in CHART_FILES if name in files), None)
        if chart is not None:
            dirs[:] = []
            found.append((root, Skipped("K2E-I033", os.path.join(root, chart),
                                        f"{_shown(root)} is a Helm chart source: its templates become manifests only when rendered")))
            continue
        kept_dirs = []
        for name in sorted(dirs):
            below = name if relative == "." else os.path.join(relative, name)
            if name in NOT_SEARCHED or _excluded(below, name, exclude):
                continue
            if name.startswith("."):
                if _holds_manifests(os.path.join(root, name)):
                    found.append((os.path.join(root, name), Skipped(
                        "K2E-I035", os.path.join(root, name),
                        f"{_shown(os.path.join(root, name))} is a hidden folder (CI or tool settings); it was not searched")))
                continue
            kept_dirs.append(name)
        dirs[:] = kept_dirs
        for name in sorted(files):
            below = name if relative == "." else os.path.join(relative, name)
            if _excluded(below, name, exclude):
                continue
            full = os.path.join(root, name)
            if name in KUSTOMIZATION_FILES:
                found.append((full, _not_a_manifest(full)))
            elif name.lower().endswith(MANIFEST_SUFFIXES):
                found.append((full, None if is_regular_file(full) else Skipped(
                    "K2E-I022", full, f"{full} is not a regular file (a FIFO, a device, a socket, or a link to one); not read")))
    # os.walk visits a folder before its sub-folders; the files are applied in lexical path order
    return sorted(found, key=lambda item: item[0].split(os.sep))


def _not_a_manifest(path: str) -> Skipped | None:
    name = os.path.basename(path)
    if name in KUSTOMIZATION_FILES:
        return Skipped("K2E-I034", path, f"{name} is kustomize's input, not a manifest; the other files of "
                                         f"{_shown(os.path.dirname(path) or '.')} were read as they are, without its patches")
    if name in CHART_FILES:
        return Skipped("K2E-I033", path, f"{_shown(os.path.dirname(path) or '.')} is a Helm chart source: "
                                         "its templates become manifests only when rendered")
    return None


def _excluded(relative: str, name: str, exclude: tuple[str, ...]) -> bool:
    relative = relative.replace(os.sep, "/")
    return any(fnmatch(relative, pattern) or fnmatch(name, pattern) for pattern in exclude)


def _holds_manifests(folder: str) -> bool:
    for _, _, files in os.walk(folder):
        if any(name.lower().endswith(MANIFEST_SUFFIXES) for name in files):
            return True
    return False


def _shown(path: str) -> str:
    return path.rstrip(os.sep) + os.sep
