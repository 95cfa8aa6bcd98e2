"""Rendering the summary: Markdown, Word (python-docx) and PDF (fpdf2)."""
import io

import pytest

from bot.export import FORMATS, export_filename, find_font, md, render, to_docx, to_markdown, to_pdf
from bot.summary import build_summary
from tests.bot.conftest import DAY


def test_markdown_has_every_section(summary):
    text = to_markdown(summary)
    assert text.startswith("# Samenvatting preventieaanpak Amersfoort\n")
    for heading in ("## Over het gesprek", "## Signalen", "## Groepen, partners en beleid", "## Het plan",
                    "## Overzicht van de interventies", "## Open vragen", "## Volgende stappen"):
        assert heading in text
    assert "*Dit plan is een voorstel van de Preventiewijzer. Je hebt het nog niet afgesproken.*" in text
    assert "- **Datum:** 22 november 2026" in text
    assert "- **Ontwikkeling:** stijgend sinds de zomer" in text
    for step in summary.steps:
        assert f"### Stap {step.number}. {step.title} (voorstel)" in text
    assert "| Stap | Interventie | Type | Erkenning | Bron |" in text
    for item in summary.chosen:
        assert f"- **{md(item.name)}** ({md(item.type)}; erkenning:" in text
        for url in item.sources:
            assert f"<{url}>" in text
        assert item.recognition_text in text


def test_markdown_escapes_free_text(slots, catalog, engine):
    s = build_summary(dict(slots, signal_reporters=["[klik](http://evil.test) *vet* | kolom"]),
                      catalog, date=DAY, engine=engine)
    text = to_markdown(s)
    assert "[klik](http://evil.test)" not in text
    assert r"\[klik\](http://evil.test) \*vet\* \| kolom" in text


def test_markdown_of_agreed_plan_marks_skipped_steps(agreed_summary):
    text = to_markdown(agreed_summary)
    assert "(overgeslagen)" in text and "Deze stap heb je overgeslagen." in text
    assert "(afgesproken)" in text
    assert "*Dit plan heb je in het gesprek afgesproken.*" in text


def _docx(data):
    import docx

    return docx.Document(io.BytesIO(data))


def test_docx_headings_table_and_properties(summary):
    document = _docx(to_docx(summary))
    assert document.core_properties.title == "Samenvatting preventieaanpak Amersfoort"
    assert document.core_properties.author == "Preventiewijzer"
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Samenvatting preventieaanpak Amersfoort")
    level1 = [text for style, text in headings if style == "Heading 1"]
    assert level1 == ["Over het gesprek", "Signalen", "Groepen, partners en beleid", "Het plan",
                      "Overzicht van de interventies", "Open vragen", "Volgende stappen"]
    level2 = [text for style, text in headings if style == "Heading 2"]
    assert [h for h in level2 if h.startswith("Stap ")] == [
        f"Stap {s.number}. {s.title} (voorstel)" for s in summary.steps
    ]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Gemeente: Amersfoort" in body
    assert "Gemeld door: het jongerenwerk en een bewoner" in body

    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Stap", "Interventie", "Type", "Erkenning", "Bron"]
    expected = [(str(step.number), item) for step in summary.steps for item in step.interventions]
    assert len(rows) - 1 == len(expected)
    for row, (number, item) in zip(rows[1:], expected, strict=True):
        assert row[:4] == [number, item.name, item.type, item.recognition_text]
    # Sources: the table links each website, the plan section shows every full URL as a link.
    links = [h.address for row in table.rows[1:] for p in row.cells[4].paragraphs for h in p.hyperlinks]
    addresses = [h.address for p in document.paragraphs for h in p.hyperlinks]
    for _, item in expected:
        assert item.sources[0] in links
        for url in item.sources:
            assert url in body and url in addresses


def test_docx_shows_recognition_levels_with_dates(catalog, engine, slots):
    # "Help, mijn kind kan niet zonder" is recognised (Goed onderbouwd, 25-11-2021): pin it.
    slots = dict(slots, pinned={"interventies": ["help_mijn_kind"]},
                 plan_choices={"interventies": ["help_mijn_kind"]})
    s = build_summary(slots, catalog, date=DAY, engine=engine)
    document = _docx(to_docx(s))
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    row = next(r for r in cells if r[1] == catalog.interventions["help_mijn_kind"].name)
    assert row[3] == "Goed onderbouwd (25 november 2021, Loket Gezond Leven)"


def test_pdf_is_a_pdf_with_the_text(summary):
    data = to_pdf(summary)
    assert data.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Samenvatting preventieaanpak Amersfoort"
    assert reader.metadata.author == "Preventiewijzer"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Amersfoort" in text and "Overzicht van de interventies" in text
    assert "3-MMC en andere cathinonen" in text
    assert "Volgende stappen" in text


def test_pdf_uses_a_unicode_font_when_there_is_one(summary):
    if find_font() is None:
        pytest.skip("no DejaVu Sans on this machine (matplotlib ships one with Rasa)")
    data = to_pdf(summary)
    assert b"DejaVu" in data


def test_pdf_falls_back_to_a_builtin_font(summary):
    data = to_pdf(summary, use_fallback=True)
    assert data.startswith(b"%PDF") and b"DejaVu" not in data
    pypdf = pytest.importorskip("pypdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Amersfoort" in text and "Barcode - omgaan met alcohol" in text  # the dash made Latin-1


def test_render_and_file_names(summary):
    assert render(summary, "md").decode("utf-8") == to_markdown(summary)
    assert render(summary, "docx")[:2] == b"PK"
    assert render(summary, "PDF")[:4] == b"%PDF"
    assert export_filename(summary, "docx") == "preventiewijzer-amersfoort-2026-11-22.docx"
    summary.municipality = "'s-Hertogenbosch"
    assert export_filename(summary, "pdf") == "preventiewijzer-s-hertogenbosch-2026-11-22.pdf"
    assert set(FORMATS) == {"md", "docx", "pdf"}
    with pytest.raises(Exception, match="unknown format 'xls'"):
        render(summary, "xls")
