"""The interview as a state machine over slots: every answer is read here first, never by intent alone.

``answer(slot, turn, out)`` takes one message of the officer while ``slot`` is asked and returns
the slot updates. The rules that make the interview never stuck and never lost:

- What answers the question fills it; what answers other questions fills those too.
- A question in between, "waarom vraag je dat?", a greeting or chat gets its reply, and the question
  is asked again, in other words the second time.
- Not understood: one clarifying re-ask with buttons. The second time in a row the officer's words
  are kept ("Ik noteer dit in je eigen woorden: ...", and in the summary) and the interview moves on
  with the question's "weet ik niet" answer. So no question is asked more than twice in a row.
- Starting over needs the words ("opnieuw beginnen") and a confirmation; the abandoned interview is
  kept in ``previous_interviews`` (and in the tracker store), so its summary can still be exported.

``question(slot, slots)`` gives the question's text and buttons for the ask actions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from conversation import kb, texts as T
from conversation.answers import (
    ADD,
    CORRECTING,
    PARSERS,
    REMOVE,
    Out,
    Turn,
    absorb,
    additions,
    corrections,
    looks_english,
    mentioned_groups,
    names,
    noted,
    quoted,
    say_noted,
)
from conversation.state import FORM_SLOTS, KEPT_ON_RESTART, interview_state
from knowledge.plan import YOUTH_GROUPS, and_list

Buttons = List[Dict[str, str]]
MAX_ASKS = 2  # a question is asked at most this many times in a row
STRONG_CORRECTION = re.compile(r"\b(ik zei|zei ik|ik bedoel\w*|bedoelde|sorry|correctie|vergissing|maar het gaat om|maar het is)\b")
FREE_TEXT_SLOTS = ("role", "signal_reporters", "policy", "capacity")  # any text can be an answer
# Asking for a change in so many words ("haal gokken weg", "het gaat om alcohol", "zit er toch
# niet bij"); a plain "nee" or "niet" is not enough at a free-text question.
EDIT = re.compile(r"\b(toch|eigenlijk|bedoel\w*|fout|verkeerd|haal|weghalen|eraf|eruit|schrap\w*|verwijder\w*|verander\w*|wijzig\w*|vervang\w*|"
                  r"het gaat (dus |eigenlijk |toch )?(niet )?om|gaat het (niet )?om)\b")


@dataclass
class Replies:
    """Collects replies like Rasa's dispatcher does (for tests and the benchmark without servers)."""

    messages: List[Dict[str, Any]] = field(default_factory=list)

    def utter_message(self, text: Optional[str] = None, buttons: Optional[Buttons] = None, **kwargs: Any) -> None:
        self.messages.append({"text": text, "buttons": buttons or [], **kwargs})

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)


def button(title: str, payload: Optional[str] = None) -> Dict[str, str]:
    return {"title": title, "payload": payload if payload is not None else title}


# -- the questions -------------------------------------------------------------------------


def suggested_groups(slots: Mapping[str, Any], limit: int = 3) -> List[str]:
    """Groups that often go with the signals so far (not the ones named), best first."""
    state = interview_state(slots)
    named = mentioned_groups(dict(slots))
    return [g for g in kb.parser().suggest_groups(state.substances, state.settings, limit=limit + len(named))
            if g not in named][:limit]


def group_offers(slots: Mapping[str, Any], limit: int = 2) -> List[Tuple[str, str]]:
    """Groups to offer as additions to the ones named, each with a short reason.

    Only groups that share a setting with the signal or with the named groups are offered."""
    catalog = kb.catalog()
    state = interview_state(slots)
    named = mentioned_groups(dict(slots))
    places = set(state.settings) or {s for g in named for s in catalog.groups[g].settings}
    youth = any(g in YOUTH_GROUPS for g in named)
    offers = []
    for group_id in suggested_groups(slots, limit=6):
        group = catalog.groups[group_id]
        shared = [s for s in group.settings if s in places]
        if not shared or (group_id in YOUTH_GROUPS) != youth:
            continue  # another place, or young people offered for adults (or the other way round)
        substance = [s for s in group.substances if s in state.substances]
        why = ("vaak bij " + catalog.label("substances", substance[0])) if substance else \
            ("ook " + catalog.label("settings", shared[0]))
        offers.append((group_id, why))
        if len(offers) == limit:
            break
    return offers


