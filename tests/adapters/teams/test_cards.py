"""The Teams rendering of replies, notifications, tickets and the report form: what a Teams user
would see, as Adaptive Cards 1.5 Teams would take, within Teams' message size, with the actions'
data the bot routes on.

Every card is checked against a small description of the Adaptive Card 1.5 elements and actions
it may use (their types, properties and the values of their enumerations)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.teams.cards import (
    CARD_BYTES,
    attachment,
    delivery_card,
    payload_size,
    reply_card,
    report_card,
    report_card_with_error,
    report_values,
    text_fallback,
    ticket_card,
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

# --- What Adaptive Cards 1.5 allows (the parts these cards may use) -------------------------------

COMMON = {"type", "id", "spacing", "separator", "isVisible", "height", "requires", "fallback"}
INPUT = COMMON | {"label", "isRequired", "errorMessage", "value"}
ELEMENTS = {
    "TextBlock": COMMON | {"text", "wrap", "size", "weight", "color", "isSubtle", "maxLines", "horizontalAlignment",
                           "fontType", "style"},
    "RichTextBlock": COMMON | {"inlines", "horizontalAlignment"},
    "Container": COMMON | {"items", "style", "bleed", "verticalContentAlignment", "minHeight", "selectAction", "rtl"},
    "ColumnSet": COMMON | {"columns", "style", "bleed", "minHeight", "horizontalAlignment", "selectAction"},
    "FactSet": COMMON | {"facts"},
    "ActionSet": COMMON | {"actions"},
    "Image": COMMON | {"url", "altText", "size", "style", "width", "horizontalAlignment"},
    "Input.Text": INPUT | {"isMultiline", "maxLength", "placeholder", "style", "inlineAction", "regex"},
    "Input.Date": INPUT | {"min", "max", "placeholder"},
    "Input.Time": INPUT | {"min", "max", "placeholder"},
    "Input.Number": INPUT | {"min", "max", "placeholder"},
    "Input.Toggle": INPUT | {"title", "valueOn", "valueOff", "wrap"},
    "Input.ChoiceSet": INPUT | {"choices", "isMultiSelect", "style", "placeholder", "wrap"},
}
ACTION = {"type", "id", "title", "iconUrl", "style", "fallback", "tooltip", "isEnabled", "mode", "requires"}
ACTIONS = {
    "Action.OpenUrl": ACTION | {"url"},
    "Action.Submit": ACTION | {"data", "associatedInputs"},
    "Action.Execute": ACTION | {"verb", "data", "associatedInputs"},
    "Action.ShowCard": ACTION | {"card"},
    "Action.ToggleVisibility": ACTION | {"targetElements"},
}
CARD = {"type", "$schema", "version", "body", "actions", "msteams", "fallbackText", "speak", "lang",
        "verticalContentAlignment", "minHeight", "rtl", "selectAction", "refresh", "authentication", "metadata"}
ENUMS = {
    "spacing": {"none", "small", "default", "medium", "large", "extraLarge", "padding"},
    "size": {"default", "small", "medium", "large", "extraLarge"},
    "weight": {"default", "lighter", "bolder"},
    "color": {"default", "dark", "light", "accent", "good", "warning", "attention"},
}
CONTAINER_STYLES = {"default", "emphasis", "good", "attention", "warning", "accent"}
ACTION_STYLES = {"default", "positive", "destructive"}


def assert_valid(card: dict, *, top: bool = True) -> None:
    """An Adaptive Card 1.5 Teams would render, in a message Teams would take."""
    assert card["type"] == "AdaptiveCard" and set(card) <= CARD, set(card) - CARD
    if top:
        assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
        assert card["version"] == "1.5"
        assert payload_size(attachment(card)) <= CARD_BYTES
        json.dumps(card, allow_nan=False)  # plain JSON, nothing else
        assert card["body"], "an empty card"
    for element in card.get("body", []):
        _assert_element(element)
    for action in card.get("actions", []):
        _assert_action(action)


def _assert_element(element: dict) -> None:
    kind = element["type"]
    assert kind in ELEMENTS, kind
    assert set(element) <= ELEMENTS[kind], (kind, set(element) - ELEMENTS[kind])
    for key, allowed in ENUMS.items():
        if key in element and not (kind.startswith("Input.") and key == "size"):
            assert element[key] in allowed, (kind, key, element[key])
    if kind == "TextBlock":
        assert isinstance(element["text"], str) and element["text"].strip() and element["wrap"] is True
        assert not any(ord(c) < 32 and c != "\n" for c in element["text"])
    if kind == "Container":
        assert element["items"] and element.get("style", "default") in CONTAINER_STYLES
        for item in element["items"]:
            _assert_element(item)
    if kind == "ActionSet":
        for action in element["actions"]:
            _assert_action(action)
    if kind.startswith("Input."):
        assert element["id"] and isinstance(element["isRequired"], bool) and element["label"]


def _assert_action(action: dict) -> None:
    kind = action["type"]
    assert kind in ACTIONS, kind
    assert set(action) <= ACTIONS[kind], (kind, set(action) - ACTIONS[kind])
    assert action["title"].strip() and len(action["title"]) <= 75
    assert action.get("style", "default") in ACTION_STYLES
    if "data" in action:
        assert isinstance(action["data"], dict), "data must be a JSON object, never a string"
    if kind == "Action.Execute":
        assert action["verb"]
    if kind == "Action.OpenUrl":
        assert action["url"].startswith("https://")
    if kind == "Action.ShowCard":
        assert_valid(action["card"], top=False)
    if isinstance(action.get("fallback"), dict):
        _assert_action(action["fallback"])


# --- Reading cards as a person would ----------------------------------------------------------------


def elements(card: dict) -> list[dict]:
    """Every element of the body, boxes before what they hold, in reading order."""
    found: list[dict] = []

    def walk(items: list[dict]) -> None:
        for item in items:
            found.append(item)
            walk(item.get("items", []))

    walk(card["body"])
    return found


def texts(card: dict) -> list[str]:
    return [e["text"] for e in elements(card) if e["type"] == "TextBlock"]


def shown(card: dict) -> str:
    return "\n".join(texts(card))


def quotes(card: dict) -> list[str]:
    """The text of each quote box (a Container styled "emphasis")."""
    return ["\n".join(i["text"] for i in e["items"]) for e in elements(card)
            if e["type"] == "Container" and e.get("style") == "emphasis"]


def inputs(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in elements(card) if e["type"].startswith("Input.")}


def words(text: str) -> list[str]:
    return text.replace("\n", " ").split()


# --- Fixtures -------------------------------------------------------------------------------------


def report() -> Report:
    return Report(what="A photo of a patient & a [joke](https://evil.example) about <them>",
                  where="Facebook, the ward's group", when="2026-11-27", who="olu@trust.nhs.uk",
                  evidence=("https://facebook.com/p/1",))


def ticket_view(state: str = "acknowledged", events: list[EventView] | None = None) -> TicketView:
    return samples.ticket_view(report(), state, events)


def executes(card: dict) -> list[dict]:
    """The workflow steps a card offers, each as the Action.Execute that takes it (behind its
    "are you sure?" card for the steps that ask first)."""
    found = []
    for action in card.get("actions", []):
        if action["type"] == "Action.ShowCard":
            [action] = action["card"]["actions"]
        found.append(action)
    assert all(a["type"] == "Action.Execute" and a["verb"] == "snp_ticket" for a in found)
    return found


# --- Answers --------------------------------------------------------------------------------------


def test_an_answer_shows_the_clause_quoted_under_its_summary_the_source_and_the_policy(
        policy: Policy, answer: Reply) -> None:
    card = reply_card(answer, policy.meta, POLICY_URL, messages=policy.messages)
    assert_valid(card)
    citation = answer.citations[0]
    assert citation.clause == "5.1.4"
    body = texts(card)
    assert body[0] == citation.summary
    assert quotes(card) == [f'"{citation.quote}" (5.1.4)']
    assert body[-1] == "Social Networking Policy SOCIAL001 · Final v1.0 · clause 5.1.4"
    source = card["body"][-1]
    assert source["isSubtle"] and source["size"] == "small"
    # The text's own source line is the source line now; the review-date note stays.
    assert "Source:" not in shown(card)
    assert "review date" in shown(card)
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Read the full policy", "url": POLICY_URL}]


def test_without_a_usable_policy_url_there_is_no_link(policy: Policy, answer: Reply) -> None:
    for url in (None, "", "   ", "javascript:alert(1)", "intranet/policies"):
        card = reply_card(answer, policy.meta, url)
        assert_valid(card)
        assert "actions" not in card
        assert texts(card)[-1].endswith("clause 5.1.4")


def test_citations_the_text_does_not_quote_are_quoted_after_it(policy: Policy) -> None:
    reply = Reply("Short answer.", "answer", (Citation("6.2", "Keep it private & safe.", "Be careful."),))
    card = reply_card(reply, policy.meta, None)
    assert_valid(card)
    assert texts(card)[:2] == ["Short answer.", "Be careful."]
    assert quotes(card) == ['"Keep it private & safe." (6.2)']
    assert texts(card)[-1].endswith("clause 6.2")


def test_a_declined_question_and_the_guide_are_their_text(policy: Policy, conversation: Conversation) -> None:
    for text in ("Where do I park my bike?", "hello"):
        reply = conversation.handle(Message(text))
        assert reply.kind in ("declined", "guide")
        card = reply_card(reply, policy.meta, POLICY_URL)
        assert_valid(card)
        assert all(e["type"] == "TextBlock" for e in card["body"])
        assert words(shown(card)) == words(reply.text)


def test_the_lines_of_the_guide_stay_lines(policy: Policy, conversation: Conversation) -> None:
    """A TextBlock shows a single newline as a space: lines are kept apart by a blank line."""
    reply = conversation.handle(Message("hello"))
    card = reply_card(reply, policy.meta, None)
    bullets = next(t for t in texts(card) if "• Ask me a question" in t)
    assert "\n\n• Check a post" in bullets and "\n\n• Report a breach" in bullets


# --- Reviews --------------------------------------------------------------------------------------


def test_a_review_shows_the_verdict_each_finding_and_the_safer_version(policy: Policy, review: Reply) -> None:
    card = reply_card(review, policy.meta, POLICY_URL, messages=policy.messages)
    assert_valid(card)
    verdict = card["body"][0]
    assert verdict == {"type": "TextBlock", "text": "Breach risk", "wrap": True, "size": "medium",
                       "weight": "bolder", "color": "attention"}
    assert texts(card)[1].startswith("This draft risks breaching the Social Networking Policy")
    finding = review.findings[0]
    assert finding.category == "confidentiality"
    [box] = [e for e in card["body"] if e["type"] == "Container" and e.get("separator")]
    box_texts = [e["text"] for e in elements({"body": box["items"]}) if e["type"] == "TextBlock"]
    assert box_texts[0] == "Confidential information" and box["items"][0]["weight"] == "bolder"
    assert box_texts[1] == "clause 6.2 · Breach risk"
    assert f"\u201c{finding.evidence}\u201d" in quotes({"body": box["items"]})
    for said in ("Bed 4", "patient", "John", "01/02/1950"):
        assert said in finding.evidence
    assert box_texts[-1] == finding.advice
    # The safer version, under its heading, in a quote box of its own.
    heading = next(i for i, e in enumerate(card["body"]) if e.get("text") == "A safer version:")
    assert card["body"][heading]["weight"] == "bolder"
    assert quotes({"body": card["body"][heading + 1:]}) == [review.rewrite]
    assert "[patient]" in review.rewrite and "01/02/1950" not in review.rewrite
    assert "actions" not in card  # "check:" was explicit: no offer


@pytest.mark.parametrize(("verdict", "said", "color"), [("ok", "Looks fine", "good"), ("caution", "Take care", "warning"),
                                                          ("breach_risk", "Breach risk", "attention")])
def test_verdict_words_and_colours(policy: Policy, verdict: str, said: str, color: str) -> None:
    findings = () if verdict == "ok" else (Finding("logo", "5.1.8", verdict, "our logo", "Leave the logo out."),)
    reply = Reply("fallback", "review", findings=findings, verdict=verdict, rewrite=None)
    card = reply_card(reply, policy.meta, None)
    assert_valid(card)
    assert (card["body"][0]["text"], card["body"][0]["color"]) == (said, color)
    if findings:
        assert "The CCG logo" in texts(card) and f"clause 5.1.8 · {said}" in texts(card)
        assert "no safe mechanical rewrite" in texts(card)[-1]


def test_a_review_without_a_verdict_falls_back_to_its_text(policy: Policy) -> None:
    card = reply_card(Reply("The draft could not be read.", "review"), policy.meta, None)
    assert texts(card) == ["The draft could not be read."]


# --- The offer of the other reading, and the report form ----------------------------------------------


def test_a_draft_read_by_its_shape_offers_to_ask_it(policy: Policy, conversation: Conversation) -> None:
    reply = conversation.handle(Message(SHAPED_DRAFT))
    assert reply.kind == "review" and reply.offer == "ask"
    card = reply_card(reply, policy.meta, None, "offer words", original=SHAPED_DRAFT)
    assert_valid(card)
    assert texts(card)[0] == "Looks fine"
    assert card["actions"] == [{"type": "Action.Submit", "title": "Ask it as a question",
                                "data": {"snp": "offer", "as": "ask", "text": SHAPED_DRAFT}}]
    assert "offer words" not in shown(card)


def test_a_question_read_by_its_shape_offers_to_check_it(policy: Policy, conversation: Conversation) -> None:
    reply = conversation.handle(Message(SHAPED_QUESTION))
    assert reply.offer == "check"
    [action] = reply_card(reply, policy.meta, None, original=SHAPED_QUESTION)["actions"]
    assert action["title"] == "Check it as a draft"
    assert action["data"] == {"snp": "offer", "as": "check", "text": SHAPED_QUESTION}


def test_an_explicit_question_offers_nothing(policy: Policy, answer: Reply) -> None:
    assert "actions" not in reply_card(answer, policy.meta, None, original=QUESTION)


def test_a_message_too_long_to_carry_is_offered_in_words(policy: Policy) -> None:
    reply = Reply("Nothing to worry about.", "review", verdict="ok", offer="ask")
    offer = policy.message("offer_ask")
    for original in ("", "x " * 5000):
        card = reply_card(reply, policy.meta, None, offer, original=original)
        assert_valid(card)
        assert "actions" not in card
        assert texts(card)[-1] == offer and card["body"][-1]["isSubtle"]
    assert reply_card(reply, policy.meta, None, offer, original="x" * 2000)["actions"]


def test_the_report_form_reply_has_a_button_that_asks_for_it(policy: Policy, conversation: Conversation) -> None:
    reply = conversation.handle(Message("/snp-report"))
    assert reply.kind == "form"
    card = reply_card(reply, policy.meta, None, original="/snp-report", messages=policy.messages)
    assert_valid(card)
    assert texts(card) == [reply.text]
    assert card["actions"] == [{"type": "Action.Submit", "title": "Open the report form", "style": "positive",
                                "data": {"snp": "open_report"}}]


# --- Teams' limits ----------------------------------------------------------------------------------


def test_a_review_of_a_40000_character_draft_fits(policy: Policy, conversation: Conversation) -> None:
    sentence = "Bed 4's patient John Smith, DOB 01/02/1950, was so rude today & I said so on <Facebook>. "
    draft = (sentence * (40_000 // len(sentence)))[:40_000 - len("check: ")]
    reply = conversation.handle(Message("check: " + draft))
    assert reply.kind == "review" and reply.verdict == "breach_risk"
    card = reply_card(reply, policy.meta, POLICY_URL, original="check: " + draft)
    assert_valid(card)
    assert texts(card)[0] == "Breach risk"
    assert "shortened" in texts(card)[-1]
    assert "<Facebook>" in shown(card)  # no HTML in a card, so nothing to escape


def test_a_huge_reply_is_split_then_shortened_keeping_the_offer(policy: Policy) -> None:
    paragraph = ("A long paragraph of words. " * 40).strip()
    reply = Reply("\n\n".join([paragraph] * 200) + "\n\n" + "x" * 10_000, "declined", offer="check")
    card = reply_card(reply, policy.meta, None, original="the question")
    assert_valid(card)
    assert payload_size(attachment(card)) > CARD_BYTES - 3000  # most of the room is used
    notice = card["body"][-1]
    assert "shortened" in notice["text"] and notice["isSubtle"]
    assert card["actions"][0]["data"] == {"snp": "offer", "as": "check", "text": "the question"}
    # Cut at paragraph boundaries, the last one (if any is cut) at a word's end.
    for text in texts(card)[:-2]:
        assert text == paragraph
    assert texts(card)[-2].startswith("A long") and texts(card)[-2].endswith(("words.", "…"))


def test_a_single_enormous_word_is_cut_into_blocks(policy: Policy) -> None:
    card = reply_card(Reply("&" * 9000, "notice"), policy.meta, None)
    assert_valid(card)
    assert "".join(texts(card)) == "&" * 9000
    assert all(len(t) <= 2000 for t in texts(card))


def test_a_long_quote_stays_quoted_in_every_block(policy: Policy) -> None:
    quote = " ".join(["clause"] * 2000)
    card = reply_card(Reply("Answer.", "answer", (Citation("5.1", quote),)), policy.meta, None)
    assert_valid(card)
    [box] = [e for e in card["body"] if e["type"] == "Container"]
    assert len(box["items"]) > 1 and all("clause clause" in i["text"] for i in box["items"])


def test_a_huge_quote_is_cut_inside_its_box(policy: Policy) -> None:
    quote = " ".join(["clause"] * 20_000)
    card = reply_card(Reply("Answer.", "answer", (Citation("5.1", quote),)), policy.meta, None)
    assert_valid(card)
    [box] = [e for e in card["body"] if e["type"] == "Container"]
    assert box["style"] == "emphasis" and box["items"]
    assert "shortened" in texts(card)[-2] and texts(card)[-1].endswith("clause 5.1")


def test_non_ascii_text_is_measured_as_a_serializer_may_send_it(policy: Policy) -> None:
    card = reply_card(Reply("é" * 30_000 + " 🙂" * 5000, "notice"), policy.meta, None)
    assert_valid(card)
    assert len(json.dumps(card).encode()) <= CARD_BYTES
    assert len(json.dumps(card, ensure_ascii=False).encode("utf-16-le")) <= CARD_BYTES


# --- Cleaning -----------------------------------------------------------------------------------------


def test_control_characters_and_direction_overrides_are_stripped(policy: Policy) -> None:
    reply = Reply("Tom\x00 & Jerry\x07\x1b[31m\r\nnext\u202eline\ud800 \x85end\tof it", "notice")
    card = reply_card(reply, policy.meta, None)
    assert_valid(card)
    assert shown(card) == "Tom & Jerry[31m\n\nnextline\n\nend of it"
    json.dumps(card, ensure_ascii=False).encode("utf-8")  # no lone surrogate left


def test_a_persons_markdown_link_is_not_a_link(policy: Policy, conversation: Conversation) -> None:
    draft = conversation.handle(Message("check: Bed 4 patient John Smith [click here](https://evil.example) now"))
    card = reply_card(draft, policy.meta, None)
    assert_valid(card)
    assert "](" not in shown(card)
    assert "[click here] (https://evil.example)" in shown(card)


def test_text_fallback_is_clean_and_cut() -> None:
    assert text_fallback("  Tom\x00 & Jerry <b>  ") == "Tom & Jerry <b>"
    long = text_fallback("word " * 20_000)
    assert payload_size(long) <= CARD_BYTES
    assert long.endswith("This reply was too long to show in full here, so it has been shortened.")
    assert "…\n\n" in long


# --- Notifications and tickets ----------------------------------------------------------------------


def test_a_notification_has_its_text_and_the_workflow_steps(content: TicketContent) -> None:
    text = content.say("notify_new_ticket", reference=REFERENCE, title="Social Networking Policy",
                       role="the line manager", report=report().summary(content))
    delivery = Delivery("key-1", Recipient("mo@trust.nhs.uk"), "new_ticket", REFERENCE, text,
                        workflow_buttons(content, "open"), confidential=True)
    card = delivery_card(delivery, content=content)
    assert_valid(card)
    assert "A photo of a patient & a [joke] (https://evil.example) about <them>" in shown(card)
    steps = executes(card)
    assert [a["data"] for a in steps] == [{"snp": "ticket", "step": step, "ticket": PUBLIC_ID} for step in
                                          ("acknowledge", "ask_people_services", "resolve_informally",
                                           "refer_disciplinary", "close")]
    acknowledge, ask, resolve, refer, close = card["actions"]
    data = {"snp": "ticket", "step": "acknowledge", "ticket": PUBLIC_ID}
    assert acknowledge == {"type": "Action.Execute", "verb": "snp_ticket", "title": "Acknowledge", "style": "positive",
                           "data": data,
                           # A client without Action.Execute sends the same data as an Action.Submit.
                           "fallback": {"type": "Action.Submit", "title": "Acknowledge", "style": "positive",
                                        "data": data}}
    assert (ask["title"], resolve["title"]) == ("Ask People Services", "Resolve informally")
    # The steps that cannot be undone ask first, in tickets.yaml's words.
    assert refer["type"] == close["type"] == "Action.ShowCard"
    assert (refer["title"], refer["style"]) == ("Refer under Disciplinary Policy", "destructive")
    asked = texts(refer["card"])
    assert asked[0] == content.say("confirm_refer_disciplinary_title") and REFERENCE in asked[1]
    assert refer["card"]["actions"][0]["title"] == "Refer" and refer["card"]["actions"][0]["style"] == "destructive"
    assert close["card"]["actions"][0]["title"] == "Close it" and "style" not in close


def test_a_notification_to_the_reporter_has_no_actions() -> None:
    delivery = Delivery("key-2", Recipient("sam@trust.nhs.uk"), "state_changed", REFERENCE,
                        f"Your report {REFERENCE} is now acknowledged.")
    card = delivery_card(delivery)  # the shipped tickets.yaml
    assert_valid(card)
    assert "actions" not in card and texts(card) == [f"Your report {REFERENCE} is now acknowledged."]


def test_a_repeated_step_is_offered_once(content: TicketContent) -> None:
    twice = workflow_buttons(content, "open")[:1] * 2
    delivery = Delivery("key-3", Recipient("mo@trust.nhs.uk"), "new_ticket", REFERENCE, "New report.", twice)
    assert len(delivery_card(delivery, content=content)["actions"]) == 1


def test_a_ticket_after_a_step_shows_what_happened_the_ticket_and_what_is_left(content: TicketContent) -> None:
    note = f"{REFERENCE} is now acknowledged. (by Mo Manager)"
    card = ticket_card(ticket_view(), content, workflow_buttons(content, "acknowledged"), note=note)
    assert_valid(card)
    assert card["body"][0]["text"] == note and card["body"][0]["isSubtle"]
    text = shown(card)
    assert f"{REFERENCE}, opened 2026-11-28" in text and "Handled by Mo Manager." in text
    assert "Where? Facebook, the ward's group" in text
    assert [a["data"]["step"] for a in executes(card)] == [
        "ask_people_services", "resolve_informally", "refer_disciplinary", "close"]


def test_a_closed_ticket_has_no_actions(content: TicketContent) -> None:
    card = ticket_card(ticket_view("closed"), content, workflow_buttons(content, "closed"))
    assert_valid(card)
    assert workflow_buttons(content, "closed") == ()
    assert "actions" not in card
    assert card["body"][0]["text"].startswith(REFERENCE)  # no note


def test_a_ticket_with_a_long_history_is_shortened_but_keeps_its_steps(content: TicketContent) -> None:
    at = datetime(2026, 11, 28, tzinfo=UTC)
    events = [EventView(at, "add_note", "handler", "acknowledged", "n" * 2000 + f" note {i}") for i in range(80)]
    card = ticket_card(ticket_view(events=events), content, workflow_buttons(content, "acknowledged"), note="Done.")
    assert_valid(card)
    assert card["body"][0]["text"] == "Done."
    assert texts(card)[-1] == content.say("message_shortened")
    assert len(executes(card)) == 4


# --- The report form --------------------------------------------------------------------------------


def test_the_report_card(content: TicketContent) -> None:
    card = report_card(content, title="Social Networking Policy")
    assert_valid(card)
    title, intro, recorded = texts(card)[:3]
    assert title == "Report a breach"
    assert intro.startswith("Report a breach of the Social Networking Policy (section 7.1).")
    assert "cancel" not in intro.lower()
    assert "records that you used this command" in recorded
    fields = inputs(card)
    assert list(fields) == ["who", "where", "what", "when", "evidence"]
    assert {name: f["isRequired"] for name, f in fields.items()} == {
        "who": False, "where": True, "what": True, "when": True, "evidence": False}
    assert {name: f["type"] for name, f in fields.items()} == {
        "who": "Input.Text", "where": "Input.Text", "what": "Input.Text", "when": "Input.Date", "evidence": "Input.Text"}
    assert all(f["label"] == content.field(name).label for name, f in fields.items())
    assert fields["who"]["placeholder"] == "A name or work email"
    assert fields["where"]["maxLength"] == 500 and not fields["where"]["isMultiline"]
    assert fields["what"]["isMultiline"] and fields["what"]["maxLength"] == 4000
    assert fields["evidence"]["isMultiline"] and fields["evidence"]["maxLength"] == 2000
    assert all(f["errorMessage"].startswith("This one is needed.") for f in fields.values() if f["isRequired"])
    assert not any("errorMessage" in f or "value" in f for f in fields.values() if not f["isRequired"])
    assert "One link a line." in texts(card) and any("patients' details" in t for t in texts(card))
    assert card["actions"] == [{"type": "Action.Submit", "title": "Send report", "style": "positive",
                                "data": {"snp": "report"}}]


def test_report_values_from_a_teams_submit(content: TicketContent) -> None:
    value = {  # activity.value: the action's data with the inputs merged in, by id
        "snp": "report", "who": "", "where": "Facebook, the ward's group",
        "what": "A photo of a patient\r\nwith a joke", "when": "2026-11-27",
        "evidence": "https://facebook.com/p/1\r\nhttps://x.com/p/2",
    }
    got = report_values(value)
    assert got == {"who": "", "where": "Facebook, the ward's group", "what": "A photo of a patient\nwith a joke",
                   "when": "2026-11-27", "evidence": "https://facebook.com/p/1\nhttps://x.com/p/2"}
    built = build_report(content, got)
    assert built.when == "2026-11-27" and built.evidence == ("https://facebook.com/p/1", "https://x.com/p/2")


def test_report_values_of_an_untouched_form_are_blank() -> None:
    assert report_values({"snp": "report"}) == dict.fromkeys(("who", "where", "what", "when", "evidence"), "")
    assert report_values(None) == dict.fromkeys(("who", "where", "what", "when", "evidence"), "")
    assert report_values({"who": None, "when": 20261127})["when"] == "20261127"


def test_a_refused_report_comes_back_with_what_was_typed_and_the_error_above_the_field(
        content: TicketContent) -> None:
    values = report_values({"snp": "report", "who": "Olu", "where": "Facebook", "what": "A joke about a patient",
                            "when": "2026-11-27", "evidence": "not-a-link"})
    with pytest.raises(ReportInvalid) as refused:
        build_report(content, values)
    assert refused.value.field == "evidence"
    card = report_card_with_error(content, values, refused.value.field, str(refused.value),
                                  title="Social Networking Policy")
    assert_valid(card)
    fields = inputs(card)
    assert {name: f.get("value") for name, f in fields.items()} == {
        "who": "Olu", "where": "Facebook", "what": "A joke about a patient", "when": "2026-11-27",
        "evidence": "not-a-link"}
    body = card["body"]
    error = next(i for i, e in enumerate(body) if e.get("color") == "attention")
    assert body[error]["text"] == str(refused.value) and "not-a-link" in body[error]["text"]
    assert body[error + 1]["id"] == "evidence"
    assert card["actions"][0]["data"] == {"snp": "report"}


def test_an_error_about_no_field_goes_above_the_first_and_a_bad_date_is_left_out(content: TicketContent) -> None:
    values = {"who": "", "where": "x", "what": "y", "when": "yesterday evening", "evidence": ""}
    card = report_card_with_error(content, values, "elsewhere", "Something is wrong.", title="the policy")
    assert_valid(card)
    error = next(i for i, e in enumerate(card["body"]) if e.get("color") == "attention")
    assert card["body"][error + 1]["id"] == "who"
    assert "value" not in inputs(card)["when"]
    with pytest.raises(ReportInvalid) as refused:
        check_field(content, "where", "")
    card = report_card_with_error(content, values, "where", str(refused.value), title="the policy")
    error = next(i for i, e in enumerate(card["body"]) if e.get("color") == "attention")
    assert card["body"][error + 1]["id"] == "where"
