"""What each change says, and to whom: composed here, stored by the service with the change.

Every method takes a service's result and returns the outbox rows for it (bot/services/outbox.py):
messages composed now, with their Block Kit as JSON, addressed as bot/slack/addressing.py says,
and THREAD_UPDATE where the thread's parent must show the new state. Nothing here calls Slack;
the delivery (bot/slack/delivery.py) does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.absences import Handed
from bot.domain.checkins import CheckInAnswered
from bot.domain.debriefs import DebriefRecorded
from bot.domain.decisions import DecisionMade, ExceptionDecided
from bot.domain.delegation import Delegated, DelegationRefused
from bot.domain.end_of_term import EndedEarly, Proposed, ReturnConfirmedEvent
from bot.domain.hr_fallback import ToHr
from bot.domain.kinds import CheckInAnswer, Destination, EscalationKind, NudgeKind
from bot.domain.notes import NoteAdded
from bot.domain.nudge_catalogue import CHECK_IN_NUDGES, CLOSABLE
from bot.domain.record import SecondmentRecord
from bot.domain.start_and_objectives import ObjectivesRecorded
from bot.domain.states import SideState, Status
from bot.domain.term_changes import TermsChangedEvent
from bot.services.escalations import EscalationRaised
from bot.services.outbox import THREAD_UPDATE, Outgoing
from bot.services.requests import ThreadAttached
from bot.slack.addressing import closing, in_thread, to_actor_outside, to_person
from bot.slack.builders.away import build_handed_notice, build_handed_reply
from bot.slack.builders.checkins import (
    build_check_in_alert,
    build_check_in_closed,
    build_check_in_thanks,
    build_check_ins_closed,
    build_keep_in_touch,
    manager_to_tell,
)
from bot.slack.builders.debrief import (
    build_debrief_record,
    build_end_asks_ended_early,
    build_ended_early,
)
from bot.slack.builders.end_of_term import (
    build_end_ask_proposed,
    build_end_asks_closed,
    build_proposal_agreed,
    build_proposal_reply,
    build_return_confirmed,
)
from bot.slack.builders.exceptions import build_exception_decided, build_exception_for_hr
from bot.slack.builders.fallback import build_to_hr_notice, build_to_hr_reply
from bot.slack.builders.messages import Message
from bot.slack.builders.replies import build_delegation_refused, build_request_confirmation
from bot.slack.builders.start_and_objectives import build_objectives_reply, build_started_reply
from bot.slack.builders.thread import build_approved_announcement, build_decision_reply
from bot.slack.builders.ways_forward import (
    build_change_reply,
    build_delegation_notice,
    build_delegation_reply,
    build_escalation_reply,
    build_hr_escalation,
    build_note_reply,
    build_withdrawal_reply,
)

# A check-in's questions: the question, its reminders, and the follow-up after the return.
CHECK_IN_QUESTIONS = (CHECK_IN_NUDGES | {NudgeKind.FOLLOW_UP}) & CLOSABLE
END_ASKS = frozenset({NudgeKind.END_DECISION})
REMINDERS = frozenset({NudgeKind.DECISION_REMINDER})


@dataclass(frozen=True, slots=True)
class Announcements:
    """The composer for every change; `hr` is where HR's messages go (the channel, each HR user)."""

    hr: Sequence[str]
    hr_can_override: bool
    # Calendar links are set up (PUBLIC_URL): the approval offers "Add to calendar".
    calendars: bool = False

    def to_hr(self, message: Message) -> list[Outgoing]:
        """`message` to each of HR's destinations."""
        payload = message.as_kwargs()
        return [Outgoing(NudgeKind.MESSAGE, Destination.HR, to, payload) for to in self.hr]

    def to_hr_for_exception(self, record: SecondmentRecord) -> list[Outgoing]:
        """HR's Grant and Refuse, when the terms being decided wait for HR's exception."""
        exception = record.exception
        if exception is None or exception.state is not SideState.PENDING:
            return []
        return self.to_hr(build_exception_for_hr(record))

    def thread_attached(self, attached: ThreadAttached) -> list[Outgoing]:
        """The thread is open: the employee's confirmation, and HR's exception to decide."""
        record = attached.record
        return [
            to_person(record.employee_id, build_request_confirmation(record)),
            *self.to_hr_for_exception(record),
        ]

    def decision(self, made: DecisionMade) -> list[Outgoing]:
        """Said in the thread, and in place of the reminders that side's decider was sent."""
        reply = build_decision_reply(made)
        said = [
            in_thread(reply),
            *to_actor_outside(made.record, made.actor_id, reply),
            *closing(made.record, REMINDERS, reply, side=made.side),
        ]
        if made.completed_approval:
            announcement = build_approved_announcement(made.record, calendar=self.calendars)
            said.append(in_thread(announcement, broadcast=True))
        elif made.agreed_proposal:
            said.append(in_thread(build_proposal_agreed(made.record), broadcast=True))
        return [*said, THREAD_UPDATE]

    def change(self, event: TermsChangedEvent) -> list[Outgoing]:
        """New terms, a new round: the reminders about the old ones no longer apply."""
        reply = build_change_reply(event)
        closed = closing(event.record, REMINDERS, reply)
        asked = self.to_hr_for_exception(event.record)
        return [in_thread(reply, broadcast=True), THREAD_UPDATE, *closed, *asked]

    def withdrawal(self, record: SecondmentRecord) -> list[Outgoing]:
        """The request withdrawn: said in the thread, in place of the reminders."""
        reply = build_withdrawal_reply(record)
        closed = closing(record, REMINDERS, reply)
        return [in_thread(reply, broadcast=True), THREAD_UPDATE, *closed]

    def note(self, added: NoteAdded) -> list[Outgoing]:
        """A note in the thread, and its copy for an author outside it."""
        reply = build_note_reply(added)
        return [in_thread(reply), *to_actor_outside(added.record, added.author_id, reply)]

    def escalation(self, raised: EscalationRaised) -> list[Outgoing]:
        """An escalation raised: HR's message, and the thread told."""
        record = raised.record
        hr_message = build_hr_escalation(
            record,
            raised.kind,
            raised.raised_by,
            raised.message,
            can_override=self.hr_can_override,
        )
        reply = build_escalation_reply(record, raised.kind, raised.raised_by)
        return [*self.to_hr(hr_message), in_thread(reply), THREAD_UPDATE]

    def no_decision(self, record: SecondmentRecord) -> list[Outgoing]:
        """Nobody decided in time: the sweep has raised the escalation (HR's own message is the
        escalation nudge itself)."""
        reply = build_escalation_reply(record, EscalationKind.NO_DECISION, None)
        return [in_thread(reply), THREAD_UPDATE]

    def started(self, record: SecondmentRecord, *, late: bool = False) -> list[Outgoing]:
        """The secondment has started (`late`: said on a later day than its start)."""
        return [in_thread(build_started_reply(record, late)), THREAD_UPDATE]

    def delegation(self, delegated: Delegated) -> list[Outgoing]:
        """A side delegated (or taken back): said in the thread, and to the delegate."""
        said = [in_thread(build_delegation_reply(delegated)), THREAD_UPDATE]
        if delegated.delegate_id:
            said.append(to_person(delegated.delegate_id, build_delegation_notice(delegated)))
        return said

    def away(self, handed: Handed) -> list[Outgoing]:
        """A side handed to an absent manager's delegate, or back: said in the thread, and to
        the delegate (who is not in it)."""
        return [
            in_thread(build_handed_reply(handed)),
            THREAD_UPDATE,
            to_person(handed.delegate_id, build_handed_notice(handed)),
        ]

    def to_hr_fallback(self, moved: ToHr) -> list[Outgoing]:
        """A side gone to HR, its decider's account deactivated: said in the thread, and to HR
        with the side's Approve and Block."""
        return [
            in_thread(build_to_hr_reply(moved)),
            THREAD_UPDATE,
            *self.to_hr(build_to_hr_notice(moved)),
        ]

    def delegation_refused(self, refused: DelegationRefused) -> list[Outgoing]:
        """The manager told why their delegate could not be made one."""
        return [to_person(refused.manager_id, build_delegation_refused(refused))]

    def objectives(self, recorded: ObjectivesRecorded) -> list[Outgoing]:
        """Shared in the thread, and with whichever of the employee and the host side's decider
        (who agree them together) did not record them. A repeated submission says nothing."""
        if not recorded.is_new:
            return []
        record, message = recorded.record, build_objectives_reply(recorded)
        others = {record.employee_id, record.host.decider_id} - {recorded.actor_id}
        return [in_thread(message), *(to_person(p, message) for p in sorted(others))]

    def check_in(self, answered: CheckInAnswered) -> list[Outgoing]:
        """Close the question, thank the employee (saying who sees it) and tell exactly those
        people."""
        record = answered.record
        closed = build_check_in_closed(answered)
        said = [
            *closing(record, CHECK_IN_QUESTIONS, closed, sequence=answered.sequence),
            to_person(record.employee_id, build_check_in_thanks(answered)),
        ]
        if answered.answer in (CheckInAnswer.CONCERNS, CheckInAnswer.NEED_HELP):
            manager, _ = manager_to_tell(record, answered.sequence)
            said.append(to_person(manager, build_check_in_alert(answered)))
        if answered.answer is CheckInAnswer.NEED_HELP:
            said += self.to_hr(build_check_in_alert(answered))
        if answered.shared_with_home:
            said.append(to_person(record.home.manager_id, build_keep_in_touch(answered)))
        return said

    def debrief(self, recorded: DebriefRecorded) -> list[Outgoing]:
        """Shared with the home manager and the employee, said in the thread, the parent closed."""
        record, message = recorded.record, build_debrief_record(recorded)
        others = {record.employee_id, record.home.manager_id} - {recorded.actor_id}
        said = [
            in_thread(message, broadcast=True),
            THREAD_UPDATE,
            # The questions still open are over with the secondment.
            *closing(record, CHECK_IN_QUESTIONS, build_check_ins_closed(record)),
            *closing(record, END_ASKS, build_end_asks_closed(record)),
        ]
        return said + [to_person(p, message) for p in sorted(others)]

    def early_end(self, ended: EndedEarly) -> list[Outgoing]:
        """The thread and the other two parties hear it; the parent shows the new last day."""
        record, message = ended.record, build_ended_early(ended)
        # The end-of-term asks were about the old end date; new ones come for the new one.
        closed = closing(record, END_ASKS, build_end_asks_ended_early(ended))
        said = [in_thread(message, broadcast=True), THREAD_UPDATE, *closed]
        others = set(record.parties) - {ended.actor_id}
        return said + [to_person(p, message) for p in sorted(others)]

    def proposal(self, proposed: Proposed) -> list[Outgoing]:
        """The proposal goes to the thread, where the managers decide it on the parent; the
        end-of-term asks say what was proposed in place of their buttons."""
        return [
            in_thread(build_proposal_reply(proposed), broadcast=True),
            THREAD_UPDATE,
            *closing(proposed.record, END_ASKS, build_end_ask_proposed(proposed)),
            *self.to_hr_for_exception(proposed.record),
        ]

    def exception_decided(self, decided: ExceptionDecided) -> list[Outgoing]:
        """HR's decision in the thread, HR's own copy, and the agreement it completed."""
        record, reply = decided.record, build_exception_decided(decided)
        said = [
            in_thread(reply, broadcast=True),
            *to_actor_outside(record, decided.actor_id, reply),
        ]
        if decided.completed and record.status is Status.APPROVED:
            announcement = build_approved_announcement(record, calendar=self.calendars)
            said.append(in_thread(announcement, broadcast=True))
        elif decided.completed:
            said.append(in_thread(build_proposal_agreed(record), broadcast=True))
        return [*said, THREAD_UPDATE]

    def return_confirmed(self, event: ReturnConfirmedEvent) -> list[Outgoing]:
        """The return confirmed: said in the thread, in place of the end-of-term asks."""
        reply = build_return_confirmed(event)
        return [in_thread(reply), THREAD_UPDATE, *closing(event.record, END_ASKS, reply)]
