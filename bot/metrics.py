"""The bot's Prometheus metrics, served at `GET /metrics` (the README lists each one).

They live in a registry the app owns rather than prometheus_client's global one, so two apps in
one process (the tests build one per test) each count only their own requests and nudges.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.domain.kinds import NudgeKind

# Slack gives up on an ack after 3 seconds; the buckets are finest where a healthy ack lands.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)
RETRYING, GIVEN_UP = "retrying", "given_up"


class Metrics:
    """The bot's metrics, each in the app's own registry, with what the bot observes into them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "secondment_slack_requests",
            "Requests from Slack, by transport, kind and the status of the answer.",
            ["transport", "kind", "status"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "secondment_slack_ack_seconds",
            "Seconds from receiving a request from Slack to answering (acknowledging) it.",
            ["transport", "kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.nudges_sent, self.nudges_failed = _nudge_counters(self.registry)
        self.paused_workspaces = Gauge(
            "secondment_workspaces_paused",
            "Workspaces whose delivery is paused (uninstalled, or their token refused), at the last"
            " sweep.",
            registry=self.registry,
        )
        self.sweep_lag = Gauge(
            "secondment_sweep_lag_seconds",
            "At the start of the last sweep: how long the oldest due, unsent nudge had been due.",
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "secondment_outbox_depth",
            "At the start of the last sweep: messages and nudges due and not yet delivered (nor"
            " given up), paused workspaces' aside.",
            registry=self.registry,
        )
        self.sweep_completed = Gauge(
            "secondment_sweep_last_completed_timestamp_seconds",
            "Unix time at which the last sweep that ran to the end started.",
            registry=self.registry,
        )

    def observe_request(self, transport: str, kind: str, status: int, seconds: float) -> None:
        """Count one request from Slack, and how long its answer took."""
        self.requests.labels(transport, kind, str(status)).inc()
        self.ack_seconds.labels(transport, kind).observe(seconds)

    def nudge_sent(self, kind: NudgeKind) -> None:
        """Count one nudge delivered and recorded as sent."""
        self.nudges_sent.labels(kind.value).inc()

    def nudge_failed(self, kind: NudgeKind, *, given_up: bool) -> None:
        """Count one nudge Slack did not take, to be retried or given up."""
        self.nudges_failed.labels(kind.value, GIVEN_UP if given_up else RETRYING).inc()

    def sweep_started(self, lag: timedelta, depth: int, paused_workspaces: int) -> None:
        """Record how far behind a sweep found the outbox as it started."""
        self.sweep_lag.set(lag.total_seconds())
        self.outbox_depth.set(depth)
        self.paused_workspaces.set(paused_workspaces)

    def sweep_finished(self, started: datetime) -> None:
        """Record when the last sweep that ran to the end started."""
        self.sweep_completed.set(started.timestamp())

    def exposition(self) -> bytes:
        """Everything, in the Prometheus text format."""
        return generate_latest(self.registry)


def _nudge_counters(registry: CollectorRegistry) -> tuple[Counter, Counter]:
    """The nudges sent and failed, every series of them there from the start, at 0, so that
    rates and alerts see them at once."""
    sent = Counter(
        "secondment_nudges_sent",
        "Nudges the sweep delivered and recorded as sent, by kind.",
        ["kind"],
        registry=registry,
    )
    failed = Counter(
        "secondment_nudges_failed",
        "Nudges Slack did not take, by kind and whether they will be retried or were given up.",
        ["kind", "outcome"],
        registry=registry,
    )
    for kind in NudgeKind:
        sent.labels(kind.value)
        for outcome in (RETRYING, GIVEN_UP):
            failed.labels(kind.value, outcome)
    return sent, failed
