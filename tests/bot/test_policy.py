"""The policy document (bot/policy.py): every section, for three interviews, in Word, Markdown and PDF.

The interviews: alcohol at the sports club (the alcohol plan checklist appears), loitering
youths without a substance (no checklist), and people in debt from the social domain.
"""
import io
import re

import pytest

from bot.export import ExportError
from bot.policy import (
    BLANK,
    BLANK_WHEN,
    build_policy,
    has_alcohol,
    policy_docx,
    policy_filename,
    policy_markdown,
    policy_pdf,
    render_policy,
)
from bot.summary import build_summary
from conversation.state import interview_state
from knowledge.evidence import RULE_SOURCE
from tests.bot.conftest import DAY

SECTIONS = ["Probleemanalyse", "Doelen", "Aanpak", "Samenwerking", "Monitoring en evaluatie"]
CHECKLIST = "Checklist preventie- en handhavingsplan alcohol"

INTERVIEWS = {
    "alcohol": {
        "municipality": "Deventer", "role": "gezondheid", "reason": "signaal",
        "signal_substances": ["alcohol"], "signal_settings": ["sportclub"], "signal_reporters": ["sportverenigingen"],
        "signal_trend": "stijgend", "signal_text": "Jongeren drinken veel in de kantine na de wedstrijd",
        "groups": ["jongeren_algemeen"], "partners_present": ["ggd", "sportverenigingen"], "policy": "",
        "capacity": "gemiddeld",
    },
    "no_substance": {
        "municipality": "Zwolle", "role": "gezondheid", "reason": "nieuw_beleid",
        "signal_substances": [], "signal_settings": ["straat"], "signal_reporters": ["jongerenwerk"],
        "signal_text": "Jongeren hangen rond bij het winkelcentrum [klik](http://evil.test)",
        "groups": ["hangjongeren"], "partners_present": ["jongerenwerk", "politie"], "policy": "",
        "capacity": "weinig tijd",
    },
    "social": {
        "municipality": "Apeldoorn", "role": "sociaal_domein", "reason": "signaal",
        "signal_substances": [], "signal_settings": ["wijk"], "signal_reporters": ["schuldhulpverlening"],
        "signal_text": "Bij de schuldhulp zien we veel mensen die ook gokken of drinken",
        "groups": ["schulden_armoede"], "partners_present": ["schuldhulpverlening", "sociaal_wijkteam"],
        "policy": None, "capacity": None,
    },
}


def _summary(name, catalog, engine, agree=True):
    slots = dict(INTERVIEWS[name])
    if agree:  # the officer agreed to the first two options of every step, and skipped none
        plan = engine.make_plan(interview_state(slots))
        slots["plan_choices"] = {step.id: [o.intervention.id for o in step.options[:2]] for step in plan.steps}
    return build_summary(slots, catalog, conversation_id=f"test-{name}", date=DAY, engine=engine)


@pytest.fixture(params=sorted(INTERVIEWS))
def case(request, catalog, engine):
    name = request.param
    summary = _summary(name, catalog, engine)
    return name, summary, build_policy(summary, catalog)


def _docx(data):
    import docx

    return docx.Document(io.BytesIO(data))


