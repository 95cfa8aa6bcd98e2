"""End to end: the officer simulation of benchmarks/officer_sim.py against the real servers.

One tuning scenario per target group must reach the recap with no reset and no question asked
more than twice in a row; a short fuzz run (odd inputs before every answer) must still reach the
plan within 40 messages, keep the municipality and never reset. The full benchmark, with plan
relevance and the unseen scenarios, is `make eval`.
"""
import random

import pytest

from benchmarks import officer_sim as sim
from bot.cli import DEFAULT_MODEL, LaunchError

pytestmark = pytest.mark.e2e

RASA_PORT, ACTIONS_PORT = 5110, 5160
ONE_PER_GROUP = sim.one_per_group(sim.load_scenarios("tuning"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("officer-sim")
    try:
        assistant, client = sim.start_assistant(DEFAULT_MODEL, tmp,
                                                rasa_port=RASA_PORT, actions_port=ACTIONS_PORT)
    except LaunchError as err:
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))
        pytest.fail(f"{err}\n{logs}")
    yield client
    assistant.stop()


def test_the_scenario_files_are_sound():
    assert sim.check_scenarios(sim.load_scenarios("all")) == []
    assert len(sim.load_pool()) >= 200


@pytest.fixture(scope="module")
def results(client):
    """The conversations of one scenario per group, four at a time."""
    done = sim.run_all(4, lambda s: sim.run_scenario(client, s), ONE_PER_GROUP)
    return {r.scenario.id: r for r in done}


@pytest.mark.parametrize("scenario", ONE_PER_GROUP, ids=[s.groups[0] for s in ONE_PER_GROUP])
def test_one_scenario_per_group_reaches_the_recap(results, scenario):
    result = results[scenario.id]
    # The targets of this test; municipality, groups and plan relevance are reported by `make eval`.
    targets = ("driver error", "no recap", "repeated question", "reset")
    problems = [p for p in result.problems() if p.split(":")[0] in targets]
    assert not problems, "; ".join(problems) + "\n" + result.transcript()


def test_fuzz_keeps_the_interview_on_track(client):
    rng = random.Random(20261122)
    pool = sim.load_pool()
    scenarios = sim.fuzz_scenarios()
    failures = []
    for _ in range(3):
        result = sim.run_fuzz(client, rng.choice(scenarios), pool, random.Random(rng.random()))
        problems = sim.fuzz_problems(result)
        if problems:
            failures.append(f"{result.scenario.id}: " + "; ".join(problems) + "\n" + result.transcript(last=8))
    assert not failures, "\n\n".join(failures)
