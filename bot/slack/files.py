"""Uploading a document to one person's direct messages with the bot (files.uploadV2): the
written record of a secondment, or HR's report as CSV."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


async def send_file(
    client: AsyncWebClient,
    user_id: str,
    *,
    filename: str,
    content: str,
    title: str,
    comment: str,
) -> None:
    """Upload `content` as `filename` into the bot's DM with `user_id`; raises SlackApiError."""
    opened = await client.conversations_open(users=user_id)
    channel = opened["channel"]["id"]
    await client.files_upload_v2(
        channel=channel,
        filename=filename,
        content=content,
        title=title,
        initial_comment=comment,
    )


async def try_send_file(
    client: AsyncWebClient,
    user_id: str,
    *,
    filename: str,
    content: str,
    title: str,
    comment: str,
) -> str | None:
    """`send_file`, answering with Slack's error code instead of raising it (None: sent)."""
    try:
        await send_file(
            client, user_id, filename=filename, content=content, title=title, comment=comment
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown error")
    except SlackRequestError:
        # The upload URL itself refused the bytes: slack_sdk raises this for a non-200 there.
        error = "the upload was refused"
    else:
        return None
    log.warning("upload of %s to %s failed: %s", filename, user_id, error)
    return error
