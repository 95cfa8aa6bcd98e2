"""End to end: the whole stack of `python -m bot cluster` restarted again and again during one
interview; every time the interview goes on at the same step.

First a reference interview is held without a restart and its replies are kept. Then the same
interview is held in a new conversation while the whole stack (PostgreSQL, Redis, nginx, action
servers, Rasa replicas) is stopped with Ctrl-C and started again on the same data folder at
CLUSTER_RESTARTS (10) random points between two messages (positions drawn with
CLUSTER_RESTART_SEED, printed, so a failure can be replayed). After every restart the reply to the
next message must be the reference's reply at that step (links and dates left out), and in the end
PostgreSQL must hold every message of the officer exactly once, in order.

To stay within CI's time the stack runs one Rasa replica here (CLUSTER_RESTART_REPLICAS, default 1):
each start loads the model once per replica, and the two-replica failover is tested in
test_cluster.py. With the default of 10 restarts the module takes about 10 minutes on 2 cores.
"""
import os
import random
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conversation.texts import SERVICE_UNAVAILABLE, STORE_UNAVAILABLE
from tests.cluster.conftest import ClusterRun, cluster_preflight, report, say

pytestmark = pytest.mark.cluster

RESTARTS = int(os.environ.get("CLUSTER_RESTARTS", "10"))
REPLICAS = os.environ.get("CLUSTER_RESTART_REPLICAS", "1")
SEED = int(os.environ.get("CLUSTER_RESTART_SEED") or random.SystemRandom().randrange(1, 10**6))
SCRIPT = [
    "hoi", "Deventer", "sociaal domein", "er is een signaal",
    "bij de schuldhulp zien we veel stress en drinken in gezinnen met schulden", "de schuldhulpverlener",
    "het neemt toe", "gezinnen met schulden", "het sociaal wijkteam", "schuldhulp", "weinig", "volgende",
    "waarom?", "volgende", "volgende", "volgende", "volgende", "verslag",
]
_VOLATILE = re.compile(r"https?://\S+|\b\d{1,2}[-/ ]\w+[-/ ]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b")


def _same(text: str) -> str:
    """A reply without what differs between two conversations (links, dates, times)."""
    return _VOLATILE.sub("…", text).strip()


@pytest.fixture(scope="module")
def folder(request):
    cluster_preflight()
    # Not under pytest's own temporary folder (mode 0700): PostgreSQL and Redis run as their own users.
    path = Path(tempfile.mkdtemp(prefix="pw-restarts-"))
    path.chmod(0o755)
    failed = request.session.testsfailed
    yield path
    if request.session.testsfailed == failed:
        shutil.rmtree(path, ignore_errors=True)
    else:
        report(request, f"\nrestarts: logs kept in {path}")


def test_the_whole_stack_restarted_at_random_points_goes_on_at_the_same_step(folder, request):
    began = time.monotonic()
    env = {"RASA_REPLICAS": REPLICAS}
    run = ClusterRun(folder, env)
    starts = [run.start_seconds]
    try:
        reference = f"reference-{uuid.uuid4().hex[:6]}"
        expected = [_same(say(run.url, reference, text, timeout=120)[0]) for text in SCRIPT]
        assert all(expected) and SERVICE_UNAVAILABLE not in expected and STORE_UNAVAILABLE not in expected, expected
        # Restart points: before message k (1 <= k < len(SCRIPT)), RESTARTS of them, drawn with SEED;
        # more restarts than points means some points get two restarts in a row.
        rng = random.Random(SEED)
        points = sorted(rng.choices(range(1, len(SCRIPT)), k=RESTARTS)) if RESTARTS > len(SCRIPT) - 1 \
            else sorted(rng.sample(range(1, len(SCRIPT)), RESTARTS))
        report(request, f"\nrestarts: seed {SEED} (CLUSTER_RESTART_SEED), before messages {points}")
        me = f"restarts-{uuid.uuid4().hex[:6]}"
        for k, text in enumerate(SCRIPT):
            for _ in range(points.count(k)):
                run.stop()
                assert run.process.returncode is not None
                run = ClusterRun(folder, env)
                starts.append(run.start_seconds)
            try:
                reply = _same(say(run.url, me, text, timeout=120)[0])
            except OSError as err:
                pytest.fail(f"message {k} ({text!r}) after restarts at {points}: {err}\n" + run.logs())
            assert reply == expected[k], (
                f"message {k} ({text!r}), restarts at {points} (seed {SEED}): not the same step as without "
                f"restarts\nexpected: {expected[k]!r}\ngot:      {reply!r}")
        assert run.user_messages(me) == SCRIPT  # every message once, in order, nothing lost
    finally:
        run.stop()
    report(request, f"restarts: {len(starts) - 1} restarts of the whole stack, start {min(starts):.0f}–"
                    f"{max(starts):.0f} s, module {time.monotonic() - began:.0f} s")
