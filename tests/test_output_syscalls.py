"""What `convert -o` asks of the file system for each payload file (issue 24): one create, one write and one
close, the create relative to the staging folder; no stat, fsync, rename, chmod or unlink of its own. The
folder's guarantees (staged, swapped in at commit, nothing left beside it) are tests/test_atomic_writes.py's."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import pytest

from converter.write import output
from converter.write.sinks import FolderSink

# Calls a payload file must not make: each would be a system call per file (7,541 files at 10 MB).
_FORBIDDEN = ("stat", "lstat", "fsync", "fdatasync", "rename", "replace", "chmod", "unlink", "mkdir", "makedirs",
              "listdir", "scandir")


def _workload(index: int, scaling: bool) -> SimpleNamespace:
    name = f"w{index:03d}"
    return SimpleNamespace(name=name, resource=f"Deployment/{name}", task_definition={"family": name},
                           service={"serviceName": name, "desiredCount": 1},
                           scaling={"scalableTarget": {"MinCapacity": 1}} if scaling else None)


class _Counted:
    """os's file calls, counted while a workload's files are written."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        for name in ("open", "write", "close", *_FORBIDDEN):
            real = getattr(os, name, None)
            if real is not None:
                monkeypatch.setattr(os, name, self._counting(name, real))

    def _counting(self, name: str, real):
        def counting(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return real(*args, **kwargs)
        return counting

    def named(self, name: str) -> list[tuple[tuple, dict]]:
        return [(args, kwargs) for called, args, kwargs in self.calls if called == name]


@pytest.mark.skipif(not output._DIR_FD, reason="os.open takes no dir_fd here (Windows)")
def test_each_payload_file_is_one_create_one_write_one_close_relative_to_the_staging_folder(tmp_path, monkeypatch):
    sink = FolderSink(str(tmp_path / "out"))
    try:
        sink.put(0, _workload(0, scaling=True))  # makes the staging folder: counted apart, once a run
        counted = _Counted(monkeypatch)
        for index in range(1, 21):
            sink.put(index, _workload(index, scaling=index % 2 == 0))
        monkeypatch.undo()
        files = sum(3 if index % 2 == 0 else 2 for index in range(1, 21))
        opens = counted.named("open")
        assert len(opens) == files
        assert len(counted.named("write")) == files  # each file's text in one write
        assert len(counted.named("close")) == files
        for args, kwargs in opens:
            assert "/" not in args[0] and os.sep not in args[0]  # a name, not a path walked again
            assert kwargs.get("dir_fd") == sink.staged.fd is not None
        assert [name for name, _, _ in counted.calls if name in _FORBIDDEN] == []
        sink.finish({"tool": "k2ecs"})
    finally:
        sink.close()
    written = sorted(os.listdir(tmp_path / "out"))
    assert len(written) == 1 + 3 + files and "w020.scaling.json" in written and "w019.scaling.json" not in written
    assert (tmp_path / "out" / "w007.service.json").read_text(encoding="utf-8") == output.dumps(_workload(7, False).service)
    assert os.listdir(tmp_path) == ["out"]  # the staging folder went with the swap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="open descriptors read from /proc/self/fd")
@pytest.mark.parametrize("commit", [True, False])
def test_the_staging_folders_descriptor_is_closed_whether_committed_or_discarded(tmp_path, commit):
    before = set(os.listdir("/proc/self/fd"))
    folder = output.StagedFolder(str(tmp_path / "out"))
    try:
        folder.write("a.json", "{}\n")
        if commit:
            folder.commit()
    finally:
        folder.discard()
    assert set(os.listdir("/proc/self/fd")) <= before
    assert folder.fd is None
    assert os.listdir(tmp_path) == (["out"] if commit else [])


def test_a_workload_put_again_loses_the_files_it_no_longer_writes(tmp_path):
    sink = FolderSink(str(tmp_path / "out"))
    try:
        sink.put(0, _workload(0, scaling=True))
        sink.put(0, _workload(0, scaling=False))  # pass 2 replaced it: no scaling file any more
        sink.finish({"tool": "k2ecs"})
    finally:
        sink.close()
    assert sorted(os.listdir(tmp_path / "out")) == ["report.json", "w000.service.json", "w000.taskdef.json"]
