"""Command line of the assistant.

    python -m bot run     start the action server and the Rasa server and keep them running (a server
                          that stops is restarted, with backoff); Ctrl-C stops both
    python -m bot cluster start the scale-out topology on this machine: PostgreSQL, Redis, action
                          servers and Rasa replicas behind nginx (bot/cluster.py); Ctrl-C stops all
    python -m bot export CONVERSATION_ID [--format md|docx|pdf] [--out FILE] [--endpoints FILE]
                          write the summary of a stored conversation to a file
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
# RASA_MODEL picks another trained model (e.g. one trained with another seed, for the tests).
DEFAULT_MODEL = PROJECT_DIR / (os.environ.get("RASA_MODEL") or "models/preventiewijzer.tar.gz")


# The action guard (bot/channels/action_guard.py): the Rasa server's action endpoint, in front of the
# action server. Kept in sync with that module, which imports Rasa (this one must start fast).
GUARD_CLASS = "bot.channels.action_guard.ActionGuardInput"
GUARD_PATH = "/webhooks/action_guard/webhook"
GUARD_TOKEN_ENV = "ACTION_GUARD_TOKEN"


class LaunchError(RuntimeError):
    """A problem the user can fix; printed as one line."""


def env_seconds(name: str, default: float, env: Optional[Dict[str, str]] = None) -> float:
    """A positive number of seconds from the environment."""
    value = (os.environ if env is None else env).get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not seconds > 0:
        raise LaunchError(f"{name} must be a positive number of seconds, not {value!r}")
    return seconds


class Backoff:
    """How long to wait before restarting a server that stopped.

    ``initial`` seconds the first time, twice as long each next time, never more than ``maximum``;
    back to ``initial`` when the server had stayed up for ``reset_after`` seconds.
    """

    def __init__(self, initial: float = 1.0, maximum: float = 30.0, reset_after: float = 60.0, factor: float = 2.0):
        self.initial = initial
        self.maximum = maximum
        self.reset_after = reset_after
        self.factor = factor
        self.failures = 0

    @classmethod
    def from_env(cls, env: Optional[Dict[str, str]] = None) -> Backoff:
        initial = env_seconds("RESTART_DELAY", 1.0, env)
        maximum = env_seconds("RESTART_DELAY_MAX", 30.0, env)
        if maximum < initial:
            raise LaunchError(f"RESTART_DELAY_MAX ({maximum:g} s) is shorter than RESTART_DELAY ({initial:g} s)")
        return cls(initial, maximum, env_seconds("RESTART_RESET_AFTER", 60.0, env))

    def delay(self, uptime: float) -> float:
        """The wait before the next restart of a server that stopped after ``uptime`` seconds."""
        if uptime >= self.reset_after:
            self.failures = 0
        delay = min(self.maximum, self.initial * self.factor ** self.failures)
        self.failures += 1
        return delay


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


@dataclass
class Server:
    """One supervised server process: how to start it and when it (re)started."""

    name: str  # "action server", "Rasa server": for messages
    key: str  # "actions", "rasa": for its log file
    args: List[str]  # ``python -m ARGS`` unless ``command`` is given
    backoff: Backoff
    process: Optional[subprocess.Popen] = None
    started: float = 0.0
    restart_at: Optional[float] = None
    restarts: int = 0
    env: Dict[str, str] = field(default_factory=dict)
    command: Optional[List[str]] = None  # another program (PostgreSQL, Redis, nginx: bot/cluster.py)
    user: Optional[str] = None  # run as this user (PostgreSQL refuses to run as root)
    stop_signal: int = signal.SIGTERM

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def argv(self) -> List[str]:
        return list(self.command) if self.command else [sys.executable, "-m", *self.args]


def action_server(port: int, backoff: Backoff, name: str = "action server", key: str = "actions") -> Server:
    """The rasa_sdk action server; it builds the knowledge base before it answers (ACTIONS_WARM_UP)."""
    return Server(name, key, ["rasa_sdk", "--actions", "actions", "--port", str(port)], backoff,
                  env={"ACTIONS_WARM_UP": "1"})  # see actions/__init__.py


def rasa_server(port: int, model: Path, endpoints: Path, credentials: Path, backoff: Backoff, guard_token: str,
                api_token: Optional[str] = None, name: str = "Rasa server", key: str = "rasa") -> Server:
    """``rasa run`` with the given (guarded) endpoints and credentials files."""
    return Server(
        name, key,
        [
            "rasa", "run",
            "--model", str(model),
            "--port", str(port),
            "--endpoints", str(endpoints),
            "--credentials", str(credentials),
            "--cors", os.environ.get("CORS_ORIGINS", "http://localhost:*"),
            *(["--enable-api", "--auth-token", api_token] if api_token else []),
        ],
        backoff,
        env={GUARD_TOKEN_ENV: guard_token},
    )


def guarded_files(endpoints_file: Path, credentials_file: Path, rasa_port: int, action_timeout: float,
                  run_dir: Path) -> Tuple[Path, Path]:
    """The endpoints and credentials files for a Rasa server on ``rasa_port``, with the action guard in
    between (written to ``run_dir``); the files as they are when there is no action server or the
    guard is set up by hand."""
    endpoints = _read_yaml(endpoints_file, "endpoints")
    credentials = _read_yaml(credentials_file, "credentials") if credentials_file.exists() else {}
    action = endpoints.get("action_endpoint")
    if not isinstance(action, dict) or not action.get("url") or GUARD_CLASS in credentials:
        return endpoints_file, credentials_file
    credentials[GUARD_CLASS] = {"upstream": action, "timeout": action_timeout}
    endpoints["action_endpoint"] = {
        "url": f"http://127.0.0.1:{rasa_port}{GUARD_PATH}",
        "token": "${" + GUARD_TOKEN_ENV + "}",
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    return (_write_yaml(run_dir / "endpoints.run.yml", endpoints),
            _write_yaml(run_dir / "credentials.run.yml", credentials))


class Supervisor:
    """Server processes that are kept running: ``supervise`` restarts one that stops, with backoff.

    Each server runs in a process group of its own, so that Ctrl-C reaches only us and ``stop``
    ends everything a server started. ``servers`` is filled by the subclass (in start order).
    """

    def __init__(
        self,
        log_dir: Optional[Path] = None,
        quiet: bool = False,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ):
        self.log_dir = log_dir
        self.quiet = quiet
        self.log = log
        self.servers: Dict[str, Server] = {}

    @property
    def processes(self) -> List[subprocess.Popen]:
        """The current process of each server (in start order), running or not."""
        return [s.process for s in self.servers.values() if s.process is not None]

    def _spawn(self, server: Server) -> subprocess.Popen:
        out: Union[IO[bytes], int, None] = None
        if self.log_dir is not None:
            # A restarted server writes on in the same log.
            out = open(self.log_dir / f"{server.key}.log", "ab" if server.process else "wb")
        elif self.quiet:
            out = subprocess.DEVNULL
        extra: Dict[str, Any] = {"user": server.user} if server.user else {}
        try:
            server.process = subprocess.Popen(
                server.argv,
                cwd=PROJECT_DIR,
                env={**child_env(), **server.env},
                stdout=out,
                stderr=subprocess.STDOUT if out is not None else None,
                start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
                **extra,
            )
        finally:
            if out not in (None, subprocess.DEVNULL):
                out.close()  # type: ignore[union-attr]  # the child has its own copy
        server.started = time.monotonic()
        return server.process

    def supervise_once(self, now: Optional[float] = None) -> None:
        """Restart what stopped: one log line when a server stops, the restart after its backoff."""
        now = time.monotonic() if now is None else now
        for server in self.servers.values():
            process = server.process
            if process is None or process.poll() is None:
                continue
            if server.restart_at is None:
                uptime = now - server.started
                delay = server.backoff.delay(uptime)
                server.restart_at = now + delay
                server.restarts += 1
                self.log(
                    f"supervisor: the {server.name} stopped (exit code {process.returncode} after {uptime:.0f} s); "
                    f"restart {server.restarts} in {delay:g} s"
                )
            elif now >= server.restart_at:
                _kill_group(process.pid, signal.SIGKILL)  # whatever it left behind
                server.restart_at = None
                self._spawn(server)

    def supervise(self, poll: float = 0.5) -> None:
        """Keep the servers running until interrupted (KeyboardInterrupt)."""
        while True:
            self.supervise_once()
            time.sleep(poll)

    def stop(self) -> None:
        """Stop every server, the last started first, and whatever each started."""
        servers = list(reversed(self.servers.values()))
        for server in servers:
            if server.process is not None:
                _kill_group(server.process.pid, server.stop_signal)
        for server in servers:
            process = server.process
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            # The group too: nothing a server started may outlive it.
            _kill_group(process.pid, signal.SIGKILL)
            process.wait()
        self.servers = {}


class Assistant(Supervisor):
    """The two server processes of a running assistant; ``supervise`` restarts one that stops.

    The Rasa server reaches the action server through the action guard, a channel of its own
    (bot/channels/action_guard.py): an officer gets an apology within ``action_timeout`` seconds
    while the action server is down or hangs. The endpoints and credentials files given are copied
    to ``run_dir`` with the guard put in between.
    """

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
        action_timeout: Optional[float] = None,
        backoff: Optional[Callable[[], Backoff]] = None,
        run_dir: Optional[Path] = None,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ):
        super().__init__(log_dir, quiet, log)
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
        # With a token, Rasa's HTTP API is on (e.g. to read a conversation's tracker in benchmarks).
        self.api_token = api_token
        # A hung action server is cut off after this many seconds (the officer gets the apology).
        self.action_timeout = action_timeout if action_timeout is not None else env_seconds("ACTION_TIMEOUT", 4.0)
        self.make_backoff = backoff or Backoff.from_env
        self.make_backoff()  # a wrong setting is reported now, not at the first restart
        self.run_dir = run_dir or log_dir or PROJECT_DIR / "var" / f"run-{rasa_port}"
        self.guard_token = secrets.token_urlsafe(24)
        self.start_seconds: Optional[float] = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    def _guarded_files(self) -> Tuple[Path, Path]:
        """The endpoints and credentials files for the Rasa server, with the action guard in between."""
        return guarded_files(self.endpoints, self.credentials, self.rasa_port, self.action_timeout, self.run_dir)

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
        endpoints, credentials = self._guarded_files()
        self.servers = {
            "actions": action_server(self.actions_port, self.make_backoff()),
            "rasa": rasa_server(self.rasa_port, self.model, endpoints, credentials, self.make_backoff(),
                                self.guard_token, self.api_token),
        }
        actions, rasa = (self._spawn(server) for server in self.servers.values())
        try:
            wait_http(f"http://localhost:{self.actions_port}/health", timeout, actions, "action server")
            wait_http(f"{self.url}/webhooks/rest/", timeout, rasa, "Rasa server")
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def __enter__(self) -> Assistant:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _read_yaml(path: Path, what: str) -> Dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LaunchError(f"{what} file not found: {path}") from None
    except yaml.YAMLError as err:
        raise LaunchError(f"{what} file {path} is not valid YAML: {str(err).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LaunchError(f"{what} file {path} must hold a mapping")
    return data


def _write_yaml(path: Path, data: Dict[str, Any]) -> Path:
    text = "# Written by `python -m bot run` (bot/cli.py) at start-up; do not edit.\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    from bot.channels.config import write_private

    return write_private(path, text)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def catch_stop_signals() -> None:
    """Ctrl-C (SIGINT) and a service manager's SIGTERM both stop the servers cleanly, even when
    we were started with SIGINT ignored (as background jobs of a non-interactive shell are)."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def run_until_stopped(stack: Any, ready: Callable[[], str]) -> int:
    """Start ``stack`` (an Assistant or a Cluster), print ``ready()``, supervise until Ctrl-C or
    SIGTERM, then stop every process. The exit code: 0 after a stop, 2 when it could not start,
    130 when interrupted while starting."""
    try:
        stack.start()
    except LaunchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        stack.stop()
        return 130
    print(ready(), flush=True)
    try:
        stack.supervise()
        return 1  # not reached: supervise() returns only by an interrupt
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()