def _sections(document):
    """Heading 1 text -> (paragraph texts, tables) below it, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out, current = {}, None
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            p = Paragraph(element, document)
            if p.style.name == "Heading 1":
                current = p.text
                out[current] = ([], [])
            elif current:
                out[current][0].append(p.text)
        elif element.tag.endswith("}tbl") and current:
            t = Table(element, document)
            out[current][1].append([[c.text for c in row.cells] for row in t.rows])
    return out


def _refs(text):
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def test_docx_has_every_section_and_the_checklist_only_with_alcohol(case, catalog):
    name, summary, doc = case
    document = _docx(policy_docx(doc))
    assert document.core_properties.title == f"Beleidstekst preventie {summary.municipality}"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    expected = SECTIONS + ([CHECKLIST] if name == "alcohol" else []) + ["Bronnen"]
    assert headings == expected
    assert has_alcohol(summary, catalog) == (name == "alcohol")


def test_docx_problem_analysis(case, catalog):
    name, summary, doc = case
    paras, tables = _sections(_docx(policy_docx(doc)))["Probleemanalyse"]
    body = "\n".join(paras)
    # The signal in the officer's words.
    assert summary.signals[0].description.split(" [")[0] in body
    references = doc.references
    for group_id in INTERVIEWS[name]["groups"]:
        group = catalog.groups[group_id]
        if group.national_size:
            line = next(p for p in paras if group.national_size.figure in p)
            assert f"Landelijk ({group.national_size.year}): {group.national_size.figure}" in line
            (number,) = _refs(line)
            assert references[number - 1] == group.national_size.source
        else:
            assert "Een landelijk cijfer voor deze groep staat niet in de kennisbank." in body
        # The local figures table: one row per local source, the number and year left blank.
        (table,) = tables
        assert table[0][:4] == ["Groep", "Waar zoek je het op", f"Cijfer {summary.municipality}", "Jaar"]
        rows = [r for r in table[1:] if r[0] == group.short]
        assert [r[1] for r in rows] == list(group.local_sources)
        for row in rows:
            assert row[2] == BLANK and row[3] == "[jaar]"
            monitor = "gezondheidsmonitor" in row[1].lower()
            assert row[4].startswith("elke vier jaar") if monitor else row[4] == BLANK_WHEN


def _unexplained_numbers(name, summary, catalog, texts):
    """Digits in ``texts`` that do not come from the officer or the knowledge base (names of
    interventions, groups, local sources, substances, step titles), reference marks aside."""
    steps = [s for s in summary.steps if not s.skipped]
    allowed = [i.name for i in summary.chosen] + [s.title for s in steps]
    for group_id in INTERVIEWS[name]["groups"]:
        group = catalog.groups[group_id]
        allowed += [group.short, group.name, *group.local_sources]
    allowed += [w for sig in summary.signals for w in sig.what]
    text = "\n".join(texts)
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, "")
    text = re.sub(r"\[\d+\]", "", text)
    return re.findall(r".{0,20}\d.{0,20}", text)


def test_docx_goals_have_blanks_and_no_made_up_numbers(case, catalog):
    name, summary, doc = case
    paras, tables = _sections(_docx(policy_docx(doc)))["Doelen"]
    (table,) = tables
    assert table[0] == ["Spoor", "Doel", "Indicator", "Bron van de indicator"]
    goals = table[1:]
    steps = [s for s in summary.steps if not s.skipped]
    # One goal per track: every step, the interventions step once per pillar it uses.
    assert {row[0].split(":")[0] for row in goals} == {s.title for s in steps}
    for row in goals:
        assert re.search(r"\[(\.\.|datum|jaar)\]", row[1]), row[1]  # the measurable part is a blank
        assert row[2] and row[3]  # indicator and its source
    assert _unexplained_numbers(name, summary, catalog, paras + ["\t".join(row) for row in goals]) == []


def test_goals_check_would_catch_an_invented_number(catalog, engine):
    """The check above can fail: a goal with a figure nobody gave is found."""
    summary = _summary("alcohol", catalog, engine)
    doc = build_policy(summary, catalog)
    table = doc.section("Doelen").blocks[-1]
    table.rows[0][1] = table.rows[0][1].replace("[..] %", "15 %", 1)
    (paras, tables) = _sections(_docx(policy_docx(doc)))["Doelen"]
    found = _unexplained_numbers("alcohol", summary, catalog, paras + ["\t".join(r) for r in tables[0][1:]])
    assert len(found) == 1 and "15 %" in found[0]


def test_docx_approach(case, catalog):
    name, summary, doc = case
    paras, tables = _sections(_docx(policy_docx(doc)))["Aanpak"]
    *pillar_tables, planning = tables
    rows = [r for t in pillar_tables for r in t[1:]]
    assert all(t[0] == ["Interventie", "Preventievorm", "Trekker", "Betrokken partners", "Erkenning"]
               for t in pillar_tables)
    chosen = summary.chosen
    assert len(rows) == len(chosen)
    for item in chosen:
        row = next(r for r in rows if re.sub(r"( \(voorstel\))?( \[\d+\])*$", "", r[0]) == item.name)
        record = catalog.interventions[item.id]
        for form in record.forms:
            assert catalog.label("prevention_forms", form) in row[1]
        assert row[2] in ("de gemeente", "[wie?]")
        for partner in item.partners:
            assert partner in row[3]
        assert row[4].startswith(item.recognition_text)
        if item.recognition_note:
            assert item.recognition_note in row[4]
        for number in _refs(row[0]):
            assert doc.references[number - 1] in item.sources
    # Pillar headings come from the plan's pillars.
    pillar_headings = [p for p in paras if p.startswith("Pijler: ")]
    assert len(pillar_headings) == len(pillar_tables)
    assert planning[0] == ["Interventie", "Jaar 1", "Jaar 2", "Jaar 3", "Jaar 4"]
    assert [r[0] for r in planning[1:]] == [i.name for i in chosen]


def test_lapsed_recognition_is_flagged_with_the_rule_source(catalog, engine):
    summary = _summary("no_substance", catalog, engine)
    doc = build_policy(summary, catalog)
    rows = [r for b in doc.section("Aanpak").blocks if hasattr(b, "rows") for r in b.rows]
    moti = next(r for r in rows if r[0].startswith("Moti-4"))
    # Effectief – goede aanwijzingen, Loket Gezond Leven, 24 June 2021: five years, so lapsed on 22 November 2026.
    assert "Erkend in 2021; controleer of dit nog geldt. Een erkenning geldt 5 jaar." in moti[4]
    (number,) = _refs(moti[4].split("geldt 5 jaar.")[1])
    assert doc.references[number - 1] == RULE_SOURCE


def test_docx_cooperation(case, catalog):
    name, summary, doc = case
    _, tables = _sections(_docx(policy_docx(doc)))["Samenwerking"]
    (table,) = tables
    assert table[0] == ["Partner", "Rol", "Status"]
    by_name = {r[0]: r for r in table[1:]}
    for partner_id in INTERVIEWS[name]["partners_present"]:
        partner = catalog.partners[partner_id]
        assert by_name[partner.name][1:] == [partner.role, "aan tafel"]
    for entry in summary.partners_missing:
        row = next(r for r in table[1:] if entry.startswith(r[0]))
        assert row[2].startswith("uitnodigen")
        assert row[2].split(": ", 1)[1] in entry  # the reason, without the name's own brackets


def test_docx_monitoring(case, catalog):
    name, summary, doc = case
    paras, tables = _sections(_docx(policy_docx(doc)))["Monitoring en evaluatie"]
    (table,) = tables
    assert table[0] == ["Indicator", "Wanneer meten", "Wie rapporteert", "Bron"]
    sources = [s for g in INTERVIEWS[name]["groups"] for s in catalog.groups[g].local_sources]
    has_monitor = any("gezondheidsmonitor" in s.lower() for s in sources)
    whens = [r[1] for r in table[1:]]
    # A measuring cycle only where the knowledge says so (the Gezondheidsmonitor: every four years).
    assert any(w.startswith("elke vier jaar") for w in whens) == has_monitor
    assert all(w == BLANK_WHEN or w.startswith("elke vier jaar") for w in whens)
    assert "de GGD" in [r[2] for r in table[1:]] if has_monitor else True
    assert any("gemeenteraad" in p for p in paras)


def test_docx_checklist_for_the_alcohol_plan(catalog, engine):
    summary = _summary("alcohol", catalog, engine)
    doc = build_policy(summary, catalog)
    sections = _sections(_docx(policy_docx(doc)))
    paras, tables = sections[CHECKLIST]
    assert "artikel 43a" in paras[0]
    (number,) = set(_refs(paras[0]))
    assert "preventie-en-handhavingsplan-alcohol" in doc.references[number - 1]
    (table,) = tables
    rows = {r[0]: r[1:] for r in table[1:]}
    assert set(rows) == {
        "De doelen van het beleid", "De acties die de gemeente neemt", "Hoe de handhaving is georganiseerd",
        "De resultaten die je minimaal wilt halen", "Looptijd van hooguit vier jaar", "Vastgesteld door de gemeenteraad",
    }
    assert rows["De acties die de gemeente neemt"][0] == "ja"
    assert rows["De resultaten die je minimaal wilt halen"][0] == "nog niet"
    assert rows["Vastgesteld door de gemeenteraad"][0] == "nog niet"
    # The plan's supply measures are named as the start of the enforcement part.
    supply = [i.name for i in summary.chosen if "aanbodbeperking" in catalog.interventions[i.id].pillars]
    assert supply and rows["Hoe de handhaving is georganiseerd"][0] == "deels"
    for item_name in supply:
        assert item_name in rows["Hoe de handhaving is georganiseerd"][1]


def test_a_proposed_alcohol_plan_alone_adds_no_checklist(catalog, engine):
    """The social interview's proposal holds the alcohol plan; only when agreed does alcohol count."""
    proposal = _summary("social", catalog, engine, agree=False)
    assert "php_alcohol" in [i.id for i in proposal.chosen]
    assert not has_alcohol(proposal, catalog)
    agreed = build_summary(dict(INTERVIEWS["social"], plan_choices={"borging": ["php_alcohol"]}), catalog,
                           date=DAY, engine=engine)
    assert has_alcohol(agreed, catalog)


