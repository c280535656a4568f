"""The Dockerfile (issue 23 item 1). No container engine runs here, so what can be checked without one is:
the base image is pinned, k2ecs is installed from the checkout (never by name from an index), the build
context it copies is all the wheel needs, and (slow) a wheel builds from exactly that context."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [line.strip() for line in DOCKERFILE.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _copied() -> list[str]:
    sources = []
    for line in INSTRUCTIONS:
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    return sources


def test_base_images_are_pinned_to_an_exact_release():
    images = [line.split()[1] for line in INSTRUCTIONS if line.startswith("FROM ")]
    assert images
    for image in images:
        assert "@sha256:" in image or re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", image), image


def test_k2ecs_is_installed_from_the_checkout_and_runs_as_a_user():
    installs = [line for line in INSTRUCTIONS if "pip install" in line]
    assert len(installs) == 1 and installs[0].split()[-1] == "."  # the build context, not a package name
    assert not re.search(r"pip install[^\n]* k2ecs(==|\s|$)", DOCKERFILE)
    assert json.loads(next(line for line in INSTRUCTIONS if line.startswith("ENTRYPOINT "))[len("ENTRYPOINT "):]) == ["k2ecs"]
    user = next(line for line in INSTRUCTIONS if line.startswith("USER ")).split()[1]
    assert user not in ("root", "0")


def test_the_build_context_holds_what_the_wheel_needs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *wheel["packages"], *wheel["force-include"]}
    copied = set(_copied())
    assert needed <= copied, needed - copied
    assert all((ROOT / source).exists() for source in copied)


@pytest.mark.slow
def test_a_wheel_builds_from_exactly_the_copied_context(tmp_path: Path):
    context = tmp_path / "context"
    context.mkdir()
    for source in _copied():
        path = ROOT / source
        (context / source).parent.mkdir(parents=True, exist_ok=True)  # docs/MAPPING.md
        (shutil.copytree if path.is_dir() else shutil.copy)(path, context / source)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                           str(context)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "dist").glob("k2ecs-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "converter/cli.py" in names and any(n.startswith("converter/_data/schemas/") for n in names)
    assert any(n.startswith("converter/_data/templates/") for n in names)
    assert "converter/_data/docs/MAPPING.md" in names


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_documented_git_route_builds_k2ecs_from_a_ref(tmp_path: Path):
    """README: pipx install git+<repository>@<ref>. pipx installs with pip, so pip building the wheel from
    a git URL at a commit is the route (here the URL is this checkout's own repository)."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                           f"git+file://{ROOT}@{commit}"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "dist").glob("k2ecs-*.whl")
    assert "converter/cli.py" in zipfile.ZipFile(wheel).namelist()
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"pipx install git\+https://\S+@v?[\w.]+", readme)
