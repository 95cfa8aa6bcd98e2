"""Fixtures for the browser tests: the real assistant (Rasa + action server) and headless Chromium.

Chromium and its driver come from Debian (scripts/install-browser.sh); Selenium gets the driver
path explicitly, so Selenium Manager never tries to download a browser or driver.
Without Chromium or Selenium the browser tests are skipped with the reason.
"""
import os
import shutil
from pathlib import Path

import pytest

from bot.channels.config import write_credentials
from bot.cli import Assistant, LaunchError, write_endpoints

RASA_PORT, ACTIONS_PORT = 5109, 5159
WIDGET_PATH = "/webhooks/widget/"


def _find(env_name: str, names, fallback: str) -> str:
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return fallback


CHROMIUM = _find("CHROMIUM_BINARY", ("chromium", "chromium-browser"), "/usr/bin/chromium")
CHROMEDRIVER = _find("CHROMEDRIVER", ("chromedriver",), "/usr/bin/chromedriver")


def browser_missing() -> str:
    """Why the browser tests cannot run here, or '' when they can."""
    if not Path(CHROMIUM).is_file():
        return f"Chromium is not installed ({CHROMIUM}); run scripts/install-browser.sh"
    if not Path(CHROMEDRIVER).is_file():
        return f"chromedriver is not installed ({CHROMEDRIVER}); run scripts/install-browser.sh"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed in the venv (pip install -r requirements.lock)"
    return ""


def pytest_collection_modifyitems(config, items):
    """Skip the tests that need a browser, with the reason, when there is none."""
    reason = browser_missing()
    if not reason:
        return
    for item in items:
        if {"browser", "phone_browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The assistant with the credentials `make run` writes (rest, socketio, export, widget)."""
    tmp = tmp_path_factory.mktemp("web")
    patch = pytest.MonkeyPatch()
    # The summary links must point at this test server; sign them with a test secret.
    patch.setenv("PUBLIC_URL", f"http://localhost:{RASA_PORT}")
    patch.setenv("EXPORT_SECRET", "web-widget-test-secret")
    endpoints = write_endpoints(tmp / "endpoints.yml", ACTIONS_PORT, str(tmp / "tracker.db"))
    credentials = write_credentials(tmp / "credentials.yml", env={})
    server = Assistant(
        rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, endpoints=endpoints, credentials=credentials, log_dir=tmp
    )
    try:
        server.start(timeout=300)
    except LaunchError as err:
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))
        patch.undo()
        pytest.fail(f"{err}\n{logs}")
    server.widget_url = server.url + WIDGET_PATH
    yield server
    server.stop()
    patch.undo()


def _chrome(width: int, height: int, phone: bool = False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--lang=nl-NL",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    if phone:
        # A desktop window cannot be narrower than 500 px: emulate the phone's screen instead.
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True}}
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture
def browser():
    """A fresh headless Chromium (own profile, so empty localStorage) at desktop size."""
    driver = _chrome(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture
def phone_browser():
    """A fresh headless Chromium with a 360 x 740 window, like a small phone."""
    driver = _chrome(360, 740, phone=True)
    yield driver
    driver.quit()
