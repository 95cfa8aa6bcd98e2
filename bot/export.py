"""Export a conversation summary as Markdown, Word (DOCX) or PDF, and sign download links.

- ``render(summary, fmt)`` gives the file's bytes; ``FORMATS`` has content types and extensions.
- ``sign`` / ``verify`` / ``download_url``: expiring download links, signed with HMAC-SHA256 over
  the conversation id, the format and the expiry time. The secret is ``EXPORT_SECRET``, or one
  generated once and kept in ``var/export-secret`` (mode 0600; ``EXPORT_SECRET_FILE`` moves it),
  so that the Rasa server (which serves the files) and the action server (which sends the links)
  share it.
- ``tracker_slots`` / ``summary_for_tracker``: a summary from a Rasa tracker (duck-typed).
- ``load_tracker``: read a tracker from the tracker store of an endpoints file (command line).

Rasa, python-docx and fpdf2 are imported only where they are needed.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import importlib.util
import io
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlencode, urlsplit

from bot.summary import STATUS_AGREED, STATUS_SKIPPED, Summary, build_summary, clean_text
from knowledge.plan import and_list

PROJECT_DIR = Path(__file__).resolve().parent.parent
SECRET_FILE = PROJECT_DIR / "var" / "export-secret"
DEFAULT_PUBLIC_URL = "http://localhost:5005"
LINK_PATH = "/webhooks/export/summary"
DEFAULT_TTL = 3600
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
        for cell, text in zip(table.rows[0].cells, TABLE_HEADINGS):
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
            for cell, width in zip(row.cells, TABLE_WIDTHS_CM):
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
    for item in s.next_steps:
        doc.add_paragraph(item, style="List Number")

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
    for number, item in enumerate(s.next_steps, start=1):
        para(f"{number}. {item}")
    pdf.ln(4)
    para(f"Gemaakt met de {APP_NAME}. Gesprek: {s.conversation_id or '-'}.", "I", size=8)
    return bytes(pdf.output())


# -- signed download links ----------------------------------------------------------------------


def _secret_from_file(path: Path) -> str:
    """Read the shared secret, or create it once (atomically: two servers may start together)."""
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)  # readable by others: tighten it
            return value
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails when another process was first: then use theirs
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ExportError(f"the export secret file {path} is empty; remove it and try again")
    return value


def secret_file() -> Path:
    """Where the generated secret is kept: EXPORT_SECRET_FILE, default var/export-secret."""
    return Path(os.environ.get("EXPORT_SECRET_FILE", "").strip() or SECRET_FILE)


def export_secret(path: Optional[Path] = None) -> bytes:
    """The link-signing secret: EXPORT_SECRET, else the secret file (made once, mode 0600)."""
    value = os.environ.get("EXPORT_SECRET", "").strip()
    if not value:
        value = _secret_from_file(Path(path) if path else secret_file())
    return value.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _message(conversation_id: str, fmt: str, expires_at: int) -> bytes:
    cid = conversation_id.encode("utf-8")
    return b"preventiewijzer-export:v1:%d:%s:%s:%d" % (len(cid), cid, fmt.encode("ascii", "replace"), int(expires_at))


def sign(conversation_id: str, fmt: str, expires_at: int, secret: bytes) -> str:
    """URL-safe HMAC-SHA256 over the conversation id, the format and the expiry (Unix seconds)."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return _b64(hmac.new(secret, _message(conversation_id, fmt, expires_at), hashlib.sha256).digest())


LINK_OK, LINK_INVALID, LINK_EXPIRED = "ok", "invalid", "expired"


def check_link(conversation_id: str, fmt: str, expires_at: Any, signature: Any, secret: bytes,
               now: Optional[float] = None) -> str:
    """LINK_OK, LINK_EXPIRED (a valid link past its time) or LINK_INVALID (unsigned, tampered)."""
    if fmt not in FORMATS or not isinstance(signature, str) or not signature or len(signature) > 100:
        return LINK_INVALID
    if expires_at is None or len(str(expires_at)) > 12:
        return LINK_INVALID
    try:
        expires = int(str(expires_at))
    except (TypeError, ValueError):
        return LINK_INVALID
    if str(expires) != str(expires_at) or expires < 0:
        return LINK_INVALID
    expected = sign(conversation_id, fmt, expires, secret)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        return LINK_INVALID
    if (time.time() if now is None else now) > expires:
        return LINK_EXPIRED
    return LINK_OK


