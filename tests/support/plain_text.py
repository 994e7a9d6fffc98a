"""Block Kit rendered as plain text, for a reader: what each block says, its buttons as
[labels], a modal's inputs as "label: (kind)". Moments (`<!date^…>`, which every reader sees in
their own timezone) keep their day, so a snapshot does not depend on the second a test ran."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

_MOMENT = re.compile(r"<!date\^\d+\^[^|]*\|(\d{4}-\d\d-\d\d) \d\d:\d\d UTC>")


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return _MOMENT.sub(r"<moment on \1>", str(value.get("text", "")))
    return _MOMENT.sub(r"<moment on \1>", str(value or ""))


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type", "")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind in ("static_select", "radio_buttons", "checkboxes"):
        options = " / ".join(_text(o.get("text")) for o in element.get("options") or [])
        return f"({kind}: {options})"
    initial = element.get("initial_value") or element.get("initial_date") or ""
    return f"({kind}{': ' + str(initial) if initial else ''})"


def blocks_as_text(blocks: Any) -> list[str]:
    """Each block as lines of plain text."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"# {_text(block.get('text'))}")
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"]))
            lines += [f"  {_text(field)}".replace("\n", " ") for field in block.get("fields") or []]
            if block.get("accessory"):
                lines.append(f"  {_element(block['accessory'])}")
        elif kind == "context":
            lines.append("  " + " · ".join(_text(e) for e in block.get("elements") or []))
        elif kind == "actions":
            lines.append("  " + " ".join(_element(e) for e in block.get("elements") or []))
        elif kind == "input":
            optional = " (optional)" if block.get("optional") else ""
            hint = f" — {_text(block['hint'])}" if block.get("hint") else ""
            lines.append(
                f"{_text(block.get('label'))}{optional}: {_element(block['element'])}{hint}"
            )
        elif kind == "divider":
            lines.append("---")
        else:
            lines.append(f"<{kind} block>")
    return lines


def view_as_text(view: dict[str, Any]) -> list[str]:
    """A modal: its title and buttons, then its blocks."""
    submit = f" [{_text(view['submit'])}]" if view.get("submit") else ""
    close = f" [{_text(view['close'])}]" if view.get("close") else ""
    return [f"== {_text(view.get('title'))} =={submit}{close}", *blocks_as_text(view["blocks"])]


def calls_as_text(
    calls: Iterable[Any], names: Mapping[str, str], thread_channel: str | None
) -> list[str]:
    """What the bot showed and said in `calls` (the stand-in's), in order, each headed by where
    it went: modals, messages posted and updated, private replies, App Homes published."""

    def where(body: dict[str, Any]) -> str:
        """Where a call went, in words: the approval thread, or the person's name."""
        channel = str(body.get("channel") or body.get("user_id") or "")
        if channel == thread_channel or body.get("thread_ts"):
            return "the approval thread"
        person = "U" + channel[1:] if channel.startswith("D") else channel
        return names.get(person, names.get(channel, channel))

    out: list[str] = []
    for call in calls:
        body = call.body
        if call.error is not None:
            continue
        if call.method in ("views.open", "views.push", "views.update"):
            out += ["", f"--- a modal ({call.method})", *view_as_text(body["view"])]
        elif call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            heading = {
                "chat.postMessage": "to {}",
                "chat.update": "changed in place: {}",
                "chat.postEphemeral": "only for {}",
            }[call.method].format(where(body))
            said = blocks_as_text(body.get("blocks")) or [str(body.get("text", ""))]
            out += ["", f"--- {heading}", *said]
        elif call.method == "response_url" and body.get("text"):
            out += [
                "",
                "--- a private reply",
                *(blocks_as_text(body.get("blocks")) or [body["text"]]),
            ]
        elif call.method == "views.publish":
            out += ["", f"--- the App Home of {where(body)}, published again"]
    return out
