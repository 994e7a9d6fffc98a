"""Slack's errors, injected where a test asks for them: the next call of a method answered with
an error (a rate limit with Retry-After, an outage, an answer lost after the call took effect,
or no answer at all), or a seeded share of calls failing at random."""

from __future__ import annotations

import random
from collections import defaultdict, deque
from collections.abc import Collection
from dataclasses import dataclass, field

# A `Failure` status for no answer at all: the connection drops, as on a timeout.
DROPPED = 0


@dataclass
class Failure:
    """How Slack fails one call: the error, the HTTP status and any Retry-After."""

    error: str
    status: int = 200
    retry_after: int | None = None
    # The call takes effect, but its answer is this error: Slack did it and the answer was lost.
    accepted: bool = False


# The faults `fail_randomly` picks from: a rate limit, an outage, and an answer lost after the
# call took effect.
RANDOM_FAULTS = (
    Failure("ratelimited", 429, retry_after=1),
    Failure("service_unavailable", 503),
    Failure("internal_error", 500, accepted=True),
)


@dataclass
class Faults:
    """The failures waiting for the next calls of each method, and the random ones."""

    _failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    # fail_randomly: the share of calls that fail, and the seeded choice of which.
    _fault_rate: float = 0.0
    _faults: random.Random = field(default_factory=random.Random)
    _fault_methods: frozenset[str] = frozenset()
    faults_injected: int = 0

    def fail_next(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        accepted: bool = False,
    ) -> None:
        """Answer the next call of `method` with this error, as Slack would; `accepted`: the
        call takes effect all the same (the answer was lost on its way back). A `status` of
        `DROPPED` answers nothing: the connection drops, as when a call times out."""
        self._failures[method].append(Failure(error, status, retry_after, accepted))

    def fail_randomly(self, rate: float, *, seed: int, methods: Collection[str]) -> None:
        """From now on, answer about `rate` of the calls of `methods` with one of
        `RANDOM_FAULTS`, chosen by a generator seeded with `seed` (a rate of 0 turns it off)."""
        self._fault_rate = rate
        self._faults = random.Random(seed)
        self._fault_methods = frozenset(methods)

    def _dropped(self, method: str) -> Failure | None:
        """The next call of `method` gets no answer at all, if a test asked for that."""
        waiting = self._failures[method]
        return waiting.popleft() if waiting and waiting[0].status == DROPPED else None

    def _failure_for(self, method: str) -> Failure | None:
        """How this call of `method` fails, if it does: as asked, or at random."""
        if self._failures[method]:
            return self._failures[method].popleft()
        if method in self._fault_methods and self._faults.random() < self._fault_rate:
            self.faults_injected += 1
            return self._faults.choice(RANDOM_FAULTS)
        return None
