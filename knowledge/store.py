"""The knowledge base on a database: write a validated catalog, read it back.

This module owns every query. The database URL comes from ``DATABASE_URL``; without it the
knowledge base lives in a local SQLite file (``var/knowledge.db`` in the project folder).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from knowledge import models as m
from knowledge.catalog import (
    VOCABULARY_KINDS,
    Catalog,
    Group,
    Intervention,
    Municipality,
    NationalSize,
    Partner,
    Recognition,
    Term,
)
from knowledge.loader import DATA_DIR, load_catalog

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_DIR / "var" / "knowledge.db"
TAG_KINDS = ("substances", "settings", "pillars", "forms", "steps")


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A hash of every data file, to tell whether the database is up to date."""
    digest = hashlib.sha256()
    for path in sorted(Path(data_dir).iterdir()):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".csv"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _split(value: str) -> Tuple[str, ...]:
    return tuple(v for v in value.split("\n") if v)


def _join(values: Iterable[str]) -> str:
    return "\n".join(values)


class KnowledgeBase:
    """Access to the knowledge base in a database."""

    def __init__(self, url: Optional[str] = None, engine: Optional[Engine] = None):
        self.url = url or database_url()
        if engine is None:
            if self.url.startswith("sqlite:///"):
                Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(self.url, future=True)
        self.engine = engine
        self._catalog: Optional[Catalog] = None

    # -- writing -----------------------------------------------------------------------

    def load(self, catalog: Catalog, fingerprint: str = "") -> None:
        """Replace the database content with ``catalog``."""
        m.Base.metadata.drop_all(self.engine)
        m.Base.metadata.create_all(self.engine)
        with Session(self.engine, future=True) as session, session.begin():
            for kind in VOCABULARY_KINDS:
                for pos, term in enumerate(catalog.vocabulary[kind].values()):
                    session.add(
                        m.VocabularyTerm(
                            kind=kind, id=term.id, label=term.label, description=term.description,
                            rank=term.rank, position=pos, synonyms=_join(term.synonyms),
                        )
                    )
            group_rows: Dict[str, m.TargetGroup] = {}
            for pos, group in enumerate(catalog.groups.values()):
                row = m.TargetGroup(
                    id=group.id, name=group.name, short=group.short, description=group.description,
                    local_figures_note=group.local_figures_note, position=pos,
                    size_figure=group.national_size.figure if group.national_size else None,
                    size_year=group.national_size.year if group.national_size else None,
                    size_source=group.national_size.source if group.national_size else None,
                )
                lists = {
                    "synonyms": group.synonyms, "risk_factors": group.risk_factors,
                    "protective_factors": group.protective_factors, "settings": group.settings,
                    "substances": group.substances, "local_sources": group.local_sources,
                    "sources": group.sources, "cues": group.cues,
                }
                for kind, values in lists.items():
                    for i, value in enumerate(values):
                        row.lists.append(m.GroupListItem(kind=kind, position=i, value=value))
                group_rows[group.id] = row
                session.add(row)
            partner_rows: Dict[str, m.Partner] = {}
            for pos, partner in enumerate(catalog.partners.values()):
                row = m.Partner(
                    id=partner.id, name=partner.name, role=partner.role, synonyms=_join(partner.synonyms),
                    settings=_join(partner.settings), groups=_join(partner.groups), position=pos,
                )
                partner_rows[partner.id] = row
                session.add(row)
            session.flush()
            for pos, item in enumerate(catalog.interventions.values()):
                row = m.Intervention(
                    id=item.id, name=item.name, type=item.type, description=item.description,
                    owner=item.owner, target=item.target, age=item.age,
                    recognition_level=item.recognition.level, recognition_date=item.recognition.date,
                    recognition_by=item.recognition.by, evidence_note=item.evidence_note,
                    checked=item.checked, all_groups=item.all_groups, position=pos,
                )
                session.add(row)
                for kind in TAG_KINDS:
                    for i, value in enumerate(getattr(item, kind)):
                        row.tags.append(m.InterventionTag(kind=kind, value=value, position=i))
                for i, url in enumerate(item.sources):
                    row.sources.append(m.InterventionSource(url=url, position=i))
                session.flush()
                for i, group_id in enumerate(item.groups):
                    session.execute(m.intervention_group.insert().values(intervention_id=item.id, group_id=group_id, position=i))
                for i, partner_id in enumerate(item.partners):
                    session.execute(
                        m.intervention_partner.insert().values(intervention_id=item.id, partner_id=partner_id, position=i)
                    )
            for muni in catalog.municipalities.values():
                session.add(m.Municipality(code=muni.code, name=muni.name, province=muni.province))
            session.add(m.Meta(key="fingerprint", value=fingerprint))
        self._catalog = None

    def load_data_files(self, data_dir: Path = DATA_DIR) -> Catalog:
        """Validate the data files and load them; raises DataFileError on a bad file."""
        catalog = load_catalog(data_dir)
        self.load(catalog, fingerprint=data_fingerprint(data_dir))
        return catalog

    # -- reading -----------------------------------------------------------------------

    def fingerprint(self) -> Optional[str]:
        """The fingerprint stored with the content, or None when the database is empty."""
        try:
            with Session(self.engine, future=True) as session:
                row = session.get(m.Meta, "fingerprint")
                return row.value if row else None
        except Exception:  # no tables yet
            return None

    def is_current(self, data_dir: Path = DATA_DIR) -> bool:
        return self.fingerprint() == data_fingerprint(data_dir)

    def ensure_current(self, data_dir: Path = DATA_DIR) -> None:
        """Load the data files when the database is empty or older than the files."""
        if not self.is_current(data_dir):
            self.load_data_files(data_dir)

    def catalog(self) -> Catalog:
        """The whole content, read once and cached (it is small and read-only at run time)."""
        if self._catalog is None:
            self._catalog = self._read_catalog()
        return self._catalog

    def _read_catalog(self) -> Catalog:
        with Session(self.engine, future=True) as session:
            vocabulary: Dict[str, Dict[str, Term]] = {kind: {} for kind in VOCABULARY_KINDS}
            for row in session.scalars(select(m.VocabularyTerm).order_by(m.VocabularyTerm.kind, m.VocabularyTerm.position)):
                vocabulary[row.kind][row.id] = Term(
                    kind=row.kind, id=row.id, label=row.label, synonyms=_split(row.synonyms),
                    description=row.description, rank=row.rank,
                )
            groups: Dict[str, Group] = {}
            query = select(m.TargetGroup).options(selectinload(m.TargetGroup.lists)).order_by(m.TargetGroup.position)
            for row in session.scalars(query):
                lists: Dict[str, List[str]] = {}
                for item in row.lists:
                    lists.setdefault(item.kind, []).append(item.value)
                size = None
                if row.size_figure is not None:
                    size = NationalSize(figure=row.size_figure, year=row.size_year, source=row.size_source)
                groups[row.id] = Group(
                    id=row.id, name=row.name, short=row.short, description=row.description,
                    synonyms=tuple(lists.get("synonyms", ())), risk_factors=tuple(lists.get("risk_factors", ())),
                    protective_factors=tuple(lists.get("protective_factors", ())),
                    settings=tuple(lists.get("settings", ())), substances=tuple(lists.get("substances", ())),
                    national_size=size, local_sources=tuple(lists.get("local_sources", ())),
                    local_figures_note=row.local_figures_note, sources=tuple(lists.get("sources", ())),
                    cues=tuple(lists.get("cues", ())),
                )
            partners: Dict[str, Partner] = {}
            for row in session.scalars(select(m.Partner).order_by(m.Partner.position)):
                partners[row.id] = Partner(
                    id=row.id, name=row.name, synonyms=_split(row.synonyms), role=row.role,
                    groups=_split(row.groups), settings=_split(row.settings),
                )
            interventions: Dict[str, Intervention] = {}
            query = (
                select(m.Intervention)
                .options(
                    selectinload(m.Intervention.groups), selectinload(m.Intervention.partners),
                    selectinload(m.Intervention.tags), selectinload(m.Intervention.sources),
                )
                .order_by(m.Intervention.position)
            )
            for row in session.scalars(query):
                tags: Dict[str, List[str]] = {kind: [] for kind in TAG_KINDS}
                for tag in row.tags:
                    tags[tag.kind].append(tag.value)
                interventions[row.id] = Intervention(
                    id=row.id, name=row.name, type=row.type, description=row.description, owner=row.owner,
                    target=row.target, age=row.age, groups=tuple(g.id for g in row.groups),
                    settings=tuple(tags["settings"]), substances=tuple(tags["substances"]),
                    pillars=tuple(tags["pillars"]), forms=tuple(tags["forms"]), steps=tuple(tags["steps"]),
                    partners=tuple(p.id for p in row.partners),
                    recognition=Recognition(level=row.recognition_level, date=row.recognition_date, by=row.recognition_by),
                    evidence_note=row.evidence_note, sources=tuple(s.url for s in row.sources), checked=row.checked,
                    all_groups=bool(row.all_groups),
                )
            municipalities = {
                row.code: Municipality(code=row.code, name=row.name, province=row.province)
                for row in session.scalars(select(m.Municipality).order_by(m.Municipality.name))
            }
        return Catalog(
            vocabulary=vocabulary, interventions=interventions, groups=groups,
            partners=partners, municipalities=municipalities,
        )


_DEFAULT: Optional[KnowledgeBase] = None


def default_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base on ``DATABASE_URL``, loaded from the files when stale.

    Built on first use, never at import time.
    """
    global _DEFAULT
    if _DEFAULT is None:
        kb = KnowledgeBase()
        kb.ensure_current()
        _DEFAULT = kb
    return _DEFAULT
