"""Read and validate the curated data files in ``knowledge/data/``.

Every problem is reported as a :class:`DataFileError` naming the file, the record and the
field, so that a non-developer who edited a YAML file can find and fix the mistake.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Literal, Optional, Tuple, overload

import yaml

from knowledge.catalog import (
    VOCABULARY_KINDS,
    Catalog,
    GlossaryEntry,
    Group,
    Intervention,
    Municipality,
    NationalSize,
    Partner,
    Recognition,
    Term,
)
from knowledge.matching import Cue, CueError, normalize

DATA_DIR = Path(__file__).resolve().parent / "data"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")


class DataFileError(ValueError):
    """A data file is unreadable or a record in it is invalid."""

    def __init__(self, file: str, message: str, record: Optional[str] = None, field: Optional[str] = None):
        self.file = file
        self.record = record
        self.field = field
        self.detail = message
        where = file
        if record is not None:
            where += f", record {record}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(path.name, "file not found") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataFileError(
            path.name, f"not valid UTF-8 (byte {err.start}); save the file as UTF-8"
        ) from None


def _read_yaml(path: Path) -> Any:
    text = _read_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise DataFileError(path.name, f"not valid YAML{line}: {problem}") from None


class _Record:
    """Field access on one record with precise error messages."""

    def __init__(self, file: str, index: int, data: Any):
        self.file = file
        if not isinstance(data, dict):
            raise DataFileError(file, "must be a mapping of field: value", record=f"#{index + 1}")
        self.data = data
        raw_id = data.get("id")
        self.name = f"'{raw_id}' (#{index + 1})" if raw_id else f"#{index + 1}"

    def error(self, field: str, message: str) -> DataFileError:
        return DataFileError(self.file, message, record=self.name, field=field)

    def require(self, field: str) -> Any:
        if field not in self.data:
            raise self.error(field, "missing")
        return self.data[field]

    @overload
    def text(self, field: str, optional: Literal[False] = False) -> str: ...

    @overload
    def text(self, field: str, optional: bool) -> Optional[str]: ...

    def text(self, field: str, optional: bool = False) -> Optional[str]:
        value = self.data.get(field) if optional else self.require(field)
        if value is None and optional:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, "must be a non-empty text")
        return " ".join(value.split())

    def ident(self, field: str = "id") -> str:
        value = self.text(field)
        if not _ID_RE.match(value):
            raise self.error(field, f"'{value}' is not a valid id (lower case letters, digits, _)")
        return value

    def text_list(self, field: str, optional: bool = False) -> Tuple[str, ...]:
        value = self.data.get(field, []) if optional else self.require(field)
        if value is None:
            value = []
        if not isinstance(value, list):
            raise self.error(field, "must be a list")
        out = []
        for item in value:
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise self.error(field, f"contains an empty or non-text item: {item!r}")
            out.append(" ".join(item.split()))
        return tuple(out)

    def refs(self, field: str, known: Dict[str, Any], what: str, min_items: int = 0) -> Tuple[str, ...]:
        values = self.text_list(field)
        for value in values:
            if value not in known:
                raise self.error(field, f"unknown {what} '{value}' (known: {', '.join(sorted(known))})")
        if len(set(values)) != len(values):
            raise self.error(field, "lists the same value twice")
        if len(values) < min_items:
            raise self.error(field, f"needs at least {min_items} {what}")
        return values

    def urls(self, field: str) -> Tuple[str, ...]:
        values = self.text_list(field)
        if not values:
            raise self.error(field, "needs at least one source URL")
        for value in values:
            if not _URL_RE.match(value):
                raise self.error(field, f"'{value}' is not a valid http(s) URL")
        return values


    def url(self, field: str) -> str:
        value = self.text(field)
        if not _URL_RE.match(value):
            raise self.error(field, f"'{value}' is not a valid http(s) URL")
        return value

    @overload
    def date(self, field: str, value: Any, optional: Literal[False] = False) -> dt.date: ...

    @overload
    def date(self, field: str, value: Any, optional: bool) -> Optional[dt.date]: ...

    def date(self, field: str, value: Any, optional: bool = False) -> Optional[dt.date]:
        if value is None and optional:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(field, f"'{value}' is not a date (write it as YYYY-MM-DD)")


def _records(path: Path) -> List[Any]:
    data = _read_yaml(path)
    if not isinstance(data, list) or not data:
        raise DataFileError(path.name, "must be a non-empty list of records")
    return data


def _unique(file: str, record: _Record, item_id: str, seen: Dict[str, Any]) -> None:
    if item_id in seen:
        raise DataFileError(file, f"duplicate id '{item_id}'", record=record.name, field="id")


def load_vocabulary(path: Path) -> Dict[str, Dict[str, Term]]:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(path.name, "must be a mapping of vocabulary name to a list of terms")
    vocabulary: Dict[str, Dict[str, Term]] = {}
    for kind in VOCABULARY_KINDS:
        items = data.get(kind)
        if not isinstance(items, list) or not items:
            raise DataFileError(path.name, f"vocabulary '{kind}' is missing or empty")
        terms: Dict[str, Term] = {}
        for index, item in enumerate(items):
            rec = _Record(f"{path.name} ({kind})", index, item)
            term_id = rec.ident()
            _unique(rec.file, rec, term_id, terms)
            rank = item.get("rank", 0)
            if not isinstance(rank, int):
                raise rec.error("rank", "must be a whole number")
            terms[term_id] = Term(
                kind=kind,
                id=term_id,
                label=rec.text("label"),
                synonyms=tuple(s.lower() for s in rec.text_list("synonyms", optional=True)),
                description=rec.text("description", optional=True) or "",
                rank=rank,
            )
        vocabulary[kind] = terms
    return vocabulary


def load_groups(path: Path, vocabulary: Dict[str, Dict[str, Term]]) -> Dict[str, Group]:
    groups: Dict[str, Group] = {}
    for index, item in enumerate(_records(path)):
        rec = _Record(path.name, index, item)
        group_id = rec.ident()
        _unique(path.name, rec, group_id, groups)
        size_raw = rec.require("national_size")
        size = None
        if size_raw is not None:
            if not isinstance(size_raw, dict):
                raise rec.error("national_size", "must be null or have figure, year and source")
            sub = _Record(path.name, index, {"id": group_id, **size_raw})
            year = size_raw.get("year")
            if not isinstance(year, int):
                raise rec.error("national_size.year", "must be a year such as 2023")
            size = NationalSize(figure=sub.text("figure"), year=year, source=sub.url("source"))
        groups[group_id] = Group(
            id=group_id,
            name=rec.text("name"),
            short=rec.text("short"),
            synonyms=tuple(s.lower() for s in rec.text_list("synonyms")),
            description=rec.text("description"),
            risk_factors=rec.text_list("risk_factors"),
            protective_factors=rec.text_list("protective_factors"),
            settings=rec.refs("settings", vocabulary["settings"], "setting"),
            substances=rec.refs("substances", vocabulary["substances"], "substance"),
            national_size=size,
            local_sources=rec.text_list("local_sources"),
            local_figures_note=rec.text("local_figures_note"),
            sources=rec.urls("sources"),
            cues=_cues(rec),
        )
    return groups


def _cues(rec: _Record) -> Tuple[str, ...]:
    """The group's cue patterns, each checked (knowledge.matching.Cue explains the notation)."""
    cues = rec.text_list("cues", optional=True)
    for cue in cues:
        try:
            Cue(cue)
        except CueError as error:
            raise rec.error("cues", str(error)) from None
    return cues


