"""The summary of a conversation, built from its slots with the real knowledge base."""
import datetime as dt

from bot.export import to_markdown
from bot.summary import (
    STATUS_AGREED,
    STATUS_PROPOSED,
    STATUS_SKIPPED,
    build_summary,
    chat_text,
    clean_text,
)
from tests.bot.conftest import DAY


def test_summary_holds_what_the_officer_told(summary):
    assert summary.municipality == "Amersfoort"
    assert summary.date == DAY and summary.date_text == "22 november 2026"
    assert summary.role == "beleidsmedewerker"
    assert summary.reason == "een signaal uit de gemeente"
    assert len(summary.signals) == 2  # the earlier signal, then the current one
    earlier, current = summary.signals
    assert earlier.what == ["alcohol"] and earlier.where == ["sportvereniging"]
    assert earlier.reported_by == ["een trainer"]  # free text is kept
    assert current.what == ["3-MMC en andere cathinonen"]
    assert current.where == ["uitgaansleven"]
    assert current.reported_by == ["het jongerenwerk", "een bewoner"]
    assert current.trend == "stijgend sinds de zomer"
    assert summary.groups == ["uitgaanspubliek"]
    assert summary.partners_present == ["de GGD", "het jongerenwerk"]
    assert summary.policy.startswith("We hebben een preventie")
    assert summary.capacity == "weinig tijd"


def test_without_choices_the_plan_is_the_engines_proposal(summary, slots, engine, catalog):
    from conversation.state import interview_state

    plan = engine.make_plan(interview_state(slots))
    assert not summary.agreed
    assert "voorstel" in summary.status_text and "nog niet afgesproken" in summary.status_text
    assert [s.title for s in summary.steps] == [s.title for s in plan.steps]
    assert all(s.status == STATUS_PROPOSED for s in summary.steps)
    for step, planned in zip(summary.steps, plan.steps, strict=True):
        assert [i.id for i in step.interventions] == [o.intervention.id for o in planned.options]
        assert step.notes == planned.notes
    # The few partners to invite, ranked by the engine, each with why.
    assert 0 < len(plan.partners_missing) <= 5
    assert len(summary.partners_missing) == len(plan.partners_missing)
    assert all(m.startswith(catalog.partners[p].name) for p, m in zip(plan.partners_missing, summary.partners_missing, strict=True))
    assert all(plan.partner_reasons[p] in m for p, m in zip(plan.partners_missing, summary.partners_missing, strict=True))
    assert not any(m.startswith("de GGD") for m in summary.partners_missing)


def test_interventions_carry_type_recognition_owner_sources_and_partners(summary, catalog):
    items = {i.id: i for i in summary.chosen}
    assert items, "the plan has interventions"
    for item in items.values():
        record = catalog.interventions[item.id]
        assert item.name == record.name
        assert item.type == catalog.label("intervention_types", record.type)
        assert item.recognition == catalog.recognition_label(record)
        assert item.sources == list(record.sources) and item.sources
        assert item.owner == record.owner
        assert set(item.partners_missing) <= set(item.partners)
    dated = [i for i in items.values() if i.recognition_date]
    for item in dated:
        assert str(item.recognition_date.year) in item.recognition_text


def test_agreed_and_skipped_steps(agreed_summary):
    s = agreed_summary
    assert s.agreed
    assert s.status_text == "Dit plan heb je in het gesprek afgesproken."
    by_id = {step.id: step for step in s.steps}
    assert by_id["samenwerking"].status == STATUS_SKIPPED and not by_id["samenwerking"].interventions
    for step_id in ("analyse", "interventies", "deskundigheid", "borging"):
        assert by_id[step_id].status == STATUS_AGREED
        assert len(by_id[step_id].interventions) <= 1
    assert any("stap 2" in n.lower() and "overgeslagen" in n for n in s.next_steps)
    assert not any("nog niet besproken" in q for q in s.open_questions)


def test_partly_agreed_plan_lists_the_steps_still_open(slots, catalog, engine):
    s = build_summary(dict(slots, plan_choices={"analyse": "skipped"}), catalog, date=DAY, engine=engine)
    assert not s.agreed
    assert "Een deel van dit plan" in s.status_text
    open_steps = [q for q in s.open_questions if "nog niet besproken" in q]
    assert len(open_steps) == 4 and open_steps[0].startswith("Stap 2 ")