def verify(conversation_id: str, fmt: str, expires_at: Any, signature: Any, secret: bytes,
           now: Optional[float] = None) -> bool:
    return check_link(conversation_id, fmt, expires_at, signature, secret, now) == LINK_OK


_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def link_name(conversation_id: str) -> str:
    """The conversation id as it stands in a link's path: as is when it is plain letters, digits,
    '-' and '_' (Rasa's and the widget's ids), else '~' + base64url, so that no proxy or server
    decodes or splits it on the way (a '/' or '%' in an id)."""
    if _SAFE_ID.match(conversation_id):
        return conversation_id
    return "~" + _b64(conversation_id.encode("utf-8"))


def id_from_link_name(name: str) -> Optional[str]:
    """The conversation id from a link's path (None when it cannot be read)."""
    if not name.startswith("~"):
        return name if _SAFE_ID.match(name) else None
    body = name[1:]
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        return raw.decode("utf-8") or None
    except (ValueError, UnicodeDecodeError):
        return None


def public_url() -> str:
    return (os.environ.get("PUBLIC_URL", "").strip() or DEFAULT_PUBLIC_URL).rstrip("/")


def download_url(base_url: Optional[str], conversation_id: str, fmt: str, ttl_seconds: int = DEFAULT_TTL,
                 secret: Optional[bytes] = None, now: Optional[float] = None) -> str:
    """A signed link to the summary, valid ``ttl_seconds``; base URL defaults to PUBLIC_URL."""
    fmt = check_format(fmt)
    base = (base_url or public_url()).rstrip("/")
    expires = int((time.time() if now is None else now) + ttl_seconds)
    signature = sign(conversation_id, fmt, expires, secret if secret is not None else export_secret())
    path = f"{LINK_PATH}/{link_name(conversation_id)}.{fmt}"
    return f"{base}{path}?{urlencode({'expires': expires, 'sig': signature})}"


def download_links(conversation_id: str, formats: Sequence[str] = ("docx", "pdf"),
                   ttl_seconds: int = DEFAULT_TTL, base_url: Optional[str] = None) -> Dict[str, str]:
    """Signed links for the chat, one per format; for ``chat_text(summary, links)``."""
    secret = export_secret()
    return {fmt: download_url(base_url, conversation_id, fmt, ttl_seconds, secret=secret) for fmt in formats}


def chat_summary(slots: Mapping[str, Any], conversation_id: str, catalog, engine=None,
                 formats: Sequence[str] = ("docx", "pdf"), ttl_seconds: int = DEFAULT_TTL) -> str:
    """The short chat version with signed download links, for the action server::

        text = chat_summary(tracker.current_slot_values(), tracker.sender_id, kb.catalog(), kb.engine())
    """
    from bot.summary import chat_text

    summary = build_summary(slots, catalog, conversation_id=conversation_id, engine=engine)
    links = download_links(conversation_id, formats, ttl_seconds) if formats else None
    return chat_text(summary, links, ttl_seconds)


# -- from a Rasa tracker ------------------------------------------------------------------------

_RESETS = {"restart", "session_started", "reset_slots"}