def load_partners(path: Path, vocabulary: Dict[str, Dict[str, Term]], groups: Dict[str, Group]) -> Dict[str, Partner]:
    partners: Dict[str, Partner] = {}
    for index, item in enumerate(_records(path)):
        rec = _Record(path.name, index, item)
        partner_id = rec.ident()
        _unique(path.name, rec, partner_id, partners)
        partners[partner_id] = Partner(
            id=partner_id,
            name=rec.text("name"),
            synonyms=tuple(s.lower() for s in rec.text_list("synonyms")),
            role=rec.text("role"),
            groups=rec.refs("groups", groups, "group"),
            settings=rec.refs("settings", vocabulary["settings"], "setting"),
        )
    return partners


INTERVENTION_FIELDS = (
    "id", "name", "type", "description", "owner", "target", "age", "groups", "settings",
    "substances", "pillars", "forms", "steps", "partners", "recognition", "evidence_note",
    "sources", "checked",
)
# Fields a record may leave out (with their default).
OPTIONAL_INTERVENTION_FIELDS = {"all_groups": False}


def load_interventions(
    path: Path,
    vocabulary: Dict[str, Dict[str, Term]],
    groups: Dict[str, Group],
    partners: Dict[str, Partner],
) -> Dict[str, Intervention]:
    interventions: Dict[str, Intervention] = {}
    names: Dict[str, str] = {}
    for index, item in enumerate(_records(path)):
        rec = _Record(path.name, index, item)
        for field in INTERVENTION_FIELDS:
            rec.require(field)
        unknown = sorted(set(item) - set(INTERVENTION_FIELDS) - set(OPTIONAL_INTERVENTION_FIELDS))
        if unknown:
            raise rec.error(unknown[0], "is not a known field (check the spelling)")
        item_id = rec.ident()
        _unique(path.name, rec, item_id, interventions)
        name = rec.text("name")
        if name.lower() in names:
            raise rec.error("name", f"same name as record '{names[name.lower()]}'")
        names[name.lower()] = item_id
        item_type = rec.text("type")
        if item_type not in vocabulary["intervention_types"]:
            raise rec.error("type", f"unknown type '{item_type}' (known: {', '.join(vocabulary['intervention_types'])})")
        recog = item["recognition"]
        if not isinstance(recog, dict):
            raise rec.error("recognition", "must have level, date and by")
        level = recog.get("level")
        if level not in vocabulary["recognition_levels"]:
            raise rec.error(
                "recognition.level",
                f"unknown level '{level}' (known: {', '.join(vocabulary['recognition_levels'])})",
            )
        by = recog.get("by")
        if by is not None and (not isinstance(by, str) or not by.strip()):
            raise rec.error("recognition.by", "must be a text or null")
        recognition = Recognition(level=level, date=rec.date("recognition.date", recog.get("date"), optional=True), by=by)
        if recognition.date and recognition.date > dt.date.today():
            raise rec.error("recognition.date", "lies in the future")
        all_groups = item.get("all_groups", OPTIONAL_INTERVENTION_FIELDS["all_groups"])
        if not isinstance(all_groups, bool):
            raise rec.error("all_groups", f"must be true or false, not {all_groups!r}")
        interventions[item_id] = Intervention(
            id=item_id,
            name=name,
            type=item_type,
            description=rec.text("description"),
            owner=rec.text("owner"),
            target=rec.text("target"),
            age=rec.text("age"),
            groups=rec.refs("groups", groups, "group"),
            settings=rec.refs("settings", vocabulary["settings"], "setting"),
            substances=rec.refs("substances", vocabulary["substances"], "substance"),
            pillars=rec.refs("pillars", vocabulary["pillars"], "pillar", min_items=1),
            forms=rec.refs("forms", vocabulary["prevention_forms"], "prevention form", min_items=1),
            steps=rec.refs("steps", vocabulary["approach_steps"], "approach step", min_items=1),
            partners=rec.refs("partners", partners, "partner"),
            recognition=recognition,
            evidence_note=rec.text("evidence_note", optional=True),
            sources=rec.urls("sources"),
            checked=rec.date("checked", item.get("checked")),
            all_groups=all_groups,
        )
    return interventions


