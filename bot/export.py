"""Render a conversation summary as Markdown, Word (DOCX) or PDF.

- ``render(summary, fmt)`` gives the file's bytes; ``FORMATS`` has content types and extensions;
  ``export_filename`` a safe file name.
- Signed download links are in ``bot.links``; summaries from Rasa trackers in ``bot.trackers``.

python-docx and fpdf2 are imported only where they are needed.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from bot.summary import STATUS_AGREED, STATUS_SKIPPED, Summary
from knowledge.plan import and_list

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_NAME = "Preventiewijzer"


class ExportError(RuntimeError):
    """A problem the user can fix (unknown format, conversation, tracker store); one line."""


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    label: str


FORMATS: Dict[str, Format] = {
    "md": Format("md", "text/markdown; charset=utf-8", "tekst (Markdown)"),
    "docx": Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "pdf": Format("pdf", "application/pdf", "PDF"),
}


def check_format(fmt: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    return fmt


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "gemeente"


def export_filename(summary: Summary, fmt: str) -> str:
    """A safe ASCII file name, e.g. preventiewijzer-amersfoort-2026-11-22.docx."""
    return f"preventiewijzer-{slug(summary.municipality)}-{summary.date.isoformat()}.{FORMATS[fmt].extension}"


def render(summary: Summary, fmt: str) -> bytes:
    fmt = check_format(fmt)
    if fmt == "md":
        return to_markdown(summary).encode("utf-8")
    if fmt == "docx":
        return to_docx(summary)
    return to_pdf(summary)


# -- shared wording ---------------------------------------------------------------------------


def _or(values: Sequence[str], empty: str) -> str:
    return and_list(list(values)) or empty


def _about_lines(s: Summary) -> List[Tuple[str, str]]:
    rows = [("Gemeente", s.municipality), ("Datum", s.date_text)]
    if s.role:
        rows.append(("Jouw rol", s.role))
    if s.reason:
        rows.append(("Aanleiding", s.reason))
    return rows


def _signal_lines(sig) -> List[Tuple[str, str]]:
    rows = [
        ("Wat", _or(sig.what, "onbekend")),
        ("Waar", _or(sig.where, "onbekend")),
        ("Gemeld door", _or(sig.reported_by, "onbekend")),
        ("Ontwikkeling", sig.trend or "onbekend"),
    ]
    if sig.description:
        rows.append(("In je eigen woorden", f"“{sig.description}”"))
    return rows


def _situation_lines(s: Summary) -> List[Tuple[str, str]]:
    def own_words(value: Optional[str], none: str) -> str:
        if value is None:
            return "onbekend"
        return value or none

    return [
        ("Groepen", _or(s.groups, "nog niet bekend")),
        ("Al betrokken", _or(s.partners_present, "nog niemand")),
        ("Nog uitnodigen", _or(s.partners_missing, "niemand")),
        ("Bestaand beleid", own_words(s.policy, "nog geen beleid")),
        ("Tijd en geld", own_words(s.capacity, "niet genoemd")),
    ]


def _step_heading(step) -> str:
    extra = {STATUS_AGREED: "afgesproken", STATUS_SKIPPED: "overgeslagen"}.get(step.status, "voorstel")
    return f"Stap {step.number}. {step.title} ({extra})"


def _host(url: str) -> str:
    host = urlsplit(url).netloc
    return host[4:] if host.startswith("www.") else host or url


def _source_links(urls: Sequence[str]) -> List[Tuple[str, str]]:
    """(host, first URL on that host) for the overview table: one link per website."""
    out: Dict[str, str] = {}
    for url in urls:
        out.setdefault(_host(url), url)
    return list(out.items())


# -- Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: str) -> str:
    """Escape text for Markdown: no links, HTML, emphasis or table breaks from free text."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^([#+\-=>]|\d+\.)", r"\\\1", text)


