"""The tables, as SQLAlchemy 2.0 models. Migrations in `migrations/` are the schema; a test keeps
these models and the migrations in step.

`secondments` holds the current state that once-only updates test against; `terms` keeps every
version of the written terms; `decisions` and `audit_events` are the permanent record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from bot.domain.block_reasons import BlockReason
from bot.domain.kinds import (
    CheckInAnswer,
    Destination,
    EscalationKind,
    NoteKind,
    NudgeKind,
)
from bot.domain.states import (
    DecisionKind,
    EndOutcome,
    Outcome,
    ProposalKind,
    Side,
    SideState,
    Status,
)
from bot.domain.terms import Kind, ReturnArrangement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The timestamp as stored: in UTC; a naive one is refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The timestamp as read: aware, in UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum: type[StrEnum], length: int = 20) -> Enum:
    # Stored as plain strings so adding a value never needs an ALTER TYPE on PostgreSQL.
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    """What every table is declared on, with the names its constraints and indexes get."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Secondment(Base):
    """A secondment's current state: the request, both sides' decisions, and where it stands."""

    __tablename__ = "secondments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    # The Slack view that submitted the request: a retried submission finds the first one.
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    employee_id: Mapped[str] = mapped_column(String(32), index=True)
    home_manager_id: Mapped[str] = mapped_column(String(32), index=True)
    host_manager_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status))
    terms_version: Mapped[int] = mapped_column(Integer)
    home_state: Mapped[SideState] = mapped_column(_enum(SideState))
    home_decided_by: Mapped[str | None] = mapped_column(String(32))
    home_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    host_state: Mapped[SideState] = mapped_column(_enum(SideState))
    host_decided_by: Mapped[str | None] = mapped_column(String(32))
    host_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    home_delegate_id: Mapped[str | None] = mapped_column(String(32))
    host_delegate_id: Mapped[str | None] = mapped_column(String(32))
    # When a side went to HR, the fallback approver: its decider's account was deactivated.
    home_to_hr_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    host_to_hr_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A round is one period of waiting for decisions: it starts with a request, a new version of
    # the terms, or a block being lifted. Reminders count working days from its start.
    round: Mapped[int] = mapped_column(Integer)
    round_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Objectives and deliverables the employee and the host manager agree once it starts.
    agreed_objectives: Mapped[str | None] = mapped_column(Text)
    objectives_set_by: Mapped[str | None] = mapped_column(String(32))
    objectives_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objectives_key: Mapped[str | None] = mapped_column(String(64))  # the view that set them
    check_in_weeks: Mapped[int | None] = mapped_column(Integer)  # None: the policy's default
    outcome: Mapped[EndOutcome | None] = mapped_column(_enum(EndOutcome))
    # An end-of-term proposal being decided: its kind and its (not yet agreed) terms version.
    proposal_kind: Mapped[ProposalKind | None] = mapped_column(_enum(ProposalKind))
    proposal_version: Mapped[int | None] = mapped_column(Integer)
    proposed_by: Mapped[str | None] = mapped_column(String(32))
    # HR's approval of an exception to its written rules (POLICY_*), asked with the terms being
    # decided: HR is then a third approver (the decision itself is on the terms version).
    # None: no exception is needed.
    hr_state: Mapped[SideState | None] = mapped_column(_enum(SideState))
    # Someone confirmed the planned return: the end-of-term question is answered.
    return_confirmed_by: Mapped[str | None] = mapped_column(String(32))
    return_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Retention counts from the close (completed or withdrawn); personal data goes after it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    thread_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    terms: Mapped[list[TermsVersion]] = relationship(
        back_populates="secondment", order_by="TermsVersion.version", lazy="raise"
    )

    def state_of(self, side: Side) -> SideState:
        """Where `side`'s decision stands."""
        return self.home_state if side is Side.HOME else self.host_state

    def manager_of(self, side: Side) -> str:
        """`side`'s manager."""
        return self.home_manager_id if side is Side.HOME else self.host_manager_id

    def delegate_of(self, side: Side) -> str | None:
        """Whom `side`'s manager delegated the decision to, if anyone."""
        return self.home_delegate_id if side is Side.HOME else self.host_delegate_id

    def to_hr_at(self, side: Side) -> datetime | None:
        """When `side`'s decision went to HR, if it did."""
        return self.home_to_hr_at if side is Side.HOME else self.host_to_hr_at

    def decided_by(self, side: Side) -> str | None:
        """Who decided `side`, once decided."""
        return self.home_decided_by if side is Side.HOME else self.host_decided_by

    def decided_at(self, side: Side) -> datetime | None:
        """When `side` was decided, once decided."""
        return self.home_decided_at if side is Side.HOME else self.host_decided_at

    def parties(self) -> tuple[str, str, str]:
        """The three people in the approval thread: the employee and both managers."""
        return (self.employee_id, self.home_manager_id, self.host_manager_id)


