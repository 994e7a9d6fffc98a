"""A person's calendar feed as an iCalendar (RFC 5545) file, built with the `icalendar`
library: one all-day event for each key date of each of their secondments (bot/domain/
key_dates.py), served at `/calendar/<token>.ics` (bot/web.py).

Each event's UID names its secondment and date, not the day it falls on, so when the terms
change (a later start, an extension) a calendar app that refreshes the feed moves the event it
already shows rather than adding another. The events are free time (TRANSP:TRANSPARENT): a
date to know, not a meeting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration

from bot.domain.key_dates import DateKind, KeyDate, every_key_date
from bot.domain.policy import Policy
from bot.services.calendar_feeds import Feed

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODUCT = "-//Secondment Mediator//Key dates//EN"
# Calendar apps that honour it refresh the feed this often (most poll on their own schedule).
REFRESH = timedelta(hours=1)


def build_feed(feed: Feed, policy: Policy, now: datetime) -> bytes:
    """The feed's iCalendar text, as served."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Secondments")
    calendar.add("x-wr-caldesc", "Key dates of your secondments, from Secondment Mediator in Slack")
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for timeline in feed.timelines:
        for key_date in every_key_date(timeline, policy):
            calendar.add_component(_event(key_date, feed, now))
    return bytes(calendar.to_ical())


def _event(key_date: KeyDate, feed: Feed, now: datetime) -> Event:
    timeline = key_date.timeline
    number = timeline.secondment_id
    event = Event()
    which = f"-{key_date.check_in}" if key_date.check_in else ""
    event.add("uid", f"secondment-{number}-{key_date.kind.value}{which}@{feed.team_id}")
    event.add("dtstamp", now)
    event.add("dtstart", key_date.on)
    event.add("dtend", key_date.on + timedelta(days=1))
    event.add("summary", f"Secondment #{number}: {_what(key_date)}")
    event.add("description", _description(key_date, feed.user_id))
    event.add("transp", "TRANSPARENT")
    return event


def _what(key_date: KeyDate) -> str:
    match key_date.kind:
        case DateKind.START:
            return "starts"
        case DateKind.CHECK_IN:
            return f"check-in {key_date.check_in}"
        case DateKind.DECISION_DUE:
            return "end-of-term decision (return, extend or permanent)"
        case DateKind.END:
            return "last day"
        case DateKind.DEBRIEF:
            return "return debrief"


def _description(key_date: KeyDate, viewer_id: str) -> str:
    timeline = key_date.timeline
    whose = "Your secondment" if timeline.employee_id == viewer_id else "The secondment"
    span = f"{timeline.start_date.isoformat()} to {timeline.end_date.isoformat()}"
    lines = [f"{whose} as {timeline.role_title} in {timeline.host_team}, {span}."]
    match key_date.kind:
        case DateKind.CHECK_IN:
            lines.append("The employee is asked in Slack how the secondment is going.")
        case DateKind.DECISION_DUE:
            lines.append(
                "The employee and both managers are asked in Slack what happens at the end: "
                "the planned return, an extension or a permanent move."
            )
        case DateKind.DEBRIEF:
            lines.append("The employee and the home manager are asked to hold the return debrief.")
        case DateKind.START | DateKind.END:
            pass
    lines.append(f"In Slack: /secondment status {timeline.secondment_id}")
    return "\n".join(lines)