def test_unknown_answers_become_open_questions(catalog, engine):
    s = build_summary(
        {"municipality": "Zwolle", "signal_substances": ["lachgas"], "signal_settings": [],
         "signal_reporters": [], "groups": [], "partners_present": []},
        catalog, date=DAY, engine=engine,
    )
    questions = " ".join(s.open_questions)
    assert "Waar speelt het signaal?" in questions
    assert "Wie heeft het signaal gezien of gemeld?" in questions
    assert "Neemt het signaal toe, af of blijft het gelijk?" in questions
    assert "Om welke groepen gaat het?" in questions
    assert "Welke partners zijn al betrokken?" in questions
    assert "Welk beleid heeft je gemeente al" in questions  # policy slot missing: unknown
    assert "Hoeveel tijd en geld" in questions
    assert s.role is None and s.reason is None
    # Without groups, step 1 points to the general sources.
    assert any("Gezondheidsmonitor" in n for n in s.next_steps)


def test_missing_slots_are_unknown_not_errors(catalog, engine):
    s = build_summary({}, catalog, date=DAY, engine=engine)
    assert s.municipality == "onbekend"
    assert s.signals == [] and s.groups == [] and s.partners_present == []
    assert "Voor welke gemeente is dit plan?" in s.open_questions
    assert len(s.steps) == 5


def test_next_steps_invite_missing_partners_and_name_local_sources(summary, catalog):
    invite = next(n for n in summary.next_steps if n.startswith("Nodig deze partners uit"))
    for name in summary.partners_missing:
        assert name in invite
    sources = next(n for n in summary.next_steps if n.startswith("Zoek de lokale cijfers op"))
    for source in catalog.groups["uitgaanspubliek"].local_sources:
        assert source in sources


def test_free_text_is_cleaned_and_cut():
    assert clean_text("<b>drinken</b> in de <i>kantine</i>") == "drinken in de kantine"
    assert clean_text("<script>alert(1)</script>hoi") == "hoi"
    assert clean_text("a\x00b\x07c\u202ed\u200be\nf") == "abcde f"
    assert clean_text("bel 06-12345678 of mail jan@voorbeeld.nl") == "bel [verwijderd] of mail [verwijderd]"
    assert clean_text("+31 6 1234 5678") == "[verwijderd]"
    assert clean_text("in 2023: 1234567890 euro") == "in 2023: 1234567890 euro"
    long = clean_text("x" * 5000, limit=100)
    assert len(long) == 100 and long.endswith("…")


def test_free_text_in_slots_is_sanitised(slots, catalog, engine):
    slots = dict(slots, signal_reporters=["<img src=x onerror=alert(1)>de buurvrouw 0612345678"],
                 signal_text="x" * 3000, municipality="<b>Amersfoort</b>")
    s = build_summary(slots, catalog, date=DAY, engine=engine)
    assert s.municipality == "Amersfoort"
    assert s.signals[-1].reported_by == ["de buurvrouw [verwijderd]"]
    assert len(s.signals[-1].description) <= 600


def test_chat_text_is_short(summary):
    text = chat_text(summary, {"docx": "https://x.test/a.docx", "pdf": "https://x.test/a.pdf"})
    lines = text.splitlines()
    assert lines[0] == "Samenvatting voor Amersfoort (22 november 2026)"
    assert len(lines) <= 8
    assert "voorstel, nog niet afgesproken" in text
    assert "Word: https://x.test/a.docx" in lines[-1] and "PDF: https://x.test/a.pdf" in lines[-1]
    assert "1 uur" in lines[-1]
    assert "Download" not in chat_text(summary)


def test_recognition_that_may_have_lapsed_is_flagged(catalog, engine):
    """Unity: Goed onderbouwd by Loket Gezond Leven in 2018, five years: to check in 2026, not in 2020."""
    slots = {"municipality": "Zwolle", "signal_substances": ["3mmc"], "signal_settings": ["uitgaan"],
             "groups": ["uitgaanspubliek"]}
    late = {i.id: i for i in build_summary(slots, catalog, date=DAY, engine=engine).chosen}
    assert late["unity"].recognition_note == "Erkend in 2018; controleer of dit nog geldt. Een erkenning geldt 5 jaar."
    early = {i.id: i for i in build_summary(slots, catalog, date=dt.date(2020, 1, 1), engine=engine).chosen}
    assert early["unity"].recognition_note == "Erkend in 2018; geldt tot 2023, daarna opnieuw beoordelen."
    assert late["barcode"].recognition_note == ""  # recognition onbekend: nothing to lapse
    assert late["unity"].recognition_note in to_markdown(build_summary(slots, catalog, date=DAY, engine=engine))