def test_docx_sources_are_numbered_links(case):
    name, summary, doc = case
    document = _docx(policy_docx(doc))
    sections = _sections(document)
    refs = doc.references
    assert len(refs) == len(set(refs))
    body = "\n".join(t for section, (paras, tables) in sections.items() for t in paras)
    body += "\n".join(c for _, (_, tables) in sections.items() for t in tables for r in t for c in r)
    assert set(_refs(body)) == set(range(1, len(refs) + 1))  # every source is cited, every mark exists
    links = [h.address for p in document.paragraphs if p.style.name == "List Number" for h in p.hyperlinks]
    assert links == refs
    for item in summary.chosen:
        assert set(item.sources) <= set(refs)


def test_markdown(case):
    name, summary, doc = case
    text = policy_markdown(doc)
    assert text.startswith(f"# Beleidstekst preventie {summary.municipality}\n")
    for heading in SECTIONS + ["Bronnen"]:
        assert f"\n## {heading}\n" in text
    assert (f"\n## {CHECKLIST}\n" in text) == (name == "alcohol")
    assert "| Spoor | Doel | Indicator | Bron van de indicator |" in text
    assert "[..] %" in text and "[datum]" in text  # blanks stay readable
    for number, url in enumerate(doc.references, start=1):
        assert f"\n{number}. <{url}>" in text
    assert "[klik](http://evil.test)" not in text  # the officer's text makes no link


def test_pdf(case):
    name, summary, doc = case
    data = policy_pdf(doc)
    assert data.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    for heading in SECTIONS + ["Bronnen"]:
        assert heading in text
    assert (CHECKLIST in text) == (name == "alcohol")
    assert summary.municipality in text and "[datum]" in text


def test_pdf_without_a_unicode_font(catalog, engine):
    doc = build_policy(_summary("alcohol", catalog, engine), catalog)
    assert policy_pdf(doc, use_fallback=True).startswith(b"%PDF")


def test_render_policy_and_file_names(catalog, engine):
    summary = _summary("social", catalog, engine)
    assert render_policy(summary, "md", catalog).startswith(b"# Beleidstekst preventie Apeldoorn")
    assert render_policy(summary, "docx", catalog)[:2] == b"PK"
    assert policy_filename(summary, "docx") == "beleidstekst-apeldoorn-2026-11-22.docx"
    with pytest.raises(ExportError):
        render_policy(summary, "odt", catalog)
