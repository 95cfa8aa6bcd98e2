"""The same knowledge base on a real PostgreSQL server, started by the tests themselves.

Skipped, with the reason, only where no PostgreSQL server is installed (Debian: postgresql).
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from knowledge.plan import InterviewState, PlanEngine, Signal
from knowledge.store import KnowledgeBase
from tests.knowledge.test_store import assert_roundtrip


def _pg_bin():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if out:
            candidates.append(out)
    for folder in reversed(candidates):
        if os.path.exists(os.path.join(folder, "initdb")) and os.path.exists(os.path.join(folder, "pg_ctl")):
            return folder
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server installed (Debian: apt-get install postgresql); PostgreSQL tests skipped")
    tmp = Path(tempfile.mkdtemp(prefix="pw-pg-"))
    prefix = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        os.chown(tmp, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = tmp / "data", _free_port()
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)  # noqa: E731
    run(f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "pw", "--no-sync", "-E", "UTF8")
    run(f"{bindir}/pg_ctl", "-D", str(data), "-l", str(tmp / "log"), "-w", "-t", "60", "-o",
        f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgresql+psycopg2://pw@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


STATES = [
    InterviewState(municipality="Aalten", signals=[Signal(["3mmc"], ["uitgaan"], ["jongerenwerk"])],
                   groups=["uitgaanspubliek"], partners_present=["jongerenwerk"]),
    InterviewState(signals=[Signal(["alcohol"], ["wijk"])], groups=["lvb"]),
    InterviewState(signals=[Signal(["middelen_algemeen"], ["thuis_gezin"])], groups=["schulden_armoede", "kopp_kov"]),
    InterviewState(signals=[Signal(["lachgas"], ["straat"])], groups=["hangjongeren"], rejected=["lachgasverbod"]),
]


def test_postgres_holds_the_same_catalog(pg_url, catalog):
    assert_roundtrip(KnowledgeBase(url=pg_url), catalog)


def test_postgres_and_sqlite_give_identical_plans(pg_url, tmp_path):
    pg = KnowledgeBase(url=pg_url)
    pg.ensure_current()
    lite = KnowledgeBase(url=f"sqlite:///{tmp_path / 'kb.db'}")
    lite.ensure_current()
    for state in STATES:
        a = PlanEngine(pg.catalog()).make_plan(state)
        b = PlanEngine(lite.catalog()).make_plan(state)
        assert [(s.id, [(o.intervention.id, o.score) for o in s.options], s.notes) for s in a.steps] == \
               [(s.id, [(o.intervention.id, o.score) for o in s.options], s.notes) for s in b.steps]
