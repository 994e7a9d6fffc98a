"""Slack's v0 request signature, checked on the raw bytes before anything reads the body.

slack_sdk's verifier takes the body as text and the timestamp through `int()`, so a body that is
not UTF-8 or a timestamp such as `abc` or `1.5` raises instead of failing the check, and what
catches that error then acts on a body nobody verified. Here every way a request can fail is a
plain "not verified", with the reason for the log line and never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from multidict import CIMultiDictProxy

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
# Slack's window is five minutes either way. Bolt checks again a moment later with the full five,
# so this one is a little narrower: a request that passes here never fails there (which would
# log its body).
MAX_SKEW_SECONDS = 5 * 60 - 10
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class Unverified(Exception):
    """The request is not shown to come from Slack; `reason` says why, without its content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_request(
    raw_body: bytes, headers: CIMultiDictProxy[str], signing_secret: str, now: float
) -> None:
    """Raise `Unverified` unless the body carries a current v0 signature made with the secret.

    `now` is the wall clock's Unix time: Slack stamps the request with the real time, so the
    bot's own clock, which a sandbox may move by days, has no say here."""
    if any(len(headers.getall(name, [])) > 1 for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER)):
        # One copy is checked here and another by Bolt: refuse rather than choose.
        raise Unverified("a signature or timestamp header given twice")
    timestamp = headers.get(TIMESTAMP_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not timestamp or not signature:
        raise Unverified("no signature or timestamp")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Unverified("the timestamp is not a whole number of seconds")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Unverified("the timestamp is more than five minutes from now")
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw_body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    # Compared as bytes: compare_digest refuses a str with anything outside ASCII.
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Unverified("the signature does not match")
