"""Where a person can be reached on each platform, and when they were last active there.

The core keeps a platform's address as an opaque JSON object (a Teams conversation reference, a
Slack user id): it never reads it, only hands it back to the adapter that wrote it. The time of
last activity decides which platform a notification goes to for someone on more than one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, Database


class PlatformAddress(Base):
    __tablename__ = "platform_addresses"
    __table_args__ = (UniqueConstraint("platform", "user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    #: The platform's id for the person (a Slack user id, a Teams AAD object id).
    user_key: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    address: Mapped[dict] = mapped_column(JSON, default=dict)
    last_active_at: Mapped[datetime]


async def remember(db: Database, platform: str, user_key: str, email: str | None, address: dict,
                   now: datetime) -> None:
    """Record (or refresh) how to reach this person on this platform, and that they were active now."""
    insert = (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(PlatformAddress)
    values = {"platform": platform, "user_key": user_key, "email": email.lower() if email else None,
              "address": address, "last_active_at": now}
    statement = insert.values(**values).on_conflict_do_update(
        index_elements=[PlatformAddress.platform, PlatformAddress.user_key],
        set_={"email": values["email"], "address": address, "last_active_at": now})
    async with db.session() as session, session.begin():
        await session.execute(statement)


async def addresses_of(session: AsyncSession, email: str) -> list[PlatformAddress]:
    """The person's addresses, the platform they used last first."""
    query = select(PlatformAddress).where(PlatformAddress.email == email.lower())
    return list(await session.scalars(query.order_by(PlatformAddress.last_active_at.desc())))


async def remembered_email(session: AsyncSession, platform: str, user_key: str) -> str | None:
    """The email last seen with this platform user, for when the platform cannot be asked."""
    return await session.scalar(select(PlatformAddress.email).where(PlatformAddress.platform == platform,
                                                                    PlatformAddress.user_key == user_key))
