"""The database store gives back exactly what the loader validated."""
from knowledge.store import KnowledgeBase


def assert_roundtrip(kb: KnowledgeBase, catalog) -> None:
    """Load the data files into ``kb`` and check that reading back gives the same catalog."""
    kb.load_data_files()
    assert kb.is_current()
    back = kb.catalog()
    assert back.interventions == catalog.interventions
    assert back.groups == catalog.groups
    assert back.partners == catalog.partners
    assert back.municipalities == catalog.municipalities
    assert back.vocabulary == catalog.vocabulary


def test_roundtrip_through_sqlite(tmp_path, catalog):
    kb = KnowledgeBase(url=f"sqlite:///{tmp_path / 'kb.db'}")
    assert kb.fingerprint() is None
    assert_roundtrip(kb, catalog)


def test_ensure_current_loads_once(tmp_path):
    kb = KnowledgeBase(url=f"sqlite:///{tmp_path / 'kb.db'}")
    kb.ensure_current()
    stamp = kb.fingerprint()
    kb.ensure_current()
    assert kb.fingerprint() == stamp


def test_nlu_lookups_file_is_up_to_date(catalog):
    from pathlib import Path

    from knowledge.nlu_export import nlu_lookups

    path = Path(__file__).resolve().parents[2] / "data" / "nlu" / "lookups.yml"
    assert path.read_text(encoding="utf-8") == nlu_lookups(catalog), (
        "data/nlu/lookups.yml is stale: run `python -m knowledge nlu-lookups > data/nlu/lookups.yml`"
    )


def test_all_groups_survives_the_database(tmp_path, catalog):
    kb = KnowledgeBase(url=f"sqlite:///{tmp_path / 'kb.db'}")
    kb.load(catalog)
    back = kb.catalog().interventions
    assert {i for i, item in back.items() if item.all_groups} == {i for i, item in catalog.interventions.items() if item.all_groups}
    assert back["gala_brede_spuk"].all_groups is True and back["help_mijn_kind"].all_groups is False
