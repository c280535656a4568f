"""Writing a conversion: all files to a temporary folder beside the target, then one swap into place.

An interrupted or failed run therefore leaves the previous output untouched, and a folder that is not
a k2ecs output is never replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from converter.errors import UsageError

REPORT_FILE = "report.json"


def dumps(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def output_files(outputs: list[Any], report: dict[str, Any]) -> dict[str, str]:
    files: dict[str, str] = {}
    for output in outputs:
        files[f"{output.name}.taskdef.json"] = dumps(output.task_definition)
        files[f"{output.name}.service.json"] = dumps(output.service)
        if output.scaling is not None:
            files[f"{output.name}.scaling.json"] = dumps(output.scaling)
    files[REPORT_FILE] = dumps(report)
    return files


def stdout_document(outputs: list[Any]) -> str:
    return dumps({"workloads": [
        {"name": o.name, "resource": o.resource, "taskDefinition": o.task_definition, "service": o.service,
         "scaling": o.scaling} for o in outputs
    ]})


def write_atomically(target: str, files: dict[str, str]) -> None:
    destination = Path(target)
    if destination.exists() and not destination.is_dir():
        raise UsageError("output path exists and is not a folder", file=target)
    if destination.is_dir() and any(destination.iterdir()) and not (destination / REPORT_FILE).is_file():
        raise UsageError("output folder is not empty and holds no k2ecs report.json; refusing to replace it", file=target)
    parent = destination.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.k2ecs-", dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the output folder should get the usual mode
    try:
        for name, text in files.items():
            if os.sep in name or name.startswith("."):
                raise UsageError(f"refusing to write output file name {name!r}")
            (staging / name).write_text(text, encoding="utf-8")
        old = None
        if destination.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old-", dir=parent))
            old.rmdir()
            destination.rename(old)
        staging.rename(destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