class TermsVersion(Base):
    """One version of the written terms. Versions are never edited: a change adds a version."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("secondment_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(ForeignKey("secondments.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    host_team: Mapped[str] = mapped_column(String(150))
    role_title: Mapped[str] = mapped_column(String(150))
    responsibilities: Mapped[str] = mapped_column(Text)
    objectives: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    time_commitment: Mapped[int] = mapped_column(Integer)
    reporting_line: Mapped[str | None] = mapped_column(String(500))
    pay_and_benefits: Mapped[str] = mapped_column(String(500))
    return_arrangement: Mapped[ReturnArrangement] = mapped_column(_enum(ReturnArrangement))
    coverage_plan: Mapped[str] = mapped_column(Text)
    handover_weeks: Mapped[int | None] = mapped_column(Integer)
    change_note: Mapped[str | None] = mapped_column(Text)
    # Terms outside HR's rules: the rules they break, why HR is asked to allow it, and HR's
    # decision on these terms (pending, approved: granted, blocked: refused), by whom, why.
    exception_rules: Mapped[str | None] = mapped_column(Text)
    exception_reason: Mapped[str | None] = mapped_column(Text)
    exception_state: Mapped[SideState | None] = mapped_column(_enum(SideState))
    exception_decided_by: Mapped[str | None] = mapped_column(String(32))
    exception_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exception_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    secondment: Mapped[Secondment] = relationship(back_populates="terms", lazy="raise")


class Decision(Base):
    """A manager's decision on one side of one version of the terms, kept for the record."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Side] = mapped_column(_enum(Side))
    terms_version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    kind: Mapped[DecisionKind] = mapped_column(_enum(DecisionKind))
    decided_by: Mapped[str] = mapped_column(String(32))
    # The manager whose side this was, when someone else decided it (a delegate, or HR).
    on_behalf_of: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[BlockReason | None] = mapped_column(_enum(BlockReason))
    explanation: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[list[str] | None] = mapped_column(JSON)
    conditions_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Note(Base):
    """Words added to the approval thread: a response to a block, or a note from HR."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE"), index=True
    )
    # The Slack view that submitted it: a retried submission adds nothing.
    source_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[NoteKind] = mapped_column(_enum(NoteKind))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    terms_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Escalation(Base):
    """A request put in front of HR. One of each kind per round of decisions."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("secondment_id", "round", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(ForeignKey("secondments.id", ondelete="CASCADE"))
    kind: Mapped[EscalationKind] = mapped_column(_enum(EscalationKind))
    round: Mapped[int] = mapped_column(Integer)
    terms_version: Mapped[int] = mapped_column(Integer)
    raised_by: Mapped[str | None] = mapped_column(String(32))  # None: raised by the bot
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Nudge(Base):
    """A message the bot will send at `due_at` (UTC), claimed and sent by the scheduler's sweep:
    the outbox of everything the bot says.

    Rows rather than scheduler jobs: they survive restarts and deploys, are shared safely by
    several processes, and are cancelled or re-planned when the request changes (docs/DESIGN.md, 6).
    What a change says is a row too (kind MESSAGE, THREAD_OPEN, THREAD_UPDATE), written in the
    change's own transaction, so nothing said is lost when Slack fails or the process dies.
    """

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NudgeKind] = mapped_column(_enum(NudgeKind, length=40))
    round: Mapped[int] = mapped_column(Integer)
    side: Mapped[Side | None] = mapped_column(_enum(Side))
    sequence: Mapped[int] = mapped_column(Integer)
    recipient_id: Mapped[str | None] = mapped_column(String(32))  # None: HR
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))  # the sweep holding the claim
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A MESSAGE's destination and its text and blocks, composed when the change was made.
    destination: Mapped[Destination | None] = mapped_column(_enum(Destination, length=16))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Set just before a send and cleared when Slack answers: a row claimed again with it set
    # may have reached Slack before its process died, so Slack is asked before it is re-sent.
    maybe_sent: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Where a question with buttons landed (its DM channel and ts), kept until the question is
    # closed: its message is then updated to say what happened (NudgeKind.QUESTIONS_CLOSED).
    posted_channel: Mapped[str | None] = mapped_column(String(32))
    posted_ts: Mapped[str | None] = mapped_column(String(32))


