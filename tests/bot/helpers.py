"""Trackers for the export tests, made with Rasa's own classes."""
from bot.export import PROJECT_DIR

INTERVIEW = {
    "municipality": "Amersfoort",
    "signal_substances": ["3mmc"],
    "signal_settings": ["uitgaan"],
    "signal_reporters": ["jongerenwerk"],
    "signal_text": "We zien meer 3-MMC bij jongeren in het uitgaansleven",
    "groups": ["uitgaanspubliek"],
    "partners_present": ["ggd", "jongerenwerk"],
    # Not (yet) in every domain: read from the events when the domain lacks them.
    "signal_trend": "stijgend",
    "plan_choices": {"analyse": ["dims"], "samenwerking": "skipped"},
}


def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_DIR / "domain.yml"))


def tracker(conversation_id, the_domain, slots=None):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("hoi")]
    events += [SlotSet(key, value) for key, value in (INTERVIEW if slots is None else slots).items()]
    return DialogueStateTracker.from_events(conversation_id, events, the_domain.slots)
