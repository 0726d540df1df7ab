"""`policy_content/tickets.yaml`: the report form, section 7's signposts, and the ticket wording."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.policy.loader import PolicyContentError, default_content_dir, read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FormField(_Strict):
    name: str
    label: str
    prompt: str
    required: bool
    max_length: int


class SignpostRule(_Strict):
    """A route of section 7 other than the line manager, and the words that point to it."""

    policy: str
    advice: str
    all_of: list[list[str]]

    @cached_property
    def groups(self) -> list[re.Pattern[str]]:
        return [re.compile("|".join(group), re.IGNORECASE) for group in self.all_of]

    def matches(self, text: str) -> bool:
        return all(group.search(text) for group in self.groups)


class TicketContent(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    form: list[FormField]
    signposts: dict[str, SignpostRule]
    line_manager_words: list[str] = []
    states: dict[str, str]
    actions: dict[str, str]
    routing: dict[str, str]
    messages: dict[str, str]

    @cached_property
    def role_words(self) -> list[re.Pattern[str]]:
        return [re.compile(pattern) for pattern in self.line_manager_words]

    def field(self, name: str) -> FormField:
        return next(f for f in self.form if f.name == name)

    def say(self, key: str, **values: object) -> str:
        return self.messages[key].format(**values).strip()


#: Sections an organisation's file replaces whole; the rest (wording) it may change key by key.
WHOLE = ("form", "signposts", "line_manager_words")


def _overlay(shipped: dict, own: dict) -> dict:
    """The shipped content with an organisation's changes on top: a file written for an older
    version keeps working, its missing sentences taken from the shipped ones."""
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in shipped.items()}
    for key, value in own.items():
        if key in WHOLE or not isinstance(value, dict):
            merged[key] = value
        else:
            merged.setdefault(key, {}).update(value)
    return merged


@lru_cache(maxsize=4)
def load_ticket_content(folder: Path | None = None) -> TicketContent:
    """`tickets.yaml` of the policy folder over the shipped one (which alone is used when the
    folder has none)."""
    shipped_dir = default_content_dir()
    folder = Path(folder or shipped_dir)
    data = read_yaml(shipped_dir, "tickets.yaml")
    if folder.resolve() != shipped_dir.resolve() and (folder / "tickets.yaml").exists():
        data = _overlay(data, read_yaml(folder, "tickets.yaml"))
    try:
        content = TicketContent.model_validate(data)
        for rule in content.signposts.values():
            rule.groups  # noqa: B018 - compile now, so a bad pattern is reported at start-up
        content.role_words  # noqa: B018 - likewise
    except (ValidationError, re.error) as exc:
        raise PolicyContentError(f"{folder / 'tickets.yaml'}: {exc}") from None
    return content
