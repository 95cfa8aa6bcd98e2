"""Fixtures for the Slack and Teams tests.

``fakes``: the local Slack and Microsoft stand-ins (tests/channels/fakes.py).
``channel_server``: ONE real action server + Rasa server (ports 5157 / 5107) for all channel
tests, with Slack and Teams configured through bot.channels.config from environment variables
that point at the fakes. Package scope: started on first use, stopped after tests/channels.
"""

import pytest

from bot.channels.config import write_credentials
from bot.cli import Assistant, LaunchError, write_endpoints
from tests import rest
from tests.channels.fakes import FakeServices, new_rsa_key, public_jwk

RASA_PORT, ACTIONS_PORT = 5107, 5157

SLACK_TOKEN = "xoxb-test-token"
SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_CHANNEL = "CPREVENTIE"  # the channel where the bot listens without being mentioned

TEAMS_APP_ID = "5f2a1c3e-0000-4000-8000-00000000b0b1"
TEAMS_APP_PASSWORD = "test-app-password"
TEAMS_TENANT_ID = "7e3b0c1d-0000-4000-8000-0000000000aa"
TEAMS_KID = "server-key-1"


@pytest.fixture(scope="package")
def fakes():
    services = FakeServices().start()
    services.server_key = new_rsa_key()
    services.keysets["server"] = [public_jwk(services.server_key, TEAMS_KID)]
    yield services
    services.stop()


def channel_env(fakes) -> dict:
    return {
        "SLACK_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        "SLACK_CHANNEL": SLACK_CHANNEL,
        "SLACK_API_URL": f"{fakes.url}/slack/api/",
        "TEAMS_APP_ID": TEAMS_APP_ID,
        "TEAMS_APP_PASSWORD": TEAMS_APP_PASSWORD,
        "TEAMS_TENANT_ID": TEAMS_TENANT_ID,
        "TEAMS_SERVICE_URLS": f"{fakes.url}/teams/",
        "TEAMS_OPENID_URL": f"{fakes.url}/openid/server/config",
        "TEAMS_TOKEN_URL": f"{fakes.url}/login/{TEAMS_TENANT_ID}/oauth2/v2.0/token",
    }


@pytest.fixture(scope="package")
def channel_server(fakes, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("channels")
    env = channel_env(fakes)
    credentials = write_credentials(tmp / "credentials.yml", env)
    endpoints = write_endpoints(tmp / "endpoints.yml", ACTIONS_PORT, str(tmp / "tracker.db"))
    server = Assistant(
        rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, endpoints=endpoints, credentials=credentials, log_dir=tmp
    )
    # The credentials file refers to the secrets as ${VAR}: the Rasa process gets them from its
    # environment, as in production. Set them only while the servers start, so that no other
    # test (e.g. `python -m bot run` in tests/e2e) inherits them.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        try:
            server.start(timeout=240)
        except LaunchError as err:
            logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))
            pytest.fail(f"{err}\n{logs}")
    server.tmp = tmp
    yield server
    server.stop()


def rest_say(server, sender, text):
    """What the bot answers over REST: the reference the Slack and Teams replies are compared with."""
    return rest.post(server.url, sender, text)
