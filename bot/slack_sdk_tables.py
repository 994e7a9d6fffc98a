"""The tables slack_sdk owns (its OAuth installation and state stores, in OAuth mode): created by
revision 0009 exactly as slack_sdk defines them, and left alone when Alembic's autogenerate
compares the models (bot/models.py) with the database. slack_sdk reads and writes them through
its own Table objects, so no model describes them.
"""

from __future__ import annotations

from alembic.runtime.environment import NameFilterParentNames, NameFilterType

SLACK_SDK_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def include_name(
    name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
) -> bool:
    """Alembic's `include_name` hook: autogenerate compares only the tables these models own, so
    it never proposes to drop slack_sdk's."""
    return not (type_ == "table" and name in SLACK_SDK_TABLES)
