"""The section 7 workflow as data: which action moves a ticket from which states to which.

Kept apart from the service so the state order can be read (and tested) in one place.
Any step but reassigning or a note, taken on an unacknowledged ticket, acknowledges it on the way
(the handler has plainly seen it), so the event log always shows when a report was first seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.ticket.models import State


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ASK_PEOPLE_SERVICES = "ask_people_services"
    RESOLVE_INFORMALLY = "resolve_informally"
    REFER_DISCIPLINARY = "refer_disciplinary"
    REASSIGN = "reassign"
    ADD_NOTE = "add_note"
    CLOSE = "close"


@dataclass(frozen=True)
class Step:
    from_states: frozenset[State]
    to_state: State | None  # None: the state stays as it is
    #: The past participle for "can't be … now".
    verb: str


OPEN_STATES = frozenset(State) - {State.CLOSED}
WORKED = frozenset({State.ACKNOWLEDGED, State.ADVICE_SOUGHT})

STEPS: dict[Action, Step] = {
    Action.ACKNOWLEDGE: Step(frozenset({State.OPEN}), State.ACKNOWLEDGED, "acknowledged"),
    Action.ASK_PEOPLE_SERVICES: Step(frozenset({State.OPEN, State.ACKNOWLEDGED}), State.ADVICE_SOUGHT,
                                     "sent to People Services"),
    Action.RESOLVE_INFORMALLY: Step(WORKED | {State.OPEN}, State.RESOLVED_INFORMALLY, "resolved informally"),
    Action.REFER_DISCIPLINARY: Step(WORKED | {State.OPEN, State.RESOLVED_INFORMALLY}, State.REFERRED_DISCIPLINARY,
                                    "referred"),
    Action.REASSIGN: Step(OPEN_STATES, None, "reassigned"),
    Action.ADD_NOTE: Step(frozenset(State), None, "given a note"),
    Action.CLOSE: Step(OPEN_STATES, State.CLOSED, "closed"),
}

#: The buttons a handler is offered for a ticket in each state, in the order interfaces.md gives.
BUTTONS = (Action.ACKNOWLEDGE, Action.ASK_PEOPLE_SERVICES, Action.RESOLVE_INFORMALLY,
           Action.REFER_DISCIPLINARY, Action.CLOSE)


def allowed_from(action: Action, state: str) -> bool:
    return State(state) in STEPS[action].from_states


def buttons_for(state: str) -> list[Action]:
    return [action for action in BUTTONS if allowed_from(action, state)]
