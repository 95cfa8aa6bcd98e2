"""The runtime credentials file built from environment variables (bot/channels/config.py)."""
import stat
import subprocess
import sys

import pytest

from bot.channels.config import (
    SLACK_CLASS,
    TEAMS_CLASS,
    ChannelConfigError,
    channel_config,
    channel_names,
    write_credentials,
)
from bot.cli import PROJECT_DIR, child_env

SLACK = {"SLACK_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}
TEAMS = {"TEAMS_APP_ID": "app-id", "TEAMS_APP_PASSWORD": "pw"}
SOCKETIO = {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered", "session_persistence": True}


# Always on, whatever the environment says: REST, socketio and our own channels without secrets
# (summary export, web widget).
ALWAYS = channel_config({})


def test_without_variables_only_the_channels_that_need_no_secrets():
    assert list(ALWAYS)[:2] == ["rest", "socketio"] and ALWAYS["socketio"] == SOCKETIO
    assert "bot.channels.export.ExportInput" in ALWAYS
    assert SLACK_CLASS not in ALWAYS and TEAMS_CLASS not in ALWAYS
    assert channel_config({"SLACK_TOKEN": " ", "TEAMS_APP_ID": ""}) == ALWAYS


def test_slack_with_defaults_and_options():
    config = channel_config(SLACK)[SLACK_CLASS]
    assert config == {
        "slack_token": "${SLACK_TOKEN}",
        "slack_signing_secret": "${SLACK_SIGNING_SECRET}",
        "use_threads": True,
        "slack_api_url": "https://slack.com/api/",
    }
    config = channel_config({**SLACK, "SLACK_CHANNEL": "C123", "SLACK_API_URL": "http://127.0.0.1:8080/api"})[SLACK_CLASS]
    assert config["slack_channel"] == "C123" and config["slack_api_url"] == "http://127.0.0.1:8080/api/"


def test_teams_multi_and_single_tenant():
    config = channel_config(TEAMS)[TEAMS_CLASS]
    assert config == {
        "app_id": "app-id",
        "app_password": "${TEAMS_APP_PASSWORD}",
        "service_urls": ["https://smba.trafficmanager.net/"],
        "openid_url": "https://login.botframework.com/v1/.well-known/openidconfiguration",
        "token_url": "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
    }
    tenant = "7e3b0c1d-0000-4000-8000-0000000000aa"
    config = channel_config({**TEAMS, "TEAMS_TENANT_ID": tenant,
                             "TEAMS_SERVICE_URLS": "https://smba.trafficmanager.net/emea/, https://smba.trafficmanager.net/teams"})
    config = config[TEAMS_CLASS]
    assert config["tenant_id"] == tenant
    assert config["token_url"] == f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    assert config["service_urls"] == ["https://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net/teams/"]
    config = channel_config({**TEAMS, "TEAMS_TENANT_ID": tenant, "TEAMS_TOKEN_URL": "https://login.example/t"})
    assert config[TEAMS_CLASS]["token_url"] == "https://login.example/t"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SLACK_TOKEN": "x"}, "Slack is only half configured: SLACK_TOKEN is set but SLACK_SIGNING_SECRET is not"),
        ({"SLACK_SIGNING_SECRET": "x"}, "SLACK_SIGNING_SECRET is set but SLACK_TOKEN is not"),
        ({"SLACK_CHANNEL": "C1"}, "SLACK_CHANNEL is set but SLACK_TOKEN and SLACK_SIGNING_SECRET are not"),
        ({"TEAMS_APP_ID": "x"}, "Microsoft Teams is only half configured: TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not"),
        ({"TEAMS_APP_PASSWORD": "x", "TEAMS_TENANT_ID": "t"}, "are set but TEAMS_APP_ID is not"),
        ({**TEAMS, "TEAMS_SERVICE_URLS": "http://smba.trafficmanager.net/"}, "TEAMS_SERVICE_URLS must be an https:// URL"),
        ({**TEAMS, "TEAMS_TENANT_ID": "x/../y"}, "TEAMS_TENANT_ID must be a tenant id"),
        ({**SLACK, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL must be an https:// URL"),
    ],
)
def test_half_or_wrong_configuration_is_one_clear_line(env, message):
    with pytest.raises(ChannelConfigError) as error:
        channel_config(env)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_extra_channels_are_added():
    extra = {"tests.channels.Other": {"directory": "var/other"}}
    config = channel_config({**SLACK}, extra_channels=extra)
    assert list(config) == list(ALWAYS) + [SLACK_CLASS, "tests.channels.Other"]
    assert channel_names(config)[-2:] == ["slack", "other"]
    with pytest.raises(ChannelConfigError, match="configured twice"):
        channel_config({}, extra_channels={"rest": None})


def test_the_file_keeps_secrets_out_and_rasa_reads_them_from_the_environment(tmp_path, monkeypatch):
    from rasa.shared.utils.io import read_config_file

    env = {**SLACK, **TEAMS, "SLACK_TOKEN": "xoxb-very-secret", "TEAMS_APP_PASSWORD": "pass$word{x}"}
    path = write_credentials(tmp_path / "var" / "credentials.yml", env)
    text = path.read_text()
    assert "xoxb-very-secret" not in text and "pass$word" not in text and "s3cret" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loaded = read_config_file(path)
    assert loaded[SLACK_CLASS]["slack_token"] == "xoxb-very-secret"
    assert loaded[TEAMS_CLASS]["app_password"] == "pass$word{x}"
    assert loaded["socketio"] == SOCKETIO and loaded["rest"] is None


def test_the_channel_classes_load_from_the_file(tmp_path, monkeypatch):
    from rasa.core.run import create_http_input_channels

    from bot.channels.slack import SlackInput
    from bot.channels.teams import TeamsInput

    env = {**SLACK, **TEAMS, "TEAMS_TENANT_ID": "contoso.onmicrosoft.com"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    channels = create_http_input_channels(None, str(write_credentials(tmp_path / "c.yml", env)))
    names = [c.name() for c in channels]
    assert names[:2] == ["rest", "socketio"] and names[-2:] == ["slack", "teams"]
    slack, teams = channels[-2], channels[-1]
    assert isinstance(slack, SlackInput) and slack.use_threads and slack.slack_signing_secret == "s3cret"
    assert isinstance(teams, TeamsInput) and teams.tenant_id == "contoso.onmicrosoft.com"
    assert teams.tokens.token_url == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert teams.keys.fetched_at is None  # nothing fetched at start-up


def test_bot_run_stops_with_one_line_when_a_channel_is_half_configured():
    env = child_env()
    for name in list(env):
        if name.startswith(("SLACK_", "TEAMS_")):
            del env[name]
    env["TEAMS_APP_ID"] = "app-id"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--port", "5998", "--actions-port", "5997"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: Microsoft Teams is only half configured: TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not; "
        "set TEAMS_APP_ID and TEAMS_APP_PASSWORD to enable Microsoft Teams, or unset TEAMS_APP_ID"
    ]
