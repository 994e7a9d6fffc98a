"""The request modal as views.open is sent it: serialised once, yet the same as serialising the
View each time, with the host manager of each request and a copy no caller can spoil."""

from __future__ import annotations

import pytest

from bot.slack.builders.request_modal import build_request_modal, request_modal_payload
from bot.slack.ids import RequestField

HOST, OTHER_HOST = "UHOST", "UOTHERHOST"


@pytest.mark.parametrize("host", [None, HOST])
@pytest.mark.parametrize("weeks", [2, 4])
def test_payload_is_the_modal_serialised(host: str | None, weeks: int) -> None:
    assert request_modal_payload(host, weeks) == build_request_modal(host, weeks).to_dict()


def test_each_request_gets_its_own_host_manager() -> None:
    def host_of(host: str | None) -> object:
        payload = request_modal_payload(host, 2)
        (block,) = (b for b in payload["blocks"] if b.get("block_id") == RequestField.HOST_MANAGER)
        return block["element"].get("initial_user")

    assert [host_of(HOST), host_of(None), host_of(OTHER_HOST)] == [HOST, None, OTHER_HOST]


def test_changing_a_payload_leaves_the_next_one_as_built() -> None:
    spoiled = request_modal_payload(HOST, 2)
    spoiled["title"]["text"] = "changed"
    spoiled["blocks"][0]["text"]["text"] = "changed"
    spoiled["blocks"].clear()

    assert request_modal_payload(HOST, 2) == build_request_modal(HOST, 2).to_dict()
    assert request_modal_payload(None, 2) == build_request_modal(None, 2).to_dict()