def cmd_run(args) -> int:
    catch_stop_signals()
    # Channels from the environment: rest and socketio always, Slack and Teams when configured.
    from bot.channels.config import ChannelConfigError, channel_config, channel_names, write_credentials

    try:
        channels = channel_names(channel_config())
        credentials = write_credentials(PROJECT_DIR / "var" / "credentials.yml")
    except ChannelConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("Channels: " + ", ".join(channels), flush=True)
    try:
        assistant = Assistant(
            rasa_port=args.port, actions_port=args.actions_port, model=Path(args.model),
            endpoints=Path(args.endpoints) if args.endpoints else None, credentials=credentials,
        )
    except LaunchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Starting the action server (port {args.actions_port}) and the Rasa server (port {args.port}) …", flush=True)

    def ready() -> str:
        url = assistant.url
        return (
            f"\nPreventiewijzer is ready (started in {assistant.start_seconds:.0f} s).\n"
            f"  REST:      curl -s -XPOST {url}/webhooks/rest/webhook "
            "-H 'Content-Type: application/json' -d '{\"sender\": \"me\", \"message\": \"hoi\"}'\n"
            f"  socketio:  {url}/socket.io (for the web widget)\n"
            f"  terminal:  .venv/bin/rasa shell --model {args.model} --endpoints endpoints.yml (in another terminal)\n"
            "A server that stops is restarted. Press Ctrl-C to stop both servers."
        )

    return run_until_stopped(assistant, ready)


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


