"""The configuration `python -m bot cluster` generates (bot/cluster.py), without starting it, and
deploy/ kept in step with it: the same nginx configuration, services, stores and settings."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import LaunchError
from bot.cluster import Settings, endpoints_yaml, nginx_conf, redis_conf

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_settings_from_the_environment():
    default = Settings.from_env({})
    assert (default.port, default.rasa_ports, default.actions_ports) == (8080, [5201, 5202], [5251, 5252])
    assert default.public_url == "http://localhost:8080"
    assert default.action_endpoint == "http://127.0.0.1:5250/webhook"
    settings = Settings.from_env({"CLUSTER_PORT": "9000", "RASA_REPLICAS": "3", "CLUSTER_RASA_PORT": "6001",
                                  "CLUSTER_DIR": "/tmp/x", "PUBLIC_URL": "https://pw.example.org/"})
    assert settings.rasa_ports == [6001, 6002, 6003] and settings.dir == Path("/tmp/x")
    assert settings.public_url == "https://pw.example.org"


@pytest.mark.parametrize("env, message", [
    ({"CLUSTER_PORT": "web"}, "CLUSTER_PORT must be a whole number from 1 to 65535, not 'web'"),
    ({"RASA_REPLICAS": "0"}, "RASA_REPLICAS must be a whole number from 1 to 16, not '0'"),
])
def test_wrong_settings_are_one_line(env, message):
    with pytest.raises(LaunchError) as err:
        Settings.from_env(env)
    assert str(err.value) == message


def test_two_parts_on_one_port_are_refused():
    with pytest.raises(LaunchError, match="share a port"):
        Settings.from_env({"CLUSTER_RASA_PORT": "5250"}).ports()
    assert len(Settings.from_env({}).ports()) == 8


def test_endpoints_use_the_shared_stores_and_keep_passwords_out_of_the_file(monkeypatch, tmp_path):
    from rasa.utils.endpoints import read_endpoint_config

    text = endpoints_yaml(Settings.from_env({"POSTGRES_PORT": "5999"}))
    data = yaml.safe_load(text)
    assert data["tracker_store"]["dialect"] == "postgresql" and data["tracker_store"]["port"] == 5999
    assert data["lock_store"]["type"] == "redis"
    assert "${POSTGRES_PASSWORD}" in text and "${REDIS_PASSWORD}" in text
    # Rasa fills the passwords in from its environment.
    monkeypatch.setenv("POSTGRES_PASSWORD", "pg-secret")
    monkeypatch.setenv("REDIS_PASSWORD", "redis-secret")
    path = tmp_path / "endpoints.yml"
    path.write_text(text)
    assert read_endpoint_config(str(path), "tracker_store").kwargs["password"] == "pg-secret"
    assert read_endpoint_config(str(path), "lock_store").kwargs["password"] == "redis-secret"


def test_nginx_sticky_socketio_round_robin_rest_and_no_public_guard():
    conf = nginx_conf(Settings.from_env({}))
    sticky = conf[conf.index("upstream rasa_sticky"):conf.index("upstream actions")]
    assert "hash $remote_addr consistent;" in sticky
    assert "127.0.0.1:5201" in sticky and "127.0.0.1:5202" in sticky
    plain = conf[conf.index("upstream rasa {"):conf.index("upstream rasa_sticky")]
    assert "hash" not in plain  # round-robin
    socketio = conf[conf.index("location /socket.io/"):]
    assert "proxy_set_header Upgrade $http_upgrade;" in socketio
    assert "proxy_set_header Connection $connection_upgrade;" in socketio
    assert "location /webhooks/action_guard/ {\n            return 404;" in conf
    assert "listen 127.0.0.1:5250;" in conf and "server 127.0.0.1:5251" in conf


@pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx installed (Debian: nginx)")
def test_nginx_accepts_the_generated_configuration(tmp_path):
    settings = Settings.from_env({"CLUSTER_DIR": str(tmp_path)})
    (tmp_path / "nginx" / "tmp").mkdir(parents=True)
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(nginx_conf(settings))
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", "stderr"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_redis_is_private():
    conf = redis_conf(Settings.from_env({}), "s3cret")
    assert "bind 127.0.0.1\n" in conf and "requirepass s3cret\n" in conf and "port 6380\n" in conf


def test_deploy_nginx_conf_is_the_generated_one():
    assert (DEPLOY / "nginx.conf").read_text() == nginx_conf(Settings.for_docker()), \
        "deploy/nginx.conf is out of date: python -m bot cluster --nginx-conf docker > deploy/nginx.conf"


def test_docker_compose_runs_the_tested_topology():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "rasa-1", "rasa-2", "actions-1", "actions-2", "nginx"} <= set(services)
    docker = Settings.for_docker()
    assert [f"{name}:5005" for name in ("rasa-1", "rasa-2")] == docker.rasa_addresses()
    assert [f"{name}:5055" for name in ("actions-1", "actions-2")] == docker.actions_addresses()
    for name in ("rasa-1", "rasa-2"):
        env = services[name]["environment"]
        assert env["POSTGRES_HOST"] == docker.postgres_host and env["REDIS_HOST"] == docker.redis_host
        assert env["ACTIONS_URL"] == docker.action_endpoint and env["REDIS_URL"] == docker.redis_url
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile.rasa"
        assert "EXPORT_SECRET" in env
    for name in ("actions-1", "actions-2"):
        assert "EXPORT_SECRET" in services[name]["environment"]
    assert services["tracker-store-setup"]["command"] == ["python", "-m", "bot.cluster", "prepare-tracker-store"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    assert "bot\", \"replica" in (DEPLOY / "Dockerfile.rasa").read_text()


def test_helm_values_name_the_same_stores():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yml").read_text())
    assert values["replicaCount"] == 2
    endpoints = values["applicationSettings"]["endpoints"]
    assert endpoints["trackerStore"]["dialect"] == "postgresql" and endpoints["lockStore"]["type"] == "redis"
    assert endpoints["lockStore"]["enabled"] and endpoints["trackerStore"]["enabled"]
    credentials = values["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    assert "bot.channels.action_guard.ActionGuardInput" in credentials
    assert yaml.safe_load((DEPLOY / "helm" / "values-actions.yml").read_text())["replicaCount"] == 2


def test_a_service_user_that_cannot_reach_its_folder_is_one_line(tmp_path):
    import pwd

    from bot.cluster import _check_reachable

    closed = tmp_path / "closed"
    (closed / "cluster" / "postgres").mkdir(parents=True)
    closed.chmod(0o700)
    nobody = pwd.getpwnam("nobody")
    with pytest.raises(LaunchError, match=f"PostgreSQL runs as user nobody and cannot reach .*: {closed} is closed"):
        _check_reachable(closed / "cluster" / "postgres", nobody, "PostgreSQL")
    import tempfile

    open_folder = Path(tempfile.mkdtemp(prefix="pw-reach-"))
    try:
        open_folder.chmod(0o755)
        (open_folder / "cluster" / "postgres").mkdir(parents=True)
        _check_reachable(open_folder / "cluster" / "postgres", nobody, "PostgreSQL")  # no error
    finally:
        shutil.rmtree(open_folder)
