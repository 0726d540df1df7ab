"""Looking people up: by email, by platform id, their line manager, and who is People Services.

People Services is the union of `SNP_PEOPLE_SERVICES` and the directory's `people_services` role,
so an organisation can name its HR inbox before it has imported a directory.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory.models import Person, Role


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def by_email(session: AsyncSession, email: str | None) -> Person | None:
    if not email:
        return None
    return await session.scalar(select(Person).where(Person.email == normalise_email(email)))


async def by_platform_id(session: AsyncSession, platform: str, user_id: str) -> Person | None:
    column = {"slack": Person.slack_user_id, "teams": Person.teams_user_id}.get(platform)
    if column is None or not user_id:
        return None
    return await session.scalar(select(Person).where(column == user_id))


async def line_manager(session: AsyncSession, person: Person | None) -> Person | None:
    return await by_email(session, person.manager_email) if person else None


async def management_chain(session: AsyncSession, person: Person | None, *, limit: int = 12) -> list[Person]:
    """The person's line manager, that manager's manager, and so on up; a loop or a manager
    missing from the directory ends it."""
    chain: list[Person] = []
    seen = {person.email} if person else set()
    email = person.manager_email if person else None
    while email and email not in seen and len(chain) < limit:
        seen.add(email)
        manager = await by_email(session, email)
        if manager is None:
            break
        chain.append(manager)
        email = manager.manager_email
    return chain


async def people_services(session: AsyncSession, configured: list[str]) -> list[str]:
    """Emails of People Services, configured ones first, without repeats."""
    rows = await session.scalars(select(Person.email).where(Person.role == Role.PEOPLE_SERVICES).order_by(Person.email))
    return list(dict.fromkeys([*map(normalise_email, configured), *rows]))


async def first_person(session: AsyncSession) -> Person | None:
    """The first directory entry (in import order): whom `snp-bot chat` acts as when not told."""
    return await session.scalar(select(Person).order_by(Person.id).limit(1))
