"""The script sheet (`cramp-coach script`): complete for every locale, in HTML and Markdown."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from skill.content import content_for
from skill.content.facts import fact_texts
from skill.content.reviews import NOT_REVIEWED, medical_lines, review_locales
from skill.script.layout import fact_line
from skill.script.render_html import render_html
from skill.script.render_md import md_text, render_markdown
from skill.script.replies import replies, walk
from skill.script.sheet import Sheet, Spoken, build_sheet
from skill.script.timing import (
    ALEXA_WORDS_PER_SECOND,
    EspeakClock,
    EstimateClock,
    word_count,
)
from skill.speech import to_ssml

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("cramp-coach")
LOCALES = review_locales()
ESPEAK = shutil.which("espeak-ng")
# A line near each length the sheet times: a short one, and one with the hold's pauses.
HOLD = ["Hold it now.", '<break time="10s"/>', "And release."]


@cache
def sheet(locale: str) -> Sheet:
    return build_sheet(locale, EstimateClock("tests"))


def _render(fmt: str, built: Sheet) -> tuple[str, Callable[[str], str]]:
    if fmt == "md":
        return render_markdown(built), md_text
    return render_html(built), html.escape


def _spoken(built: Sheet) -> list[Spoken]:
    lines = [entry.spoken for entry in built.entries()]
    return lines + [line.spoken for line in (*built.other_lines, *built.longest)]


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_fact_id_in_the_content_appears_with_its_fact(locale: str, fmt: str) -> None:
    built = sheet(locale)
    doc, escape = _render(fmt, built)
    content = content_for(locale)
    used = {f for steps in content.routines.values() for s in steps for f in s.facts}
    used |= {tip.fact for tip in content.tips}
    assert used <= {f.id for f in built.facts}
    facts = fact_texts()
    for fact in built.facts:
        assert fact.text == facts[fact.id], fact.id
        assert escape(fact_line(fact.id, fact.text)) in doc, fact.id


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_line_is_shown_with_its_word_count_and_speaking_time(locale: str, fmt: str) -> None:
    built = sheet(locale)
    doc, escape = _render(fmt, built)
    for spoken in _spoken(built):
        text = escape(spoken.text)
        places = [m.end() for m in re.finditer(re.escape(text), doc)]
        assert places, spoken.text
        # The figures follow the words they belong to, before any other line's words.
        assert any(spoken.figures in doc[at : at + 200] for at in places), spoken.text
    medical = medical_lines(content_for(locale))
    assert [entry.id for entry in built.entries()] == [
        line.id for line in sorted(medical, key=lambda line: _section(line.id))
    ]


def _section(line_id: str) -> int:
    """The sheet's order: disclaimer, steps, escalations, other safety lines, tips."""
    if line_id == "phrases.disclaimer":
        return 0
    return {"steps": 1, "escalations": 2, "phrases": 3, "tips": 4}[line_id.partition(".")[0]]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_sheet_names_the_emergency_number_steps_timings_triggers_and_review(
    locale: str,
) -> None:
    built = sheet(locale)
    content = content_for(locale)
    doc = render_markdown(built)
    assert md_text(content.words["call_emergency"]) in doc
    assert md_text(content.words["emergency_number_card"]) in doc
    for name, steps in content.routines.items():
        routine = next(r for r in built.routines if r.name == content.routine_names[name])
        assert [s.id for s in routine.steps] == [s.id for s in steps]
    stretch = next(e for e in built.steps if e.id == "steps.stretch_calf")
    assert "hold 30 s, counted aloud" in stretch.notes
    cold = next(e for e in built.steps if e.id == "steps.cold_pack")
    assert "offers a 15-minute timer" in cold.notes
    cardio = next(e for e in built.entries() if e.id == "escalations.E1.cardio")
    # Examples of each concept, every one read by the skill as this escalation.
    assert cardio.triggers and any("chest" in t for t in cardio.triggers)
    finder = content.reader.red_flags
    assert all(finder.find(t).level == "E1" for t in cardio.triggers)  # type: ignore[union-attr]
    assert md_text(", ".join(cardio.triggers)) in doc
    if locale == "en-IN":
        condition = next(e for e in built.entries() if e.id == "escalations.E3.condition")
        assert "sugar" in condition.triggers  # the locale's own words are there too
    long_cramp = next(e for e in built.entries() if e.id == "escalations.E2.long_cramp")
    assert any("10 minutes" in note for note in long_cramp.notes)
    # Nothing has been reviewed yet: every line says so, and the header counts it.
    assert {entry.review for entry in built.entries()} == {NOT_REVIEWED}
    assert built.review_counts[NOT_REVIEWED] == len(built.entries())
    for field in ("Reviewer's name", "Date", "Signature"):
        assert md_text(field) in doc


