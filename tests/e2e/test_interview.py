"""End to end: start the real action server and Rasa server, and hold three complete interviews
over REST (the 3-MMC example of the seeds, an LVB case and a debt case), with corrections,
questions in between and changes to the plan."""
import uuid

import pytest

from bot.cli import Assistant, LaunchError, port_free, write_endpoints
from tests import rest

pytestmark = pytest.mark.e2e

RASA_PORT, ACTIONS_PORT = 5105, 5155


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    endpoints = write_endpoints(tmp / "endpoints.yml", ACTIONS_PORT, str(tmp / "tracker.db"))
    server = Assistant(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, endpoints=endpoints, log_dir=tmp)
    try:
        server.start(timeout=300)
    except LaunchError as err:
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))
        pytest.fail(f"{err}\n{logs}")
    yield server
    server.stop()


class Chat:
    """One officer talking to the assistant over the REST channel."""

    def __init__(self, server):
        self.server = server
        self.sender = f"e2e-{uuid.uuid4().hex[:8]}"
        self.replies = []
        self.log = []

    def say(self, text):
        self.replies = rest.post(self.server.url, self.sender, text)
        self.log.append((text, self.text))
        return self.text

    @property
    def text(self):
        return "\n".join(r.get("text", "") for r in self.replies)

    def buttons(self):
        return [b for r in self.replies for b in r.get("buttons", [])]

    def click(self, title_start):
        button = next((b for b in self.buttons() if b["title"].startswith(title_start)), None)
        assert button, f"no button '{title_start}' in {[b['title'] for b in self.buttons()]}\n{self.transcript()}"
        return self.say(button["payload"])

    def expect(self, *parts):
        for part in parts:
            assert part in self.text, f"expected {part!r}\n{self.transcript()}"

    def transcript(self):
        return "\n".join(f"> {said}\n{answer}" for said, answer in self.log[-6:])


def test_3mmc_in_nightlife(assistant):
    """The worked example of the seeds: more 3-MMC among young people going out."""
    chat = Chat(assistant)
    chat.say("hoi")
    chat.expect("Preventiewijzer", "Voor welke gemeente werk je?")
    chat.say("gemeente Amersfort")
    chat.expect("Bedoel je Amersfoort?")
    chat.click("Ja, Amersfoort")
    chat.expect("Vanuit welk domein werk je?")
    chat.click("gezondheid")
    chat.expect("Waarom kom je vandaag?")
    chat.say("er is een signaal")
    chat.expect("Welk signaal zie je?")
    chat.say("we zien steeds meer 3-MMC bij jongeren in het uitgaansleven")
    chat.expect("Wie heeft het gezien of gemeld?")  # place and trend were in the answer
    chat.say("wat is selectieve preventie?")  # a question in between
    chat.expect("Voor groepen met een verhoogd risico", "Wie heeft het gezien of gemeld?")
    chat.say("de jongerenwerkers en een paar kroegbazen")
    chat.expect("Zie je nog een ander signaal?")
    chat.click("nee")
    chat.expect("uitgaanspubliek", "Klopt dat?")
    chat.click("Ja, klopt")
    chat.expect("Welke partners zijn al betrokken?")
    chat.say("GGD en jongerenwerk")
    chat.expect("mis ik nog", "Welk beleid is er al?")
    chat.say("nee, het is Zwolle")  # a correction at another question
    chat.expect("de gemeente is nu Zwolle", "Welk beleid is er al?")
    chat.say("we hebben een preventie- en handhavingsplan alcohol")
    chat.expect("Je hebt al", "Hoeveel ruimte")
    chat.click("gemiddeld")
    chat.expect("Dit is mijn voorstel voor Zwolle", "vraag verminderen, aanbod verminderen en schade beperken",
                "Stap 1 van 5")
    chat.say("volgende")
    chat.expect("Stap 2 van 5")
    chat.click("Volgende")
    chat.expect("Stap 3 van 5", "Unity", "Huisregels en afspraken over dealers")  # harm and supply reduction
    chat.say("waarom?")
    chat.expect("Past voor", "pijler schade beperken")
    chat.click("Past niet bij ons")
    chat.expect("Welke past niet bij jullie?")
    rejected = next(b["title"][len("Niet: "):] for b in chat.buttons() if b["title"].startswith("Niet: "))
    chat.click(f"Niet: {rejected}")
    chat.expect(f"Geschrapt: {rejected}", "Stap 3 van 5")
    assert rejected not in chat.text.split("Stap 3 van 5")[1]
    chat.say("volgende")
    chat.expect("Stap 4 van 5", "Barcode")
    chat.say("sla over")
    chat.expect("Stap 5 van 5")
    chat.say("volgende")
    chat.expect("samen hebben gemaakt voor Zwolle", "overgeslagen", "Unity")
    chat.say("stuur me het verslag")
    chat.expect("Samenvatting voor Zwolle", "Signaal: 3-MMC", ".docx?expires=")


