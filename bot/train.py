"""Train the Rasa model with visible progress: ``python -m bot train``.

``rasa train --quiet`` is silent for minutes; without ``--quiet`` it prints hundreds of lines of
warnings and progress bars. This wrapper runs ``rasa train`` as a child process, reads its log
(component starts and ends, the ``Epochs`` progress bar), and prints one short status line every
few seconds: what is training and how long it has taken. At the end it prints how long each
component took, which is also the cheapest profile of training we have. The child's full output is
kept in a log file for when something goes wrong.

Imports no Rasa (the child process does), so it starts at once.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, Iterator, List, Optional

PROJECT_DIR = Path(__file__).resolve().parent.parent

_START = re.compile(r"Starting to train component '([^']+)'")
_END = re.compile(r"Finished training component '([^']+)'")
_EPOCH = re.compile(r"Epochs:\s*\d+%.*?\|\s*(\d+)/(\d+)")
_RESTORED = re.compile(r"Restored component '([^']+)' from cache")
_NOTHING = re.compile(r"Nothing changed|No training of components required|model is up to date", re.I)


def clock(seconds: float) -> str:
    """``75.2`` -> ``1:15``."""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass
class Progress:
    """What the training log has said so far."""

    started: float
    component: Optional[str] = None
    epoch: Optional[str] = None
    component_started: float = 0.0
    durations: Dict[str, float] = field(default_factory=dict)
    order: List[str] = field(default_factory=list)
    up_to_date: bool = False
    restored: List[str] = field(default_factory=list)

    def feed(self, line: str, now: float) -> None:
        """Take one line (or one progress-bar refresh) of the child's output."""
        match = _START.search(line)
        if match:
            self.component, self.epoch, self.component_started = match.group(1), None, now
            return
        match = _END.search(line)
        if match:
            name = match.group(1)
            self._finish(name, now)
            return
        match = _RESTORED.search(line)
        if match:
            self.restored.append(match.group(1))
            return
        match = _EPOCH.search(line)
        if match and self.component:
            self.epoch = f"{match.group(1)}/{match.group(2)}"
            return
        if _NOTHING.search(line):
            self.up_to_date = True

    def _finish(self, name: str, now: float) -> None:
        took = now - (self.component_started if self.component == name else now)
        key = name
        n = 2
        while key in self.durations:  # the same component class twice (two CountVectorsFeaturizers)
            key, n = f"{name} #{n}", n + 1
        self.durations[key] = took
        self.order.append(key)
        self.component, self.epoch = None, None

    def status(self, now: float) -> str:
        """One line: elapsed time and what is training now."""
        what = "preparing the training data"
        if self.component:
            what = self.component + (f", epoch {self.epoch}" if self.epoch else "")
        elif self.order:
            what = f"between steps (last: {self.order[-1]})"
        elif self.restored:
            what = f"reusing unchanged steps from the cache ({len(self.restored)} so far: {self.restored[-1]})"
        return f"   training {clock(now - self.started)} · {what}"

    def report(self, total: float, top: int = 6) -> List[str]:
        """The slowest components, then the total."""
        lines = []
        slow = sorted(self.order, key=lambda k: -self.durations[k])[:top]
        for key in slow:
            if self.durations[key] >= 0.5:
                lines.append(f"   {clock(self.durations[key]):>6}  {key}")
        lines.append(f"   {clock(total):>6}  in all")
        return lines


def _pieces(stream: IO[bytes]) -> Iterator[str]:
    """Lines of a byte stream, where a progress bar's carriage return also ends a line."""
    buffer = b""
    while True:
        read = getattr(stream, "read1", stream.read)
        chunk = read(4096)
        if not chunk:
            break
        buffer += chunk
        parts = re.split(rb"[\r\n]", buffer)
        buffer = parts.pop()
        for part in parts:
            if part:
                yield part.decode("utf-8", "replace")
    if buffer:
        yield buffer.decode("utf-8", "replace")


def say(line: str) -> None:
    print(line, flush=True)


def train(
    rasa_args: List[str],
    log_path: Path,
    every: float = 10.0,
    out: Callable[[str], None] = say,
    python: str = sys.executable,
) -> int:
    """Run ``python -m rasa train <rasa_args>``, print progress, return its exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    progress = Progress(started=started)
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    command = [python, "-m", "rasa", "train", *rasa_args]
    last = started
    with open(log_path, "w", encoding="utf-8", buffering=1) as log:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_DIR)
        assert child.stdout is not None
        try:
            for piece in _pieces(child.stdout):
                now = time.monotonic()
                log.write(piece + "\n")
                before = progress.component
                progress.feed(piece, now)
                if progress.component and progress.component != before:
                    out(progress.status(now))
                    last = now
                elif now - last >= every:
                    out(progress.status(now))
                    last = now
            code = child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait()
            raise
    total = time.monotonic() - started
    if code != 0:
        out(f"error: training failed after {clock(total)}; the last lines of {log_path}:")
        for line in log_path.read_text(encoding="utf-8").splitlines()[-15:]:
            out("   " + line)
        return code
    if progress.up_to_date and not progress.order:
        out(f"   the model is up to date ({clock(total)})")
        return 0
    out("   done; the slowest steps:")
    for line in progress.report(total):
        out(line)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot train", description=__doc__.splitlines()[0])
    parser.add_argument("--log", default=str(PROJECT_DIR / "var" / "train.log"), help="the full training log")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between status lines")
    args, rasa_args = parser.parse_known_args(argv)
    if rasa_args[:1] == ["--"]:
        rasa_args = rasa_args[1:]
    try:
        return train(rasa_args, Path(args.log), every=args.every)
    except KeyboardInterrupt:
        print("training stopped (Ctrl-C)")
        return 130


if __name__ == "__main__":
    sys.exit(main())
