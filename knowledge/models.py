"""SQLAlchemy models of the knowledge base (SQLite by default, PostgreSQL when configured)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

# SQLAlchemy 1.4 has no type information: the declarative base is Any to mypy.
Base: Any = declarative_base()

intervention_group = Table(
    "intervention_group",
    Base.metadata,
    Column("intervention_id", String(80), ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", String(80), ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)

intervention_partner = Table(
    "intervention_partner",
    Base.metadata,
    Column("intervention_id", String(80), ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", String(80), ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)


class VocabularyTerm(Base):
    __tablename__ = "vocabulary_term"
    kind = Column(String(40), primary_key=True)
    id = Column(String(80), primary_key=True)
    label = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    rank = Column(Integer, nullable=False, default=0)
    position = Column(Integer, nullable=False)
    synonyms = Column(Text, nullable=False, default="")  # newline-separated


class TargetGroup(Base):
    __tablename__ = "target_group"
    id = Column(String(80), primary_key=True)
    name = Column(String(300), nullable=False)
    short = Column(String(120), nullable=False)
    description = Column(Text, nullable=False)
    local_figures_note = Column(Text, nullable=False)
    size_figure = Column(Text)
    size_year = Column(Integer)
    size_source = Column(Text)
    position = Column(Integer, nullable=False)
    # Lists (synonyms, factors, settings, substances, local sources, sources), newline-separated
    lists = relationship("GroupListItem", cascade="all, delete-orphan", order_by="GroupListItem.position")


class GroupListItem(Base):
    __tablename__ = "group_list_item"
    id = Column(Integer, primary_key=True, autoincrement=True)
    group_id = Column(String(80), ForeignKey("target_group.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(40), nullable=False)
    position = Column(Integer, nullable=False)
    value = Column(Text, nullable=False)


class Partner(Base):
    __tablename__ = "partner"
    id = Column(String(80), primary_key=True)
    name = Column(String(200), nullable=False)
    role = Column(Text, nullable=False)
    synonyms = Column(Text, nullable=False, default="")
    settings = Column(Text, nullable=False, default="")
    groups = Column(Text, nullable=False, default="")
    position = Column(Integer, nullable=False)


class Intervention(Base):
    __tablename__ = "intervention"
    id = Column(String(80), primary_key=True)
    name = Column(String(300), nullable=False, unique=True)
    type = Column(String(40), nullable=False, index=True)
    description = Column(Text, nullable=False)
    owner = Column(String(300), nullable=False)
    target = Column(Text, nullable=False)
    age = Column(String(40), nullable=False)
    recognition_level = Column(String(40), nullable=False, index=True)
    recognition_date = Column(Date)
    recognition_by = Column(String(200))
    evidence_note = Column(Text)
    checked = Column(Date, nullable=False)
    all_groups = Column(Boolean, nullable=False, default=False)  # for any group, not one in particular
    position = Column(Integer, nullable=False)
    groups = relationship("TargetGroup", secondary=intervention_group, order_by=intervention_group.c.position)
    partners = relationship("Partner", secondary=intervention_partner, order_by=intervention_partner.c.position)
    tags = relationship("InterventionTag", cascade="all, delete-orphan", order_by="InterventionTag.position")
    sources = relationship("InterventionSource", cascade="all, delete-orphan", order_by="InterventionSource.position")


class InterventionTag(Base):
    """A vocabulary term attached to an intervention: substance, setting, pillar, form or step."""

    __tablename__ = "intervention_tag"
    __table_args__ = (UniqueConstraint("intervention_id", "kind", "value"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    intervention_id = Column(String(80), ForeignKey("intervention.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(40), nullable=False)
    value = Column(String(80), nullable=False, index=True)
    position = Column(Integer, nullable=False)


class InterventionSource(Base):
    __tablename__ = "intervention_source"
    id = Column(Integer, primary_key=True, autoincrement=True)
    intervention_id = Column(String(80), ForeignKey("intervention.id", ondelete="CASCADE"), nullable=False, index=True)
    url = Column(Text, nullable=False)
    position = Column(Integer, nullable=False)


class Municipality(Base):
    __tablename__ = "municipality"
    code = Column(String(10), primary_key=True)
    name = Column(String(200), nullable=False, unique=True)
    province = Column(String(100), nullable=False)


class Meta(Base):
    """Key/value facts about the loaded content (e.g. a fingerprint of the data files)."""

    __tablename__ = "kb_meta"
    key = Column(String(80), primary_key=True)
    value = Column(Text, nullable=False)