class OutgoingEvent(Base):
    """A state change on its way to the HR system's webhook (WEBHOOK_URL), as a CloudEvents
    event: written in the change's own transaction, beside its audit event, and sent in order
    until the receiver takes it (bot/webhook.py). `body` is the exact text sent and signed, so
    every try carries the same event id."""

    __tablename__ = "events_out"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    secondment_id: Mapped[int] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class CalendarFeed(Base):
    """A person's private calendar subscription (`/secondment calendar`): the token in its URL,
    served at `/calendar/<token>.ics` (bot/web.py). `version` counts resets, so a Reset button
    clicked twice, or on an old message, resets once. The token is kept as it is, to show the
    link again: the feed holds only what this database already holds."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Absence(Base):
    """A person's time away (`/secondment away`): whole days where they are, from `first_day`
    to `last_day`, and whom they named to decide for them meanwhile. `starts_at` and `ends_at`
    bound it as UTC (bot/domain/absences.py `window`), so the sweep can find what begins or ends
    without knowing where anyone is. `begun_at` and `ended_at` mark the sweep handing their
    decisions over and back, each once (bot/services/away_handover.py)."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_team_id_person_id", "team_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[str] = mapped_column(String(32))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    delegate_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    begun_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AwayHandover(Base):
    """A side's decision handed to an absence's delegate: once per absence and side, so a
    manager who takes it back while away keeps it, and the window's end knows what to return."""

    __tablename__ = "away_handovers"
    __table_args__ = (UniqueConstraint("absence_id", "secondment_id", "side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    absence_id: Mapped[int] = mapped_column(ForeignKey("absences.id", ondelete="CASCADE"))
    secondment_id: Mapped[int] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Side] = mapped_column(_enum(Side))
    handed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CheckIn(Base):
    """The employee's answer to one check-in, or the mark that it went unanswered."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("secondment_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(ForeignKey("secondments.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    answer: Mapped[CheckInAnswer | None] = mapped_column(_enum(CheckInAnswer))
    note: Mapped[str | None] = mapped_column(Text)
    shared_with_home: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Debrief(Base):
    """The return debrief: what the secondment achieved and what the return should bring."""

    __tablename__ = "debriefs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE"), unique=True
    )
    achieved: Mapped[str] = mapped_column(Text)
    skills_gained: Mapped[str] = mapped_column(Text)
    bring_back: Mapped[str] = mapped_column(Text)
    home_role_changes: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KnownPerson(Base):
    """What users.info said about someone, kept so that scheduling needs no Slack call."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tz: Mapped[str | None] = mapped_column(String(64))
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what, when, and on which version of the terms. Written in the same transaction as
    the change it records, so the trail can never disagree with the state."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_secondment_id_at", "secondment_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondment_id: Mapped[int | None] = mapped_column(
        ForeignKey("secondments.id", ondelete="CASCADE")
    )
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    terms_version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlackEventSeen(Base):
    """An Events API delivery already handled, by its `event_id`: Slack sends an event again
    when it thinks the first went unanswered, and a retry must not act twice. Kept for a day."""

    __tablename__ = "slack_events_seen"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PausedWorkspace(Base):
    """A workspace the bot cannot speak to: the app was uninstalled, or Slack refused its token.
    Nothing is sent to it, and nothing marked sent, until a reinstall or a working token resumes
    it. `token_fingerprint` names the token known to be refused (None: not known yet), so only a
    different token is tried again."""

    __tablename__ = "paused_workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(String(64))
    token_fingerprint: Mapped[str | None] = mapped_column(String(16))
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime())
