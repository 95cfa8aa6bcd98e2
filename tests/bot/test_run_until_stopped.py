"""`bot run` and `bot cluster` share one way to start, supervise and stop their processes."""
import signal

import pytest

from bot.cli import LaunchError, run_until_stopped


class Stack:
    """Records what was called; raises what it is told to at start or while supervising."""

    def __init__(self, at_start=None, while_running=KeyboardInterrupt):
        self.at_start, self.while_running, self.calls = at_start, while_running, []

    def start(self):
        self.calls.append("start")
        if self.at_start:
            raise self.at_start

    def supervise(self):
        self.calls.append("supervise")
        raise self.while_running

    def stop(self):
        self.calls.append("stop")


@pytest.fixture(autouse=True)
def signals_back():
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGINT, before[0])
    signal.signal(signal.SIGTERM, before[1])


def test_ctrl_c_while_running_stops_everything_and_exits_0(capsys):
    stack = Stack()
    assert run_until_stopped(stack, lambda: "ready!") == 0
    assert stack.calls == ["start", "supervise", "stop"]
    out = capsys.readouterr().out
    assert out.index("ready!") < out.index("Stopping")


def test_a_process_that_cannot_start_is_one_line_and_exit_2(capsys):
    stack = Stack(at_start=LaunchError("port 5005 is in use"))
    assert run_until_stopped(stack, lambda: "ready!") == 2
    assert stack.calls == ["start"]
    captured = capsys.readouterr()
    assert captured.err.strip() == "error: port 5005 is in use" and "ready!" not in captured.out


def test_ctrl_c_while_starting_stops_what_started_and_exits_130(capsys):
    stack = Stack(at_start=KeyboardInterrupt())
    assert run_until_stopped(stack, lambda: "ready!") == 130
    assert stack.calls == ["start", "stop"]
    assert "ready!" not in capsys.readouterr().out