def _cmd_cluster(args) -> int:
    from bot.cluster import cmd_cluster

    return cmd_cluster(args)


def _cmd_replica(args) -> int:
    from bot.cluster import cmd_replica

    return cmd_replica(args)


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
    p = sub.add_parser("cluster", help="PostgreSQL, Redis, action servers and Rasa replicas behind nginx "
                                       "(settings: environment variables, see README)")
    p.add_argument("--model", help="the trained model (default: RASA_MODEL or models/preventiewijzer.tar.gz)")
    p.add_argument("--nginx-conf", choices=["local", "docker"],
                   help="print the nginx configuration (this machine's, or deploy/nginx.conf's) and exit")
    p.set_defaults(func=_cmd_cluster)
    p = sub.add_parser("replica", help="one Rasa replica of the cluster in the foreground (for a container)")
    p.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    p.add_argument("--model", help="the trained model (default: RASA_MODEL or models/preventiewijzer.tar.gz)")
    p.add_argument("--run-dir", default=os.environ.get("RUN_DIR", "/tmp/preventiewijzer"),
                   help="where its endpoints and credentials files are written")
    p.set_defaults(func=_cmd_replica)
    p = sub.add_parser("export", help="write the summary of a stored conversation (Markdown, Word or PDF)")
    p.add_argument("conversation_id", help="the conversation (sender) id")
    p.add_argument("--format", default="docx", help="md, docx or pdf (default: docx)")
    p.add_argument("--out", help="file to write (default: preventiewijzer-<gemeente>-<datum>.<format> here)")
    p.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS"),
                   help="endpoints file with the tracker store (default: endpoints.yml: var/tracker.db)")
    p.set_defaults(func=cmd_export)
    args = parser.parse_args(argv)
    return args.func(args)
