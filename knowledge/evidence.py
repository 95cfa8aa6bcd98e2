"""Evidence that stays current: how long a recognition lasts, and which records need a new check.

Pure Python on the catalog's data classes; no Rasa, no SQL.

The rule (Loket Gezond Leven, werkwijze beoordeling; also in /work/shared/knowledge/policy-notes.md):
a recognition lasts three years for "Goed beschreven" and five years for the higher levels
(Goed onderbouwd and the three "Effectief" levels). The rule is only known for recognitions by
Loket Gezond Leven; for another assessor (NJi, the Erkenningscommissie Justitiële Interventies)
the period is not in our sources, so the validity is unknown and the record still asks for a check.

Nothing here looks anything up online: a recognition that "may have lapsed" means only that its
period has passed on the reference date; the databank may well show a renewed recognition.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional

from knowledge.catalog import Catalog, Intervention, Recognition

RULE_SOURCE = "https://www.loketgezondleven.nl/leefstijlinterventies/erkenningstraject/werkwijze-beoordeling"
# Assessors the rule is known for (matched case-insensitively in Recognition.by).
RULE_ASSESSORS = ("loket gezond leven",)
VALIDITY_YEARS: Dict[str, int] = {
    "goed_beschreven": 3,
    "goed_onderbouwd": 5,
    "effectief_eerste": 5,
    "effectief_goed": 5,
    "effectief_sterk": 5,
}
# A record's check date older than this many years makes it stale.
CHECK_YEARS = 1

# Validity states.
CURRENT = "current"  # within the period on the reference date
MAY_HAVE_LAPSED = "may_have_lapsed"  # the period has passed: check the databank
PERIOD_UNKNOWN = "period_unknown"  # dated, but the rule is not known for this assessor or level
NO_DATE = "no_date"  # a recognised level without a date
NOT_RECOGNISED = "not_recognised"  # niet beoordeeld or onbekend: nothing to lapse


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Validity:
    status: str
    years: Optional[int] = None  # the period of the rule, when known
    until: Optional[dt.date] = None  # first day the recognition may no longer hold

    @property
    def may_have_lapsed(self) -> bool:
        return self.status == MAY_HAVE_LAPSED

    @property
    def needs_check(self) -> bool:
        """Whether the officer should check the databank before relying on the level."""
        return self.status in (MAY_HAVE_LAPSED, PERIOD_UNKNOWN, NO_DATE)


def rule_applies(recognition: Recognition) -> bool:
    by = (recognition.by or "").lower()
    return recognition.level in VALIDITY_YEARS and any(name in by for name in RULE_ASSESSORS)


def validity(recognition: Recognition, today: dt.date) -> Validity:
    """Whether a recognition may have lapsed on ``today``, from its level, date and assessor."""
    if recognition.level not in VALIDITY_YEARS:
        return Validity(NOT_RECOGNISED)
    if recognition.date is None:
        return Validity(NO_DATE)
    if not rule_applies(recognition):
        return Validity(PERIOD_UNKNOWN)
    years = VALIDITY_YEARS[recognition.level]
    until = add_years(recognition.date, years)
    return Validity(MAY_HAVE_LAPSED if today >= until else CURRENT, years, until)


def may_have_lapsed(recognition: Recognition, today: dt.date) -> bool:
    return validity(recognition, today).may_have_lapsed


def validity_note(recognition: Recognition, today: dt.date) -> str:
    """One short Dutch sentence for documents and chat; "" when there is nothing to say."""
    check = validity(recognition, today)
    if recognition.date is not None:
        since = f"Erkend in {recognition.date.year}"
    else:
        since = "Erkend, maar de datum is onbekend"
    if check.status == MAY_HAVE_LAPSED:
        return f"{since}; controleer of dit nog geldt. Een erkenning geldt {check.years} jaar."
    if check.status == CURRENT and check.until is not None:
        return f"{since}; geldt tot {check.until.year}, daarna opnieuw beoordelen."
    if check.status in (PERIOD_UNKNOWN, NO_DATE):
        return f"{since}; controleer of dit nog geldt."
    return ""


# -- records that need a new check ------------------------------------------------------------


@dataclass(frozen=True)
class StaleRecord:
    id: str
    name: str
    reasons: List[str]  # one line each, in English (the CLI report)


def stale_reasons(item: Intervention, today: dt.date) -> List[str]:
    reasons: List[str] = []
    if add_years(item.checked, CHECK_YEARS) < today:
        reasons.append(f"last checked {item.checked.isoformat()}, more than {CHECK_YEARS} year ago")
    rec = item.recognition
    check = validity(rec, today)
    if check.status == MAY_HAVE_LAPSED and check.until is not None and rec.date is not None:
        reasons.append(
            f"recognition '{rec.level}' of {rec.date.isoformat()} ({rec.by}) may have lapsed on "
            f"{check.until.isoformat()} ({check.years} years)"
        )
    elif check.status == PERIOD_UNKNOWN and rec.date is not None:
        reasons.append(
            f"recognition '{rec.level}' of {rec.date.isoformat()} ({rec.by or 'assessor unknown'}): "
            "validity period unknown for this assessor"
        )
    elif check.status == NO_DATE:
        reasons.append(f"recognition '{rec.level}' has no date")
    return reasons


def stale_records(catalog: Catalog, today: dt.date) -> List[StaleRecord]:
    """Records whose check date is more than a year old or whose recognition may have lapsed
    (or whose validity cannot be told), sorted by id."""
    out = []
    for item in sorted(catalog.interventions.values(), key=lambda i: i.id):
        reasons = stale_reasons(item, today)
        if reasons:
            out.append(StaleRecord(item.id, item.name, reasons))
    return out
