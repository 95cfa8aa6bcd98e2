"""Evidence that stays current: the recognition validity rule and `validate --stale`."""
import datetime as dt
import shutil

import pytest
import yaml

from knowledge.__main__ import main
from knowledge.catalog import Recognition
from knowledge.evidence import (
    CURRENT,
    MAY_HAVE_LAPSED,
    NO_DATE,
    NOT_RECOGNISED,
    PERIOD_UNKNOWN,
    add_years,
    may_have_lapsed,
    stale_records,
    validity,
    validity_note,
)
from knowledge.loader import DATA_DIR

LGL = "Loket Gezond Leven"


def rec(level, day, by=LGL):
    return Recognition(level=level, date=day, by=by)


@pytest.mark.parametrize(
    "level, years",
    [("goed_beschreven", 3), ("goed_onderbouwd", 5), ("effectief_eerste", 5), ("effectief_goed", 5),
     ("effectief_sterk", 5)],
)
def test_period_per_level_boundaries(level, years):
    start = dt.date(2020, 3, 10)
    last_valid = add_years(start, years) - dt.timedelta(days=1)
    assert validity(rec(level, start), last_valid).status == CURRENT
    assert validity(rec(level, start), last_valid).until == add_years(start, years)
    assert validity(rec(level, start), add_years(start, years)).status == MAY_HAVE_LAPSED


def test_goed_beschreven_lapses_before_higher_levels():
    start, today = dt.date(2021, 11, 25), dt.date(2025, 1, 1)  # 3 years and a bit later
    assert may_have_lapsed(rec("goed_beschreven", start), today)
    assert not may_have_lapsed(rec("goed_onderbouwd", start), today)


def test_unrecognised_undated_and_other_assessors():
    today = dt.date(2026, 12, 2)
    assert validity(rec("niet_beoordeeld", None, None), today).status == NOT_RECOGNISED
    assert validity(rec("onbekend", None, None), today).status == NOT_RECOGNISED
    assert validity(rec("goed_onderbouwd", None, "NJi"), today).status == NO_DATE
    # The three/five-year rule is known for Loket Gezond Leven only.
    other = validity(rec("effectief_goed", dt.date(2014, 1, 1), "Erkenningscommissie Justitiële Interventies"), today)
    assert other.status == PERIOD_UNKNOWN and other.needs_check and not other.may_have_lapsed


def test_leap_day():
    assert add_years(dt.date(2020, 2, 29), 3) == dt.date(2023, 2, 28)


def test_notes_in_dutch():
    today = dt.date(2026, 12, 2)
    assert validity_note(rec("goed_onderbouwd", dt.date(2014, 5, 1)), today) == (
        "Erkend in 2014; controleer of dit nog geldt. Een erkenning geldt 5 jaar."
    )
    assert validity_note(rec("goed_onderbouwd", dt.date(2024, 5, 1)), today) == (
        "Erkend in 2024; geldt tot 2029, daarna opnieuw beoordelen."
    )
    assert validity_note(rec("goed_onderbouwd", dt.date(2014, 5, 1), "NJi"), today) == (
        "Erkend in 2014; controleer of dit nog geldt."
    )
    assert validity_note(rec("niet_beoordeeld", None, None), today) == ""


def test_stale_records_of_the_real_catalog(catalog):
    today = dt.date(2026, 12, 2)
    stale = {r.id: r for r in stale_records(catalog, today)}
    # Goed beschreven of 25 November 2021 (Loket Gezond Leven): three years, so lapsed since 2024.
    assert "2024-11-25" in " ".join(stale["frisse_start"].reasons)
    # Not recognised and checked recently: nothing to report.
    assert "php_alcohol" not in stale and "barcode" not in stale
    # Every listed record has a reason, every recognition that may have lapsed is listed.
    for item in catalog.interventions.values():
        if may_have_lapsed(item.recognition, today):
            assert item.id in stale


@pytest.fixture
def old_data(tmp_path):
    """A copy of the data files in which one record was last checked two years ago."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / "interventions.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    for record in records:
        if record["id"] == "barcode":
            record["checked"] = dt.date(2024, 11, 1)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_validate_stale_lists_old_checks_and_lapsed_recognitions(old_data, capsys):
    assert main(["--data", str(old_data), "validate", "--stale", "--today", "2026-12-02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert "reference date 2026-12-02" in out
    assert "\nbarcode  (Barcode" in out
    assert "last checked 2024-11-01, more than 1 year ago" in out
    assert "\nfrisse_start  (Helder op School: Frisse Start)" in out
    assert "may have lapsed on 2024-11-25 (3 years)" in out
    assert "validity period unknown" in out  # NJi and justice recognitions
    assert "\nphp_alcohol" not in out


def test_validate_stale_with_an_earlier_reference_date(capsys):
    # On 1 January 2024 the Goed beschreven recognition of 2021 still held.
    assert main(["validate", "--stale", "--today", "2024-01-01"]) == 0
    out = capsys.readouterr().out
    assert "\nfrisse_start" not in out


def test_validate_without_stale_prints_no_report(capsys):
    assert main(["validate"]) == 0
    assert "stale:" not in capsys.readouterr().out


def test_validate_stale_rejects_a_bad_date(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--stale", "--today", "gisteren"])
    assert "not a date" in capsys.readouterr().err
