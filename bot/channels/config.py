"""Channel configuration at run time: the credentials file for `rasa run --credentials`, built
from environment variables.

    rest, socketio   always on; so are the summary export (bot.channels.export) and the web
                     widget page (bot.channels.widget), which need no secrets
    Slack            when SLACK_TOKEN and SLACK_SIGNING_SECRET are set
                     (optional SLACK_CHANNEL, SLACK_API_URL)
    Microsoft Teams  when TEAMS_APP_ID and TEAMS_APP_PASSWORD are set
                     (optional TEAMS_TENANT_ID, TEAMS_SERVICE_URLS, TEAMS_OPENID_URL, TEAMS_TOKEN_URL)

Secrets (SLACK_TOKEN, SLACK_SIGNING_SECRET, TEAMS_APP_PASSWORD) are not written to the file: it
holds `${VAR}` references that Rasa fills in from its own environment when it reads the file
(the launcher passes its environment on to the Rasa process). Everything else is written as is.

This module imports neither Rasa nor the channel classes, so the launcher stays fast.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlsplit

import yaml

SLACK_CLASS = "bot.channels.slack.SlackInput"
TEAMS_CLASS = "bot.channels.teams.TeamsInput"

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# The Bot Framework service URLs of Microsoft Teams (commercial cloud), e.g.
# https://smba.trafficmanager.net/emea/ or https://smba.trafficmanager.net/teams/.
DEFAULT_TEAMS_SERVICE_URLS = ("https://smba.trafficmanager.net/",)
DEFAULT_TEAMS_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
MULTI_TENANT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
SINGLE_TENANT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"

SLACK_REQUIRED = ("SLACK_TOKEN", "SLACK_SIGNING_SECRET")
SLACK_OPTIONAL = ("SLACK_CHANNEL", "SLACK_API_URL")
TEAMS_REQUIRED = ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD")
TEAMS_OPTIONAL = ("TEAMS_TENANT_ID", "TEAMS_SERVICE_URLS", "TEAMS_OPENID_URL", "TEAMS_TOKEN_URL")

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
_TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")  # a GUID or a domain like contoso.onmicrosoft.com


class ChannelConfigError(ValueError):
    """A channel is configured wrongly; the message is one line for the operator."""


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _check_complete(env: Mapping[str, str], channel: str, required, optional) -> bool:
    """True when the channel is configured, False when none of its variables are set."""
    present = [name for name in (*required, *optional) if _get(env, name)]
    missing = [name for name in required if not _get(env, name)]
    if not present:
        return False
    if missing:
        raise ChannelConfigError(
            f"{channel} is only half configured: {_and(present)} {'is' if len(present) == 1 else 'are'} set "
            f"but {_and(missing)} {'is' if len(missing) == 1 else 'are'} not; "
            f"set {_and(required)} to enable {channel}, or unset {_and(present)}"
        )
    return True


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check_url(name: str, value: str, trailing_slash: bool = False) -> str:
    """An https URL (http only for this machine, for tests); optionally ending in '/'."""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and host not in _LOOPBACK_HOSTS):
        raise ChannelConfigError(f"{name} must be an https:// URL, not {value!r}")
    if trailing_slash and not value.endswith("/"):
        value += "/"
    return value


def slack_config(env: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    if not _check_complete(env, "Slack", SLACK_REQUIRED, SLACK_OPTIONAL):
        return None
    config: Dict[str, Any] = {
        "slack_token": "${SLACK_TOKEN}",
        "slack_signing_secret": "${SLACK_SIGNING_SECRET}",
        "use_threads": True,
        "slack_api_url": check_url("SLACK_API_URL", _get(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL, True),
    }
    if _get(env, "SLACK_CHANNEL"):
        config["slack_channel"] = _get(env, "SLACK_CHANNEL")
    return config


def teams_config(env: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    if not _check_complete(env, "Microsoft Teams", TEAMS_REQUIRED, TEAMS_OPTIONAL):
        return None
    tenant = _get(env, "TEAMS_TENANT_ID")
    if tenant and not _TENANT_RE.match(tenant):
        raise ChannelConfigError(f"TEAMS_TENANT_ID must be a tenant id (GUID) or domain, not {tenant!r}")
    service_urls = [u.strip() for u in _get(env, "TEAMS_SERVICE_URLS").split(",") if u.strip()]
    service_urls = [check_url("TEAMS_SERVICE_URLS", u, True) for u in service_urls or DEFAULT_TEAMS_SERVICE_URLS]
    token_url = _get(env, "TEAMS_TOKEN_URL") or (
        SINGLE_TENANT_TOKEN_URL.format(tenant=tenant) if tenant else MULTI_TENANT_TOKEN_URL
    )
    config: Dict[str, Any] = {
        "app_id": _get(env, "TEAMS_APP_ID"),
        "app_password": "${TEAMS_APP_PASSWORD}",
        "service_urls": service_urls,
        "openid_url": check_url("TEAMS_OPENID_URL", _get(env, "TEAMS_OPENID_URL") or DEFAULT_TEAMS_OPENID_URL),
        "token_url": check_url("TEAMS_TOKEN_URL", token_url),
    }
    if tenant:
        config["tenant_id"] = tenant
    return config


EXPORT_CLASS = "bot.channels.export.ExportInput"
WIDGET_CLASS = "bot.channels.widget.WidgetInput"


def channel_config(
    env: Optional[Mapping[str, str]] = None, extra_channels: Optional[Mapping[str, Any]] = None
) -> Dict[str, Any]:
    """The credentials for `rasa run`: channel name or class path -> its settings.

    ``extra_channels`` are added as they are (e.g. ``{"bot.channels.export.ExportInput": {...}}``);
    they may not replace a channel configured here.
    """
    env = os.environ if env is None else env
    config: Dict[str, Any] = {
        "rest": None,
        "socketio": {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
        },
        # Summary downloads (signed links) and the export API; the API token comes from
        # EXPORT_API_TOKEN, without it the API is off.
        EXPORT_CLASS: None,
        # The web chat page at /webhooks/widget/ (it talks to the socketio channel above).
        WIDGET_CLASS: None,
    }
    slack = slack_config(env)
    if slack is not None:
        config[SLACK_CLASS] = slack
    teams = teams_config(env)
    if teams is not None:
        config[TEAMS_CLASS] = teams
    for name, settings in (extra_channels or {}).items():
        if name in config:
            raise ChannelConfigError(f"the channel {name!r} is configured twice")
        config[name] = settings
    return config


def channel_names(config: Mapping[str, Any]) -> List[str]:
    """Short names for a start-up message: rest, socketio, slack, teams, export, …"""
    return [name.rsplit(".", 1)[-1].replace("Input", "").lower() or name for name in config]


def write_credentials(
    path: Path, env: Optional[Mapping[str, str]] = None, extra_channels: Optional[Mapping[str, Any]] = None
) -> Path:
    """Write the credentials file for `rasa run --credentials` (see ``channel_config``)."""
    config = channel_config(env, extra_channels)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Generated at start-up by bot/channels/config.py from environment variables; do not edit.\n"
        "# Secrets stay ${VAR} references: Rasa reads them from its environment.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, default_flow_style=False)
    )
    return write_private(path, text)


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by the owner only (mode 0600), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
    return path
