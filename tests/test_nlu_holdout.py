"""Sanity checks of the held-out NLU test set tests/nlu_holdout.yml (fast: no training, no model).

The set is only useful if it is valid Rasa data, covers every intent of the domain, uses known
substance ids and shares no example with the training data in data/nlu/.
"""
from collections import Counter
from pathlib import Path

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOLDOUT = PROJECT_DIR / "tests" / "nlu_holdout.yml"
TRAINING_DIR = PROJECT_DIR / "data" / "nlu"
MIN_EXAMPLES = 200
MIN_PER_INTENT = 5


def _load(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path), language="nl")


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def holdout():
    return _load(HOLDOUT)


@pytest.fixture(scope="module")
def domain_intents():
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    return set(domain["intents"])


def test_holdout_has_enough_examples(holdout):
    assert len(holdout.intent_examples) >= MIN_EXAMPLES


def test_every_domain_intent_is_covered(holdout, domain_intents):
    counts = Counter(m.get("intent") for m in holdout.intent_examples)
    thin = {i: counts.get(i, 0) for i in domain_intents if counts.get(i, 0) < MIN_PER_INTENT}
    assert not thin, f"intents with fewer than {MIN_PER_INTENT} held-out examples: {thin}"


def test_every_holdout_intent_is_in_the_domain(holdout, domain_intents):
    unknown = {m.get("intent") for m in holdout.intent_examples} - domain_intents
    assert not unknown, f"intents not in domain.yml: {unknown}"


def test_substance_values_are_known_ids(holdout):
    vocabulary = yaml.safe_load(
        (PROJECT_DIR / "knowledge" / "data" / "vocabulary.yaml").read_text(encoding="utf-8")
    )
    known = {s["id"] for s in vocabulary["substances"]}
    values = {
        e["value"]
        for m in holdout.training_examples
        for e in m.get("entities") or []
        if e["entity"] == "substance"
    }
    assert values, "no substance annotated in the held-out set"
    assert values <= known, f"unknown substance ids: {values - known}"


def test_entities_only_in_inform(holdout):
    stray = [
        m.get("text")
        for m in holdout.training_examples
        if m.get("entities") and m.get("intent") != "inform"
    ]
    assert not stray, f"entities annotated outside inform: {stray}"


def test_no_duplicate_examples(holdout):
    counts = Counter(_normalise(m.get("text")) for m in holdout.intent_examples)
    duplicates = [t for t, n in counts.items() if n > 1]
    assert not duplicates, f"duplicate held-out examples: {duplicates}"


def test_no_overlap_with_training_data(holdout):
    files = sorted(p for p in TRAINING_DIR.rglob("*.yml") if p.is_file())
    assert files, f"no training data in {TRAINING_DIR}"
    training = {
        _normalise(m.get("text"))
        for path in files
        for m in _load(path).intent_examples
    }
    leaked = sorted(
        {_normalise(m.get("text")) for m in holdout.intent_examples} & training
    )
    assert not leaked, f"held-out examples that are also training examples: {leaked}"
