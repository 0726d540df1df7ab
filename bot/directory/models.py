"""A person in the staff directory (interfaces.md's CSV columns)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    PEOPLE_SERVICES = "people_services"


class Person(Base):
    """One member of staff. People are matched across platforms by email, or by the platform ids.

    `manager_email` names the line manager; the import checks it names someone in the directory
    and that the management chain has no loop.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    manager_email: Mapped[str | None] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF)
    slack_user_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"Person({self.email!r}, role={self.role!r})"
