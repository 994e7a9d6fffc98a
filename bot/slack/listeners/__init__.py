"""Thin listeners: ack, parse, one service call, a builder, send. One `register` per kind."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import Deps
from bot.slack.listeners import (
    acting,
    actions,
    away,
    calendar,
    checkins,
    commands,
    direct_messages,
    end_of_term,
    events_once,
    home,
    hr_actions,
    installations,
    people,
    under_way,
    views,
    ways_forward_actions,
    ways_forward_views,
)
from bot.slack.listeners import errors as error_path


def register_all(app: AsyncApp, deps: Deps) -> None:
    """Register every listener with Bolt, after the middleware that says who acts."""
    acting.register(app, deps)  # first: every listener reads who acts from it
    error_path.register(app)
    events_once.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    ways_forward_actions.register(app, deps)
    hr_actions.register(app, deps)
    views.register(app, deps)
    ways_forward_views.register(app, deps)
    under_way.register(app, deps)
    checkins.register(app, deps)
    end_of_term.register(app, deps)
    home.register(app, deps)
    installations.register(app, deps)
    direct_messages.register(app, deps)
    calendar.register(app, deps)
    away.register(app, deps)
    people.register(app, deps)