def replay_slots(events: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    """Slot values from serialised events (for slots the tracker's domain does not know yet)."""
    values: Dict[str, Any] = {}
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name"):
            values[str(event["name"])] = event.get("value")
        elif kind in _RESETS:
            values = {}
    return values


def tracker_slots(tracker: Any) -> Dict[str, Any]:
    """Slot values of a tracker; slots missing from its domain are read from the events."""
    values = dict(tracker.current_slot_values())
    for key, value in replay_slots(e.as_dict() for e in tracker.events).items():
        values.setdefault(key, value)
    return values


def conversation_date(tracker: Any) -> dt.date:
    """The day of the conversation's last event (today when there are none)."""
    stamps = [getattr(e, "timestamp", None) for e in tracker.events]
    stamps = [s for s in stamps if s]
    return dt.date.fromtimestamp(max(stamps)) if stamps else dt.date.today()


def has_conversation(tracker: Any) -> bool:
    """Whether the tracker holds more than Rasa's own start (a user message or a slot)."""
    return any(getattr(e, "type_name", "") in ("user", "slot") for e in tracker.events)


def summary_for_tracker(tracker: Any, catalog=None) -> Summary:
    if catalog is None:
        from knowledge.store import default_knowledge_base

        catalog = default_knowledge_base().catalog()
    return build_summary(tracker_slots(tracker), catalog, conversation_id=tracker.sender_id,
                         date=conversation_date(tracker))


def _sqlite_path(config: Any) -> Optional[Path]:
    kwargs = getattr(config, "kwargs", {}) or {}
    store_type = str(getattr(config, "type", "") or kwargs.get("type", "") or "").lower()
    dialect = str(kwargs.get("dialect", "sqlite")).lower()
    if store_type not in ("sql",) or dialect != "sqlite":
        return None
    db = str(kwargs.get("db", "rasa.db"))
    return None if db in ("", ":memory:") else Path(db)


def load_tracker(conversation_id: str, endpoints: Path, domain_path: Path = PROJECT_DIR / "domain.yml"):
    """The full tracker of one conversation from the tracker store in ``endpoints``."""
    import logging
    import warnings

    for name in ("rasa", "sqlalchemy", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    with warnings.catch_warnings():
        # Rasa 3.6 and its dependencies warn a lot on import and change the filters themselves.
        warnings.simplefilter("ignore")
        warnings.showwarning = lambda *args, **kwargs: None
        return _load_tracker(conversation_id, Path(endpoints), Path(domain_path))


def _load_tracker(conversation_id: str, endpoints: Path, domain_path: Path):
    import asyncio

    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain
    from rasa.shared.exceptions import RasaException

    if not endpoints.is_file():
        raise ExportError(f"endpoints file not found: {endpoints}")
    config = AvailableEndpoints.read_endpoints(str(endpoints)).tracker_store
    if config is None:
        raise ExportError(f"{endpoints} configures no tracker store, so no conversation is kept")
    sqlite = _sqlite_path(config)
    if sqlite is not None:
        if not sqlite.is_absolute():
            # Rasa resolves it from its working folder: the project folder when started by `bot run`.
            here = Path.cwd() / sqlite
            sqlite = here if here.is_file() else PROJECT_DIR / sqlite
        if not sqlite.is_file():
            raise ExportError(f"no tracker store at {sqlite}: no conversation has been kept there yet")
        config.kwargs["db"] = str(sqlite)
    try:
        domain = Domain.load(str(domain_path))
        store = TrackerStore.create(config, domain=domain)
        tracker = asyncio.run(store.retrieve_full_tracker(conversation_id))
    except (RasaException, OSError) as err:
        raise ExportError(f"cannot read the tracker store: {str(err).splitlines()[0]}") from None
    if tracker is None or not has_conversation(tracker):
        raise ExportError(f"no conversation '{conversation_id}' in the tracker store")
    return tracker


def export_conversation(conversation_id: str, fmt: str = "docx", out: Optional[Path] = None,
                        endpoints: Optional[Path] = None) -> Path:
    """Write the summary of a stored conversation to a file; returns its path (command line)."""
    fmt = check_format(fmt)
    tracker = load_tracker(conversation_id, endpoints or PROJECT_DIR / "endpoints.yml")
    summary = summary_for_tracker(tracker)
    path = Path(out) if out else Path.cwd() / export_filename(summary, fmt)
    data = render(summary, fmt)
    try:
        path.write_bytes(data)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror}") from None
    return path


def clean_id(conversation_id: str) -> str:
    """A conversation id fit to show in an error message."""
    return clean_text(conversation_id, 80)
