"""The supervision of `python -m bot run` without servers: the backoff, its settings, restarts
of a stopped process (stand-in processes that exit at once) and the guarded run files."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.cli import GUARD_CLASS, GUARD_PATH, Assistant, Backoff, LaunchError, Server


def test_backoff_doubles_up_to_the_maximum():
    backoff = Backoff(initial=1, maximum=30, reset_after=60)
    assert [backoff.delay(uptime=2) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_backoff_starts_over_after_a_long_enough_run():
    backoff = Backoff(initial=1, maximum=30, reset_after=60)
    assert [backoff.delay(5) for _ in range(4)] == [1, 2, 4, 8]
    assert backoff.delay(59) == 16  # not long enough
    assert backoff.delay(60) == 1  # stayed up a minute: a new problem, not the same one
    assert backoff.delay(1) == 2


def test_backoff_settings_from_the_environment():
    backoff = Backoff.from_env({"RESTART_DELAY": "0.5", "RESTART_DELAY_MAX": "4", "RESTART_RESET_AFTER": "10"})
    assert [backoff.delay(0) for _ in range(5)] == [0.5, 1, 2, 4, 4]
    assert backoff.reset_after == 10
    default = Backoff.from_env({})
    assert (default.initial, default.maximum, default.reset_after) == (1, 30, 60)


@pytest.mark.parametrize("env, message", [
    ({"RESTART_DELAY": "soon"}, "RESTART_DELAY must be a positive number of seconds, not 'soon'"),
    ({"RESTART_DELAY_MAX": "0"}, "RESTART_DELAY_MAX must be a positive number of seconds, not '0'"),
    ({"RESTART_DELAY": "10", "RESTART_DELAY_MAX": "5"}, "RESTART_DELAY_MAX (5 s) is shorter than RESTART_DELAY (10 s)"),
])
def test_wrong_backoff_settings_are_one_line(env, message):
    with pytest.raises(LaunchError) as err:
        Backoff.from_env(env)
    assert str(err.value) == message


def test_wrong_action_timeout(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTION_TIMEOUT", "-1")
    with pytest.raises(LaunchError, match="ACTION_TIMEOUT must be a positive number of seconds"):
        Assistant(run_dir=tmp_path)


def supervised(tmp_path):
    """An Assistant with one 'server', started as ``python -c CODE`` by ``spawn``."""
    lines = []
    assistant = Assistant(run_dir=tmp_path, log_dir=tmp_path, log=lines.append,
                          backoff=lambda: Backoff(initial=1, maximum=4, reset_after=60))
    server = Server("action server", "actions", [], assistant.make_backoff())
    assistant.servers = {"actions": server}
    return assistant, server, lines


def spawn(assistant, server, code, monkeypatch):
    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kwargs: real_popen([sys.executable, "-c", code], **kwargs))
    return assistant._spawn(server)


def group_members(pgid):
    """Live (not zombie) processes in a process group."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_a_stopped_server_is_restarted_after_its_backoff_with_one_line_each_time(tmp_path, monkeypatch):
    assistant, server, lines = supervised(tmp_path)
    first = spawn(assistant, server, "import sys; sys.exit(3)", monkeypatch)
    first.wait()
    server.started = 1000.0
    assistant.supervise_once(now=1002.0)
    assert lines == ["supervisor: the action server stopped (exit code 3 after 2 s); restart 1 in 1 s"]
    assert server.process is first and server.restart_at == 1003.0
    assistant.supervise_once(now=1002.5)  # not yet, and no second line
    assert server.process is first and len(lines) == 1
    assistant.supervise_once(now=1003.0)
    assert server.process is not first and server.restart_at is None
    server.process.wait()
    server.started = 1003.0
    assistant.supervise_once(now=1003.5)
    assert lines[-1] == "supervisor: the action server stopped (exit code 3 after 0 s); restart 2 in 2 s"
    assistant.stop()
    assert (tmp_path / "actions.log").exists()


def test_a_running_server_is_left_alone_and_stop_ends_its_whole_group(tmp_path, monkeypatch):
    assistant, server, lines = supervised(tmp_path)
    # The stand-in starts a child in its process group, as a server with worker processes would.
    code = ("import subprocess, sys, time; "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")
    process = spawn(assistant, server, code, monkeypatch)
    deadline = time.monotonic() + 10
    while len(group_members(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(group_members(process.pid)) == 2
    assistant.supervise_once()
    assert lines == [] and server.running
    assistant.stop()
    assert process.poll() is not None
    deadline = time.monotonic() + 5
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert group_members(process.pid) == []


def test_the_action_guard_is_put_between_rasa_and_the_action_server(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text('action_endpoint:\n  url: "http://localhost:5170/webhook"\n'
                         'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "var/x.db"\n')
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\nbot.channels.slack.SlackInput:\n  slack_token: ${SLACK_TOKEN}\n")
    assistant = Assistant(rasa_port=5120, actions_port=5170, endpoints=endpoints, credentials=credentials,
                          run_dir=tmp_path / "run", action_timeout=2.5)
    run_endpoints, run_credentials = assistant._guarded_files()
    text = run_credentials.read_text()
    assert "slack_token: ${SLACK_TOKEN}" in text  # still a reference for Rasa to fill in
    got = yaml.safe_load(text)
    assert got[GUARD_CLASS] == {"upstream": {"url": "http://localhost:5170/webhook"}, "timeout": 2.5}
    assert "rest" in got
    got = yaml.safe_load(run_endpoints.read_text())
    assert got["action_endpoint"] == {"url": f"http://127.0.0.1:5120{GUARD_PATH}", "token": "${ACTION_GUARD_TOKEN}"}
    assert got["tracker_store"]["db"] == "var/x.db"
    assert run_endpoints.stat().st_mode & 0o077 == 0

    # Without an action endpoint, or with the guard configured by hand, the files are used as they are.
    endpoints.write_text("tracker_store:\n  type: SQL\n")
    assert assistant._guarded_files() == (endpoints, credentials)
