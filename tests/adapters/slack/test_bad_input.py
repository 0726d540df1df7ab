"""Bad input on Slack, signed as Slack signs it: every request gets a clear 4xx with a short JSON
error, or its answer, never a 5xx and never silence."""

from __future__ import annotations

from tests.adapters.slack.conftest import SAM, Workspace, text_of
from tests.fakes.slack import dm_message, event_body

HALF_AN_EMOJI = "\ud83d"


async def test_a_dm_with_half_an_emoji_gets_its_answer(workspace: Workspace):
    question = f"Can I post photos from the Christmas party? {HALF_AN_EMOJI}"
    status, _ = await workspace.event(event_body(dm_message(SAM, question), event_id="EvHalf"))
    assert status == 200
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer")
    assert "5.1.4" in text_of(workspace.posted_to("D" + SAM)[0])


async def test_a_draft_with_half_an_emoji_is_reviewed(workspace: Workspace):
    draft = f"check: Bed 4's patient John Smith was so rude today {HALF_AN_EMOJI}"
    await workspace.event(event_body(dm_message(SAM, draft), event_id="EvHalf2"))
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the review")
    assert "[patient]" in text_of(workspace.posted_to("D" + SAM)[0])
