"""Writes the review records of the script's medical lines (skill/content/reviews.json).

    python tools/record_review.py --locale en-GB --id steps.stretch_calf --reviewer "Dr X"
        records that Dr X reviewed those words today (--date YYYY-MM-DD for another day);
        --locale and --id may be repeated, or be "all" (every line a sheet shows as one locale)
    python tools/record_review.py --locale en-GB --id steps.stretch_calf --not-reviewed
        marks a line not yet reviewed again (after its words changed, until a new review)
    python tools/record_review.py --sync
        adds a not-yet-reviewed record for every new line, drops records of removed lines
    python tools/record_review.py --check
        changes nothing; exits 1 and says what to do when any record does not match the script

Line ids and the words they cover are in the script sheet (`cramp-coach script`).
"""

from __future__ import annotations

import argparse
import datetime
import sys

from skill.content import content_for
from skill.content.reviews import (
    NOT_REVIEWED,
    RECORDS_FILE,
    REVIEWED,
    Record,
    dump_records,
    load_records,
    medical_lines,
    problems,
    review_locales,
    valid_date,
    words_hash,
)


def _synced(records: dict[str, dict[str, Record]]) -> dict[str, dict[str, Record]]:
    """Exactly one record per line of every locale: kept where it exists, else not reviewed."""
    return {
        locale: {
            line.id: records.get(locale, {}).get(line.id, Record())
            for line in medical_lines(content_for(locale))
        }
        for locale in review_locales()
    }


def _record(args: argparse.Namespace, records: dict[str, dict[str, Record]]) -> int:
    locales = review_locales() if "all" in args.locale else tuple(args.locale)
    unknown = [locale for locale in locales if locale not in records]
    if unknown:
        print(f"No script for {', '.join(unknown)}; locales: {', '.join(records)}", file=sys.stderr)
        return 2
    for locale in locales:
        lines = {line.id: line for line in medical_lines(content_for(locale))}
        ids = list(lines) if "all" in args.id else args.id
        missing = [line_id for line_id in ids if line_id not in lines]
        if missing:
            print(f"{locale} has no line {', '.join(missing)}; see the script sheet for ids.")
            return 2
        for line_id in ids:
            if args.not_reviewed:
                records[locale][line_id] = Record(NOT_REVIEWED)
            else:
                digest = words_hash(lines[line_id].text)
                records[locale][line_id] = Record(REVIEWED, args.reviewer, args.date, digest)
            print(f"{locale} {line_id}: {records[locale][line_id].status}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--reviewer", help="who reviewed the words (records them as reviewed)")
    mode.add_argument("--not-reviewed", action="store_true", help="mark not yet reviewed")
    mode.add_argument("--sync", action="store_true", help="one record for every line")
    mode.add_argument("--check", action="store_true", help="exit 1 if any record is stale")
    parser.add_argument("--locale", action="append", default=[], help='a locale, or "all"')
    parser.add_argument("--id", action="append", default=[], help='a line id, or "all"')
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="YYYY-MM-DD")
    args = parser.parse_args(argv)

    records = load_records()
    if args.check:
        found = problems(records)
        for problem in found:
            print(problem)
        total = sum(len(entries) for entries in records.values())
        print(f"{total} records, {len(found)} problems.")
        return 1 if found else 0
    records = _synced(records)
    if not args.sync:
        if not args.locale or not args.id:
            parser.error("name the lines with --locale and --id")
        if not valid_date(args.date):
            parser.error(f"--date {args.date!r} is not YYYY-MM-DD")
        if args.reviewer is not None and not args.reviewer.strip():
            parser.error("--reviewer needs a name")
        code = _record(args, records)
        if code:
            return code
    RECORDS_FILE.write_text(dump_records(records), encoding="utf-8")
    print(f"Wrote {RECORDS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