def test_lvb_policy_case(assistant):
    """A policy officer writing the health policy, about people with a mild intellectual disability."""
    chat = Chat(assistant)
    chat.say("goedemorgen")
    chat.say("Ede")
    chat.expect("Vanuit welk domein")
    chat.say("ik werk in het sociaal domein")
    chat.expect("Waarom kom je vandaag?")
    chat.say("we schrijven de gezondheidsnota")
    chat.expect("Of werk je breed aan preventie voor een groep?")
    chat.say("alcohol en blowen bij mensen met een licht verstandelijke beperking")
    chat.expect("Waar zie je het?")
    chat.say("in de woonvoorziening en op straat")
    chat.expect("Wie heeft het gezien")
    chat.say("de begeleiders")
    chat.expect("Neemt het toe?")
    chat.say("weet ik niet")
    chat.expect("nog een ander signaal")
    chat.say("nee")
    chat.expect("Het plan gaat over mensen met LVB. Klopt dat?")  # named in the signal: the group of the plan
    chat.say("alleen lvb")
    chat.expect("Genoteerd: mensen met LVB.")
    chat.expect("Welke partners zijn al betrokken?")
    chat.say("nog niemand")
    chat.expect("Voor mensen met LVB mis ik nog", "Welk beleid")
    chat.say("geen")
    chat.expect("Hoeveel ruimte")
    chat.say("weinig, een paar uur per week")
    chat.expect("Dit is mijn voorstel voor Ede", "Stap 1 van 5")
    for number in (2, 3):
        chat.say("volgende")
        chat.expect(f"Stap {number} van 5")
    chat.expect("Take it Personal!")
    chat.say("hoe erkend is dit?")
    chat.expect("Take it Personal!: Goed onderbouwd")
    chat.say("vertel meer over Take it Personal")
    chat.expect("Voor wie:")
    for _ in range(3):
        chat.say("volgende")
    chat.expect("samen hebben gemaakt voor Ede", "Take it Personal!")


def test_debt_and_stress_case(assistant):
    """A safety officer with a signal about debt, drinking and gambling at home; several signals."""
    chat = Chat(assistant)
    chat.say("hallo")
    chat.say("Tilburg")
    chat.say("veiligheid")
    chat.say("er is een signaal")
    chat.say("mensen met schulden die veel drinken, thuis")
    chat.expect("Wie heeft het gezien")
    chat.say("de schuldhulpverlening")
    chat.say("het neemt toe")
    chat.expect("nog een ander signaal")
    chat.click("ja")
    chat.expect("Welk ander signaal zie je?")
    chat.say("gokken")
    chat.expect("Waar zie je het?")
    chat.say("online")
    chat.say("weet ik niet")
    chat.say("weet ik niet")
    chat.say("nee")
    chat.expect("Het plan gaat over mensen met schulden. Klopt dat?")
    chat.say("alleen de mensen met schulden")
    chat.expect("Welke partners zijn al betrokken?")
    chat.say("het sociaal wijkteam en schuldhulpverlening")
    chat.say("ook de ggd")  # an addition to the partners, at the policy question
    chat.expect("toegevoegd: de GGD", "Welk beleid")
    chat.say("weet ik niet")
    chat.say("ruim: er is budget en tijd")
    chat.expect("Dit is mijn voorstel voor Tilburg", "Stap 1 van 5")
    assert "begreep ik niet" not in chat.text
    chat.say("volgende")
    chat.say("volgende")
    chat.expect("Stap 3 van 5", "Vroegsignalering schulden")
    chat.say("andere optie")
    chat.expect("andere opties voor deze stap")
    first = next(b for b in chat.buttons() if b["title"].startswith("Neem "))
    chosen = first["title"][len("Neem "):]
    chat.say(first["payload"])
    chat.expect(f"Toegevoegd: {chosen}", "Stap 3 van 5")
    chat.say("terug")
    chat.expect("Stap 2 van 5")
    for _ in range(4):
        chat.say("volgende")
    chat.expect("samen hebben gemaakt voor Tilburg", chosen)
    chat.say("stuur me het verslag")
    chat.expect("Signaal: alcohol", "Signaal: gokken")


@pytest.mark.parametrize("text,expected", [
    ("", "gemeente"),
    ("Atlantis", "Ik ken geen Nederlandse gemeente met de naam 'Atlantis'"),
    ("<script>alert(1)</script>", "gemeente"),
    ("'; DROP TABLE events; --", "gemeente"),
    ("x" * 10000, "erg lang"),
])
def test_bad_input_gets_a_clear_answer(assistant, text, expected):
    chat = Chat(assistant)
    chat.say("hallo")
    chat.say(text)
    chat.expect(expected)
    assert "Traceback" not in chat.text and "<script" not in chat.text
    # Nothing is lost: the interview goes on with the next answer.
    chat.say("Zwolle")
    chat.expect("Vanuit welk domein")


def test_english_and_out_of_scope_outside_the_interview(assistant):
    chat = Chat(assistant)
    chat.say("Hello, do you speak English?")
    chat.expect("Ik spreek alleen Nederlands", "Voor welke gemeente werk je?")  # and the interview begins
    chat.say("wat wordt het weer morgen?")
    chat.expect("Daar kan ik je niet mee helpen")


def test_port_in_use_is_reported_in_one_line(assistant):
    assert not port_free(RASA_PORT)
    other = Assistant(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT + 1)
    with pytest.raises(LaunchError, match=f"port {ACTIONS_PORT + 1}|port {RASA_PORT}"):
        other.check()
