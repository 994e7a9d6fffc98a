"""One claimed nudge, sent, and what becomes of it: marked sent (with the change its marking
makes), handed back while its workspace is paused, skipped when only looked for and not found,
or recorded as a failed attempt (what a failure means is bot/slack/failures.py's to say).

In OAuth mode each nudge goes out with the bot token of its secondment's workspace. A workspace
that has uninstalled the app has none, and one whose token Slack refuses cannot be spoken to:
either is paused (bot/services/pauses.py), and its nudges wait, unsent, for the resume.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.catch_up import WINDOW_PASSED, arrives_late
from bot.domain.kinds import NudgeKind, Posted
from bot.domain.nudge_catalogue import CHANGES_STATE, SILENT
from bot.domain.record import SecondmentRecord
from bot.services.check_in_catch_up import skip_claimed
from bot.services.delivered import hold_for_paused_workspace, mark_failed, mark_sent, release
from bot.services.hr_fallback import hand_over_to_hr, lock_theirs
from bot.services.outbox import Announce, quiet
from bot.services.pauses import fingerprint
from bot.services.sweep import Due
from bot.slack.deps import Deps
from bot.slack.failures import (
    CLAIM_LOST,
    DEACTIVATED,
    NOT_FOUND,
    Undelivered,
    gives_up,
    retry_wait,
    who_must_know,
)
from bot.slack.sends import send
from bot.slack.sent_marks import SentMarks
from bot.slack.token_check import NOT_INSTALLED, TOKEN_REFUSED

log = logging.getLogger(__name__)


async def send_one(
    client: AsyncWebClient,
    deps: Deps,
    due: Due,
    now: datetime,
    marks: SentMarks,
    paused: dict[str, str],
) -> bool:
    """Send one nudge and mark it; True if it was delivered (or took effect). `paused` holds
    the workspaces this batch found refused (each with Slack's error), whose other nudges then
    wait without a call."""
    team_id = due.record.team_id
    if due.kind in SILENT:
        # No message: marking it sent is the change (a start, a missed check-in), which goes
        # on whether or not the workspace can be spoken to.
        return await _marked(deps, due, now, marks)
    if team_id in paused:
        await release(deps.sessions, due)  # paused by this batch already: just wait
        return False
    if deps.workspaces is not None:
        # OAuth mode: send with the bot token of the secondment's own workspace.
        installed = await deps.workspaces.client_for(team_id)
        if installed is None:
            await _pause(deps, due, now, NOT_INSTALLED, paused, None)
            return False
        client = installed
    await deps.sending.pace.wait()
    try:
        posted = await send(client, deps, due, now)
    except Undelivered as failure:
        if failure.error == CLAIM_LOST:
            return False  # another sweep has it now
        if failure.error == NOT_FOUND:
            await skip_claimed(deps.sessions, (due.nudge_id, due.claim_token), WINDOW_PASSED, now)
            return False
        if failure.error in TOKEN_REFUSED:
            await _pause(deps, due, now, failure.error, paused, client)
        else:
            await record_failure(deps, due, now, failure)
        return False
    return await _marked(deps, due, now, marks, posted)


async def _marked(
    deps: Deps, due: Due, now: datetime, marks: SentMarks, posted: Posted | None = None
) -> bool:
    """Mark a delivered (or silent) nudge sent, with what its marking changes and says; a plain
    message waits in `marks` for the next renewal (with where it landed, `posted`). True if it
    is (or will be) marked by this sweep."""
    if due.kind is NudgeKind.DELEGATE_CHECK:
        deps.metrics.nudge_sent(due.kind)  # marked sent with what it settled
        return True
    if due.kind not in CHANGES_STATE:
        marks.delivered(due, posted)
        return True
    announce: Announce[SecondmentRecord] = quiet
    if due.kind is NudgeKind.DECISION_ESCALATION:
        announce = deps.say.no_decision
    elif due.kind is NudgeKind.SECONDMENT_START:
        # Marked on a later day than the start (after downtime), the thread's note says when.
        late = arrives_late(due.record.terms.start_date, now, due.tz, deps.policy)
        announce = partial(deps.say.started, late=late)
    updated = await mark_sent(deps.sessions, due, now=now, policy=deps.policy, announce=announce)
    if updated is not None:
        deps.metrics.nudge_sent(due.kind)
    return updated is not None


async def _pause(
    deps: Deps,
    due: Due,
    now: datetime,
    error: str,
    paused: dict[str, str],
    refused: AsyncWebClient | None,
) -> None:
    """Pause `due`'s workspace (Slack refused its token, or it has none), and hand the nudge
    back to wait for the resume; the rest of the batch's nudges there wait without a call."""
    log.warning("delivery to workspace %s paused: %s", due.record.team_id, error)
    paused[due.record.team_id] = error
    await hold_for_paused_workspace(
        deps.sessions,
        due,
        error=error,
        now=now,
        token_fingerprint=fingerprint(refused.token) if refused is not None else None,
    )


async def record_failure(deps: Deps, due: Due, now: datetime, failure: Undelivered) -> None:
    """Record a failed attempt: tried again after a wait, or given up and told to whoever must
    know; a decision reminder to someone who has left hands what waits on them to HR."""
    error = failure.error
    give_up = gives_up(error, due.attempts)
    deps.metrics.nudge_failed(due.kind, given_up=give_up)
    log.warning(
        "nudge %s (%s) to %s failed (attempt %s): %s",
        due.nudge_id,
        due.kind.value,
        due.recipient_id or due.destination or "HR",
        due.attempts + 1,
        error,
    )
    leaver = due.kind is NudgeKind.DECISION_REMINDER and error in DEACTIVATED

    async def to_hr(session: AsyncSession) -> bool:
        """A decider who has left: what waits on them goes to HR, the fallback approver, in
        the same transaction; its notice replaces the "could not reach" one."""
        assert due.recipient_id is not None
        handed = await hand_over_to_hr(
            session,
            team_id=due.record.team_id,
            person_id=due.recipient_id,
            reason=error,
            announce=deps.say.to_hr_fallback,
            policy=deps.policy,
            now=now,
        )
        return bool(handed)

    await mark_failed(
        deps.sessions,
        due,
        error=error,
        now=now,
        retry_at=None if give_up else now + retry_wait(due.attempts, failure.retry_after),
        maybe_sent=failure.maybe_sent,
        then=who_must_know(deps.say, due, error) if give_up else (),
        instead=to_hr if leaver else None,
        first=partial(lock_theirs, team_id=due.record.team_id, person_id=due.recipient_id or "")
        if leaver
        else None,
    )
