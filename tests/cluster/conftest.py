"""The cluster of `python -m bot cluster`, started once per test module, on ports and in a folder of
its own. Only with ``--cluster`` or CLUSTER_TESTS=1 (`make test-cluster`): it takes minutes.

PostgreSQL, Redis and nginx come from Debian's packages; scripts/install-cluster-services.sh
installs the missing ones as root. Elsewhere the tests are skipped with the reason.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Optional

import pytest

from bot.cli import PROJECT_DIR, child_env, port_free
from bot.cluster import postgres_bin
from tests import rest

PORTS = {
    "CLUSTER_PORT": 8280, "CLUSTER_RASA_PORT": 5221, "CLUSTER_ACTIONS_PORT": 5271, "CLUSTER_ACTIONS_LB_PORT": 5270,
    "POSTGRES_PORT": 5443, "REDIS_PORT": 6390,
}
# Seconds (default 4). Dead action servers give the apology at once (nginx refuses); this is only
# the wait for a slow one, generous because 30 conversations at once share 2 busy cores here.
ACTION_TIMEOUT = 10


def _services_missing():
    return [name for name, found in (("postgresql", postgres_bin()), ("redis-server", shutil.which("redis-server")),
                                     ("nginx", shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")))
            if not found]


class ClusterRun:
    """`python -m bot cluster` as the operator starts it, with its log and its processes."""

    def __init__(self, folder: Path, env: Optional[Dict[str, str]] = None):
        began = time.monotonic()
        self.folder = folder
        self.log = folder / "cluster.log"
        self.env = dict(child_env(), CLUSTER_DIR=str(folder / "cluster"), ACTION_TIMEOUT=str(ACTION_TIMEOUT),
                        RESTART_DELAY="1", RESTART_DELAY_MAX="30", **{k: str(v) for k, v in PORTS.items()},
                        **(env or {}))
        self.url = f"http://127.0.0.1:{PORTS['CLUSTER_PORT']}"
        self.rasa_ports = [PORTS["CLUSTER_RASA_PORT"], PORTS["CLUSTER_RASA_PORT"] + 1]
        self.actions_ports = [PORTS["CLUSTER_ACTIONS_PORT"], PORTS["CLUSTER_ACTIONS_PORT"] + 1]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "cluster"], cwd=PROJECT_DIR, env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT)
        try:
            self.wait_for(lambda: "is ready" in self.text(), 480, "bot cluster did not start")
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began

    @property
    def secret(self):
        return (self.folder / "cluster" / "secrets" / "postgres-password").read_text().strip()

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def logs(self, tail=3000) -> str:
        parts = [self.text()[-tail:]]
        for path in sorted((self.folder / "cluster" / "logs").glob("*.log")):
            parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-tail:])
        return "\n".join(parts)

    def wait_for(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what}:\n" + self.logs())
            time.sleep(0.5)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def child(self, *words: str) -> int:
        """The pid of the cluster's child process whose command line holds all ``words`` (each within
        an argument: Redis rewrites its command line to ``redis-server 127.0.0.1:PORT``)."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.process.pid and all(any(word in arg for arg in cmdline) for word in words):
                return int(stat.parent.name)
        pytest.fail(f"no child process with {words}:\n" + self.logs())

    def rasa(self, replica: int) -> int:
        return self.child("rasa", "run", str(self.rasa_ports[replica - 1]))

    def actions(self, replica: int) -> int:
        return self.child("rasa_sdk", str(self.actions_ports[replica - 1]))

    def redis(self) -> int:
        return self.child("redis-server")

    def postgres(self) -> int:
        return self.child("postgres", "-D", str(PORTS["POSTGRES_PORT"]))

    def access_log(self):
        """(remote address, request line, status, upstream that answered) of each request to nginx."""
        lines = (self.folder / "cluster" / "nginx" / "access.log").read_text(errors="replace").splitlines()
        pattern = re.compile(r'^(\S+) \[[^]]*\] "([^"]*)" (\d+) (.*) (\S+)$')
        rows = []
        for line in lines:
            match = pattern.match(line)
            if match:
                rows.append((match[1], match[2], int(match[3]), match[4].split(", ")[-1]))
        return rows

    def db(self):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=PORTS["POSTGRES_PORT"], user="preventiewijzer",
                                password=self.secret, dbname="preventiewijzer")

    def user_messages(self, sender):
        with self.db() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (sender,))
            return [json.loads(data)["text"] for (data,) in cursor.fetchall()]


def report(request, line):
    """A line on the terminal, also when the output is captured (figures of a passing run)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(line, flush=True)
    else:
        print(line, flush=True)


def up(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def say(url, sender, text, timeout=60):
    """(reply texts joined, seconds) over REST."""
    return rest.say(url, sender, text, timeout)


def cluster_preflight():
    """Skip when PostgreSQL, Redis or nginx cannot be had; fail when the cluster's ports are taken."""
    missing = _services_missing()
    if missing and os.geteuid() == 0:
        subprocess.run([str(PROJECT_DIR / "scripts" / "install-cluster-services.sh")], check=False)
        missing = _services_missing()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install {' '.join(missing)}); "
                    "cluster tests skipped")
    busy = [f"{name}={port}" for name, port in PORTS.items() if not port_free(port)]
    if busy:
        pytest.fail(f"ports in use: {', '.join(busy)}; stop what runs there")


@pytest.fixture(scope="module")
def cluster(request):
    cluster_preflight()
    started = time.monotonic()
    # Not under pytest's own temporary folder (mode 0700): PostgreSQL and Redis run as their own users.
    folder = Path(tempfile.mkdtemp(prefix="pw-cluster-"))
    folder.chmod(0o755)
    run = ClusterRun(folder)
    report(request, f"\ncluster: started in {time.monotonic() - started:.0f} s")
    failed = request.session.testsfailed
    yield run
    run.stop()
    if request.session.testsfailed == failed:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        report(request, f"\ncluster: logs kept in {folder}")
    report(request, f"\ncluster: {request.module.__name__} took {time.monotonic() - started:.0f} s in all "
                    "(start, tests, stop)")
