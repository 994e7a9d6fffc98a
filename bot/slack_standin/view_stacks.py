"""The views a stand-in's workspace keeps: each person's stack of open modals (the root and those
pushed over it), their App Home, and the trigger ids that let the bot open a modal for whoever
acted."""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod

from bot.slack_standin.views import View
from bot.slack_standin.wire import Json

MODAL_STACK = 3  # views in one modal at most: the root and two pushed over it


class ViewStacks(ABC):
    """The modals and Homes part of the workspace (workspace.py), with its changes; the
    workspace hands out the ids and notes the changes."""

    modals: dict[str, list[View]]  # person -> their open modals, the root first
    homes: dict[str, View]  # person -> their App Home
    triggers: dict[str, str]  # trigger id -> who acted

    @abstractmethod
    def new_id(self, prefix: str) -> str:
        """A new id with Slack's prefix for its kind."""

    @abstractmethod
    def changed(self) -> None:
        """Note a change."""

    def new_view(self, view: Json) -> View:
        """A view as Slack keeps it: with a new id and hash."""
        return View(self.new_id("V"), view, _new_hash())

    def modal(self, user_id: str, view_id: str) -> View | None:
        """This person's open modal with this id, if there is one."""
        return next((v for v in self.modals.get(user_id, []) if v.id == view_id), None)

    def owner_of(self, view_id: str) -> tuple[str, View] | None:
        """Whose open modal or Home this view is."""
        for user_id, stack in self.modals.items():
            for view in stack:
                if view.id == view_id:
                    return user_id, view
        for user_id, home in self.homes.items():
            if home.id == view_id:
                return user_id, home
        return None

    def open_modal(self, user_id: str, view: Json) -> View:
        """A new modal: its view is the root, in place of any the person had left open (a page
        reloaded with a form on it, say, which in Slack would have closed it)."""
        self.modals[user_id] = []
        return self.push(user_id, view)

    def push(self, user_id: str, view: Json) -> View:
        """Open a view over this person's open modals."""
        opened = self.new_view(view)
        self.modals.setdefault(user_id, []).append(opened)
        self.changed()
        return opened

    def replace(self, view: View, new: Json) -> View:
        """Replace a view in place: a new hash, and no field errors."""
        view.view, view.errors, view.hash = new, {}, _new_hash()
        self.changed()
        return view

    def close(self, user_id: str, view_id: str, *, clear: bool = False) -> None:
        """Close this modal (and those pushed over it), or with `clear` the whole stack."""
        stack = self.modals.get(user_id, [])
        at = next((i for i, v in enumerate(stack) if v.id == view_id), len(stack))
        del stack[0 if clear else at :]
        self.changed()

    def publish_home(self, user_id: str, view: Json) -> View:
        """Publish this person's App Home."""
        home = self.homes.get(user_id)
        self.homes[user_id] = self.replace(home, view) if home else self.new_view(view)
        self.changed()
        return self.homes[user_id]


def _new_hash() -> str:
    """A view's hash, new with each version of it, as views.update checks it."""
    return secrets.token_hex(8)
