"""Child processes for bench/run.py (issue 24): one run of a k2ecs path or of the floor, its CPU time, wall
time and peak memory, and the local AWS (moto) the plan path talks to.

CPU time is user + system of the child alone (``os.wait4``; unlike ru_maxrss, CPU times do not carry over
through fork), so it does not count the other processes of this shared machine, nor the moto server,
which runs in this process. Peak memory is the child's own VmHWM, read by bench/peak.py at exit.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# The floor: parse the same file(s) with libyaml and PyYAML's C-backed loader, in one process, with the cyclic
# GC off as k2ecs turns it off while it loads and converts (cli_common.conversion).
FLOOR_CHILD = ("import gc, sys, yaml\n"
               "gc.disable()\n"
               "for name in sys.argv[1:]:\n"
               "    with open(name, encoding='utf-8') as f:\n"
               "        docs = list(yaml.load_all(f.read(), Loader=yaml.CSafeLoader))\n")

REGION = "eu-west-1"
CLUSTER = "bench"


@dataclass
class Run:
    status: int | None  # None: killed at the timeout
    cpu: float  # seconds, user + system
    wall: float
    peak: int | None  # bytes
    error: str = ""  # the end of stderr when the status was not expected


def child_env(cache: Path, aws_endpoint: str | None) -> dict[str, str]:
    """The children's environment: this checkout first, a bytecode cache (warm after the warm-up runs, as
    an installed tool's would be), and no AWS but the local server: every AWS_* variable is replaced."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "MOTO_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(AWS_ACCESS_KEY_ID="bench-not-a-key", AWS_SECRET_ACCESS_KEY="bench-not-a-secret",
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    if aws_endpoint is not None:
        env["AWS_ENDPOINT_URL"] = aws_endpoint
    return env


def run_child(args: list[str], env: dict[str, str], cwd: Path, stdout: Path | None, ok: tuple[int, ...],
              timeout: float) -> Run:
    """One run of ``python -m converter ARGS`` (or ``python -c FLOOR_CHILD`` when args[0] is "-c")."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as err:
        peak_file = Path(scratch) / "peak"
        command = [sys.executable, str(BENCH / "peak.py"), str(peak_file),
                   *(args if args[0] == "-c" else ["-m", "converter", *args])]
        with open(stdout if stdout is not None else os.devnull, "wb") as out:
            start = time.perf_counter()
            child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
            status: int | None = None
            deadline = start + timeout
            while True:
                pid, raw, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    status = os.waitstatus_to_exitcode(raw)
                    child.returncode = status
                    break
                if time.perf_counter() > deadline:
                    os.killpg(child.pid, signal.SIGKILL)  # its own session: only this child and what it started
                    _, raw, usage = os.wait4(child.pid, 0)
                    child.returncode = -9
                    break
                time.sleep(0.02)
            wall = time.perf_counter() - start
        error = ""
        if status not in ok:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            error = lines[-1][:300] if lines else ""
        peak = int(peak_file.read_text()) if status is not None and peak_file.is_file() else None
        return Run(status, usage.ru_utime + usage.ru_stime, wall, peak, error)


def floor_args(files: list[Path]) -> list[str]:
    return ["-c", FLOOR_CHILD, *map(str, files)]


class LocalAws:
    """moto's ThreadedMotoServer on 127.0.0.1 with a VPC, a subnet, a security group and an empty ECS
    cluster: ``k2ecs plan`` reads the cluster and finds everything to create. Nothing leaves the machine."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.subnet = self.security_group = ""

    def prepare(self, env: dict[str, str]) -> None:
        import boto3

        session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=REGION)
        ec2 = session.client("ec2", endpoint_url=self.endpoint)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        self.security_group = ec2.create_security_group(GroupName="bench", Description="bench",
                                                        VpcId=vpc)["GroupId"]
        session.client("ecs", endpoint_url=self.endpoint).create_cluster(clusterName=CLUSTER)

    def stop(self) -> None:
        self.server.stop()
