"""References people quote (SNP-YYYY-NNNN) and the unguessable ids that travel in buttons."""

from __future__ import annotations

import asyncio
import re

from bot.clock import ManualClock
from bot.ticket.service import TicketService
from tests.bot.ticket.conftest import ANN, MARK, report


async def test_references_are_sequential_within_the_year(service: TicketService) -> None:
    references = [(await service.submit(ANN, report())).reference for _ in range(3)]

    assert references == ["SNP-2026-0001", "SNP-2026-0002", "SNP-2026-0003"]


async def test_references_start_again_in_a_new_year(service: TicketService, clock: ManualClock) -> None:
    await service.submit(ANN, report())
    clock.advance(days=365)

    assert (await service.submit(ANN, report())).reference == "SNP-2027-0001"


async def test_concurrent_submissions_get_distinct_references(service: TicketService) -> None:
    submitted = await asyncio.gather(*(service.submit(ANN, report()) for _ in range(40)))

    references = {s.reference for s in submitted}
    assert references == {f"SNP-2026-{n:04d}" for n in range(1, 41)}
    assert len({s.public_id for s in submitted}) == 40


async def test_the_public_id_is_long_random_and_not_the_reference(service: TicketService) -> None:
    first, second = await service.submit(ANN, report()), await service.submit(ANN, report())

    for submitted in (first, second):
        assert len(submitted.public_id) >= 22
        assert re.fullmatch(r"[A-Za-z0-9_-]+", submitted.public_id)
        assert submitted.public_id != submitted.reference
        assert not re.match(r"(?i)SNP-\d{4}-\d+$", submitted.public_id)
    assert first.public_id != second.public_id


async def test_a_ticket_is_found_by_reference_or_public_id(service: TicketService) -> None:
    submitted = await service.submit(ANN, report())

    by_reference = await service.view(submitted.reference.lower(), MARK)
    by_public_id = await service.view(submitted.public_id, MARK)
    assert by_reference.reference == by_public_id.reference == submitted.reference