def test_html_is_self_contained_and_escapes_every_piece_of_content() -> None:
    built = sheet("en-US")
    hostile = Spoken('<script>alert("x")</script> & <b>bold</b> | *star*', 9, 2.0)
    built = dataclasses.replace(
        built, disclaimer=dataclasses.replace(built.disclaimer, spoken=hostile)
    )
    page = render_html(built)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"(src|href)=|url\(|@import", page)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page

    shown = MarkdownIt("commonmark").enable("table").render(render_markdown(built))
    assert "<script>" not in shown and "<b>bold</b>" not in shown
    assert "&lt;script&gt;" in shown and "*star*" in shown  # shown as typed, not as markup


@pytest.mark.parametrize("locale", LOCALES)
def test_markdown_renders_as_headings_quotes_and_tables_in_a_viewer(locale: str) -> None:
    built = sheet(locale)
    shown = MarkdownIt("commonmark").enable("table").render(render_markdown(built))
    assert shown.count("<table>") == len(built.routines) + 3  # other lines, longest, facts
    assert shown.count("<blockquote>") == len(built.entries())
    assert shown.count("<h4>") == len(built.entries())
    # Table cells hold the content whole: no stray column from a "|" in the words.
    for table in re.findall(r"<table>(.*?)</table>", shown, flags=re.S):
        head, _, body = table.partition("</thead>")
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            assert row.count("<td>") == head.count("<th>"), row


def test_longest_replies_come_from_walking_every_routine_and_escalation_to_its_end() -> None:
    content = content_for("en-US")
    heard = list(walk(content))
    for name in content.routines:
        first_use = [
            r for r in heard if r.walk == f"{content.routine_names[name]} routine, first use"
        ]
        assert first_use[-1].ssml.endswith(f"{content.say('finished')}</speak>"), name
    walked = replies(content)
    assert len(walked) == len({r.ssml for r in heard})
    said = " ".join(reply.ssml for reply in walked)
    for steps in content.routines.values():
        for step in steps:
            assert step.speech in said, step.id
    for level in ("E1", "E2", "E3"):
        for text in content.escalations[level]["reasons"].values():
            assert text in said, text
    for tip in content.tips:
        assert tip.text in said
    built = sheet("en-US")
    counts = [(line.spoken.words, line.spoken.seconds) for line in built.longest]
    assert counts == sorted(counts, reverse=True)
    longest_walked = max(word_count(reply.ssml) for reply in walked)
    assert built.longest[0].spoken.words == longest_walked
    assert built.replies_walked == len(walked)


def test_the_estimate_is_words_at_alexas_rate_plus_the_pauses() -> None:
    clock = EstimateClock()
    short = to_ssml(["Hold it now. And release."])
    assert clock.seconds(short) == pytest.approx(5 / ALEXA_WORDS_PER_SECOND)
    assert clock.seconds(f"<speak>{' '.join(HOLD)}</speak>") == pytest.approx(
        5 / ALEXA_WORDS_PER_SECOND + 10
    )
    assert "estimated" in clock.method and "not installed" in clock.method
    built = sheet("en-GB")
    assert md_text(built.timing) in render_markdown(built)


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed: the estimate is tested")
def test_espeak_times_the_audio_it_writes_pauses_included() -> None:
    assert ESPEAK is not None
    clock = EspeakClock(ESPEAK)
    spoken = clock.seconds(to_ssml(["Hold it now. And release."]))
    held = clock.seconds(f"<speak>{' '.join(HOLD)}</speak>")
    assert 0.5 < spoken < 5
    assert held > spoken + 8  # the ten-second pause is in the audio
    long_line = to_ssml([content_for("en-US").routine("calf")[0].speech])
    assert clock.seconds(long_line) > spoken
    assert clock.method.startswith("measured with espeak-ng")
    built = build_sheet("en-US", clock)
    assert "measured with espeak-ng" in built.timing
    assert built.longest[0].spoken.seconds > 5


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "script", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_cli_writes_the_html_sheet_and_says_how_it_was_timed(tmp_path: Path) -> None:
    out = tmp_path / "script.html"
    # An empty PATH: no espeak-ng on it, so the sheet falls back to the estimate and says so.
    result = _cli("--locale", "en-US", "--out", str(out), env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "estimated at" in page and "espeak-ng is not installed" in page
    assert "Wrote" in result.stderr and "the estimate" in result.stderr


def test_cli_prints_markdown_to_stdout_and_answers_bad_requests_in_one_line(
    tmp_path: Path,
) -> None:
    result = _cli("--locale", "en-AU", "--format", "md", "--timing", "estimate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Cramp Coach script for clinical review: en-AU")
    assert "call triple zero" in result.stdout

    result = _cli("--locale", "fr-FR", "--format", "md", "--timing", "estimate")
    assert result.returncode == 0
    assert "shared English" in result.stderr and "your local emergency number" in result.stdout

    result = _cli("--out", str(tmp_path / "missing" / "script.html"), "--timing", "estimate")
    assert result.returncode == 1
    assert result.stderr.startswith("Could not write") and "Traceback" not in result.stderr

    result = _cli("--timing", "espeak", env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 2 and "espeak-ng" in result.stderr
    assert "Traceback" not in result.stderr
