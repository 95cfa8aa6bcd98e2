"""The web chat widget in a real browser (headless Chromium through Selenium), against the real
Rasa and action servers: the Dutch page, a complete interview with clicks and typed answers,
a reload in the middle, the DOCX download, HTML in messages shown as text, and a phone-sized
window.

The interview is driven by what the assistant asks (question texts matched loosely), so a change
in the order of the questions does not break the test; every question must be recognised.
"""
import io
import re
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

WAIT = 60  # seconds for one answer of the assistant (the first one loads the model's pipeline)

# What the widget shows, in Dutch.
OFFLINE = "Geen verbinding met de server"


def _by():
    from selenium.webdriver.common.by import By

    return By


class Widget:
    """The chat page in the browser, used as an officer would."""

    def __init__(self, driver, url):
        self.driver = driver
        self.url = url
        self.said = []  # (what the user did, what the assistant answered), for failure messages

    # -- page

    def open(self):
        self.driver.get(self.url)
        self.wait_connected()
        return self

    def reload(self):
        self.driver.refresh()
        self.wait_connected()

    def wait_connected(self):
        """Wait until the page has a confirmed socket session (the status line is empty again)."""
        from selenium.webdriver.support.ui import WebDriverWait

        By = _by()
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.find_element(By.ID, "pw-input").is_displayed()
            and d.find_element(By.ID, "pw-status").text.strip() == ""
        )

    def find(self, css):
        return self.driver.find_element(_by().CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(_by().CSS_SELECTOR, css)

    # -- messages

    def bot_texts(self):
        return [e.text for e in self.find_all("#pw-log .pw-from-bot .pw-bubble")]

    def user_texts(self):
        return [e.text for e in self.find_all("#pw-log .pw-from-user .pw-bubble")]

    def all_texts(self):
        return [e.text for e in self.find_all("#pw-log .pw-message")]

    def bot_count(self):
        return len(self.find_all("#pw-log .pw-from-bot"))

    def new_bot_text(self, since):
        """The text of the bot messages after the first ``since`` (without button titles)."""
        rows = self.find_all("#pw-log .pw-from-bot")[since:]
        return "\n".join(b.text for row in rows for b in row.find_elements(_by().CSS_SELECTOR, ".pw-bubble"))

    def wait_for(self, since, *parts, allow_none=False):
        """Wait until the bot messages after the first ``since`` contain every part (any case)."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        wanted = [p.lower() for p in parts]

        def arrived(_):
            text = self.new_bot_text(since).lower()
            if wanted:
                return all(p in text for p in wanted)
            return bool(text)

        try:
            WebDriverWait(self.driver, WAIT, poll_frequency=0.2).until(arrived)
        except TimeoutException:
            pytest.fail(f"no bot message with {parts!r} within {WAIT} s\n{self.transcript()}")
        self.settle(since)
        return self.new_bot_text(since)

    def settle(self, since, quiet=0.6):
        """The assistant sends an answer in parts: wait until no new part came for ``quiet`` s."""
        from selenium.webdriver.support.ui import WebDriverWait

        state = {"count": -1, "at": time.monotonic()}

        def quiet_now(_):
            count = self.bot_count()
            if count != state["count"]:
                state.update(count=count, at=time.monotonic())
                return False
            return time.monotonic() - state["at"] >= quiet

        WebDriverWait(self.driver, 15, poll_frequency=0.1).until(quiet_now)

    # -- acting

    def type(self, text, *expect):
        from selenium.webdriver.common.keys import Keys

        since = self.bot_count()
        box = self.find("#pw-input")
        box.click()
        box.send_keys(text, Keys.ENTER)
        answer = self.wait_for(since, *expect)
        self.said.append((text, answer))
        return answer

    def buttons(self):
        return [b for b in self.find_all("#pw-log .pw-choice") if b.is_enabled()]

    def click(self, title_start, *expect):
        """Click the (enabled) choice button whose title starts with ``title_start``."""
        from selenium.webdriver.support.ui import WebDriverWait

        want = title_start.lower()

        def button(_):
            return next((b for b in self.buttons() if b.text.strip().lower().startswith(want)), False)

        try:
            found = WebDriverWait(self.driver, 10).until(button)
        except Exception:
            titles = [b.text for b in self.buttons()]
            pytest.fail(f"no button {title_start!r} among {titles}\n{self.transcript()}")
        title = found.text.strip()
        since = self.bot_count()
        found.click()
        answer = self.wait_for(since, *expect)
        # The title is shown as the user's message, and the choices are now answered.
        assert self.user_texts()[-1] == title, self.transcript()
        assert not found.is_enabled(), "a used button must be disabled"
        self.said.append((f"[{title}]", answer))
        return answer

    def transcript(self):
        said = "\n".join(f"> {said}\n{answer}" for said, answer in self.said[-8:]) or "(nothing said yet)"
        try:
            page = "\n".join(self.all_texts()[-12:]) or "(empty)"
        except Exception as error:  # the page itself may be gone
            page = f"(page not readable: {error})"
        return f"{said}\n-- on the page:\n{page}"

    def console_errors(self):
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]


# Wraps window.io before the page's scripts run, so a test can reach the widget's socket
# (window.__pwSocket) to play a server message or drop the connection.
_CAPTURE_SOCKET = """
(function () {
  var realIo;
  Object.defineProperty(window, "io", {
    configurable: true,
    set: function (value) { realIo = value; },
    get: function () {
      return function () {
        var socket = realIo.apply(null, arguments);
        window.__pwSocket = socket;
        return socket;
      };
    },
  });
})();
"""


def capture_socket(driver):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CAPTURE_SOCKET})


def from_bot(driver, message):
    """Hand ``message`` to the widget as if the server sent it as bot_uttered."""
    count = driver.execute_script(
        "var message = arguments[0], listeners = window.__pwSocket.listeners('bot_uttered');"
        "listeners.forEach(function (f) { f(message); }); return listeners.length;",
        message,
    )
    assert count == 1


def _question(text):
    """The last question in an answer (the part the next answer responds to)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _interview(widget, municipality, reload_at):
    """Answer every question until the plan starts; reload the page before the question that
    contains ``reload_at``. Returns the text of the first plan step."""
    answers = [
        # (the question contains, how to answer: ("click", button title start) or ("type", text))
        ("vanuit welk domein", ("click", "gezondheid")),
        ("waarom kom je", ("click", "er is een signaal")),
        ("is er een signaal", ("click", "er is een signaal")),
        ("welk signaal", ("click", "lachgas")),
        ("welk thema", ("type", "lachgas")),
        ("waar zie je het", ("click", "op straat")),  # a button rendered again after the reload
        ("wie heeft het gezien", ("click", "jongerenwerk")),
        ("neemt het toe", ("click", "het neemt toe")),
        ("nog een ander signaal", ("click", "nee")),
        ("klopt dat", ("click", "ja, klopt")),
        ("welke groepen", ("click", "hangjongeren")),
        ("om welke groep", ("click", "hangjongeren")),
        ("welke partners", ("type", "GGD en jongerenwerk")),
        ("welk beleid", ("click", "nog geen beleid")),
        ("hoeveel ruimte", ("click", "weinig")),
    ]
    reloaded = False
    # The assistant speaks first: a new user sees who it is and the first question.
    text = widget.wait_for(0, "Preventiewijzer", "Voor welke gemeente")
    text = widget.type(municipality)
    for _ in range(25):
        if "stap 1 van" in text.lower():
            assert reloaded, f"the interview never asked the question with {reload_at!r}\n{widget.transcript()}"
            return text
        question = text.lower()
        if "bedoel je" in question:  # a misspelt municipality: confirm the suggestion
            text = widget.click("ja")
            continue
        match = next(((key, how) for key, how in answers if key in _question(question)), None)
        if match is None:
            match = next(((key, how) for key, how in answers if key in question), None)
        assert match, f"a question the test does not know:\n{text}\n{widget.transcript()}"
        key, (how, value) = match
        reload_now = not reloaded and reload_at in key
        if reload_now:
            _check_reload(widget)
            reloaded = True
        if how == "click":
            text = widget.click(value)
        else:
            text = widget.type(value)
        if reload_now:  # the answer after the reload was taken for the same question
            assert key not in _question(text.lower()), f"the answer after the reload was not accepted\n{widget.transcript()}"
    pytest.fail(f"the interview did not reach the plan\n{widget.transcript()}")


def _check_reload(widget):
    """Reload the page: the earlier messages are shown again and the chat goes on."""
    before = widget.all_texts()
    assert len(before) >= 4
    widget.reload()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(widget.driver, WAIT).until(lambda _: len(widget.all_texts()) >= len(before))
    assert widget.all_texts() == before, "the messages before the reload must be shown again"


def _download(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        disposition = response.headers.get("Content-Disposition", "")
        return disposition, response.read()


def test_page_is_dutch_and_accessible(assistant, browser):
    widget = Widget(browser, assistant.widget_url).open()
    assert browser.title == "Preventiewijzer"
    assert browser.find_element(_by().TAG_NAME, "html").get_attribute("lang") == "nl"
    assert widget.find("h1").text == "Preventiewijzer"
    assert "digitale assistent" in widget.find(".pw-note").text
    log = widget.find("#pw-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    label = widget.find("label[for='pw-input']")
    assert label.text == "Typ je bericht"
    assert widget.find("#pw-input").get_attribute("placeholder") == "Typ je bericht"
    assert widget.find("#pw-send").text == "Verstuur"
    assert widget.find("#pw-restart").text == "Opnieuw beginnen"
    # The input has the focus, so the user can type at once.
    assert browser.switch_to.active_element == widget.find("#pw-input")
    assert widget.find("#pw-status").text == ""
    assert not widget.console_errors()


def test_complete_interview_with_reload_and_download(assistant, browser):
    widget = Widget(browser, assistant.widget_url).open()
    municipality = "Zwolle"

    # Greeting, the municipality, then clicks and typed answers; a reload before the place question.
    first_step = _interview(widget, municipality, reload_at="waar zie je het")
    assert "Stap 1 van" in first_step

    # The plan, step by step: buttons and typed commands.
    text = widget.click("Volgende", "Stap 2 van")
    text = widget.type("volgende", "Stap 3 van")
    for _ in range(6):
        if "samen hebben gemaakt" in text.lower():
            break
        text = widget.click("Volgende")
    assert "samen hebben gemaakt" in text.lower() and municipality in text, widget.transcript()

    # The summary, with download links.
    text = widget.type("stuur me het verslag", f"Samenvatting voor {municipality}")
    docx_links = [a for a in widget.find_all("#pw-log .pw-from-bot a") if ".docx" in (a.get_attribute("href") or "")]
    paths = [urlsplit(a.get_attribute("href")).path for a in docx_links]
    # The summary and the policy text made from it, each as a link.
    links = [a for a, path in zip(docx_links, paths, strict=True) if path.startswith("/webhooks/export/summary/")]
    assert links, f"no .docx link to the summary in:\n{text}"
    assert any(path.startswith("/webhooks/export/policy/") for path in paths), paths
    link = links[-1]
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    href = link.get_attribute("href")
    assert "sig=" in href
    assert link.is_displayed() and link.text.strip()

    disposition, body = _download(href)
    assert "attachment" in disposition and ".docx" in disposition
    import docx

    document = docx.Document(io.BytesIO(body))
    content = "\n".join(p.text for p in document.paragraphs)
    content += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert municipality in content
    assert "lachgas" in content.lower()
    assert not widget.console_errors()


def test_reload_keeps_session_and_answers_go_on(assistant, browser):
    """After a reload the same conversation continues: the answer goes to the open question."""
    widget = Widget(browser, assistant.widget_url).open()
    widget.type("hallo", "Voor welke gemeente")
    session = browser.execute_script("return window.localStorage.getItem('preventiewijzer.session')")
    assert session and re.fullmatch(r"[0-9a-f]{32}", session)
    widget.reload()
    assert browser.execute_script("return window.localStorage.getItem('preventiewijzer.session')") == session
    assert "Voor welke gemeente" in "\n".join(widget.bot_texts())
    text = widget.type("Deventer")
    assert "voor welke gemeente" not in _question(text).lower(), widget.transcript()

    # "Opnieuw beginnen" clears the screen and starts over on the server too.
    widget.find("#pw-restart").click()
    alert = browser.switch_to.alert  # "Wil je opnieuw beginnen?"
    assert "opnieuw beginnen" in alert.text.lower()
    alert.accept()
    widget.wait_for(0, "opnieuw", "Voor welke gemeente")
    assert widget.user_texts() == ["Opnieuw beginnen"]
    widget.type("Zwolle", "Vanuit welk domein")


def test_html_in_messages_is_shown_as_text(assistant, browser):
    widget = Widget(browser, assistant.widget_url).open()
    attack = "<img src=x onerror=alert(1)> <script>alert(2)</script> <b>vet</b>"
    widget.type(attack)
    assert widget.user_texts()[-1] == attack
    log = widget.find("#pw-log")
    for tag in ("img", "script", "b"):
        assert not log.find_elements(_by().TAG_NAME, tag), f"a <{tag}> element was made from message text"
    # No alert opened and no script error.
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text  # reading it raises when no alert is open
    assert not widget.console_errors()
    # After a reload (the history is re-rendered from storage) it is still text.
    widget.reload()
    assert attack in widget.user_texts()
    assert not widget.find("#pw-log").find_elements(_by().TAG_NAME, "img")


def test_bot_messages_markup_links_and_line_breaks(assistant, browser):
    """Bot messages: markup stays text, only http(s) URLs become links, line breaks are kept,
    buttons are real buttons with text titles."""
    capture_socket(browser)
    widget = Widget(browser, assistant.widget_url).open()
    message = {
        "text": "<img src=x onerror=alert(1)> <script>alert(2)</script>\n"
                "Regel twee: https://example.org/uitleg?a=1&b=2. javascript:alert(3) "
                "en <a href=\"javascript:alert(4)\">klik</a>",
        "quick_replies": [{"content_type": "text", "title": "<b>Volgende</b>", "payload": "/next_step"}],
    }
    from_bot(browser, message)
    # (a new conversation also has the greeting on open: find the injected message by its text)
    bubble = next(b for b in widget.find_all("#pw-log .pw-from-bot .pw-bubble") if "Regel twee" in b.text)
    for tag in ("img", "script", "b"):
        assert not widget.find("#pw-log").find_elements(_by().TAG_NAME, tag), f"a <{tag}> element from bot text"
    assert "<img src=x onerror=alert(1)>" in bubble.text and "<script>alert(2)</script>" in bubble.text
    assert "\nRegel twee" in bubble.text  # the line break is kept
    assert bubble.value_of_css_property("white-space") == "pre-line"
    links = bubble.find_elements(_by().TAG_NAME, "a")
    assert [a.get_attribute("href") for a in links] == ["https://example.org/uitleg?a=1&b=2"]
    assert links[0].get_attribute("rel").split()[0] == "noopener" and links[0].get_attribute("target") == "_blank"
    choice = next(c for c in widget.find_all("#pw-log .pw-choice") if c.text == "<b>Volgende</b>")
    assert choice.tag_name == "button" and choice.text == "<b>Volgende</b>"
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text  # reading it raises when no alert is open
    assert not widget.console_errors()


def test_connection_lost_and_back(assistant, browser):
    capture_socket(browser)
    widget = Widget(browser, assistant.widget_url).open()
    widget.wait_for(0, "Voor welke gemeente")  # the greeting of a new conversation
    # Close the transport as a dropped network would; socket.io then reconnects by itself.
    shown = browser.execute_script(
        "window.__pwSocket.io.engine.close(); return document.getElementById('pw-status').textContent;"
    )
    assert shown.startswith(OFFLINE), shown
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, WAIT).until(lambda _: "verbinding is er weer" in widget.find("#pw-status").text)
    # And the chat works again on the same session: no second greeting, the interview goes on.
    widget.type("Zwolle", "Vanuit welk domein")
    assert sum("Voor welke gemeente" in text for text in widget.bot_texts()) == 1, widget.bot_texts()


def test_small_screen(assistant, phone_browser):
    """At 360 x 740 the input and the send button are on the screen and usable, also after a
    few messages (only the message list scrolls), and nothing is wider than the screen."""
    widget = Widget(phone_browser, assistant.widget_url).open()
    width, height = phone_browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert (width, height) == (360, 740)

    def check_in_view():
        assert phone_browser.execute_script("return document.documentElement.scrollWidth") <= width
        for element in (widget.find("#pw-input"), widget.find("#pw-send")):
            assert element.is_displayed()
            rect = element.rect
            assert rect["x"] >= 0 and rect["x"] + rect["width"] <= width, rect
            assert rect["y"] >= 0 and rect["y"] + rect["height"] <= height, rect
            assert rect["height"] >= 40 and rect["width"] >= 40, rect  # a big enough touch target

    check_in_view()
    box = widget.find("#pw-input")
    # No focus on load on a touch screen (it would open the keyboard over the page).
    assert phone_browser.switch_to.active_element != box
    box.click()
    box.send_keys("hoi")
    since = widget.bot_count()
    widget.find("#pw-send").click()  # send with the button this time
    widget.wait_for(since, "Voor welke gemeente")
    assert phone_browser.switch_to.active_element == box  # the focus stays in the input
    widget.type("Zwolle", "Vanuit welk domein")
    widget.click("sociaal domein")
    check_in_view()
    # The newest message is scrolled into view.
    last = widget.find_all("#pw-log .pw-from-bot")[-1]
    assert phone_browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(), l = document.getElementById('pw-log').getBoundingClientRect();"
        "return r.bottom <= l.bottom + 1 && r.bottom > l.top;",
        last,
    )
