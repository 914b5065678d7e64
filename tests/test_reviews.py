"""Change control: reviewed medical words cannot change while their record still says reviewed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skill.content import content_for
from skill.content.reviews import (
    CHANGED,
    NOT_REVIEWED,
    REVIEWED,
    Record,
    load_records,
    medical_lines,
    problems,
    review_locales,
    review_of,
    words_hash,
)

ROOT = Path(__file__).resolve().parent.parent
TOOL = Path("tools") / "record_review.py"


def test_every_medical_line_of_every_locale_has_a_record_that_matches_its_words() -> None:
    found = problems()
    assert not found, "review records out of step with the script:\n" + "\n".join(found)
    records = load_records()
    assert set(records) == set(review_locales())
    for locale in review_locales():
        ids = [line.id for line in medical_lines(content_for(locale))]
        assert list(records[locale]) == ids, locale
        # Steps, escalations (E2 in its three parts), tips and the safety phrases are covered.
        for line_id in ("steps.stretch_foot", "escalations.E2.tail", "tips.F8.4"):
            assert line_id in ids
        assert {"phrases.disclaimer", "phrases.pain_relief"} <= set(ids)


def test_a_record_covers_exactly_the_words_the_runner_in_that_locale_hears() -> None:
    us = {line.id: line for line in medical_lines(content_for("en-US"))}
    gb = {line.id: line for line in medical_lines(content_for("en-GB"))}
    cardio = "escalations.E1.cardio"
    assert "nine one one" in us[cardio].text and "nine nine nine" in gb[cardio].text
    assert "acetaminophen" in us["phrases.pain_relief"].text
    reviewed = Record(REVIEWED, "Dr Test", "2026-12-01", words_hash(us[cardio].text))
    assert review_of(us[cardio], reviewed).state == REVIEWED
    assert review_of(us[cardio], reviewed).label == "reviewed by Dr Test on 2026-12-01"
    # The same record read against another locale's words is not a review of them.
    assert review_of(gb[cardio], reviewed).state == CHANGED
    assert review_of(gb[cardio], Record()).state == NOT_REVIEWED
    assert review_of(gb[cardio], None).label == NOT_REVIEWED


def test_the_check_names_the_changed_line_and_says_what_to_do() -> None:
    records = {locale: dict(entries) for locale, entries in load_records().items()}
    records["en-GB"]["steps.massage"] = Record(REVIEWED, "Dr Test", "2026-12-01", "0" * 64)
    records["en-GB"]["steps.rest"] = Record(REVIEWED, "", "yesterday", "")
    del records["en-AU"]["tips.F8.1"]
    records["en-AU"]["steps.gone"] = Record()
    found = problems(records)
    assert len(found) == 4, found
    changed = next(p for p in found if "steps.massage" in p)
    assert changed.startswith("en-GB steps.massage: its words changed after Dr Test")
    assert "--locale en-GB --id steps.massage --reviewer NAME" in changed
    assert "--not-reviewed" in changed
    malformed = next(p for p in found if "steps.rest" in p)
    assert "no reviewer" in malformed and "not YYYY-MM-DD" in malformed
    assert any(p.startswith("en-AU tips.F8.1: no review record") for p in found)
    assert any(p.startswith("en-AU steps.gone: a record for a line") for p in found)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The package and the review tool, copied: the test may change their words and records."""
    shutil.copytree(
        ROOT / "skill", tmp_path / "skill", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / TOOL, tmp_path / TOOL)
    return tmp_path


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # From the copy, with the copy first on the path: its content and records, not the repo's.
    return subprocess.run(
        [sys.executable, *args],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_changing_one_reviewed_word_fails_the_check_until_it_is_reviewed_again(
    repo_copy: Path,
) -> None:
    line = ["--locale", "en-US", "--id", "steps.stretch_calf"]
    recorded = _run(repo_copy, str(TOOL), *line, "--reviewer", "Dr Test", "--date", "2026-12-01")
    assert recorded.returncode == 0, recorded.stderr
    records = json.loads((repo_copy / "skill/content/reviews.json").read_text(encoding="utf-8"))
    record = records["records"]["en-US"]["steps.stretch_calf"]
    assert record["status"] == REVIEWED and record["reviewer"] == "Dr Test"
    assert records["records"]["en-GB"]["steps.stretch_calf"] == {"status": NOT_REVIEWED}
    assert _run(repo_copy, str(TOOL), "--check").returncode == 0
    sheet = _run(repo_copy, "-m", "skill.cli", "script", "--format", "md", "--timing", "estimate")
    assert "reviewed by Dr Test on 2026-12-01" in sheet.stdout, sheet.stderr

    shared = repo_copy / "skill/content/en.json"
    text = shared.read_text(encoding="utf-8")
    assert "Gently, never into pain." in text
    shared.write_text(text.replace("Gently, never into pain.", "Firmly, never into pain."), "utf-8")

    check = _run(repo_copy, str(TOOL), "--check")
    assert check.returncode == 1
    assert "en-US steps.stretch_calf: its words changed after Dr Test reviewed them" in check.stdout
    assert "--reviewer NAME" in check.stdout and "Traceback" not in check.stderr
    sheet = _run(repo_copy, "-m", "skill.cli", "script", "--format", "md", "--timing", "estimate")
    assert "changed since review (reviewed by Dr Test on 2026-12-01)" in sheet.stdout

    assert _run(repo_copy, str(TOOL), *line, "--not-reviewed").returncode == 0
    assert _run(repo_copy, str(TOOL), "--check").returncode == 0


def test_the_tool_refuses_what_it_cannot_record_in_one_line(repo_copy: Path) -> None:
    for args, says in [
        (["--locale", "xx-XX", "--id", "steps.rest", "--reviewer", "Dr T"], "No script for xx-XX"),
        (["--locale", "en-US", "--id", "steps.nope", "--reviewer", "Dr T"], "has no line"),
        (["--locale", "en-US", "--id", "all", "--reviewer", "Dr T", "--date", "1/2/26"], "--date"),
        (["--locale", "en-US", "--id", "all", "--reviewer", " "], "--reviewer needs a name"),
        (["--reviewer", "Dr T"], "--locale and --id"),
    ]:
        result = _run(repo_copy, str(TOOL), *args)
        assert result.returncode == 2, args
        assert says in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert _run(repo_copy, str(TOOL), "--check").returncode == 0  # nothing was written