def to_markdown(s: Summary) -> str:
    out: List[str] = [f"# {md(s.title)}", "", f"*{md(s.status_text)}*", ""]
    out += ["## Over het gesprek", ""]
    out += [f"- **{k}:** {md(v)}" for k, v in _about_lines(s)]
    out += ["", "## Signalen", ""]
    if not s.signals:
        out += ["Er is nog geen signaal genoemd.", ""]
    for number, sig in enumerate(s.signals, start=1):
        out += [f"### Signaal {number}", ""]
        out += [f"- **{k}:** {md(v)}" for k, v in _signal_lines(sig)]
        out.append("")
    out += ["## Groepen, partners en beleid", ""]
    out += [f"- **{k}:** {md(v)}" for k, v in _situation_lines(s)]
    out += ["", "## Het plan", "", f"Het plan werkt aan {md(_or(s.pillars, 'vraag verminderen'))}.", ""]
    for step in s.steps:
        out += [f"### {md(_step_heading(step))}", ""]
        if step.skipped:
            out += ["Deze stap heb je overgeslagen.", ""]
            continue
        if not step.interventions:
            out += ["Voor deze stap is nog geen interventie gekozen.", ""]
        for item in step.interventions:
            out.append(f"- **{md(item.name)}** ({md(item.type)}; erkenning: {md(item.recognition_text)})")
            if item.why:
                out.append(f"  - {md(item.why)}")
            if item.recognition_note:
                out.append(f"  - {md(item.recognition_note)}")
            out.append(f"  - Aanbieder: {md(item.owner)}")
            if item.partners:
                out.append(f"  - Partners nodig: {md(and_list(item.partners))}")
            if item.partners_missing:
                out.append(f"  - Nog niet aan tafel: {md(and_list(item.partners_missing))}")
            if item.sources:
                out.append("  - Bron: " + ", ".join(f"<{url}>" for url in item.sources))
        if step.notes:
            out.append("")
            out += [f"> {md(note)}" for note in step.notes]
        out.append("")
    out += ["## Overzicht van de interventies", ""]
    if s.chosen:
        out += ["| Stap | Interventie | Type | Erkenning | Bron |", "| --- | --- | --- | --- | --- |"]
        for step in s.steps:
            if step.skipped:
                continue
            for item in step.interventions:
                sources = ", ".join(f"[{md(host)}]({url})" for host, url in _source_links(item.sources)) or "-"
                out.append(
                    f"| {step.number} | {md(item.name)} | {md(item.type)} | {md(item.recognition_text)} | {sources} |"
                )
    else:
        out.append("Er staan nog geen interventies in het plan.")
    out += ["", "## Open vragen", ""]
    out += [f"- {md(q)}" for q in s.open_questions] or ["Geen open vragen."]
    out += ["", "## Volgende stappen", ""]
    out += [f"{n}. {md(t)}" for n, t in enumerate(s.next_steps, start=1)]
    out += ["", "---", "", f"*Gemaakt met de {APP_NAME}. Gesprek: {md(s.conversation_id) or '-'}.*", ""]
    return "\n".join(out)


# -- Word (DOCX) ------------------------------------------------------------------------------

ACCENT = (0x1F, 0x4E, 0x79)  # dark blue
TABLE_WIDTHS_CM = (1.3, 5.6, 2.6, 4.0, 3.5)
TABLE_HEADINGS = ("Stap", "Interventie", "Type", "Erkenning", "Bron")


