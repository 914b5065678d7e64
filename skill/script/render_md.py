"""The sheet as Markdown (CommonMark with tables), every piece of text escaped."""

from __future__ import annotations

import re

from skill.script.layout import Heading, Items, Paragraph, Quote, SignOff, Table, outline
from skill.script.sheet import Sheet

# Characters that could start markup inside a line; "&" so that no text reads as an entity.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


# At the start of a block a list or heading marker: "- ", "+ ", "= ", "1. ".
_LEADING = re.compile(r"^(?:([-+=])|(\d+)([.)]))")


def md_text(text: str) -> str:
    escaped = _SPECIAL.sub(r"\\\1", text.replace("&", "&amp;")).replace("\n", " ")
    return _LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def render_markdown(sheet: Sheet) -> str:
    out: list[str] = []
    for block in outline(sheet):
        match block:
            case Heading(level, text):
                out.append(f"{'#' * level} {md_text(text)}")
            case Paragraph(text):
                out.append(md_text(text))
            case Quote(text):
                out.append(f"> {md_text(text)}")
            case Items(items):
                out.append(
                    "\n".join(
                        f"- **{md_text(label)}:** {md_text(text)}"
                        if label
                        else f"- {md_text(text)}"
                        for label, text in items
                    )
                )
            case Table(header, rows):
                lines = [
                    "| " + " | ".join(md_text(cell) for cell in header) + " |",
                    "|" + "---|" * len(header),
                    *("| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows),
                ]
                out.append("\n".join(lines))
            case SignOff(fields):
                out.append(
                    "\n\n".join(
                        f"**{md_text(field)}:** ______________________________" for field in fields
                    )
                )
    return "\n\n".join(out) + "\n"
