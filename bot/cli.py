"""Command line of the assistant.

    python -m bot run     start the action server and the Rasa server; Ctrl-C stops both
    python -m bot export CONVERSATION_ID [--format md|docx|pdf] [--out FILE] [--endpoints FILE]
                          write the summary of a stored conversation to a file
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, List, Optional, Union

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = PROJECT_DIR / "models" / "preventiewijzer.tar.gz"


class LaunchError(RuntimeError):
    """A problem the user can fix; printed as one line."""


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_http(url: str, timeout: float, process: subprocess.Popen, name: str) -> float:
    """Wait until ``url`` answers 200; returns the seconds it took."""
    start = time.monotonic()
    while True:
        if process.poll() is not None:
            raise LaunchError(f"the {name} stopped during start-up (exit code {process.returncode}); see its log above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        if time.monotonic() - start > timeout:
            raise LaunchError(f"the {name} did not answer at {url} within {timeout:.0f} s")
        time.sleep(0.5)


def child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONHASHSEED", "0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(PROJECT_DIR), env.get("PYTHONPATH", "")] if p)
    return env


def write_endpoints(path: Path, actions_port: int, tracker_db: str) -> Path:
    """Endpoints for a run on other ports or another tracker database (tests, benchmarks)."""
    path.write_text(
        "action_endpoint:\n"
        f'  url: "http://localhost:{actions_port}/webhook"\n'
        "tracker_store:\n"
        "  type: SQL\n"
        '  dialect: "sqlite"\n'
        f'  db: "{tracker_db}"\n',
        encoding="utf-8",
    )
    return path


class Assistant:
    """The two server processes of a running assistant."""

    def __init__(
        self,
        rasa_port: int = 5005,
        actions_port: int = 5055,
        model: Path = DEFAULT_MODEL,
        endpoints: Optional[Path] = None,
        credentials: Optional[Path] = None,
        log_dir: Optional[Path] = None,
        quiet: bool = False,
        api_token: Optional[str] = None,
    ):
        self.rasa_port = rasa_port
        self.actions_port = actions_port
        self.model = Path(model)
        if endpoints is None and actions_port != 5055:
            # The default endpoints point at port 5055: write ones for this port.
            (PROJECT_DIR / "var").mkdir(exist_ok=True)
            endpoints = write_endpoints(
                PROJECT_DIR / "var" / f"endpoints-{actions_port}.yml", actions_port, "var/tracker.db"
            )
        self.endpoints = endpoints or PROJECT_DIR / "endpoints.yml"
        self.credentials = credentials or PROJECT_DIR / "credentials.yml"
        self.log_dir = log_dir
        self.quiet = quiet
        # With a token, Rasa's HTTP API is on (e.g. to read a conversation's tracker in benchmarks).
        self.api_token = api_token
        self.processes: List[subprocess.Popen] = []
        self.start_seconds: Optional[float] = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        out: Union[IO[bytes], int, None] = None
        if self.log_dir is not None:
            out = open(self.log_dir / f"{name}.log", "wb")
        elif self.quiet:
            out = subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=PROJECT_DIR,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
        )
        self.processes.append(process)
        return process

    def check(self) -> None:
        if sys.version_info[:2] != (3, 10):
            raise LaunchError(f"Python 3.10 is needed, this is {sys.version.split()[0]}; run 'make run'")
        if not self.model.exists():
            raise LaunchError(f"no trained model at {self.model}; run 'make run' (it trains one)")
        for port, what in ((self.actions_port, "action server"), (self.rasa_port, "Rasa server")):
            if not port_free(port):
                raise LaunchError(
                    f"port {port} for the {what} is in use; stop what runs there "
                    f"or choose another port (RASA_PORT / ACTIONS_PORT)"
                )

    def start(self, timeout: float = 300) -> Assistant:
        self.check()
        started = time.monotonic()
        actions = self._spawn(
            "actions", ["rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)]
        )
        rasa = self._spawn(
            "rasa",
            [
                "rasa", "run",
                "--model", str(self.model),
                "--port", str(self.rasa_port),
                "--endpoints", str(self.endpoints),
                "--credentials", str(self.credentials),
                "--cors", os.environ.get("CORS_ORIGINS", "http://localhost:*"),
                *(["--enable-api", "--auth-token", self.api_token] if self.api_token else []),
            ],
        )
        try:
            wait_http(f"http://localhost:{self.actions_port}/health", timeout, actions, "action server")
            wait_http(f"{self.url}/webhooks/rest/", timeout, rasa, "Rasa server")
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []

    def __enter__(self) -> Assistant:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_run(args) -> int:
    # Ctrl-C (SIGINT) and a service manager's SIGTERM both stop the two servers cleanly, even when
    # we were started with SIGINT ignored (as background jobs of a non-interactive shell are).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    # Channels from the environment: rest and socketio always, Slack and Teams when configured.
    from bot.channels.config import ChannelConfigError, channel_config, channel_names, write_credentials

    try:
        channels = channel_names(channel_config())
        credentials = write_credentials(PROJECT_DIR / "var" / "credentials.yml")
    except ChannelConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("Channels: " + ", ".join(channels), flush=True)
    assistant = Assistant(
        rasa_port=args.port, actions_port=args.actions_port, model=Path(args.model),
        endpoints=Path(args.endpoints) if args.endpoints else None, credentials=credentials,
    )
    print(f"Starting the action server (port {args.actions_port}) and the Rasa server (port {args.port}) …", flush=True)
    try:
        assistant.start()
    except LaunchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        assistant.stop()
        return 130
    url = assistant.url
    print(
        f"\nPreventiewijzer is ready (started in {assistant.start_seconds:.0f} s).\n"
        f"  REST:      curl -s -XPOST {url}/webhooks/rest/webhook "
        "-H 'Content-Type: application/json' -d '{\"sender\": \"me\", \"message\": \"hoi\"}'\n"
        f"  socketio:  {url}/socket.io (for the web widget)\n"
        f"  terminal:  .venv/bin/rasa shell --model {args.model} --endpoints endpoints.yml (in another terminal)\n"
        "Press Ctrl-C to stop both servers.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in assistant.processes):
            time.sleep(1)
        print("error: a server stopped unexpectedly; see its log above", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        assistant.stop()


def cmd_export(args) -> int:
    from bot.export import ExportError
    from bot.trackers import export_conversation

    try:
        path = export_conversation(
            args.conversation_id, args.format, Path(args.out) if args.out else None,
            Path(args.endpoints) if args.endpoints else None,
        )
    except ExportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="start the action server and the Rasa server")
    p.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    p.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS"),
                   help="endpoints file (default: endpoints.yml: local action server, SQLite tracker store)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("export", help="write the summary of a stored conversation (Markdown, Word or PDF)")
    p.add_argument("conversation_id", help="the conversation (sender) id")
    p.add_argument("--format", default="docx", help="md, docx or pdf (default: docx)")
    p.add_argument("--out", help="file to write (default: preventiewijzer-<gemeente>-<datum>.<format> here)")
    p.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS"),
                   help="endpoints file with the tracker store (default: endpoints.yml: var/tracker.db)")
    p.set_defaults(func=cmd_export)
    args = parser.parse_args(argv)
    return args.func(args)
