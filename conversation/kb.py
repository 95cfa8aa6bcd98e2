"""Shared access to the knowledge base for all actions, built on first use."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.catalog import Catalog
from knowledge.interview import AnswerParser
from knowledge.plan import PlanEngine
from knowledge.store import default_knowledge_base

if TYPE_CHECKING:
    from knowledge.explain import Explainer


@lru_cache(maxsize=1)
def parser() -> AnswerParser:
    return AnswerParser(default_knowledge_base().catalog())


@lru_cache(maxsize=1)
def engine() -> PlanEngine:
    return PlanEngine(default_knowledge_base().catalog())


def catalog() -> Catalog:
    return default_knowledge_base().catalog()


@lru_cache(maxsize=1)
def explainer() -> Explainer:
    from knowledge.explain import Explainer

    return Explainer(default_knowledge_base().catalog())