def question(slot: str, slots: Mapping[str, Any]) -> Tuple[str, Buttons, Dict[str, Any]]:
    """The text, buttons and slot updates of the question for ``slot`` (asked again: other words)."""
    if slots.get("confirm") == "start_over":
        return T.CONFIRM_RESTART, [button(t, p) for t, p in T.RESTART_BUTTONS], {}
    misses = slots.get("misses") or {}
    again = misses.get("slot") == slot and misses.get("count", 0) >= 1 and misses.get("unclear", True)
    text, titles = T.QUESTIONS[slot]
    if again:
        text = T.AGAIN[slot]
    updates: Dict[str, Any] = {}
    if slot == "municipality":
        suggestion, candidates = slots.get("municipality_suggestion"), slots.get("municipality_candidates")
        if suggestion:
            return f"Bedoel je {suggestion}?", [button(f"Ja, {suggestion}", suggestion), button("Nee", "nee")], {}
        if candidates:
            return "Er zijn meer gemeenten met die naam. Welke bedoel je?", [button(n) for n in candidates], {}
        return text, [], {}
    if slot == "signal_substances" and not again:
        if slots.get("signals"):
            text = "Welk ander signaal zie je? Om welk middel of gedrag gaat het?"
        elif slots.get("reason") == "beleid":
            text = ("Gaat het om een bepaald middel of gedrag, zoals alcohol of gokken? "
                    "Of werk je breed aan preventie voor een groep?")
    if slot == "groups":
        return group_question(slots, again)
    return text, [button(t) for t in titles], updates


def group_question(slots: Mapping[str, Any], again: bool) -> Tuple[str, Buttons, Dict[str, Any]]:
    catalog = kb.catalog()
    named = mentioned_groups(dict(slots))
    if named:
        offers = group_offers(slots)
        text = f"Het plan gaat over {and_list(names('groups', named))}. Klopt dat?"
        options = [button("Ja, klopt", "ja")]
        if offers:
            text += " Je kunt ook een groep toevoegen: " + "; ".join(
                f"{catalog.groups[g].short} ({why})" for g, why in offers) + "."
            options += [button(f"ook {catalog.groups[g].short}") for g, _ in offers]
        return text, options, {"groups_offered": [g for g, _ in offers], "groups_suggested": []}
    suggested = suggested_groups(slots)
    if not suggested:
        suggested = [g for g in ("jongeren_algemeen", "hangjongeren", "lvb", "schulden_armoede") if g in catalog.groups]
    text = T.AGAIN["groups"] if again else T.QUESTIONS["groups"][0]
    if not again:
        text += " Bij dit signaal gaat het vaak om " + and_list(names("groups", suggested)) + "."
    options = [button(catalog.groups[g].short) for g in suggested] + [button("weet ik niet")]
    return text, options, {"groups_suggested": suggested, "groups_offered": []}


# -- reading one answer --------------------------------------------------------------------


def next_miss(slots: Mapping[str, Any], slot: str) -> int:
    """How many times in a row this question got no answer, this time included."""
    misses = slots.get("misses") or {}
    return misses.get("count", 0) + 1 if misses.get("slot") == slot else 1


