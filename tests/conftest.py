"""Shared fixtures. Tests never touch the developer's var/knowledge.db: they use their own."""
import os
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

_TMP = Path(tempfile.mkdtemp(prefix="pw-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'knowledge.db'}"
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def catalog():
    from knowledge.loader import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def engine(catalog):
    from knowledge.plan import PlanEngine

    return PlanEngine(catalog)


@pytest.fixture(scope="session")
def parser(catalog):
    from knowledge.interview import AnswerParser

    return AnswerParser(catalog)
