"""The sheet as one self-contained HTML page (stylesheet inline), every piece of text escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from skill.script.layout import Heading, Items, Paragraph, Quote, SignOff, Table, outline
from skill.script.sheet import Sheet

STYLESHEET = Path(__file__).with_name("sheet.css")


def _row(cells: tuple[str, ...], tag: str) -> str:
    return "<tr>" + "".join(f"<{tag}>{escape(cell)}</{tag}>" for cell in cells) + "</tr>"


def _item(label: str, text: str) -> str:
    if not label:
        return f"<li>{escape(text)}</li>"
    return f'<li><span class="label">{escape(label)}:</span> {escape(text)}</li>'


def render_html(sheet: Sheet) -> str:
    body: list[str] = []
    for block in outline(sheet):
        match block:
            case Heading(level, text):
                body.append(f"<h{level}>{escape(text)}</h{level}>")
            case Paragraph(text):
                body.append(f"<p>{escape(text)}</p>")
            case Quote(text):
                body.append(f"<blockquote>{escape(text)}</blockquote>")
            case Items(items):
                body.append("<ul>" + "".join(_item(label, text) for label, text in items) + "</ul>")
            case Table(header, rows):
                top = _row(header, "th")
                rest = "".join(_row(row, "td") for row in rows)
                body.append(f"<table><thead>{top}</thead><tbody>{rest}</tbody></table>")
            case SignOff(fields):
                lines = "".join(
                    f'<p><span class="label">{escape(f)}:</span> <span class="line"></span></p>'
                    for f in fields
                )
                body.append(f'<div class="signoff">{lines}</div>')
    title = escape(f"Cramp Coach script: {sheet.locale}")
    style = STYLESHEET.read_text(encoding="utf-8")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(sheet.content_locale)}">',
        '<head><meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>\n{style}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>", ""])
