"""Slack over HTTP, on SQLite and PostgreSQL: signed requests in as Slack sends them, the Web API
calls out as a Slack user would see them."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from bot.ticket.models import Ticket
from tests.adapters.slack.conftest import EVE, HANA, MO, OLLY, SAM, SECRET, Workspace, text_of
from tests.fakes.slack import (
    FORM,
    JSON,
    SlackClient,
    block_actions_body,
    dm_message,
    event_body,
    slash_command_body,
    view_submission_body,
)

CLEAN = "Lovely walk along the canal this morning with the dog"


async def test_a_dm_question_is_answered_with_the_clause(workspace: Workspace):
    status, _ = await workspace.event(event_body(dm_message(SAM, "Can I post photos from the Christmas party?"),
                                                 event_id="Ev1"))
    assert status == 200
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer")
    [answer] = workspace.posted_to("D" + SAM)
    assert "5.1.4" in text_of(answer) and "Final v1.0" in text_of(answer)


async def test_a_draft_with_a_patients_details_is_a_breach_risk(workspace: Workspace):
    draft = "check: Bed 4's patient John Smith, DOB 01/02/1950, NHS number 943 476 5919, was so rude today"
    await workspace.event(event_body(dm_message(SAM, draft), event_id="Ev2"))
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the review")
    shown = text_of(workspace.posted_to("D" + SAM)[0])
    assert "6.2" in shown and "943 476 5919" in shown
    assert "breach" in shown.lower()


async def test_a_retried_event_gets_one_reply(workspace: Workspace):
    body = event_body(dm_message(SAM, "Can I post photos from the Christmas party?"), event_id="Ev3")
    await workspace.event(body)
    await workspace.event(body, retry_num=1, extra_headers={"X-Slack-Retry-Reason": "http_timeout"})
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer")
    await workspace.event(body, retry_num=2)
    assert len(workspace.posted_to("D" + SAM)) == 1


async def test_the_bots_own_messages_and_other_bots_are_ignored(workspace: Workspace):
    await workspace.event(event_body(dm_message("UBOT", "Can I post photos?", bot_id="BBOT"), event_id="Ev4"))
    await workspace.event(event_body(dm_message("UOTHER", "Can I post photos?", bot_id="BOTHER"), event_id="Ev5"))
    await workspace.event(event_body(dm_message(SAM, "Can I post photos?"), event_id="Ev6"))
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer to Sam")
    assert [c.params["channel"] for c in workspace.api.calls_to("chat.postMessage")] == ["D" + SAM]


async def test_a_shared_image_gets_the_consent_reminder(workspace: Workspace):
    event = dm_message(SAM, "check: Team day out!", files=[{"name": "team.jpg", "mimetype": "image/jpeg"}])
    await workspace.event(event_body(event, event_id="Ev7"))
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the review")
    assert "5.1.4" in text_of(workspace.posted_to("D" + SAM)[0])


async def test_snp_check_on_a_clean_draft_answers_only_the_requester(workspace: Workspace):
    url = workspace.api.response_url("check")
    status, _ = await workspace.send(slash_command_body("/snp-check", CLEAN, user_id=SAM, response_url=url))
    assert status == 200
    [reply] = await workspace.api.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral"
    assert not workspace.api.calls_to("chat.postMessage")


async def test_bare_snp_check_opens_a_modal(workspace: Workspace):
    await workspace.send(slash_command_body("/snp-check", "", user_id=SAM, response_url=workspace.api.response_url("c")))
    [opened] = await workspace.api.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "snp_check"


def report_values(what: str, *, who: str = "", who_user: str | None = None) -> dict:
    return {
        "who_user": {"who_user": {"type": "users_select", "selected_user": who_user}},
        "who": {"who": {"type": "plain_text_input", "value": who or None}},
        "where": {"where": {"type": "plain_text_input", "value": "Facebook"}},
        "what": {"what": {"type": "plain_text_input", "value": what}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-11-27"}},
        "evidence": {"evidence": {"type": "plain_text_input", "value": "https://facebook.com/p/1"}},
    }


WHAT = "A colleague posted a photo of the ward whiteboard with patients' names on it"


async def _report(workspace: Workspace, view_id: str = "V1", **values) -> None:
    await workspace.send(slash_command_body("/snp-report", "", user_id=SAM, response_url=workspace.api.response_url("r")))
    [opened] = await workspace.api.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "snp_report"
    status, _ = await workspace.send(view_submission_body(SAM, "snp_report", report_values(WHAT, **values),
                                                          view_id=view_id))
    assert status == 200


async def _tickets(workspace: Workspace) -> int:
    async with workspace.core.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Ticket))


async def test_a_report_reaches_the_line_manager_who_acknowledges_it(workspace: Workspace):
    await _report(workspace)
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the reporter's reference")
    told = text_of(workspace.posted_to("D" + SAM)[0])
    reference = told[told.index("SNP-"):told.index("SNP-") + 13]
    await workspace.until(lambda: workspace.posted_to("D" + MO), "the line manager's DM")
    [manager_dm] = workspace.posted_to("D" + MO)
    assert WHAT.replace("'", "\\u0027") in text_of(manager_dm) or WHAT in text_of(manager_dm)
    actions = [b for b in manager_dm["blocks"] if b["type"] == "actions"][-1]
    buttons = {e["action_id"]: e["value"] for e in actions["elements"]}
    assert {"snp_ticket:acknowledge", "snp_ticket:ask_people_services", "snp_ticket:resolve_informally",
            "snp_ticket:refer_disciplinary", "snp_ticket:close"} <= set(buttons)
    ticket_id = buttons["snp_ticket:acknowledge"]

    await workspace.send(block_actions_body(EVE, "snp_ticket:acknowledge", ticket_id, channel="D" + EVE))
    [refused] = await workspace.api.wait_for("chat.postEphemeral")
    assert refused.params["user"] == EVE and "Nothing has changed" in refused.params["text"]
    assert WHAT not in refused.params["text"]

    await workspace.send(block_actions_body(MO, "snp_ticket:acknowledge", ticket_id, channel="D" + MO,
                                            message={"ts": manager_dm.get("ts", "1.0")}))
    [updated] = await workspace.api.wait_for("chat.update")
    assert f"{reference} is now acknowledged. (by umo)" in text_of(updated.params)
    await workspace.until(lambda: len(workspace.posted_to("D" + SAM)) == 2, "the reporter told")
    assert f"Your report {reference} is now acknowledged." in text_of(workspace.posted_to("D" + SAM)[1])
    assert len(workspace.api.calls_to("chat.postEphemeral")) == 1


async def test_a_report_about_the_reporters_own_manager_goes_to_people_services(workspace: Workspace):
    await _report(workspace, who_user=MO)
    await workspace.until(lambda: workspace.posted_to("D" + HANA), "People Services' DM")
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the reporter's DM")
    assert "because the report is about your line manager" in text_of(workspace.posted_to("D" + SAM)[0])
    assert not workspace.posted_to("D" + MO)


async def test_a_repeated_submission_makes_one_ticket(workspace: Workspace):
    await _report(workspace, view_id="V9")
    await workspace.send(view_submission_body(SAM, "snp_report", report_values(WHAT), view_id="V9"))
    await workspace.until(lambda: workspace.posted_to("D" + MO), "the line manager's DM")
    assert await _tickets(workspace) == 1 and len(workspace.posted_to("D" + SAM)) == 1


async def test_a_missing_field_is_shown_inline_and_nothing_is_opened(workspace: Workspace):
    values = report_values(WHAT)
    values["what"]["what"]["value"] = None
    status, text = await workspace.send(view_submission_body(SAM, "snp_report", values))
    assert status == 200 and '"response_action": "errors"' in text.replace('":"', '": "') or "errors" in text
    assert await _tickets(workspace) == 0


async def test_someone_not_in_the_directory_is_told_how_to_get_on_it(workspace: Workspace):
    await workspace.send(slash_command_body("/snp-report", "", user_id=OLLY, response_url=workspace.api.response_url("o")))
    [updated] = await workspace.api.wait_for("views.update")
    assert "directory" in text_of(updated.params["view"])


async def test_the_web_api_failing_three_times_delays_the_notification_but_delivers_it_once(workspace: Workspace):
    workspace.api.fail("chat.postMessage", 3, status=503, channel="D" + MO)
    await _report(workspace)
    await workspace.until(lambda: workspace.posted_to("D" + MO), "the line manager's DM, after the failures",
                          seconds=30)
    to_manager = [c for c in workspace.api.calls_to("chat.postMessage") if c.params.get("channel") == "D" + MO]
    assert [c.status for c in to_manager] == [503, 503, 503, 200]
    assert len(workspace.posted_to("D" + SAM)) == 1  # the reporter was told at once all the same


async def test_a_rate_limited_reply_to_the_reporter_is_retried_after_retry_after(workspace: Workspace):
    workspace.api.fail("chat.postMessage", 1, status=429, retry_after=1, channel="D" + SAM)
    await _report(workspace)
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the reporter's reference")
    to_reporter = [c for c in workspace.api.calls_to("chat.postMessage") if c.params.get("channel") == "D" + SAM]
    assert [c.status for c in to_reporter] == [429, 200]


async def test_bad_signature_stale_timestamp_or_missing_headers_get_401_and_no_api_call(workspace: Workspace):
    body = slash_command_body("/snp-check", CLEAN, user_id=SAM, response_url=workspace.api.response_url("x"))
    url = str(workspace.client.make_url("/slack/events"))
    assert (await SlackClient.post(url, "", body=body, content_type=FORM, secret="wrong"))[0] == 401
    stale = int(time.time()) - 600
    assert (await SlackClient.post(url, "", body=body, content_type=FORM, secret=SECRET, timestamp=stale))[0] == 401
    response = await workspace.client.post("/slack/events", data=body, headers={"Content-Type": FORM})
    assert response.status == 401
    assert workspace.api.calls == []


async def test_junk_bodies_never_get_a_5xx(workspace: Workspace):
    junk = ["", "{", "payload=%7B", "payload=" + "x" * 5000, '{"type": "event_callback"}', "\x00\xff",
            '{"type":"block_actions"}', "a=b&c=d", '{"type": "url_verification"}']
    for body in junk:
        for content_type in (FORM, JSON):
            status, _ = await workspace.send(body, content_type)
            assert status < 500, (body, status)
    response = await workspace.client.post("/slack/events", data=b"\xff\xfe\x00junk",
                                           headers={"Content-Type": JSON, "X-Slack-Signature": "v0=00",
                                                    "X-Slack-Request-Timestamp": "x"})
    assert response.status < 500


async def test_slack_verifying_the_request_url_gets_its_challenge_back(workspace: Workspace):
    from tests.fakes.slack import url_verification_body

    status, text = await workspace.event(url_verification_body("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text
