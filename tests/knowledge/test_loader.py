"""The loader accepts the real data files and rejects each kind of bad file precisely."""
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loader import DATA_DIR, DataFileError, load_catalog


def test_real_data_files_are_valid(catalog):
    assert len(catalog.interventions) >= 15
    assert len(catalog.groups) >= 12
    assert len(catalog.partners) >= 18
    assert len(catalog.municipalities) == 342


def test_worked_3mmc_example_is_in_the_knowledge_base(catalog):
    # The five tracks of the 3-MMC example: parents' course, nightlife training and agreements,
    # Helder op School, a visible local offer, youth care working with addiction care.
    for item_id in ("help_mijn_kind", "barcode", "horeca_afspraken", "helder_op_school",
                    "zichtbaar_preventieaanbod", "jeugdzorg_ivz_samenwerking"):
        assert item_id in catalog.interventions, item_id


def test_every_record_has_a_source_and_known_recognition(catalog):
    levels = catalog.vocabulary["recognition_levels"]
    for item in catalog.interventions.values():
        assert item.sources and all(s.startswith("http") for s in item.sources)
        assert item.recognition.level in levels


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit_interventions(folder: Path, change):
    path = folder / "interventions.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _error(folder) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        load_catalog(folder)
    return info.value


def test_missing_field_names_file_record_and_field(data_copy):
    _edit_interventions(data_copy, lambda recs: recs[0].pop("owner"))
    err = _error(data_copy)
    assert err.file == "interventions.yaml" and err.field == "owner" and "#1" in err.record
    assert "missing" in str(err)


def test_unknown_group_is_rejected(data_copy):
    def change(recs):
        recs[1]["groups"] = ["marsmannetjes"]
    _edit_interventions(data_copy, change)
    err = _error(data_copy)
    assert err.field == "groups" and "unknown group 'marsmannetjes'" in str(err) and "#2" in err.record


def test_bad_url_is_rejected(data_copy):
    def change(recs):
        recs[2]["sources"] = ["www.example"]
    _edit_interventions(data_copy, change)
    err = _error(data_copy)
    assert err.field == "sources" and "not a valid http(s) URL" in str(err)


def test_duplicate_id_is_rejected(data_copy):
    def change(recs):
        recs[3]["id"] = recs[0]["id"]
    _edit_interventions(data_copy, change)
    err = _error(data_copy)
    assert err.field == "id" and "duplicate id" in str(err) and "#4" in err.record


def test_wrong_encoding_is_rejected(data_copy):
    path = data_copy / "partners.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8") + "\n# café\n".encode("latin-1"))
    err = _error(data_copy)
    assert err.file == "partners.yaml" and "not valid UTF-8" in str(err)


def test_broken_yaml_names_the_line(data_copy):
    path = data_copy / "groups.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n- id: [unclosed\n", encoding="utf-8")
    err = _error(data_copy)
    assert err.file == "groups.yaml" and "not valid YAML at line" in str(err)


def test_unknown_field_is_reported_as_typo(data_copy):
    def change(recs):
        recs[0]["descripton"] = "typo"
    _edit_interventions(data_copy, change)
    err = _error(data_copy)
    assert err.field == "descripton" and "not a known field" in str(err)


def test_bad_recognition_level(data_copy):
    def change(recs):
        recs[0]["recognition"]["level"] = "super effectief"
    _edit_interventions(data_copy, change)
    err = _error(data_copy)
    assert err.field == "recognition.level" and "unknown level" in str(err)


def test_bad_municipality_code(data_copy):
    path = data_copy / "gemeenten.csv"
    path.write_text(path.read_text(encoding="utf-8") + "XX12,Nergenshuizen,Utrecht\n", encoding="utf-8")
    err = _error(data_copy)
    assert err.file == "gemeenten.csv" and err.field == "code"


def test_all_groups_is_optional_and_false_by_default(catalog):
    assert catalog.interventions["gala_brede_spuk"].all_groups is True  # a funding scheme, for any group
    assert catalog.interventions["php_alcohol"].all_groups is True  # local policy
    assert catalog.interventions["help_mijn_kind"].all_groups is False  # no field: a course for certain parents
    assert any(i.all_groups for i in catalog.interventions.values())
    assert not all(i.all_groups for i in catalog.interventions.values())


@pytest.mark.parametrize("value", ["ja", 1, None])
def test_all_groups_must_be_true_or_false(data_copy, value):
    def change(recs):
        recs[4]["all_groups"] = value
    _edit_interventions(data_copy, change)
    err = _error(data_copy)
    assert err.field == "all_groups" and "must be true or false" in str(err) and "#5" in err.record


def test_synonym_in_two_partners_is_rejected_also_when_written_differently(data_copy):
    path = data_copy / "partners.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    records[1]["synonyms"].append("Wijk-team")  # 'wijkteam' belongs to the sociaal wijkteam
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    err = _error(data_copy)
    assert err.file == "partners.yaml" and err.field == "synonyms"
    assert "'sociaal_wijkteam'" in str(err) and "'jgz'" in str(err) and "(the same word)" in str(err)


@pytest.mark.parametrize("kind", ["groups", "partners", "substances", "settings"])
def test_every_phrase_belongs_to_one_record_per_kind(catalog, kind):
    # What the matcher looks for: synonyms, names and ids, without case, accents and punctuation.
    from knowledge.matching import _variants, phrases

    items = catalog.vocabulary[kind].values() if kind in catalog.vocabulary else getattr(catalog, kind).values()
    owner = {}
    for item_id, words in phrases(items).items():
        for word in words:
            for variant in _variants(word):
                assert owner.setdefault(variant, item_id) == item_id, f"'{word}' in {owner[variant]} and {item_id}"


@pytest.mark.parametrize("cue, message", [
    ("kinderen + ouders > drinken", "mixes '+' and '>'"),
    ("kinderen|| ouders", "empty alternative"),
    ("ver*slaafd", "'*' may only end a word"),
    ("ab* + kinderen", "too short to end in '*'"),
])
def test_unreadable_cue_is_rejected_with_its_group(data_copy, cue, message):
    path = data_copy / "groups.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    records[5]["cues"] = [cue]
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    err = _error(data_copy)
    assert err.file == "groups.yaml" and err.field == "cues" and "#6" in err.record
    assert message in str(err)
