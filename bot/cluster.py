"""`python -m bot cluster`: the scale-out topology on one machine, with real components.

    PostgreSQL   the tracker store of every Rasa replica (Rasa's SQLTrackerStore, dialect postgresql)
    Redis        the lock store (Rasa's RedisLockStore: one message of a conversation at a time,
                 whichever replica gets it) and the Slack retry de-duplication (REDIS_URL)
    N action servers, behind nginx (round-robin; a server that refuses is skipped)
    N Rasa servers, each with the action guard in front of the action servers' nginx address
    nginx        the one public address: REST and the other webhooks round-robin over the Rasa
                 replicas (any replica is correct: shared tracker store and lock store), socket.io
                 (the web widget) sticky by client address, with the WebSocket upgrade headers

Every process runs under the supervision of ``python -m bot run`` (bot/cli.py: restarted with
backoff when it stops; Ctrl-C stops all). PostgreSQL, Redis and nginx come from Debian's packages
(scripts/install-cluster-services.sh installs what is missing) and run privately: data, generated
configuration, logs and secrets in ``CLUSTER_DIR`` (var/cluster/), on ports that are not the
packages' defaults. Settings are environment variables, listed in ``Settings.from_env`` and in
README.md ("Running it for many municipalities"). deploy/ holds the same topology for Docker
Compose and Kubernetes; deploy/nginx.conf is ``nginx_conf(Settings.for_docker())``.
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from bot.cli import (
    DEFAULT_MODEL,
    PROJECT_DIR,
    Backoff,
    LaunchError,
    Server,
    Supervisor,
    action_server,
    child_env,
    env_seconds,
    guarded_files,
    port_free,
    rasa_server,
    wait_http,
)

DB_NAME = DB_USER = "preventiewijzer"
LOCK_DB, DEDUP_DB = 1, 2  # Redis databases: Rasa's locks; the Slack de-duplication
LOCK_PREFIX = "preventiewijzer"
# Rasa's REST and socket.io channels with an apology when Redis or PostgreSQL cannot be reached
# (bot/channels/resilient.py); the credentials of every replica name them instead.
RESILIENT_CHANNELS = {"rest": "bot.channels.resilient.RestInput", "socketio": "bot.channels.resilient.SocketIOInput"}


def _env_int(env: Mapping[str, str], name: str, default: int, low: int = 1, high: int = 65535) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise LaunchError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    """Where everything runs; ``from_env`` reads the environment variables."""

    dir: Path = PROJECT_DIR / "var" / "cluster"  # CLUSTER_DIR
    port: int = 8080  # CLUSTER_PORT: nginx, the public address
    rasa_replicas: int = 2  # RASA_REPLICAS
    actions_replicas: int = 2  # ACTIONS_REPLICAS
    rasa_port: int = 5201  # CLUSTER_RASA_PORT: the first replica; the next ones +1, +2 …
    actions_port: int = 5251  # CLUSTER_ACTIONS_PORT: the first action server; the next ones +1 …
    actions_lb_port: int = 5250  # CLUSTER_ACTIONS_LB_PORT: nginx in front of the action servers
    postgres_port: int = 5433  # POSTGRES_PORT
    redis_port: int = 6380  # REDIS_PORT
    model: Path = DEFAULT_MODEL  # RASA_MODEL
    public_url: str = ""  # PUBLIC_URL (links in the chat); default http://localhost:CLUSTER_PORT
    postgres_host: str = "127.0.0.1"  # POSTGRES_HOST: where the replicas find the services
    redis_host: str = "127.0.0.1"  # REDIS_HOST
    actions_url: str = ""  # ACTIONS_URL; default http://127.0.0.1:CLUSTER_ACTIONS_LB_PORT/webhook (nginx)
    host: str = "127.0.0.1"  # where the services listen
    docker: bool = False  # the nginx configuration of deploy/ (service names, fixed ports)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Settings:
        env = os.environ if env is None else env
        port = _env_int(env, "CLUSTER_PORT", cls.port)
        folder = Path((env.get("CLUSTER_DIR") or "").strip() or cls.dir)
        return cls(
            dir=folder if folder.is_absolute() else PROJECT_DIR / folder,
            port=port,
            rasa_replicas=_env_int(env, "RASA_REPLICAS", cls.rasa_replicas, high=16),
            actions_replicas=_env_int(env, "ACTIONS_REPLICAS", cls.actions_replicas, high=16),
            rasa_port=_env_int(env, "CLUSTER_RASA_PORT", cls.rasa_port),
            actions_port=_env_int(env, "CLUSTER_ACTIONS_PORT", cls.actions_port),
            actions_lb_port=_env_int(env, "CLUSTER_ACTIONS_LB_PORT", cls.actions_lb_port),
            postgres_port=_env_int(env, "POSTGRES_PORT", cls.postgres_port),
            redis_port=_env_int(env, "REDIS_PORT", cls.redis_port),
            model=Path((env.get("RASA_MODEL") or "").strip() or cls.model),
            public_url=(env.get("PUBLIC_URL") or "").strip().rstrip("/") or f"http://localhost:{port}",
            postgres_host=(env.get("POSTGRES_HOST") or "").strip() or cls.postgres_host,
            redis_host=(env.get("REDIS_HOST") or "").strip() or cls.redis_host,
            actions_url=(env.get("ACTIONS_URL") or "").strip(),
        )

    @classmethod
    def for_docker(cls) -> Settings:
        """The same topology in deploy/docker-compose.yml: one service per process, fixed ports."""
        return cls(rasa_port=5005, actions_port=5055, actions_lb_port=5055, postgres_port=5432, redis_port=6379,
                   postgres_host="postgres", redis_host="redis", actions_url="http://nginx:5055/webhook",
                   host="0.0.0.0", docker=True)

    @property
    def action_endpoint(self) -> str:
        return self.actions_url or f"http://127.0.0.1:{self.actions_lb_port}/webhook"

    @property
    def redis_url(self) -> str:
        """For the Slack de-duplication (the password comes from REDIS_PASSWORD)."""
        return f"redis://{self.redis_host}:{self.redis_port}/{DEDUP_DB}"

    @property
    def rasa_ports(self) -> List[int]:
        return [self.rasa_port + i for i in range(self.rasa_replicas)]

    @property
    def actions_ports(self) -> List[int]:
        return [self.actions_port + i for i in range(self.actions_replicas)]

    def rasa_addresses(self) -> List[str]:
        if self.docker:
            return [f"rasa-{i + 1}:{self.rasa_port}" for i in range(self.rasa_replicas)]
        return [f"127.0.0.1:{port}" for port in self.rasa_ports]

    def actions_addresses(self) -> List[str]:
        if self.docker:
            return [f"actions-{i + 1}:{self.actions_port}" for i in range(self.actions_replicas)]
        return [f"127.0.0.1:{port}" for port in self.actions_ports]

    def ports(self) -> Dict[int, str]:
        """Every port the cluster listens on, and what for (checked before the start)."""
        ports = {self.port: "nginx (CLUSTER_PORT)", self.actions_lb_port: "nginx for the action servers "
                 "(CLUSTER_ACTIONS_LB_PORT)", self.postgres_port: "PostgreSQL (POSTGRES_PORT)",
                 self.redis_port: "Redis (REDIS_PORT)"}
        for i, port in enumerate(self.rasa_ports):
            ports.setdefault(port, f"Rasa server {i + 1} (CLUSTER_RASA_PORT)")
        for i, port in enumerate(self.actions_ports):
            ports.setdefault(port, f"action server {i + 1} (CLUSTER_ACTIONS_PORT)")
        if len(ports) != 4 + self.rasa_replicas + self.actions_replicas:
            raise LaunchError("two parts of the cluster would share a port; choose other CLUSTER_*_PORT values")
        return ports


# --- generated configuration -------------------------------------------------------------------

def endpoints_yaml(settings: Settings) -> str:
    """The endpoints of every Rasa replica: shared tracker store and lock store, the action servers
    through nginx. Passwords stay ``${VAR}`` references that Rasa fills in from its environment."""
    return (
        "# Written by `python -m bot cluster` (bot/cluster.py); do not edit.\n"
        "action_endpoint:\n"
        f'  url: "{settings.action_endpoint}"\n'
        "tracker_store:\n"
        "  type: bot.tracker_store.SQLTrackerStore  # Rasa's SQL store; no silent start-over when the database is away\n"
        "  dialect: postgresql\n"
        f"  url: {settings.postgres_host}\n"
        f"  port: {settings.postgres_port}\n"
        f"  db: {DB_NAME}\n"
        f"  username: {DB_USER}\n"
        "  password: ${POSTGRES_PASSWORD}\n"
        "lock_store:\n"
        "  type: redis\n"
        f"  url: {settings.redis_host}\n"
        f"  port: {settings.redis_port}\n"
        f"  db: {LOCK_DB}\n"
        "  password: ${REDIS_PASSWORD}\n"
        f"  key_prefix: {LOCK_PREFIX}\n"
        "  socket_timeout: 3\n"
    )


def nginx_conf(settings: Settings) -> str:
    """The load balancer. REST and the other webhooks go round-robin (any replica is correct);
    socket.io sticks to one replica per client address (a cookie-less hash; ``consistent``: when a
    replica stops, only its clients move) and gets the WebSocket upgrade headers. A replica that
    refuses the connection is skipped for 5 s and the request goes to the next one."""
    folder = settings.dir / "nginx"
    rasa = "".join(f"        server {a} max_fails=1 fail_timeout=5s;\n" for a in settings.rasa_addresses())
    actions = "".join(f"        server {a} max_fails=1 fail_timeout=5s;\n" for a in settings.actions_addresses())
    listen_host = "" if settings.docker else "127.0.0.1:"
    if settings.docker:
        head = ("# deploy/nginx.conf: written by `python -m bot cluster --nginx-conf docker` (bot/cluster.py),\n"
                "# the same as the configuration `python -m bot cluster` runs with; do not edit by hand.\n"
                "worker_processes auto;\n"
                "pid /tmp/nginx.pid;\n"
                "error_log stderr notice;\n")
        paths = ""
        log = "/dev/stdout"
    else:
        head = ("# Written by `python -m bot cluster` (bot/cluster.py); do not edit.\n"
                "worker_processes 1;\n"
                "daemon off;\n"
                f"pid {folder}/nginx.pid;\n"
                "error_log stderr notice;\n")
        paths = "".join(f"    {kind}_temp_path {folder}/tmp/{kind};\n"
                        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        log = f"{folder}/access.log"
    return (
        head
        + "events { worker_connections 1024; }\n"
        "http {\n"
        + paths
        + "    # $upstream_addr: which replica answered (the cluster tests read it).\n"
        "    log_format upstream '$remote_addr [$time_local] \"$request\" $status $upstream_addr $request_time';\n"
        f"    access_log {log} upstream;\n"
        "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
        "    upstream rasa {\n"
        + rasa
        + "    }\n"
        "    upstream rasa_sticky {\n"
        "        hash $remote_addr consistent;\n"
        + rasa
        + "    }\n"
        "    upstream actions {\n"
        + actions
        + "    }\n"
        "    server {\n"
        f"        listen {listen_host}{settings.port};\n"
        "        client_max_body_size 1m;\n"
        "        proxy_http_version 1.1;\n"
        "        proxy_set_header Host $host;\n"
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "        proxy_set_header X-Forwarded-Proto $scheme;\n"
        "        proxy_connect_timeout 2s;\n"
        "        proxy_read_timeout 300s;\n"
        "        # A replica that refuses the connection: the request goes to the next one (it was not sent).\n"
        "        proxy_next_upstream error timeout http_502 http_503;\n"
        "        location /socket.io/ {\n"
        "            proxy_pass http://rasa_sticky;\n"
        "            proxy_set_header Upgrade $http_upgrade;\n"
        "            proxy_set_header Connection $connection_upgrade;\n"
        "            proxy_buffering off;\n"
        "            proxy_read_timeout 1h;\n"
        "        }\n"
        "        location / {\n"
        "            proxy_pass http://rasa;\n"
        "        }\n"
        "        # Each replica calls its own action guard directly; it is no public address.\n"
        "        location /webhooks/action_guard/ {\n"
        "            return 404;\n"
        "        }\n"
        "    }\n"
        "    # The action servers, for the Rasa replicas only (their action guard calls here).\n"
        "    server {\n"
        f"        listen {listen_host}{settings.actions_lb_port};\n"
        "        client_max_body_size 10m;\n"
        "        proxy_http_version 1.1;\n"
        "        proxy_connect_timeout 2s;\n"
        "        proxy_read_timeout 300s;\n"
        "        proxy_next_upstream error http_502 http_503;\n"
        "        location / {\n"
        "            proxy_pass http://actions;\n"
        "        }\n"
        "    }\n"
        "}\n"
    )


def redis_conf(settings: Settings, password: str) -> str:
    folder = settings.dir / "redis"
    return (
        "# Written by `python -m bot cluster` (bot/cluster.py); do not edit.\n"
        f"bind {settings.host}\n"
        f"port {settings.redis_port}\n"
        "protected-mode yes\n"
        "daemonize no\n"
        'logfile ""\n'
        f"dir {folder}\n"
        # Locks and de-duplication keys live minutes: nothing to persist.
        'save ""\n'
        "appendonly no\n"
        f"requirepass {password}\n"
    )


def replica_files(settings: Settings, port: int, folder: Path, action_timeout: float,
                  env: Mapping[str, str]) -> Tuple[Path, Path]:
    """The endpoints and credentials files of one Rasa replica on ``port``, written to ``folder``:
    the shared stores, the channels configured in the environment (bot/channels/config.py) and the
    action guard in front of the action servers (bot/cli.py)."""
    from bot.channels.config import write_credentials, write_private

    folder.mkdir(parents=True, exist_ok=True)
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(endpoints_yaml(settings), encoding="utf-8")
    credentials = write_credentials(folder / "credentials.yml", env)
    channels = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    channels = {RESILIENT_CHANNELS.get(name, name): value for name, value in channels.items()}
    write_private(credentials, "# Written by `python -m bot cluster` (bot/cluster.py); do not edit.\n"
                  + yaml.safe_dump(channels, sort_keys=False, allow_unicode=True, default_flow_style=False))
    return guarded_files(endpoints, credentials, port, action_timeout, folder)


# --- the local services ------------------------------------------------------------------------

def postgres_bin() -> Optional[Path]:
    """The folder with initdb and postgres (Debian: /usr/lib/postgresql/N/bin), newest first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(candidates):
        if os.path.exists(os.path.join(folder, "initdb")) and os.path.exists(os.path.join(folder, "postgres")):
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("postgres") else None


