"""The core's replies, notifications and ticket forms as Adaptive Cards for Microsoft Teams.

The Teams counterpart of `adapters.slack.blocks`: the same inputs (a `Reply`, a `Delivery`, a
`TicketView`), the same wording (messages.yaml, tickets.yaml and the reviewer's lexicon, the
shipped files where an organisation's older copy lacks a sentence), and plain dicts out, so what a
Teams user sees can be tested without Teams. Nothing here does I/O or knows botbuilder.

Cards are schema 1.5. Every action the bot listens for carries a JSON object as its `data`, with
`"snp"` naming what it is:

- `Action.Submit` `{"snp": "offer", "as": "ask"|"check", "text": <the message>}`: read it the other way;
- `Action.Submit` `{"snp": "open_report"}`: send the report form;
- `Action.Submit` `{"snp": "report"}`: the report form, its inputs (`who`, `where`, `what`, `when`,
  `evidence`) merged into the same object by Teams (`report_values` reads them);
- `Action.Execute` verb `snp_ticket`, `{"snp": "ticket", "step": <action>, "ticket": <public id>}`:
  a workflow step; the steps that cannot be undone sit behind an `Action.ShowCard` that asks first.

Teams' limits are kept here rather than left to Teams to refuse: a bot's message must stay under
28 KB (Microsoft now documents 40 KB, counted in UTF-16; the older, smaller figure is kept), so a
card is measured the way either count would measure it and cut, with a line saying it was
shortened, before it gets there. Long text is split into blocks at paragraph, line or word
boundaries.

Text that came from a person or from the policy is cleaned: control characters, bidirectional
overrides and lone surrogates are dropped, and Markdown's link syntax `[words](address)` is
broken apart so a draft or a report cannot show a disguised link (a bare address is still shown,
as the address). Teams renders no HTML in a card, so nothing else needs escaping; the bot's own
emphasis is given by TextBlock properties, not by Markdown in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.policy.wording import review_words as _review_words
from bot.policy.wording import say as _say
from bot.policy.wording import tickets_say as _tickets_say
from bot.text import split_text, word_end
from bot.ticket.views import describe_ticket

if TYPE_CHECKING:
    from bot.answer.models import Citation
    from bot.conversation.models import Reply
    from bot.notify.channel import Button, Delivery
    from bot.policy.models import PolicyMeta
    from bot.review.lexicon import Lexicon
    from bot.review.models import Finding
    from bot.ticket.content import FormField, TicketContent
    from bot.ticket.service import TicketView

# --- Adaptive Cards and Teams' limits -------------------------------------------------------------

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
#: A bot's whole message (the activity with its card); see `payload_size` for how it is counted.
MESSAGE_BYTES = 28 * 1024
#: What the activity around the card takes (ids, addresses, the conversation, a summary).
ENVELOPE_BYTES = 2 * 1024
CARD_BYTES = MESSAGE_BYTES - ENVELOPE_BYTES
#: The most characters in one TextBlock: long text becomes several, which a cut can keep some of.
TEXT_PIECE = 2000
#: A button's title: Teams shows a short line and cuts the rest; this keeps the JSON small too.
ACTION_TITLE = 75
#: Teams shows a row of at most six actions (the rest would go into an overflow menu).
MAX_ACTIONS = 6
#: The most an offer button carries back (the person's message, in its `data`); a longer message
#: is offered in words instead, as Slack does past its 2,000-character button value.
OFFER_BYTES = 8 * 1024
#: A TextBlock cut to fit is dropped instead when less than this is left of it.
MIN_CUT_TEXT = 40

# --- What the bot listens for ---------------------------------------------------------------------

#: `data["snp"]` of each action.
OFFER = "offer"
OPEN_REPORT = "open_report"
REPORT = "report"
TICKET = "ticket"
#: `Action.Execute`'s verb for a workflow step.
TICKET_VERB = "snp_ticket"
OFFERS = ("ask", "check")
#: The report form's inputs, by the form field each fills.
REPORT_FIELDS = ("who", "where", "what", "when", "evidence")
MULTILINE_FIELDS = frozenset({"what", "evidence"})
#: Hints (under the input) from tickets.yaml where the field's console prompt does not suit a card.
FIELD_HINTS = {"when": "report_when_hint", "evidence": "report_evidence_hint"}
#: Placeholders (inside the empty input) from tickets.yaml.
FIELD_PLACEHOLDERS = {"who": "report_who_placeholder"}
VERDICTS = ("ok", "caution", "breach_risk")
VERDICT_COLORS = {"ok": "good", "caution": "warning", "breach_risk": "attention"}
ACTION_STYLES = {"acknowledge": "positive", "refer_disciplinary": "destructive"}
#: Steps that cannot be undone: the button opens a card that asks "are you sure?" first.
CONFIRMED_ACTIONS = frozenset({"refer_disciplinary", "close"})


# --- Text -----------------------------------------------------------------------------------------

#: C0 and C1 controls (a newline stays, a tab becomes a space), bidirectional embeddings, overrides
#: and isolates (which can make text read other than it is), a byte-order mark, lone surrogates.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")
#: `](` ends a Markdown link's words and starts its address; a space between them ends the link.
_LINK = re.compile(r"\]\s*\(")


def clean(text: str) -> str:
    """Text without what a card should not show: control characters (newlines kept, as "\\n"),
    bidirectional overrides, lone surrogates."""
    return _UNWANTED.sub("", _NEWLINES.sub("\n", text).replace("\t", " "))


def _md(text: str) -> str:
    """Cleaned text fit for a TextBlock's Markdown: a person's `[words](address)` is not a link."""
    return _LINK.sub("] (", clean(text))


def payload_size(payload: Any) -> int:
    """What `payload` can weigh on the wire, the larger of two counts: the JSON in UTF-16 (how
    Teams counts a message now) and the JSON with non-ASCII characters escaped (how a serializer
    may send it, and the older limit's count)."""
    return max(len(json.dumps(payload, ensure_ascii=False).encode("utf-16-le")),
               len(json.dumps(payload).encode("ascii")))


def text_fallback(text: str, *, messages: Mapping[str, str] | None = None) -> str:
    """A reply or notification as plain text, for a message's `text` or `summary` (send it with
    `textFormat` "plain"): cleaned, and cut to fit a message with the note that it was shortened."""
    text = _md(text).strip()
    if payload_size(text) <= CARD_BYTES:
        return text
    note = "\n\n" + _say(messages, "reply_shortened")
    return _cut_to(text, CARD_BYTES - payload_size(note)) + note


def _cut_to(text: str, budget: int) -> str:
    """`text` cut at a word's end to weigh at most `budget` (by `payload_size`), ending "…"."""
    while text and payload_size(text + "…") > budget:
        text = text[:max(0, min(len(text) - 1, len(text) * budget // payload_size(text + "…")))]
    return word_end(text) + "…" if text else ""


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else word_end(text[:limit - 1]) + "…"


def _split(text: str, limit: int = TEXT_PIECE) -> list[str]:
    return split_text(text, limit)


def _breaks(text: str) -> str:
    """A TextBlock shows a single newline as a space: a line of the core's text is kept a line by
    Markdown's paragraph break. Blank lines and trailing spaces go."""
    return "\n\n".join(line.rstrip() for line in text.split("\n") if line.strip())


# --- Elements -------------------------------------------------------------------------------------


def _text(text: str, **style: Any) -> dict:
    """One TextBlock of text already made fit (`_md`, `_breaks`)."""
    return {"type": "TextBlock", "text": text or "…", "wrap": True, **style}


def _texts(text: str, **style: Any) -> list[dict]:
    """A person's, the policy's or the bot's text as TextBlocks: a paragraph each, split where long."""
    paragraphs = (p for p in _md(text).split("\n\n") if p.strip())
    return [_text(_breaks(piece), **style) for paragraph in paragraphs for piece in _split(paragraph)]


def _quote(text: str) -> dict:
    """Quoted words (the policy's, a draft's) set apart in a shaded box: Teams' Markdown has no
    quotes."""
    return {"type": "Container", "style": "emphasis", "items": _texts(text) or [_text("…")]}


def _small(text: str, **style: Any) -> dict:
    return _text(_breaks(_md(text).strip()), size="small", isSubtle=True, **style)


def _title(text: str, limit: int = ACTION_TITLE) -> str:
    return _cut(" ".join(clean(text).split()), limit) or "…"


def _card(body: list[dict], actions: Sequence[dict] = ()) -> dict:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
                            "body": body or [_text("…")]}
    if actions:
        card["actions"] = list(actions)
    card["msteams"] = {"width": "Full"}
    return card


def attachment(card: dict) -> dict:
    """The card as a message attachment."""
    return {"contentType": CONTENT_TYPE, "content": card}


#: What a comma and a space between two elements of a list add to `payload_size`.
_SEPARATOR = 2 * 6


def _fit(body: list[dict], tail: list[dict], actions: Sequence[dict], shortened: str) -> dict:
    """A card of `body`, then `tail` (the source line), then `actions` (these two matter most to
    keep): whole if it fits the message, else `body` cut with a line saying so."""
    card = _card(body + tail, actions)
    if payload_size(attachment(card)) <= CARD_BYTES:
        return card
    notice = _small(shortened, spacing="medium")
    room = CARD_BYTES - payload_size(attachment(_card([notice, *tail], actions)))
    return _card([*_take(body, room), notice, *tail], actions)


def _take(elements: list[dict], room: int) -> list[dict]:
    """The elements from the start that fit in `room`: the last one cut short, text or box, where
    a useful part of it fits."""
    kept: list[dict] = []
    for element in elements:
        cost = payload_size(element) + _SEPARATOR
        if cost <= room:
            kept.append(element)
            room -= cost
            continue
        if element.get("type") == "Container" and element.get("items"):
            items = _take(element["items"], room - payload_size({**element, "items": []}) - _SEPARATOR)
            if items:
                kept.append({**element, "items": items})
        elif element.get("type") == "TextBlock":
            text = _cut_to(element["text"], room - payload_size({**element, "text": ""}) - _SEPARATOR)
            if len(text) >= MIN_CUT_TEXT:
                kept.append({**element, "text": text})
        break
    return kept


# --- Wording --------------------------------------------------------------------------------------


# --- Replies --------------------------------------------------------------------------------------


def reply_card(reply: Reply, meta: PolicyMeta, policy_url: str | None = None, offer_text: str = "", *,
               original: str = "", messages: Mapping[str, str] | None = None,
               lexicon: Lexicon | None = None) -> dict:
    """A reply as a card: an answer with its quoted clauses, source line and a button to the
    policy, a review with its verdict, findings and safer version, anything else as text; then
    the offer of the other reading as a button, or for the report form a button that asks for it.

    `original` is what the person sent: the offer button carries it back (the bot re-runs it as
    a question or a draft); without it, or when it is too long to carry, `offer_text` is shown
    instead. `messages` (the policy's messages.yaml) and `lexicon` (the reviewer's) give the
    wording; the shipped files are used where they are not given.
    """
    actions: list[dict] = []
    tail: list[dict] = []
    if reply.kind == "answer" and reply.citations:
        body, tail = _answer_body(reply, meta, messages)
        if policy_url and re.match(r"^https?://\S+$", policy_url.strip(), re.IGNORECASE):
            actions.append({"type": "Action.OpenUrl", "title": _title(_say(messages, "policy_link_label", meta)),
                            "url": policy_url.strip()})
    elif reply.kind == "review" and reply.verdict in VERDICTS:
        body = _review_body(reply, meta, messages, lexicon)
    else:
        body = _texts(reply.text)
    offer = _offer(reply.offer, original, meta, messages)
    if offer is not None:
        actions.append(offer)
    elif reply.offer in OFFERS:
        tail.append(_small(offer_text.strip() or _say(messages, f"offer_{reply.offer}", meta), spacing="medium"))
    if reply.kind == "form" and reply.form == "report":
        actions.append({"type": "Action.Submit", "title": _title(_say(messages, "report_form_button", meta)),
                        "style": "positive", "data": {"snp": OPEN_REPORT}})
    return _fit(body, tail, actions, _say(messages, "reply_shortened", meta))


def _answer_body(reply: Reply, meta: PolicyMeta,
                 messages: Mapping[str, str] | None) -> tuple[list[dict], list[dict]]:
    """The answer's paragraphs in order, each quoted clause in a box under its summary, and the
    source line at the end (the text's own source line is left out).

    The paragraphs come from `reply.text`, so the "see also", related policies and review-date
    note stay; citations the text does not quote are the "see also" ones and stay a mention. If
    the text quotes none of them, every citation is quoted after the text.
    """
    body: list[dict] = []
    shown: list[Citation] = []
    for paragraph in (p.strip() for p in reply.text.split("\n\n")):
        citation = next((c for c in reply.citations if c.quote and c.quote in paragraph and c not in shown), None)
        if citation is not None:
            body += _citation(citation)
            shown.append(citation)
        elif paragraph and not (meta.number in paragraph and meta.version in paragraph):
            body += _texts(paragraph)
    if not shown:
        shown = list(reply.citations)
        body += [element for citation in shown for element in _citation(citation)]
    clauses = ", ".join(dict.fromkeys(c.clause for c in shown))
    return body, [_small(_say(messages, "citation_source", meta, clauses=clauses), spacing="medium")]


def _citation(citation: Citation) -> list[dict]:
    summary = _texts(citation.summary) if citation.summary.strip() else []
    return [*summary, _quote(f'"{citation.quote.strip()}" ({citation.clause})')]


def _review_body(reply: Reply, meta: PolicyMeta, messages: Mapping[str, str] | None,
                 lexicon: Lexicon | None) -> list[dict]:
    """The verdict in words (coloured) over the verdict sentence, each finding (what it is, the
    clause, the words that cause it, the advice), then the safer version, or word that there is none."""
    titles, sentences = _review_words(lexicon)
    facts = {"title": meta.title, "number": meta.number}
    label = _say(messages, f"verdict_label_{reply.verdict}", meta)
    body = [_text(_md(label), size="medium", weight="bolder", color=VERDICT_COLORS[reply.verdict])]
    body += _texts(sentences[f"verdict_{reply.verdict}"].format(**facts))
    for finding in reply.findings:
        body.append(_finding(finding, titles, messages, meta))
    if reply.rewrite and reply.rewrite.strip():
        body += [_text(_md(sentences["rewrite_intro"]), weight="bolder", spacing="medium"), _quote(reply.rewrite)]
    elif reply.findings:
        body += _texts(sentences["rewrite_none"])
    return body


def _finding(finding: Finding, titles: Mapping[str, str], messages: Mapping[str, str] | None,
             meta: PolicyMeta) -> dict:
    title = titles.get(finding.category) or finding.category.replace("_", " ").capitalize()
    severity = _say(messages, f"verdict_label_{finding.severity}", meta)
    items = [_text(_md(title), weight="bolder"),
             _text(_md(f"clause {finding.clause} · {severity}"), isSubtle=True, spacing="none",
                   color=VERDICT_COLORS.get(finding.severity, "default")),
             _quote(f"\u201c{' '.join(finding.evidence.split())}\u201d"),
             *_texts(finding.advice)]
    return {"type": "Container", "separator": True, "spacing": "medium", "items": items}


def _offer(offer: str, original: str, meta: PolicyMeta, messages: Mapping[str, str] | None) -> dict | None:
    """The button that re-sends the message read the other way, or None when there is no offer or
    the message is too long to carry (the offer is then shown in words)."""
    if offer not in OFFERS or not original.strip():
        return None
    action = {"type": "Action.Submit", "title": _title(_say(messages, f"offer_{offer}_button", meta)),
              "data": {"snp": OFFER, "as": offer, "text": original}}
    return action if payload_size(action) <= OFFER_BYTES else None


# --- Notifications and tickets --------------------------------------------------------------------


def delivery_card(delivery: Delivery, *, content: TicketContent | None = None) -> dict:
    """A notification: its text, then the workflow steps the core offers the recipient.

    `content` is the organisation's tickets.yaml (for the confirmations); the shipped one when
    not given.
    """
    if content is None:
        from bot.ticket.content import load_ticket_content

        content = load_ticket_content()
    actions = _ticket_actions(delivery.reference, delivery.buttons, content)
    return _fit(_texts(delivery.text), [], actions, _tickets_say(content, "message_shortened"))


def ticket_card(view: TicketView, content: TicketContent, buttons: Sequence[Button], note: str = "") -> dict:
    """What a handler's card becomes after a step (the answer to the Action.Execute, which Teams
    puts in the card's place): what happened (`note`), the ticket as the handler may now see it,
    and the steps left for its new state (none when nothing is left to do)."""
    body = [_small(note)] if note.strip() else []
    body += _texts(describe_ticket(view, content))
    actions = _ticket_actions(view.reference, buttons, content)
    return _fit(body, [], actions, _tickets_say(content, "message_shortened"))


def _ticket_actions(reference: str, buttons: Sequence[Button], content: TicketContent) -> list[dict]:
    """One action a step, each step once; the data names the ticket by its unguessable id, and
    the core decides whether the clicker may take the step."""
    actions: list[dict] = []
    seen: set[str] = set()
    for button in buttons:
        if button.action not in seen and len(actions) < MAX_ACTIONS:
            seen.add(button.action)
            actions.append(_ticket_action(button, reference, content))
    return actions


def _ticket_action(button: Button, reference: str, content: TicketContent) -> dict:
    execute = _execute(_title(button.label), {"snp": TICKET, "step": button.action, "ticket": button.ticket},
                       ACTION_STYLES.get(button.action))
    if button.action not in CONFIRMED_ACTIONS:
        return execute
    yes = _title(_tickets_say(content, f"confirm_{button.action}_yes"))
    ask = {"type": "AdaptiveCard",
           "body": [_text(_md(_tickets_say(content, f"confirm_{button.action}_title", reference=reference)),
                          weight="bolder"),
                    *_texts(_tickets_say(content, f"confirm_{button.action}_text", reference=reference))],
           "actions": [_execute(yes, execute["data"], execute.get("style"))]}
    show: dict[str, Any] = {"type": "Action.ShowCard", "title": _title(button.label), "card": ask}
    if "style" in execute:
        show["style"] = execute["style"]
    return show


def _execute(title: str, data: dict, style: str | None) -> dict:
    """A workflow step as Action.Execute (Teams sends the bot an `adaptiveCard/action` invoke and
    puts the card it answers with in this one's place); a client that predates Action.Execute
    takes the same step as an Action.Submit with the same data."""
    action: dict[str, Any] = {"type": "Action.Execute", "verb": TICKET_VERB, "title": title, "data": data}
    if style:
        action["style"] = style
    submit = {key: value for key, value in action.items() if key != "verb"}
    return {**action, "fallback": {**submit, "type": "Action.Submit", "data": dict(data)}}


# --- The report form ------------------------------------------------------------------------------


def report_card(content: TicketContent, *, title: str, token: str = "") -> dict:
    """The breach report (section 7.1) as a card form: the console's questions as inputs named
    after the form's fields, each as required and as long as tickets.yaml says; "when" is a date.
    `title` is the policy's title, for the introduction.

    Teams checks the required inputs before it sends anything; the core checks every field again
    (`build_report`), and a refusal comes back as `report_card_with_error`. `token` is the form's
    one-time token: the card sent twice (a double click) opens one ticket.
    """
    return _report_form(content, title, {}, "", "", token)


def report_card_with_error(content: TicketContent, values: Mapping[str, str], field: str, message: str, *,
                           title: str, token: str = "") -> dict:
    """The form again with what was typed, and the core's refusal (`ReportInvalid`) in red above
    the field it is about (above the first field when it names none of them): Teams cannot show
    a bot's error inside a form, so the form is sent again."""
    return _report_form(content, title, values, field, message, token)


def _report_form(content: TicketContent, title: str, values: Mapping[str, str], field: str, error: str,
                 token: str = "") -> dict:
    intro = content.say("report_intro", title=title).split("\n")[0]
    body = [_text(_md(_tickets_say(content, "report_modal_title")), size="medium", weight="bolder"),
            *_texts(intro), _small(_tickets_say(content, "report_modal_recorded"))]
    names = [spec.name for spec in content.form]
    for spec in content.form:
        if error.strip() and (spec.name == field or (field not in names and spec.name == names[0])):
            body += _texts(error, color="attention", weight="bolder", spacing="medium")
        body += _field(spec, content, values.get(spec.name) or "")
    submit = {"type": "Action.Submit", "title": _title(_tickets_say(content, "report_modal_submit")),
              "style": "positive", "data": {"snp": REPORT, **({"form_token": token} if token else {})}}
    return _card(body, [submit])


def _field(spec: FormField, content: TicketContent, value: str) -> list[dict]:
    """A field's input, labelled, and under it the hint Slack shows under its field."""
    hint = _tickets_say(content, FIELD_HINTS[spec.name]) if spec.name in FIELD_HINTS else spec.prompt
    element: dict[str, Any] = {"id": spec.name, "label": _title(spec.label, 200), "isRequired": spec.required}
    if spec.required:  # what Teams shows when the field is left empty: the core's words, with the hint
        element["errorMessage"] = _title(content.say("report_field_required", prompt=hint), 500)
    if spec.name == "when":
        element = {"type": "Input.Date", **element}
        if _is_date(value):
            element["value"] = value.strip()
    else:
        element = {"type": "Input.Text", **element, "isMultiline": spec.name in MULTILINE_FIELDS,
                   "maxLength": spec.max_length}
        if spec.name in FIELD_PLACEHOLDERS:
            element["placeholder"] = _title(_tickets_say(content, FIELD_PLACEHOLDERS[spec.name]), 200)
        if value.strip():
            element["value"] = clean(value)
    return [element, _small(hint, spacing="small")] if hint.strip() else [element]


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()))


def report_values(value: Mapping[str, Any] | None) -> dict[str, str]:
    """The report form's answers from the Action.Submit's `activity.value` (Teams merges the
    inputs, by id, into the action's data), by field name, "" for anything left empty; then to
    the core's `build_report`, which checks them."""
    value = value if isinstance(value, Mapping) else {}
    answers: dict[str, str] = {}
    for name in REPORT_FIELDS:
        given = value.get(name)
        answers[name] = "" if given is None else _NEWLINES.sub("\n", str(given))
    return answers