def archived(slots: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The interviews abandoned by starting over, with the current one added (when there is one)."""
    earlier = list(slots.get("previous_interviews") or [])
    current = {k: v for k, v in slots.items() if k not in KEPT_ON_RESTART and k != "previous_interviews" and v is not None}
    if current.get("municipality") is not None or current.get("signal_substances") is not None or current.get("signals"):
        earlier.append(current)
    return earlier[-5:]


def start_over(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """Slot updates that begin a new interview; the old one is kept in ``previous_interviews``."""
    cleared = {k: None for k in slots if k not in KEPT_ON_RESTART}
    return {**cleared, "previous_interviews": archived(slots), "confirm": None, "misses": None}


def confirm_or_restart(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    """A pending "opnieuw beginnen?" question, or a new request to start over.

    Returns the updates, or None when this message is about something else."""
    if turn.text.strip() == "/start_over":
        # The widget's restart button: the officer confirmed in the page already.
        out.utter_message(text=T.RESTARTED)
        return start_over(turn.slots)
    if turn.slots.get("confirm") == "start_over":
        if turn.yes or turn.restart:
            out.utter_message(text=T.RESTARTED)
            return start_over(turn.slots)
        out.utter_message(text=T.GO_ON)
        return {"confirm": None}
    if turn.restart:
        return {"confirm": "start_over"}
    return None


def answer(slot: str, turn: Turn, out: Out) -> Dict[str, Any]:
    """Read one message while ``slot`` is asked; returns the slot updates (``slot: None`` asks again)."""
    again: Dict[str, Any] = {slot: None}
    pending = turn.slots.get("confirm") == "start_over"
    confirmed = confirm_or_restart(turn, out)
    if confirmed is not None:
        if pending and confirmed.get("confirm") is None and "previous_interviews" not in confirmed:
            if turn.no or not turn.norm:
                return {**again, **confirmed}
            turn = replace(turn, slots={**turn.slots, "confirm": None})  # "nee, het is Zwolle": read on
        else:
            return {**again, **confirmed}
    if not turn.norm:
        return miss(slot, turn, out, T.HINTS.get(slot, "Ik kreeg een leeg antwoord."))
    # Replies that are no answer: the question comes back, and it counts as a turn without answer.
    if turn.greeting_only:
        return miss(slot, turn, out, T.WELCOME_BACK, keep=False)
    if turn.asks_why:
        return miss(slot, turn, out, T.WHY_ASKED[slot], keep=False)
    if turn.is_question or turn.intent == "ask_about":
        reply = kb.explainer().answer(turn.text)
        if reply is not None:
            source = f" Bron: {reply.sources[0]}" if reply.sources else ""
            return miss(slot, turn, out, f"{reply.title}: {reply.text}{source}", keep=False)
    if turn.intent == "help" and not has_answer(slot, turn):
        out.utter_message(response="utter_explain")
        return miss(slot, turn, out, "", keep=False)

    # Free-text questions take any text as an answer: a correction there is read first, and so is
    # a change of municipality anywhere ("nee, het is Zwolle" is no "nee" to the question).
    # At a free-text question a plain "nee"/"geen"/"niet" belongs to the answer ("nee, geen beleid
    # voor gokken" is no request to drop gambling): taking something away needs a clear cue there.
    if CORRECTING.search(turn.norm) or ADD.search(turn.norm) or REMOVE.search(turn.norm):
        fixed = corrections(turn, slot)
        strong = STRONG_CORRECTION.search(turn.norm) or EDIT.search(turn.norm)
        free = slot in FREE_TEXT_SLOTS and not takes_away(fixed, turn.slots)
        if fixed and (free or "municipality" in fixed or strong):
            out.utter_message(text=fixed.pop("_said"))
            return {**again, **fixed, "misses": None}

    result = PARSERS[slot](turn, out)
    if slot == "municipality" and result is not None and result.get("municipality") is None:
        # Not a name we know: a suggestion to confirm, a choice, or "nee" to a suggestion. These
        # count as asking again, so a text that keeps looking like a name cannot loop.
        count = next_miss(turn.slots, slot)
        if count >= MAX_ASKS and not (turn.slots.get("municipality_suggestion") or turn.slots.get("municipality_candidates")):
            return move_on(slot, turn, out)
        return {**result, "misses": {"slot": slot, "count": count}}
    if result is not None:
        extra = {k: v for k, v in absorb(turn, slot).items() if k not in result}
        # Places and partners besides the answer are kept; a substance only with "ook" (a group
        # described by what their parents drink adds no substance to the signal).
        more, new = additions(turn, slot, substances=bool(ADD.search(turn.norm)))
        more = {k: v for k, v in more.items() if k not in result and k not in extra}
        if slot == "municipality" and extra:
            extra = {**result, **extra}  # a longer sentence: confirm the municipality too
        say_noted(out, {**extra, **{k: v for k, v in new.items() if k in more}})
        return {**extra, **more, **result, "misses": None}

    fixed = corrections(turn, slot)
    if fixed:
        out.utter_message(text=fixed.pop("_said"))
        return {**again, **fixed, "misses": None}

    later = absorb(turn, slot)
    # More of an earlier answer too ("het speelt ook in de wijk" when asked about the group).
    more, new = additions(turn, slot)
    more = {k: v for k, v in more.items() if k not in later}
    shown: Dict[str, Any] = {**later, **{k: v for k, v in new.items() if k in more}}
    then_ask = T.LATER if later else T.BACK
    later = {**later, **more}
    if later:
        # An answer to another question ("de politie meldt het" when asked where): keep it, say so.
        count = next_miss(turn.slots, slot)
        if count >= MAX_ASKS:
            say_noted(out, shown)
            return {**later, **move_on(slot, turn, out, keep=False)}
        out.utter_message(text=" ".join(m for m in (noted(shown), then_ask) if m))
        return {**later, **again, "misses": {"slot": slot, "count": count}}

    if looks_english(turn.text):
        return miss(slot, turn, out, T.ENGLISH_REPLY, keep=False)
    replies = {
        "chitchat": T.CHITCHAT, "out_of_scope": T.OUT_OF_SCOPE, "thank": T.THANKS, "goodbye": T.GOODBYE_DURING,
        "english": T.ENGLISH_REPLY, "ask_about": T.NO_ANSWER,
    }
    if turn.intent in replies and not (turn.intent == "ask_about" and not turn.is_question):
        return miss(slot, turn, out, replies[turn.intent], keep=False)
    if turn.intent == "request_summary":
        return {**again, "_summary": True}
    hint = T.HINTS.get(slot)
    if slot == "municipality":
        typed = quoted(turn.text, 40)
        hint = f"Ik ken geen Nederlandse gemeente met de naam '{typed}'." if typed else "Ik kreeg een leeg antwoord."
    return miss(slot, turn, out, hint or "")


def takes_away(updates: Mapping[str, Any], slots: Mapping[str, Any]) -> bool:
    """Whether these updates drop something the officer said before (a list item, the municipality)."""
    for key, value in updates.items():
        before = slots.get(key)
        if key.startswith("_") or before in (None, "", []):
            continue
        if isinstance(before, list):
            if any(item not in (value or []) for item in before):
                return True
        elif value != before:
            return True
    return False


def has_answer(slot: str, turn: Turn) -> bool:
    """Whether the text answers the question (checked without saying anything)."""
    return PARSERS[slot](turn, Replies()) is not None


def miss(slot: str, turn: Turn, out: Out, reply: str, keep: bool = True) -> Dict[str, Any]:
    """No answer to the question: reply and ask once more, or the second time move on."""
    count = next_miss(turn.slots, slot)
    if count >= MAX_ASKS:
        if reply and not keep:
            out.utter_message(text=reply)
        return move_on(slot, turn, out, keep=keep)
    if reply:
        out.utter_message(text=reply)
    # Not understood: the question comes back in other words; after a reply to something else
    # (a question in between, chat) in its own words.
    return {slot: None, "misses": {"slot": slot, "count": count, "unclear": keep}}


def move_on(slot: str, turn: Turn, out: Out, keep: bool = True) -> Dict[str, Any]:
    """Go on with the question's "weet ik niet" answer; the officer's words are kept as a note."""
    updates: Dict[str, Any] = {"misses": None}
    words = quoted(turn.text, 300)
    if keep and words:
        notes = list(turn.slots.get("notes") or [])
        notes.append({"question": slot, "text": words})
        updates["notes"] = notes
        out.utter_message(text=T.OWN_WORDS.format(text=quoted(turn.text)))
    if slot == "municipality":
        out.utter_message(text=T.NO_MUNICIPALITY)
        return {**updates, "municipality": "", "municipality_suggestion": None, "municipality_candidates": None}
    out.utter_message(text=T.MOVE_ON)
    default = PARSERS[slot](replace(turn, text="weet ik niet", intent="dont_know", entities={}), out)
    return {**updates, **(default or {slot: "onbekend"})}


def form_done(slots: Mapping[str, Any]) -> bool:
    return all(slots.get(s) is not None for s in FORM_SLOTS)


# -- Coming back later ------------------------------------------------------------------------------

NOT_STARTED, IN_INTERVIEW, IN_PLAN, PLAN_DONE = "not_started", "interview", "plan", "done"


def progress(slots: Mapping[str, Any], steps: int) -> Tuple[str, Optional[str]]:
    """Where an interview stands, for an officer who comes back: (stage, the question asked or the
    plan step's number). ``steps`` is the number of steps of the plan (when there is one)."""
    asked = [s for s in FORM_SLOTS if slots.get(s) is None]
    if len(asked) == len(FORM_SLOTS) and not slots.get("signals"):
        return NOT_STARTED, None
    if asked:
        return IN_INTERVIEW, asked[0]
    choices = slots.get("plan_choices") or {}
    if not isinstance(choices, Mapping) or len(choices) < steps:
        position = int(slots.get("plan_position") or 0)
        return IN_PLAN, str(min(position, max(steps - 1, 0)) + 1)
    return PLAN_DONE, None


def where_we_were(slots: Mapping[str, Any], steps: int) -> Optional[str]:
    """"Vorige keer waren we bij stap 3 voor Deventer." for a new session, or None when there was
    no interview under way."""
    stage, at = progress(slots, steps)
    if stage == NOT_STARTED:
        return None
    place = f" voor {slots['municipality']}" if slots.get("municipality") else ""
    if stage == IN_INTERVIEW:
        where = T.AT_QUESTION.format(topic=T.TOPICS.get(str(at), T.TOPICS["municipality"]))
    elif stage == IN_PLAN:
        where = T.AT_STEP.format(number=at)
    else:
        return T.PLAN_WAS_DONE.format(place=place)
    return T.LAST_TIME.format(where=where, place=place)