def _service_user(name: str) -> Optional[pwd.struct_passwd]:
    """As root, the services run as their own Debian user (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _check_reachable(folder: Path, user: Optional[pwd.struct_passwd], what: str) -> None:
    """A service that runs as its own user must be able to pass through every folder above its own."""
    if user is None:
        return
    for parent in folder.resolve().parents:
        info = parent.stat()
        if info.st_uid != user.pw_uid and not info.st_mode & 0o001:
            raise LaunchError(f"{what} runs as user {user.pw_name} and cannot reach {folder}: {parent} is closed to "
                              "other users; choose another CLUSTER_DIR")


def _own(path: Path, user: Optional[pwd.struct_passwd]) -> None:
    if user is not None:
        for item in [path, *path.rglob("*")]:
            os.chown(item, user.pw_uid, user.pw_gid, follow_symlinks=False)


def cluster_secret(folder: Path, name: str) -> str:
    """A secret generated once for this cluster, kept in ``folder/secrets/name`` (mode 0600)."""
    from bot.channels.config import write_private

    path = folder / "secrets" / name
    if path.exists() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    value = secrets.token_urlsafe(32)
    write_private(path, value + "\n")
    return value


def wait_for(check, timeout: float, process: subprocess.Popen, name: str) -> None:
    start = time.monotonic()
    while not check():
        if process.poll() is not None:
            raise LaunchError(f"{name} stopped during start-up (exit code {process.returncode}); see its log")
        if time.monotonic() - start > timeout:
            raise LaunchError(f"{name} did not become ready within {timeout:.0f} s; see its log")
        time.sleep(0.3)


def redis_ready(port: int, password: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(f"AUTH {password}\r\nPING\r\n".encode())
            answer = b""
            while b"PONG" not in answer:
                chunk = sock.recv(100)
                if not chunk:
                    return False
                answer += chunk
            return True
    except OSError:
        return False


def postgres_ready(port: int) -> bool:
    """Accepting connections (pg_isready), not only listening."""
    bindir = postgres_bin()
    if bindir is None or not (bindir / "pg_isready").exists():
        return not port_free(port)
    return subprocess.run([str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0


class Cluster(Supervisor):
    """PostgreSQL, Redis, the action servers, the Rasa replicas and nginx, all supervised."""

    def __init__(self, settings: Settings, log_dir: Optional[Path] = None, action_timeout: Optional[float] = None,
                 env: Optional[Dict[str, str]] = None, **kwargs):
        super().__init__(log_dir or settings.dir / "logs", **kwargs)
        self.settings = settings
        self.action_timeout = action_timeout if action_timeout is not None else env_seconds("ACTION_TIMEOUT", 4.0)
        Backoff.from_env()  # a wrong setting is reported now, not at the first restart
        self.env = dict(os.environ if env is None else env)
        self.start_seconds: Optional[float] = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.settings.port}"

    def check(self) -> None:
        settings = self.settings
        if sys.version_info[:2] != (3, 10):
            raise LaunchError(f"Python 3.10 is needed, this is {sys.version.split()[0]}; run 'make cluster'")
        if not settings.model.exists():
            raise LaunchError(f"no trained model at {settings.model}; run 'make cluster' (it trains one)")
        missing = [what for what, found in (
            ("postgresql", postgres_bin()), ("redis-server", shutil.which("redis-server")),
            ("nginx", shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")),
        ) if not found]
        if missing:
            raise LaunchError(f"{', '.join(missing)} not installed; run scripts/install-cluster-services.sh "
                              f"(Debian: apt-get install {' '.join(missing)})")
        for port, what in settings.ports().items():
            if not port_free(port):
                raise LaunchError(f"port {port} for {what} is in use; stop what runs there or choose another port")

    def shared_env(self) -> Dict[str, str]:
        """What every process of the cluster gets: one export secret, the passwords, the public URL."""
        folder = self.settings.dir
        return {
            # One link-signing secret for all replicas: a link made by one is valid on every other.
            "EXPORT_SECRET": self.env.get("EXPORT_SECRET", "").strip() or cluster_secret(folder, "export-secret"),
            "POSTGRES_PASSWORD": cluster_secret(folder, "postgres-password"),
            "REDIS_PASSWORD": cluster_secret(folder, "redis-password"),
            "REDIS_URL": self.settings.redis_url,
            "PUBLIC_URL": self.settings.public_url,
        }

    def _postgres(self, shared: Dict[str, str]) -> Server:
        settings = self.settings
        bindir = postgres_bin()
        assert bindir is not None  # check() found it
        folder = settings.dir / "postgres"
        data = folder / "data"
        user = _service_user("postgres")
        if os.geteuid() == 0 and user is None:
            raise LaunchError("running as root and there is no 'postgres' user to run PostgreSQL as")
        folder.mkdir(parents=True, exist_ok=True)
        _check_reachable(folder, user, "PostgreSQL")
        if not (data / "PG_VERSION").exists():
            self.log("cluster: creating the PostgreSQL database (once) …")
            shutil.rmtree(data, ignore_errors=True)
            password_file = folder / "initdb-password"
            from bot.channels.config import write_private

            write_private(password_file, shared["POSTGRES_PASSWORD"] + "\n")
            _own(folder, user)
            try:
                subprocess.run(
                    [str(bindir / "initdb"), "-D", str(data), "-U", DB_USER, "-A", "scram-sha-256",
                     "--pwfile", str(password_file), "-E", "UTF8", "--locale", "C"],
                    check=True, capture_output=True, text=True, user=user.pw_name if user else None,
                )
            except subprocess.CalledProcessError as err:
                raise LaunchError(f"initdb failed: {(err.stderr or err.stdout).strip().splitlines()[-1]}") from None
            finally:
                password_file.unlink(missing_ok=True)
        _own(folder, user)
        return Server(
            "PostgreSQL server", "postgres", [], Backoff.from_env(),
            command=[str(bindir / "postgres"), "-D", str(data), "-p", str(settings.postgres_port), "-k", str(folder),
                     "-c", f"listen_addresses={settings.host}"],
            user=user.pw_name if user else None,
            stop_signal=signal.SIGINT,  # "fast" shutdown; SIGTERM would wait for every client
        )

    def _redis(self, shared: Dict[str, str]) -> Server:
        folder = self.settings.dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        from bot.channels.config import write_private

        conf = write_private(folder / "redis.conf", redis_conf(self.settings, shared["REDIS_PASSWORD"]))
        user = _service_user("redis")
        _check_reachable(folder, user, "Redis")
        _own(folder, user)
        return Server("Redis server", "redis", [], Backoff.from_env(),
                      command=[shutil.which("redis-server") or "redis-server", str(conf)],
                      user=user.pw_name if user else None)

    def _nginx(self) -> Server:
        folder = self.settings.dir / "nginx"
        (folder / "tmp").mkdir(parents=True, exist_ok=True)  # nginx makes its temp folders for its workers
        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(self.settings), encoding="utf-8")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        return Server("nginx load balancer", "nginx", [], Backoff.from_env(),
                      command=[nginx, "-p", str(folder), "-c", str(conf), "-e", "stderr"],
                      stop_signal=signal.SIGQUIT)  # graceful: open requests are finished

    def _prepare_databases(self, shared: Dict[str, str], timeout: float) -> None:
        """The knowledge base (once, before several action servers read it) and the tracker store's
        database and table (Rasa's own SQLTrackerStore makes them, once, before the replicas start)."""
        env = {**child_env(), **shared, "POSTGRES_HOST": self.settings.postgres_host,
               "POSTGRES_PORT": str(self.settings.postgres_port)}
        jobs = [
            ("the knowledge base", subprocess.Popen([sys.executable, "-m", "knowledge", "load"], cwd=PROJECT_DIR,
                                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)),
            ("the tracker database", subprocess.Popen([sys.executable, "-m", "bot.cluster", "prepare-tracker-store"],
                                                      cwd=PROJECT_DIR, env=env,
                                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)),
        ]
        for what, job in jobs:
            try:
                output, _ = job.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                job.kill()
                raise LaunchError(f"preparing {what} took longer than {timeout:.0f} s") from None
            if job.returncode != 0:
                last = output.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise LaunchError(f"preparing {what} failed: {last[0]}")

    def start(self, timeout: float = 400) -> Cluster:
        self.check()
        started = time.monotonic()
        settings = self.settings
        settings.dir.mkdir(parents=True, exist_ok=True)
        assert self.log_dir is not None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        shared = self.shared_env()
        try:
            self.servers["postgres"] = self._postgres(shared)
            self.servers["redis"] = self._redis(shared)
            postgres, redis = self._spawn(self.servers["postgres"]), self._spawn(self.servers["redis"])
            wait_for(lambda: postgres_ready(settings.postgres_port), 60, postgres, "PostgreSQL")
            wait_for(lambda: redis_ready(settings.redis_port, shared["REDIS_PASSWORD"]), 30, redis, "Redis")
            self._prepare_databases(shared, timeout=120)

            for i, port in enumerate(settings.actions_ports, 1):
                server = action_server(port, Backoff.from_env(), f"action server {i}", f"actions-{i}")
                server.env.update(shared)
                self.servers[server.key] = server
            for i, port in enumerate(settings.rasa_ports, 1):
                endpoints, credentials = replica_files(settings, port, settings.dir / f"rasa-{i}",
                                                       self.action_timeout, self.env)
                server = rasa_server(port, settings.model, endpoints, credentials, Backoff.from_env(),
                                     secrets.token_urlsafe(24), name=f"Rasa server {i}", key=f"rasa-{i}")
                server.env.update(shared)
                self.servers[server.key] = server
            self.servers["nginx"] = self._nginx()
            for server in self.servers.values():
                if server.process is None:
                    self._spawn(server)
            for i, port in enumerate(settings.actions_ports, 1):
                server = self.servers[f"actions-{i}"]
                assert server.process is not None
                wait_http(f"http://127.0.0.1:{port}/health", timeout, server.process, server.name)
            for i, port in enumerate(settings.rasa_ports, 1):
                server = self.servers[f"rasa-{i}"]
                assert server.process is not None
                wait_http(f"http://127.0.0.1:{port}/webhooks/rest/", timeout, server.process, server.name)
            nginx = self.servers["nginx"].process
            assert nginx is not None
            wait_http(f"http://127.0.0.1:{settings.port}/webhooks/rest/", 30, nginx, "nginx load balancer")
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        return self


def cmd_cluster(args) -> int:
    from bot.cli import catch_stop_signals, run_until_stopped

    if args.nginx_conf:
        settings = Settings.for_docker() if args.nginx_conf == "docker" else Settings.from_env()
        print(nginx_conf(settings), end="")
        return 0
    catch_stop_signals()
    try:
        settings = Settings.from_env()
        if args.model:
            settings = replace(settings, model=Path(args.model))
        cluster = Cluster(settings)
    except LaunchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    def servers(n: int, what: str) -> str:
        return f"{n} {what} server" + ("s" if n != 1 else "")

    print(
        f"Starting PostgreSQL (port {settings.postgres_port}), Redis (port {settings.redis_port}), "
        f"{servers(settings.actions_replicas, 'action')}, {servers(settings.rasa_replicas, 'Rasa')} and nginx "
        f"(port {settings.port}); logs in {cluster.log_dir} …",
        flush=True,
    )

    def ready() -> str:
        url = cluster.url
        return (
            f"\nPreventiewijzer cluster is ready (started in {cluster.start_seconds:.0f} s).\n"
            f"  REST:      curl -s -XPOST {url}/webhooks/rest/webhook "
            "-H 'Content-Type: application/json' -d '{\"sender\": \"me\", \"message\": \"hoi\"}'\n"
            f"  socketio:  {url}/socket.io (for the web widget; sticky per client address)\n"
            f"  web chat:  {url}/webhooks/widget/\n"
            f"  replicas:  Rasa on {', '.join(map(str, settings.rasa_ports))}; "
            f"actions on {', '.join(map(str, settings.actions_ports))}\n"
            "A process that stops is restarted. Press Ctrl-C to stop everything."
        )

    return run_until_stopped(cluster, ready)


def cmd_replica(args) -> int:
    """One Rasa replica of the cluster, in the foreground, for a container (deploy/Dockerfile.rasa):
    the same files as under `python -m bot cluster`, then ``rasa run`` in place of this process."""
    try:
        settings = Settings.from_env()
        if args.model:
            settings = replace(settings, model=Path(args.model))
        if not settings.model.exists():
            raise LaunchError(f"no trained model at {settings.model}")
        endpoints, credentials = replica_files(settings, args.port, Path(args.run_dir),
                                               env_seconds("ACTION_TIMEOUT", 4.0), os.environ)
    except LaunchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    server = rasa_server(args.port, settings.model, endpoints, credentials, Backoff(), secrets.token_urlsafe(24))
    env = {**child_env(), **server.env}
    sys.stdout.flush()
    os.execve(sys.executable, server.argv, env)


def prepare_tracker_store(settings: Settings, password: str) -> None:
    """The tracker store's database and table, made once by Rasa's own SQLTrackerStore before the
    replicas start (replicas that start together would otherwise race to create the table)."""
    from rasa.core.tracker_store import SQLTrackerStore

    store = SQLTrackerStore(dialect="postgresql", host=settings.postgres_host, port=settings.postgres_port,
                            db=DB_NAME, username=DB_USER, password=password, login_db="postgres")
    store.engine.dispose()


if __name__ == "__main__":
    # python -m bot.cluster prepare-tracker-store   (POSTGRES_HOST, POSTGRES_PORT, POSTGRES_PASSWORD)
    if sys.argv[1:] != ["prepare-tracker-store"]:
        sys.exit("usage: python -m bot.cluster prepare-tracker-store")
    prepare_tracker_store(Settings.from_env(), os.environ["POSTGRES_PASSWORD"])
