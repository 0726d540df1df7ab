"""The Slack rendering of replies, notifications, tickets and dialogs: what a Slack user would see,
within Slack's limits, with people's and the policy's text escaped.

Every structure is checked twice: by hand against the limits the module promises, and by
slack-sdk's own Block Kit models (which know Slack's field limits)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block, BlockElement, ConfirmObject
from slack_sdk.models.views import View

from adapters.slack.blocks import (
    check_modal,
    delivery_blocks,
    fallback_text,
    field_errors,
    notice_modal,
    reply_blocks,
    report_modal,
    report_values,
    ticket_blocks,
)
from bot.answer.models import Citation
from bot.conversation import Conversation, Message, Reply
from bot.notify.channel import Delivery, Recipient
from bot.policy import Policy
from bot.review.models import Finding
from bot.ticket.content import TicketContent
from bot.ticket.report import Report, ReportInvalid, build_report, check_field
from bot.ticket.service import EventView, TicketView
from tests.adapters import samples
from tests.adapters.samples import (
    POLICY_URL,
    PUBLIC_ID,
    QUESTION,
    REFERENCE,
    SHAPED_DRAFT,
    SHAPED_QUESTION,
    workflow_buttons,
)

KNOWN_BLOCKS = {"section", "context", "actions", "input", "divider", "header"}


# --- Checking structures ------------------------------------------------------------------------


def texts(blocks: list[dict]) -> list[str]:
    """Every piece of text a person would read in the blocks, in order."""
    found: list[str] = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            found.append(element["text"] if element["type"] == "mrkdwn" else element.get("text", {}).get("text", ""))
    return found


def shown(blocks: list[dict]) -> str:
    return "\n".join(texts(blocks))


def buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def assert_valid(blocks: list[dict], limit: int = 50) -> None:
    """Slack would take these blocks: known types, texts and buttons within limits, unique ids."""
    assert isinstance(blocks, list) and 0 < len(blocks) <= limit
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    for block in blocks:
        assert isinstance(block, dict) and block["type"] in KNOWN_BLOCKS, block
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(0 < len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            elements = block["elements"]
            assert 0 < len(elements) <= 25
            assert len({e["action_id"] for e in elements}) == len(elements)
            for element in elements:
                assert element["type"] == "button"
                assert 0 < len(element["text"]["text"]) <= 75 and element["text"]["type"] == "plain_text"
                assert len(element.get("value", "")) <= 2000
                BlockElement.parse(element).validate_json()
                if "confirm" in element:
                    ConfirmObject.parse(element["confirm"]).validate_json()
        if block["type"] == "input":
            assert 0 < len(block["label"]["text"]) <= 2000
            BlockElement.parse(block["element"]).validate_json()
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def assert_valid_view(view: dict) -> None:
    assert view["type"] == "modal"
    assert 0 < len(view["title"]["text"]) <= 24
    assert_valid(view["blocks"], limit=100)
    View(**view).validate_json()


# --- Fixtures -----------------------------------------------------------------------------------


def report() -> Report:
    return Report(what="A photo of a patient & a joke about <them>", where="Facebook, the ward's group",
                  when="2026-11-27", who="olu@trust.nhs.uk", evidence=("https://facebook.com/p/1",))


def ticket_view(state: str = "acknowledged", events: list[EventView] | None = None) -> TicketView:
    return samples.ticket_view(report(), state, events)


# --- Answers ------------------------------------------------------------------------------------


def test_an_answer_shows_the_clause_quoted_under_its_summary_and_the_source(policy: Policy, answer: Reply) -> None:
    blocks = reply_blocks(answer, policy.meta, POLICY_URL)
    assert_valid(blocks)
    citation = answer.citations[0]
    assert citation.clause == "5.1.4"
    quoted = next(t for t in texts(blocks) if "5.1.4" in t and t.startswith(citation.summary[:40]))
    assert f'> "{citation.quote}" (5.1.4)' in quoted
    source = blocks[-1]
    assert source["type"] == "context"
    line = source["elements"][0]["text"]
    assert line.startswith("Social Networking Policy SOCIAL001 · Final v1.0 · clause 5.1.4")
    assert "<https://intranet.example.nhs.uk/policies?id=social001&amp;v=1|" in line
    # The text's own source line is the context line now; the review-date note stays.
    assert "Source:" not in shown(blocks)
    assert "review date" in shown(blocks)


def test_without_a_policy_url_the_source_line_has_no_link(policy: Policy, answer: Reply) -> None:
    line = reply_blocks(answer, policy.meta, None)[-1]["elements"][0]["text"]
    assert "clause 5.1.4" in line and "<" not in line


def test_citations_the_text_does_not_quote_are_quoted_after_it(policy: Policy) -> None:
    reply = Reply("Short answer.", "answer", (Citation("6.2", "Keep it <private> & safe.", "Be careful."),))
    blocks = reply_blocks(reply, policy.meta, None)
    assert_valid(blocks)
    assert shown(blocks).startswith("Short answer.")
    assert '> "Keep it &lt;private&gt; &amp; safe." (6.2)' in shown(blocks)
    assert blocks[-1]["elements"][0]["text"].endswith("clause 6.2")


def test_a_declined_question_and_the_guide_are_their_text(policy: Policy, conversation: Conversation) -> None:
    for text in ("Where do I park my bike?", "hello"):
        reply = conversation.handle(Message(text))
        assert reply.kind in ("declined", "guide")
        blocks = reply_blocks(reply, policy.meta, POLICY_URL)
        assert_valid(blocks)
        assert all(b["type"] == "section" for b in blocks)
        assert shown(blocks).replace("\n", " ").split() == reply.text.replace("\n", " ").split()


# --- Reviews ------------------------------------------------------------------------------------


def test_a_review_shows_the_verdict_each_finding_and_the_safer_version(policy: Policy, review: Reply) -> None:
    blocks = reply_blocks(review, policy.meta, POLICY_URL)
    assert_valid(blocks)
    assert texts(blocks)[0].startswith("*Breach risk*\n")
    finding = review.findings[0]
    assert finding.category == "confidentiality"
    section = next(t for t in texts(blocks) if "Confidential information" in t)
    assert "clause 6.2" in section
    assert f"> \u201c{finding.evidence}\u201d" in section
    for words in ("Bed 4", "patient", "John", "01/02/1950"):
        assert words in finding.evidence
    assert finding.advice in section
    safer = texts(blocks)[-1]
    assert safer.startswith("*A safer version:*\n> ")
    assert review.rewrite in safer
    assert "[patient]" in safer and "01/02/1950" not in safer
    assert not any("```" in t for t in texts(blocks))


@pytest.mark.parametrize(("verdict", "words"), [("ok", "Looks fine"), ("caution", "Take care"),
                                                ("breach_risk", "Breach risk")])
def test_verdict_words(policy: Policy, verdict: str, words: str) -> None:
    findings = () if verdict == "ok" else (Finding("logo", "5.1.8", verdict, "our logo", "Leave the logo out."),)
    reply = Reply("fallback", "review", findings=findings, verdict=verdict, rewrite=None)
    blocks = reply_blocks(reply, policy.meta, None)
    assert_valid(blocks)
    assert texts(blocks)[0].startswith(f"*{words}*")
    if findings:
        assert f"*The CCG logo* · clause 5.1.8 · {words}" in shown(blocks)
        assert "no safe mechanical rewrite" in texts(blocks)[-1]


def test_a_review_without_a_verdict_falls_back_to_its_text(policy: Policy) -> None:
    blocks = reply_blocks(Reply("The draft could not be read.", "review"), policy.meta, None)
    assert texts(blocks) == ["The draft could not be read."]


# --- The offer of the other reading, and the report form ----------------------------------------


def test_a_draft_read_by_its_shape_offers_to_ask_it(policy: Policy, conversation: Conversation) -> None:
    reply = conversation.handle(Message(SHAPED_DRAFT))
    assert reply.kind == "review" and reply.offer == "ask"
    blocks = reply_blocks(reply, policy.meta, None, "offer words", original=SHAPED_DRAFT)
    assert_valid(blocks)
    assert texts(blocks)[0].startswith("*Looks fine*")
    [button] = buttons(blocks)
    assert button["action_id"] == "snp_offer_ask"
    assert button["value"] == SHAPED_DRAFT
    assert button["text"]["text"] == "Ask it as a question"


def test_a_question_read_by_its_shape_offers_to_check_it(policy: Policy, conversation: Conversation) -> None:
    reply = conversation.handle(Message(SHAPED_QUESTION))
    assert reply.offer == "check"
    [button] = buttons(reply_blocks(reply, policy.meta, None, original=SHAPED_QUESTION))
    assert (button["action_id"], button["value"]) == ("snp_offer_check", SHAPED_QUESTION)
    assert button["text"]["text"] == "Check it as a draft"


def test_an_explicit_question_offers_nothing(policy: Policy, answer: Reply) -> None:
    assert not buttons(reply_blocks(answer, policy.meta, None, original=QUESTION))


def test_a_message_too_long_for_a_button_is_offered_in_words(policy: Policy) -> None:
    reply = Reply("Nothing to worry about.", "review", verdict="ok", offer="ask")
    offer = policy.message("offer_ask")
    for original in ("", "x " * 1001):
        blocks = reply_blocks(reply, policy.meta, None, offer, original=original)
        assert_valid(blocks)
        assert not buttons(blocks)
        assert blocks[-1]["type"] == "context"
        assert blocks[-1]["elements"][0]["text"] == offer
    assert buttons(reply_blocks(reply, policy.meta, None, offer, original="x" * 2000))


def test_the_report_form_reply_has_a_button_that_opens_it(policy: Policy, conversation: Conversation) -> None:
    reply = conversation.handle(Message("/snp-report"))
    blocks = reply_blocks(reply, policy.meta, None, original="/snp-report")
    assert_valid(blocks)
    [button] = buttons(blocks)
    assert button["action_id"] == "snp_open_report"


# --- Slack's limits -----------------------------------------------------------------------------


def test_a_review_of_a_40000_character_draft_fits(policy: Policy, conversation: Conversation) -> None:
    sentence = "Bed 4's patient John Smith, DOB 01/02/1950, was so rude today & I said so on <Facebook>. "
    draft = (sentence * (40_000 // len(sentence)))[:40_000 - len("check: ")]
    reply = conversation.handle(Message("check: " + draft))
    assert reply.kind == "review" and reply.verdict == "breach_risk"
    blocks = reply_blocks(reply, policy.meta, POLICY_URL)
    assert_valid(blocks)
    assert texts(blocks)[0].startswith("*Breach risk*")
    assert "&lt;Facebook&gt;" in shown(blocks) and "<Facebook>" not in shown(blocks)


def test_a_huge_reply_is_split_then_shortened_keeping_the_offer(policy: Policy) -> None:
    paragraph = ("A long paragraph of words. " * 40).strip()
    reply = Reply("\n\n".join([paragraph] * 200) + "\n\n" + "x" * 10_000, "declined", offer="check")
    blocks = reply_blocks(reply, policy.meta, None, original="the question")
    assert_valid(blocks)
    assert len(blocks) == 50
    assert blocks[-2]["type"] == "context" and "shortened" in blocks[-2]["elements"][0]["text"]
    assert buttons(blocks)[0]["action_id"] == "snp_offer_check"
    # Cut at paragraph boundaries: no section starts or ends inside a word.
    for text in texts(blocks[:-2]):
        assert text.startswith("A long") and text.endswith("words.")


def test_a_single_enormous_word_is_cut_into_sections(policy: Policy) -> None:
    blocks = reply_blocks(Reply("&" * 9000, "notice"), policy.meta, None)
    assert_valid(blocks)
    assert "".join(texts(blocks)) == "&amp;" * 9000  # no entity cut in half


def test_a_long_quote_stays_quoted_in_every_section(policy: Policy) -> None:
    quote = " ".join(["clause"] * 2000)
    blocks = reply_blocks(Reply("Answer.", "answer", (Citation("5.1", quote),)), policy.meta, None)
    assert_valid(blocks)
    quoted = [t for t in texts(blocks) if "clause clause" in t]
    assert len(quoted) > 1 and all(t.startswith("> ") for t in quoted)


# --- Escaping -----------------------------------------------------------------------------------


def test_text_from_people_and_the_policy_is_escaped(policy: Policy, conversation: Conversation) -> None:
    reply = Reply("You wrote <script>alert(1)</script> & <!channel> <https://evil.example|click>", "notice")
    text = shown(reply_blocks(reply, policy.meta, None))
    assert "<script>" not in text and "<!channel>" not in text and "<https" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;" in text

    draft = conversation.handle(Message("check: <!channel> Bed 4 patient John Smith & <script>x</script>"))
    blocks = reply_blocks(draft, policy.meta, None)
    assert_valid(blocks)
    assert not re.search(r"<(?!http)", shown(blocks))
    assert "&lt;!channel&gt;" in shown(blocks) and "&amp;" in shown(blocks)
    # The bot's own formatting is kept: bold and quotes.
    assert texts(blocks)[0].startswith("*Breach risk*") and "\n> " in shown(blocks)


def test_fallback_text_is_escaped_and_cut(policy: Policy) -> None:
    assert fallback_text("  Tom & Jerry <!here>  ") == "Tom &amp; Jerry &lt;!here&gt;"
    long = fallback_text("word & " * 2000)
    assert len(long.encode("utf-8")) <= 4000 and long.endswith("…")
    assert not re.search(r"&(?!amp;)", long)
    assert len(fallback_text("é" * 5000).encode("utf-8")) <= 4000


# --- Notifications and tickets ------------------------------------------------------------------


def test_a_notification_has_its_text_and_the_workflow_buttons(content: TicketContent) -> None:
    text = content.say("notify_new_ticket", reference=REFERENCE, title="Social Networking Policy",
                       role="the line manager", report=report().summary(content))
    delivery = Delivery("key-1", Recipient("mo@trust.nhs.uk"), "new_ticket", REFERENCE, text,
                        workflow_buttons(content, "open"), confidential=True)
    blocks = delivery_blocks(delivery, content=content)
    assert_valid(blocks)
    assert "A photo of a patient &amp; a joke about &lt;them&gt;" in shown(blocks)
    actions = blocks[-1]
    assert actions["type"] == "actions" and actions["block_id"] == f"snp_ticket_actions:{REFERENCE}"
    elements = {e["action_id"]: e for e in actions["elements"]}
    assert list(elements) == ["snp_ticket:acknowledge", "snp_ticket:ask_people_services",
                              "snp_ticket:resolve_informally", "snp_ticket:refer_disciplinary", "snp_ticket:close"]
    assert all(e["value"] == PUBLIC_ID for e in elements.values())
    assert elements["snp_ticket:acknowledge"]["text"]["text"] == "Acknowledge"
    assert elements["snp_ticket:acknowledge"]["style"] == "primary"
    assert elements["snp_ticket:refer_disciplinary"]["style"] == "danger"
    assert "style" not in elements["snp_ticket:close"]
    assert {a for a, e in elements.items() if "confirm" in e} == {"snp_ticket:refer_disciplinary", "snp_ticket:close"}
    refer = elements["snp_ticket:refer_disciplinary"]["confirm"]
    assert refer["title"]["text"] == content.say("confirm_refer_disciplinary_title")
    assert REFERENCE in refer["text"]["text"] and len(refer["text"]["text"]) <= 300
    assert (refer["confirm"]["text"], refer["deny"]["text"]) == ("Refer", "Go back")
    assert elements["snp_ticket:close"]["confirm"]["confirm"]["text"] == "Close it"


def test_a_notification_to_the_reporter_has_no_buttons() -> None:
    delivery = Delivery("key-2", Recipient("sam@trust.nhs.uk"), "state_changed", REFERENCE,
                        f"Your report {REFERENCE} is now acknowledged.")
    blocks = delivery_blocks(delivery)  # the shipped tickets.yaml
    assert_valid(blocks)
    assert [b["type"] for b in blocks] == ["section"]


def test_a_repeated_button_is_shown_once(content: TicketContent) -> None:
    twice = workflow_buttons(content, "open")[:1] * 2
    delivery = Delivery("key-3", Recipient("mo@trust.nhs.uk"), "new_ticket", REFERENCE, "New report.", twice)
    assert len(buttons(delivery_blocks(delivery, content=content))) == 1


def test_a_ticket_after_a_click_shows_what_happened_the_ticket_and_what_is_left(content: TicketContent) -> None:
    note = f"{REFERENCE} is now acknowledged."
    blocks = ticket_blocks(ticket_view(), content, workflow_buttons(content, "acknowledged"), note=note)
    assert_valid(blocks)
    assert blocks[0] == {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}
    text = shown(blocks)
    assert f"{REFERENCE}, opened 2026-11-28" in text and "Handled by Mo Manager." in text
    assert "A photo of a patient &amp; a joke about &lt;them&gt;" in text
    assert blocks[-1]["block_id"] == f"snp_ticket_actions:{REFERENCE}"
    assert [e["action_id"] for e in blocks[-1]["elements"]] == [
        "snp_ticket:ask_people_services", "snp_ticket:resolve_informally", "snp_ticket:refer_disciplinary",
        "snp_ticket:close"]


def test_a_closed_ticket_has_no_buttons(content: TicketContent) -> None:
    blocks = ticket_blocks(ticket_view("closed"), content, workflow_buttons(content, "closed"))
    assert_valid(blocks)
    assert workflow_buttons(content, "closed") == ()
    assert not any(b["type"] == "actions" for b in blocks)
    assert blocks[0]["type"] == "section"  # no note, no context line


def test_a_ticket_with_a_long_history_is_shortened_but_keeps_its_buttons(content: TicketContent) -> None:
    at = datetime(2026, 11, 28, tzinfo=UTC)
    events = [EventView(at, "add_note", "handler", "acknowledged", "n" * 2000 + f" note {i}") for i in range(80)]
    blocks = ticket_blocks(ticket_view(events=events), content, workflow_buttons(content, "acknowledged"), note="Done.")
    assert_valid(blocks)
    assert len(blocks) == 50 and blocks[0]["elements"][0]["text"] == "Done."
    assert "shortened" in blocks[-2]["elements"][0]["text"] and blocks[-1]["type"] == "actions"


# --- Dialogs ------------------------------------------------------------------------------------


def test_the_report_modal(content: TicketContent) -> None:
    view = report_modal(content, title="Social Networking Policy", private_metadata="C123")
    assert_valid_view(view)
    assert view["callback_id"] == "snp_report" and view["private_metadata"] == "C123"
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Report a breach", "Send report", "Cancel")
    intro, note, *inputs = view["blocks"]
    assert intro["text"]["text"].startswith("Report a breach of the Social Networking Policy (section 7.1).")
    assert "cancel" not in intro["text"]["text"].lower()
    assert note["type"] == "context" and "records that you used this command" in note["elements"][0]["text"]
    assert all(b["type"] == "input" for b in inputs)
    by_id = {b["block_id"]: b for b in inputs}
    assert list(by_id) == ["who_user", "who", "where", "what", "when", "evidence"]
    assert all(b["element"]["action_id"] == b["block_id"] for b in inputs)
    assert {name: b["optional"] for name, b in by_id.items()} == {
        "who_user": True, "who": True, "where": False, "what": False, "when": False, "evidence": True}
    assert by_id["who_user"]["element"]["type"] == "users_select"
    assert by_id["who_user"]["label"]["text"] == "Who is it about? (someone in Slack)"
    assert by_id["who"]["label"]["text"] == content.field("who").label
    assert by_id["when"]["element"] == {"type": "datepicker", "action_id": "when"}
    assert by_id["where"]["element"]["max_length"] == 500 and not by_id["where"]["element"]["multiline"]
    assert by_id["what"]["element"]["multiline"] and by_id["what"]["element"]["max_length"] == 3000  # Slack's most
    assert by_id["evidence"]["element"]["multiline"] and by_id["evidence"]["element"]["max_length"] == 2000
    assert by_id["evidence"]["hint"]["text"] == "One link a line."
    assert "patients' details" in by_id["what"]["hint"]["text"]


def test_private_metadata_too_long_for_slack_is_refused(content: TicketContent) -> None:
    assert "private_metadata" not in report_modal(content)
    with pytest.raises(ValueError, match="3000"):
        report_modal(content, private_metadata="x" * 3001)


def test_report_values_from_a_view_submission(content: TicketContent) -> None:
    values = {  # view["state"]["values"], as Slack sends it
        "who_user": {"who_user": {"type": "users_select", "selected_user": "U0123ABC"}},
        "who": {"who": {"type": "plain_text_input", "value": None}},
        "where": {"where": {"type": "plain_text_input", "value": "Facebook, the ward's group"}},
        "what": {"what": {"type": "plain_text_input", "value": "A photo of a patient with a joke"}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-11-27"}},
        "evidence": {"evidence": {"type": "plain_text_input", "value": "https://facebook.com/p/1\nhttps://x.com/p/2"}},
    }
    got = report_values(values)
    assert got == {"who_user": "U0123ABC", "who": "", "where": "Facebook, the ward's group",
                   "what": "A photo of a patient with a joke", "when": "2026-11-27",
                   "evidence": "https://facebook.com/p/1\nhttps://x.com/p/2"}
    built = build_report(content, got)
    assert built.when == "2026-11-27" and built.evidence == ("https://facebook.com/p/1", "https://x.com/p/2")


def test_report_values_of_an_untouched_form_are_blank() -> None:
    values = {"who_user": {"who_user": {"type": "users_select", "selected_user": None}},
              "when": {"when": {"type": "datepicker", "selected_date": None}}}
    assert report_values(values) == dict.fromkeys(("who_user", "who", "where", "what", "when", "evidence"), "")


def test_field_errors_point_at_the_field(content: TicketContent) -> None:
    with pytest.raises(ReportInvalid) as refused:
        check_field(content, "evidence", "not-a-link")
    body = field_errors(refused.value.field, str(refused.value))
    assert body == {"response_action": "errors", "errors": {"evidence": str(refused.value)}}
    assert field_errors("who", "x")["errors"] == {"who": "x"}
    long = field_errors("what", "word " * 1000)["errors"]["what"]
    assert len(long) <= 2000 and long.endswith("…")


def test_the_check_modal() -> None:
    view = check_modal()
    assert_valid_view(view)
    assert view["callback_id"] == "snp_check"
    assert (view["title"]["text"], view["submit"]["text"]) == ("Check a draft", "Check")
    [draft] = view["blocks"]
    assert draft["block_id"] == "draft" and not draft["optional"]
    assert draft["element"] == {"type": "plain_text_input", "action_id": "draft", "multiline": True, "max_length": 3000}


def test_the_notice_modal_only_tells() -> None:
    view = notice_modal("You're not in the staff directory, so <ask> People Services & try again.")
    assert_valid_view(view)
    assert "submit" not in view
    assert "&lt;ask&gt; People Services &amp; try again." in shown(view["blocks"])