def _docx_hyperlink(paragraph, url: str, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(color)
    props.append(underline)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _docx_field(paragraph, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    field.append(run)
    paragraph._p.append(field)


def _docx_repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _docx_language(document, lang: str = "nl-NL") -> None:
    """Dutch spelling check in Word: set the language of the default run properties."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_pr = document.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if r_pr is None:
        return
    for old in r_pr.findall(qn("w:lang")):
        r_pr.remove(old)
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), lang)
    element.set(qn("w:eastAsia"), lang)
    element.set(qn("w:bidi"), "ar-SA")
    r_pr.append(element)


def to_docx(s: Summary) -> bytes:
    try:
        from docx import Document
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt, RGBColor
    except ImportError:  # pragma: no cover - a setup problem
        raise ExportError("the Word export needs python-docx; install the requirements") from None

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12)):
        style = doc.styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(*ACCENT)
    _docx_language(doc)

    props = doc.core_properties
    props.title = s.title
    props.author = APP_NAME
    props.last_modified_by = APP_NAME
    props.subject = f"Preventieaanpak alcohol en drugs voor {s.municipality}"
    props.keywords = "preventie; alcohol; drugs; plan van aanpak"
    props.language = "nl-NL"
    props.comments = f"Samenvatting van een gesprek met de {APP_NAME} op {s.date_text}."
    props.created = dt.datetime.combine(s.date, dt.time(12, 0))
    props.modified = props.created

    footer = section.footer.paragraphs[0]
    footer.text = f"{APP_NAME} · {s.municipality} · {s.date_text} · pagina "
    _docx_field(footer, "PAGE")
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    doc.add_heading(s.title, level=0)
    status = doc.add_paragraph()
    run = status.add_run(s.status_text)
    run.italic = True
    run.font.color.rgb = RGBColor(*ACCENT)

    def facts(rows: Iterable[Tuple[str, str]]) -> None:
        for label, value in rows:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{label}: ").bold = True
            p.add_run(value)

    doc.add_heading("Over het gesprek", level=1)
    facts(_about_lines(s))

    doc.add_heading("Signalen", level=1)
    if not s.signals:
        doc.add_paragraph("Er is nog geen signaal genoemd.")
    for number, sig in enumerate(s.signals, start=1):
        if len(s.signals) > 1:
            doc.add_heading(f"Signaal {number}", level=2)
        facts(_signal_lines(sig))

    doc.add_heading("Groepen, partners en beleid", level=1)
    facts(_situation_lines(s))

    doc.add_heading("Het plan", level=1)
    doc.add_paragraph(f"Het plan werkt aan {_or(s.pillars, 'vraag verminderen')}.")
    for step in s.steps:
        doc.add_heading(_step_heading(step), level=2)
        if step.skipped:
            doc.add_paragraph("Deze stap heb je overgeslagen.")
            continue
        if not step.interventions:
            doc.add_paragraph("Voor deze stap is nog geen interventie gekozen.")
        for item in step.interventions:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(item.name).bold = True
            p.add_run(f" ({item.type}; erkenning: {item.recognition_text})")
            detail = doc.add_paragraph(style="List Bullet 2")
            if item.why:
                detail.add_run(item.why + " ")
            detail.add_run(f"Aanbieder: {item.owner}.")
            if item.recognition_note:
                doc.add_paragraph(item.recognition_note, style="List Bullet 2")
            if item.partners:
                doc.add_paragraph(f"Partners nodig: {and_list(item.partners)}.", style="List Bullet 2")
            if item.partners_missing:
                doc.add_paragraph(f"Nog niet aan tafel: {and_list(item.partners_missing)}.", style="List Bullet 2")
            for url in item.sources:
                src = doc.add_paragraph(style="List Bullet 2")
                src.add_run("Bron: ")
                _docx_hyperlink(src, url, url)
        for note in step.notes:
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Cm(0.6)
            note_run = p.add_run(note)
            note_run.italic = True

    doc.add_heading("Overzicht van de interventies", level=1)
    if s.chosen:
        table = doc.add_table(rows=1, cols=len(TABLE_HEADINGS))
        try:
            table.style = doc.styles["Light Grid Accent 1"]
        except KeyError:  # pragma: no cover - another template
            table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _docx_repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, TABLE_HEADINGS, strict=False):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for step in s.steps:
            if step.skipped:
                continue
            for item in step.interventions:
                cells = table.add_row().cells
                cells[0].text = str(step.number)
                cells[1].text = item.name
                cells[2].text = item.type
                cells[3].text = item.recognition_text
                cells[4].text = ""
                for i, (host, url) in enumerate(_source_links(item.sources)):
                    p = cells[4].paragraphs[0] if i == 0 else cells[4].add_paragraph()
                    _docx_hyperlink(p, url, host)
                if not item.sources:
                    cells[4].text = "-"
        for row in table.rows:
            for cell, width in zip(row.cells, TABLE_WIDTHS_CM, strict=False):
                cell.width = Cm(width)
                for p in cell.paragraphs:
                    p.paragraph_format.space_after = Pt(0)
                    for r in p.runs:
                        r.font.size = Pt(9)
    else:
        doc.add_paragraph("Er staan nog geen interventies in het plan.")

    doc.add_heading("Open vragen", level=1)
    if not s.open_questions:
        doc.add_paragraph("Geen open vragen.")
    for question in s.open_questions:
        doc.add_paragraph(question, style="List Bullet")

    doc.add_heading("Volgende stappen", level=1)
    for next_step in s.next_steps:
        doc.add_paragraph(next_step, style="List Number")

    closing = doc.add_paragraph()
    closing.paragraph_format.space_before = Pt(12)
    end = closing.add_run(f"Gemaakt met de {APP_NAME}. Gesprek: {s.conversation_id or '-'}.")
    end.italic = True
    end.font.size = Pt(8)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# -- PDF --------------------------------------------------------------------------------------

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
# Characters outside Latin-1 that the built-in PDF fonts cannot show, for the fallback.
_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-", "·": "-"})


def font_dirs() -> List[Path]:
    """Where a Unicode TTF font (DejaVu Sans) may be: EXPORT_FONT_DIR, matplotlib's copy, the system."""
    dirs: List[Path] = []
    if os.environ.get("EXPORT_FONT_DIR"):
        dirs.append(Path(os.environ["EXPORT_FONT_DIR"]))
    spec = importlib.util.find_spec("matplotlib")  # a Rasa dependency that ships DejaVu Sans
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            dirs.append(Path(location) / "mpl-data" / "fonts" / "ttf")
    dirs += [
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
        Path("/usr/local/share/fonts"),
    ]
    return dirs


def find_font() -> Optional[Dict[str, Path]]:
    for folder in font_dirs():
        found = {style: folder / name for style, name in FONT_FILES.items()}
        if all(p.is_file() for p in found.values()):
            return found
    return None


def to_pdf(s: Summary, font: Optional[Dict[str, Path]] = None, use_fallback: bool = False) -> bytes:
    """A PDF with DejaVu Sans (full Unicode); without that font, Helvetica with Latin-1 text."""
    try:
        from fpdf import FPDF
        from fpdf.enums import WrapMode, XPos, YPos
        from fpdf.fonts import FontFace
    except ImportError:  # pragma: no cover - a setup problem
        raise ExportError("the PDF export needs fpdf2; install the requirements") from None

    font = None if use_fallback else (font or find_font())
    family = "DejaVu" if font else "helvetica"

    def t(text: str) -> str:
        if font:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    class Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(family, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 6, t(f"{APP_NAME} · {s.municipality} · {s.date_text} · pagina {self.page_no()}"),
                      align="C")

    pdf = Doc(format="A4", unit="mm")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    if font:
        for style, path in font.items():
            pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(t(s.title))
    pdf.set_author(APP_NAME)
    pdf.set_creator(APP_NAME)
    pdf.set_subject(t(f"Preventieaanpak alcohol en drugs voor {s.municipality}"))
    pdf.set_lang("nl-NL")
    pdf.set_creation_date(dt.datetime.combine(s.date, dt.time(12, 0), tzinfo=dt.timezone.utc))
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, level: int = 1) -> None:
        size = {0: 20, 1: 14, 2: 11.5}[level]
        if level and pdf.will_page_break(20):
            pdf.add_page()  # no heading alone at the bottom of a page
        pdf.ln(3 if level else 0)
        pdf.set_font(family, "B", size)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(width, size * 0.5, t(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)

    def para(text: str, style: str = "", indent: float = 0, size: float = 10, link: Optional[str] = None,
             wrap: str = "WORD") -> None:
        pdf.set_font(family, style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(width - indent, 5, t(text), align="L", link=link or None, wrapmode=WrapMode[wrap],
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fact(label: str, value: str, indent: float = 0) -> None:
        pdf.set_x(pdf.l_margin + indent)
        pdf.set_font(family, "", 10)
        pdf.write(5, t("• "))
        pdf.set_font(family, "B", 10)
        pdf.write(5, t(f"{label}: "))
        pdf.set_font(family, "", 10)
        pdf.write(5, t(value))
        pdf.ln(5.5)

    heading(s.title, 0)
    para(s.status_text, "I", size=10)
    heading("Over het gesprek")
    for label, value in _about_lines(s):
        fact(label, value)
    heading("Signalen")
    if not s.signals:
        para("Er is nog geen signaal genoemd.")
    for number, sig in enumerate(s.signals, start=1):
        if len(s.signals) > 1:
            heading(f"Signaal {number}", 2)
        for label, value in _signal_lines(sig):
            fact(label, value)
    heading("Groepen, partners en beleid")
    for label, value in _situation_lines(s):
        fact(label, value)

    heading("Het plan")
    para(f"Het plan werkt aan {_or(s.pillars, 'vraag verminderen')}.")
    for step in s.steps:
        heading(_step_heading(step), 2)
        if step.skipped:
            para("Deze stap heb je overgeslagen.")
            continue
        if not step.interventions:
            para("Voor deze stap is nog geen interventie gekozen.")
        for item in step.interventions:
            para(f"• {item.name}", "B")
            para(f"{item.type}; erkenning: {item.recognition_text}", indent=4, size=9.5)
            if item.why:
                para(item.why, indent=4, size=9.5)
            if item.recognition_note:
                para(item.recognition_note, indent=4, size=9.5)
            para(f"Aanbieder: {item.owner}", indent=4, size=9.5)
            if item.partners:
                para(f"Partners nodig: {and_list(item.partners)}", indent=4, size=9.5)
            if item.partners_missing:
                para(f"Nog niet aan tafel: {and_list(item.partners_missing)}", indent=4, size=9.5)
            for url in item.sources:
                pdf.set_text_color(5, 99, 193)
                para(f"Bron: {url}", indent=4, size=9, link=url, wrap="CHAR")
                pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        for note in step.notes:
            para(note, "I", indent=4, size=9.5)

    heading("Overzicht van de interventies")
    if s.chosen:
        pdf.set_font(family, "", 8.5)
        head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
        with pdf.table(col_widths=(7, 34, 23, 28, 28), headings_style=head, line_height=4.5, padding=1,
                       text_align="LEFT", first_row_as_headings=True, width=width) as table:
            row = table.row()
            for text in TABLE_HEADINGS:
                row.cell(t(text))
            for step in s.steps:
                if step.skipped:
                    continue
                for item in step.interventions:
                    row = table.row()
                    row.cell(str(step.number))
                    row.cell(t(item.name))
                    row.cell(t(item.type))
                    row.cell(t(item.recognition_text))
                    links = _source_links(item.sources)
                    hosts = "\n".join(host for host, _ in links) or "-"
                    row.cell(t(hosts), link=links[0][1] if links else None)
    else:
        para("Er staan nog geen interventies in het plan.")

    heading("Open vragen")
    if not s.open_questions:
        para("Geen open vragen.")
    for question in s.open_questions:
        para(f"• {question}")
    heading("Volgende stappen")
    for number, next_step in enumerate(s.next_steps, start=1):
        para(f"{number}. {next_step}")
    pdf.ln(4)
    para(f"Gemaakt met de {APP_NAME}. Gesprek: {s.conversation_id or '-'}.", "I", size=8)
    return bytes(pdf.output())
