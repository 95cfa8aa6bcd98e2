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


def pytest_addoption(parser):
    parser.addoption("--cluster", action="store_true",
                     help="also run the cluster tests (tests/cluster: minutes; also CLUSTER_TESTS=1)")


def pytest_collection_modifyitems(config, items):
    """The cluster tests run only when asked for: `make test-cluster`, --cluster or CLUSTER_TESTS=1."""
    if config.getoption("--cluster") or os.environ.get("CLUSTER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="cluster test: run with --cluster or CLUSTER_TESTS=1 (make test-cluster)")
    for item in items:
        if "cluster" in item.keywords:
            item.add_marker(skip)