def load_municipalities(path: Path) -> Dict[str, Municipality]:
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    expected = ["code", "naam", "provincie"]
    if reader.fieldnames != expected:
        raise DataFileError(path.name, f"header must be {','.join(expected)}, found {reader.fieldnames}")
    result: Dict[str, Municipality] = {}
    for line, row in enumerate(reader, start=2):
        code, name, province = (row.get("code") or "").strip(), (row.get("naam") or "").strip(), (row.get("provincie") or "").strip()
        if not re.match(r"^GM\d{4}$", code):
            raise DataFileError(path.name, f"'{code}' is not a CBS code like GM0193", record=f"line {line}", field="code")
        if not name or not province:
            raise DataFileError(path.name, "name and province are required", record=f"line {line}")
        if code in result:
            raise DataFileError(path.name, f"duplicate code '{code}'", record=f"line {line}", field="code")
        result[code] = Municipality(code=code, name=name, province=province)
    return result


def _check_synonyms(file: str, items: Iterable[Tuple[str, Tuple[str, ...]]]) -> None:
    """A synonym belongs to one record. Compared as the matcher sees them: without case, accents,
    punctuation and spaces ('dak- en thuislozen' is 'dak en thuislozen', 'lvb-zorg' is 'lvb zorg')."""
    owner: Dict[str, Tuple[str, str]] = {}
    for item_id, synonyms in items:
        for synonym in synonyms:
            key = normalize(synonym).replace(" ", "")
            if key in owner and owner[key][0] != item_id:
                other_id, other = owner[key]
                same = f"'{other}'" if other == synonym else f"'{other}' (the same word)"
                raise DataFileError(
                    file, f"synonym '{synonym}' is also used by '{other_id}' as {same}", record=f"'{item_id}'", field="synonyms"
                )
            owner.setdefault(key, (item_id, synonym))


def load_glossary(path: Path) -> Dict[str, GlossaryEntry]:
    """Short explanations of terms (glossary.yaml): id, terms, text, sources."""
    entries: Dict[str, GlossaryEntry] = {}
    for index, data in enumerate(_records(path)):
        record = _Record(path.name, index, data)
        item_id = record.ident()
        _unique(path.name, record, item_id, entries)
        terms = record.text_list("terms")
        if not terms:
            raise record.error("terms", "needs at least one term")
        entries[item_id] = GlossaryEntry(item_id, terms, record.text("text"), record.urls("sources"))
    _check_synonyms(path.name, ((e.id, e.terms) for e in entries.values()))
    return entries


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read every data file, validate it, and return the cross-referenced catalog."""
    data_dir = Path(data_dir)
    vocabulary = load_vocabulary(data_dir / "vocabulary.yaml")
    groups = load_groups(data_dir / "groups.yaml", vocabulary)
    partners = load_partners(data_dir / "partners.yaml", vocabulary, groups)
    interventions = load_interventions(data_dir / "interventions.yaml", vocabulary, groups, partners)
    municipalities = load_municipalities(data_dir / "gemeenten.csv")
    _check_synonyms("groups.yaml", ((g.id, g.synonyms) for g in groups.values()))
    _check_synonyms("partners.yaml", ((p.id, p.synonyms) for p in partners.values()))
    for kind in ("substances", "settings"):
        _check_synonyms(f"vocabulary.yaml ({kind})", ((t.id, t.synonyms) for t in vocabulary[kind].values()))
    return Catalog(
        vocabulary=vocabulary,
        interventions=interventions,
        groups=groups,
        partners=partners,
        municipalities=municipalities,
    )
