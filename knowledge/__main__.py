"""Command line of the knowledge base.

    python -m knowledge validate            check the data files
    python -m knowledge validate --stale    ... and list records to check again (old check date,
                                            recognition that may have lapsed)
    python -m knowledge load                load them into DATABASE_URL (default: var/knowledge.db)
    python -m knowledge search "lvb alcohol"
    python -m knowledge show ID
    python -m knowledge plan FILE.yaml      plan for an interview state written as YAML
    python -m knowledge nlu-lookups         print data/nlu/lookups.yml
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import List, Optional

import yaml

from knowledge.catalog import Catalog
from knowledge.evidence import CHECK_YEARS, RULE_SOURCE, stale_records
from knowledge.loader import DATA_DIR, DataFileError, load_catalog, load_glossary
from knowledge.matching import TermMatcher, normalize, phrases
from knowledge.plan import InterviewState, PlanEngine, Signal
from knowledge.store import KnowledgeBase


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def cmd_validate(args: argparse.Namespace) -> int:
    catalog = load_catalog(Path(args.data))
    glossary = load_glossary(Path(args.data) / "glossary.yaml")
    print(
        f"ok: {len(catalog.interventions)} interventions, {len(catalog.groups)} groups, "
        f"{len(catalog.partners)} partners, {len(catalog.municipalities)} municipalities, "
        f"{len(glossary)} glossary terms"
    )
    if args.stale:
        print_stale(catalog, args.today or dt.date.today())
    return 0


def print_stale(catalog: Catalog, today: dt.date) -> None:
    """The stale report: a list, not an error (the exit code stays 0)."""
    stale = stale_records(catalog, today)
    print(f"\nstale: {len(stale)} of {len(catalog.interventions)} records to check again (reference date {today})")
    print(f"  rules: checked more than {CHECK_YEARS} year ago; a recognition by Loket Gezond Leven lasts 3 years")
    print(f"  for Goed beschreven and 5 for higher levels ({RULE_SOURCE})")
    for record in stale:
        print(f"\n{record.id}  ({record.name})")
        for reason in record.reasons:
            print(f"  - {reason}")
    if stale:
        print("\nCheck each record in its databank (Loket Gezond Leven, NJi, Movisie), then update its")
        print("recognition and its 'checked' date in knowledge/data/interventions.yaml.")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: '{text}' (use YYYY-MM-DD)") from None


def cmd_load(args: argparse.Namespace) -> int:
    kb = KnowledgeBase()
    if kb.is_current(Path(args.data)) and not args.force:
        print(f"up to date: {kb.url}")
        return 0
    catalog = kb.load_data_files(Path(args.data))
    print(f"loaded {len(catalog.interventions)} interventions into {kb.url}")
    return 0


def _catalog() -> Catalog:
    kb = KnowledgeBase()
    kb.ensure_current()
    return kb.catalog()


def cmd_search(args: argparse.Namespace) -> int:
    catalog = _catalog()
    query = " ".join(args.query)
    terms = normalize(query).split()
    if not terms:
        return _fail("give one or more search words, e.g. \"lvb alcohol\"")
    matchers = {
        "groups": TermMatcher(phrases(catalog.groups.values())),
        "substances": TermMatcher(phrases(catalog.vocabulary["substances"].values())),
        "settings": TermMatcher(phrases(catalog.vocabulary["settings"].values())),
    }
    wanted = {kind: set(m.find(query)) for kind, m in matchers.items()}
    results = []
    for item in catalog.interventions.values():
        text = normalize(" ".join([item.name, item.description, item.target, item.owner]))
        score = sum(3 for kind, ids in wanted.items() for i in ids if i in getattr(item, kind))
        score += sum(1 for t in terms if t in text)
        if score:
            results.append((-score, item.id, item))
    if not results:
        print(f"no interventions match '{query}'")
        return 1
    for _, _, item in sorted(results)[: args.limit]:
        print(f"{item.id:28} {item.name} [{catalog.recognition_label(item)}]")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    catalog = _catalog()
    item = catalog.interventions.get(args.id)
    if item is None:
        close = [i for i in catalog.interventions if args.id.lower() in i]
        hint = f" Did you mean: {', '.join(close[:5])}?" if close else " Use 'search' to find ids."
        return _fail(f"no intervention with id '{args.id}'.{hint}")
    rec = item.recognition
    level = catalog.recognition_label(item) + (f" ({rec.date}, {rec.by})" if rec.date else "")
    rows = [
        ("name", item.name), ("type", catalog.label("intervention_types", item.type)),
        ("description", item.description), ("owner", item.owner), ("target", item.target), ("age", item.age),
        ("groups", ", ".join(item.groups)), ("settings", ", ".join(item.settings)),
        ("substances", ", ".join(item.substances)), ("pillars", ", ".join(item.pillars)),
        ("forms", ", ".join(item.forms)), ("steps", ", ".join(item.steps)),
        ("partners", ", ".join(item.partners)), ("recognition", level),
        ("evidence note", item.evidence_note or "-"), ("sources", "\n              ".join(item.sources)),
        ("checked", str(item.checked)),
    ]
    for key, value in rows:
        print(f"{key:13} {value}")
    return 0


def read_state(path: Path) -> InterviewState:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must be a mapping with municipality, signals, groups, partners")
    allowed = {"municipality", "signals", "groups", "partners", "policy", "capacity", "rejected", "rejected_types"}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    signals = []
    for i, sig in enumerate(data.get("signals") or []):
        if not isinstance(sig, dict):
            raise ValueError(f"{path}: signal #{i + 1} must be a mapping")
        signals.append(Signal(
            substances=list(sig.get("substances") or []), settings=list(sig.get("settings") or []),
            reporters=list(sig.get("reporters") or []), description=str(sig.get("description") or ""),
            trend=sig.get("trend"),
        ))
    return InterviewState(
        municipality=data.get("municipality"), signals=signals, groups=list(data.get("groups") or []),
        partners_present=list(data.get("partners") or []), policy=data.get("policy"),
        capacity=data.get("capacity"), rejected=list(data.get("rejected") or []),
        rejected_types=list(data.get("rejected_types") or []),
    )


def check_state(state: InterviewState, catalog: Catalog) -> List[str]:
    problems: List[str] = []
    for kind, ids, known in (
        ("substance", state.substances, catalog.vocabulary["substances"]),
        ("setting", state.settings, catalog.vocabulary["settings"]),
        ("group", state.groups, catalog.groups),
        ("partner", state.partners_present, catalog.partners),
    ):
        problems += [f"unknown {kind} '{i}' (known: {', '.join(known)})" for i in ids if i not in known]
    return problems


def cmd_plan(args: argparse.Namespace) -> int:
    catalog = _catalog()
    try:
        state = read_state(Path(args.file))
    except ValueError as err:
        return _fail(str(err))
    problems = check_state(state, catalog)
    if problems:
        return _fail("; ".join(problems))
    plan = PlanEngine(catalog).make_plan(state)
    print(f"Plan for {state.municipality or 'unknown municipality'} — pillars: {', '.join(plan.pillars)}")
    for number, step in enumerate(plan.steps, start=1):
        print(f"\n{number}. {step.title}")
        for option in step.options:
            item = option.intervention
            print(f"   [{option.score:3}] {item.name} ({catalog.recognition_label(item)})")
            print(f"         {option.why}")
            if option.partners_missing:
                print(f"         missing partners: {', '.join(option.partners_missing)}")
        for note in step.notes:
            print(f"   - {note}")
    if plan.partners_missing:
        print(f"\nPartners not yet at the table: {', '.join(plan.partners_missing)}")
    return 0


def cmd_nlu_lookups(args: argparse.Namespace) -> int:
    from knowledge.nlu_export import nlu_lookups

    sys.stdout.write(nlu_lookups(load_catalog(Path(args.data))))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DATA_DIR), help="folder with the data files")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check the data files")
    p.add_argument("--stale", action="store_true",
                   help="also list records whose check date is over a year old or whose recognition may have lapsed")
    p.add_argument("--today", type=_date, default=None, help="reference date for --stale (YYYY-MM-DD; default: today)")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("load", help="load the data files into the database")
    p.add_argument("--force", action="store_true", help="load even when up to date")
    p.set_defaults(func=cmd_load)
    p = sub.add_parser("search", help="find interventions")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=15)
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("show", help="show one intervention")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("plan", help="plan for an interview state in a YAML file")
    p.add_argument("file")
    p.set_defaults(func=cmd_plan)
    sub.add_parser("nlu-lookups", help="print the generated NLU lookup file").set_defaults(func=cmd_nlu_lookups)
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except DataFileError as err:
        return _fail(str(err))


if __name__ == "__main__":
    sys.exit(main())
