"""The core's replies, notifications and ticket forms as Slack Block Kit.

The core is platform-neutral: it returns a `Reply`, a `Delivery` or a `TicketView`, and this module
turns them into the plain dicts and lists the Slack Web API takes. The functions do no I/O and hold
no Slack client, so the Slack app stays a thin layer around them and what a Slack user sees can be
tested without Slack. (The one exception is wording: a sentence an organisation's older content
folder lacks is taken from the shipped file, read once.)

Slack's limits are kept here rather than left to Slack to reject: at most 50 blocks in a message and
100 in a modal, 3,000 characters in a section, 75 in a button's text and 2,000 in its value. Long
text is split at paragraph, line or word boundaries; what still does not fit is cut, and the
message says so. Text that came from a person or from the policy is escaped (`&`, `<`, `>`), so a
draft holding `<!channel>` or a link cannot become a mention or a link; the bot's own formatting
(bold, quotes, the policy link) is added after escaping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.policy.wording import review_words as _review_words
from bot.policy.wording import say as _say
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

# --- Slack's limits ---------------------------------------------------------------------------

MAX_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
SECTION_TEXT = 3000
CONTEXT_TEXT = 3000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTIONS_ELEMENTS = 25
LABEL_TEXT = 2000
MODAL_TITLE = 24
MODAL_BUTTON = 24
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
INPUT_MAX_LENGTH = 3000
PRIVATE_METADATA = 3000
#: The `text` of a message: what notifications and screen readers show. Counted in UTF-8 bytes,
#: after escaping, which is never more than the characters Slack allows.
NOTIFICATION_TEXT = 4000
#: Slack documents no limit for a field's error; a long one is cut so it reads under the field.
ERROR_TEXT = 2000
#: The longest draft the check dialog takes (a plain-text input holds at most 3,000 characters).
CHECK_DRAFT_LENGTH = 3000

# --- The ids the Slack app listens for --------------------------------------------------------

OFFER_ACTIONS = {"ask": "snp_offer_ask", "check": "snp_offer_check"}
OFFER_BLOCK = "snp_offer"
#: The button under a "/snp-report" typed in a DM: a message cannot open a dialog, a click can.
OPEN_REPORT_ACTION = "snp_open_report"
OPEN_REPORT_BLOCK = "snp_open_report"
NOTICE_CALLBACK = "snp_notice"
TICKET_ACTION = "snp_ticket:"
TICKET_BLOCK = "snp_ticket_actions:"
REPORT_CALLBACK = "snp_report"
CHECK_CALLBACK = "snp_check"
#: The report dialog's inputs: each block's id is also its element's action id.
REPORT_BLOCKS = ("who_user", "who", "where", "what", "when", "evidence")
#: A form field's block, for an error the core raises about that field.
FIELD_BLOCKS = {name: name for name in REPORT_BLOCKS}
MULTILINE_FIELDS = frozenset({"what", "evidence"})
#: Hints from tickets.yaml where the field's console prompt does not suit a dialog.
FIELD_HINTS = {"who": "report_who_other_hint", "when": "report_when_hint", "evidence": "report_evidence_hint"}
DRAFT_BLOCK = "draft"
VERDICTS = ("ok", "caution", "breach_risk")
BUTTON_STYLES = {"acknowledge": "primary", "refer_disciplinary": "danger"}
#: Steps that cannot be undone, so Slack asks "are you sure?" before sending the click.
CONFIRMED_ACTIONS = frozenset({"refer_disciplinary", "close"})


# --- Text ---------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's mrkdwn escaping, for text from a person or the policy: `<` and `&` start Slack's
    control sequences (links, mentions such as `<!channel>`), so they must arrive as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback_text(text: str) -> str:
    """The message's `text` field: what a notification, a screen reader or an old client shows
    instead of the blocks. Escaped like the blocks, and cut to fit."""
    escaped = escape(text.strip())
    if len(escaped.encode("utf-8")) <= NOTIFICATION_TEXT:
        return escaped
    budget = NOTIFICATION_TEXT - len("…".encode())
    head = escaped[:budget]
    while len(head.encode("utf-8")) > budget:
        head = head[:len(head) - max(1, (len(head.encode("utf-8")) - budget) // 4)]
    return _word_end(head, escaped=True) + "…"


def _word_end(head: str, *, escaped: bool) -> str:
    """`head` without a word (or in escaped text an entity) cut in half at its end."""
    head = word_end(head)
    return _entity_safe(head).rstrip() if escaped else head


def _entity_safe(head: str) -> str:
    """`head` without a trailing half of an entity ("&am" of "&amp;")."""
    amp = head.rfind("&", max(0, len(head) - 5))
    return head[:amp] if amp != -1 and ";" not in head[amp:] else head


def _cut(text: str, limit: int, *, escaped: bool = False) -> str:
    """`text` in at most `limit` characters, ending "…" when cut."""
    text = text.strip()
    return text if len(text) <= limit else _word_end(text[:limit - 1], escaped=escaped) + "…"


def _split(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """Escaped text in pieces that fit a section, never cutting an entity in half."""
    return split_text(text, limit, safe_cut=_entity_safe)


def _quoted(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """Text as mrkdwn quote lines ("> …"), escaped and in pieces that fit a section; a piece that
    starts inside a long line is quoted too. Blank lines are dropped: a bare ">" is not a quote."""
    lines = [f"> {line}" for line in escape(text.strip()).split("\n") if line.strip()]
    return [piece if piece.startswith("> ") else f"> {piece}" for piece in _split("\n".join(lines), limit - 2)]


def _plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": _cut(text, limit) or "…"}


def _section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _context(mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(mrkdwn, CONTEXT_TEXT, escaped=True)}]}


def _text_blocks(text: str) -> list[dict]:
    """The core's plain text as sections, escaped: it may hold a person's or the policy's words."""
    return [_section(piece) for piece in _split(escape(text))]


def _pack(pieces: Sequence[str], separator: str = "\n") -> list[dict]:
    """Mrkdwn pieces (each within a section's limit) as few sections as hold them, in order: one
    finding or citation stays one block unless it is too long for one."""
    texts: list[str] = []
    for piece in pieces:
        if texts and len(texts[-1]) + len(separator) + len(piece) <= SECTION_TEXT:
            texts[-1] += separator + piece
        else:
            texts.append(piece)
    return [_section(text) for text in texts if text]


def _fit(body: list[dict], tail: list[dict], shortened: str, limit: int = MAX_BLOCKS) -> list[dict]:
    """`body` then `tail` (the buttons and the source line, which matter most to keep), cut to
    Slack's block limit with a line saying the message was shortened."""
    if len(body) + len(tail) <= limit:
        return body + tail
    return body[:limit - len(tail) - 1] + [_context(escape(shortened))] + tail


def _url(url: str) -> str:
    """A URL fit to stand inside Slack's `<url|label>`."""
    return url.strip().replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


# --- Wording ------------------------------------------------------------------------------------


# --- Replies ------------------------------------------------------------------------------------


def reply_blocks(reply: Reply, meta: PolicyMeta, policy_url: str | None = None, offer_text: str = "", *,
                 original: str = "", messages: Mapping[str, str] | None = None,
                 lexicon: Lexicon | None = None) -> list[dict]:
    """A reply as blocks: an answer with its quoted clauses and source line, a review with its
    verdict, findings and safer version, anything else as text; then the offer of the other
    reading as a button, or for the report form a button that opens it.

    `original` is what the person sent: the offer button carries it back (so the app can re-run
    it as a question or a draft); without it, or when it is too long for a button, `offer_text`
    is shown instead. `messages` (the policy's messages.yaml) and `lexicon` (the
    reviewer's) give the wording; the shipped files are used where they are not given.
    """
    if reply.kind == "answer" and reply.citations:
        body, tail = _answer_blocks(reply, meta, policy_url, messages)
    elif reply.kind == "review" and reply.verdict in VERDICTS:
        body, tail = _review_blocks(reply, meta, messages, lexicon), []
    else:
        body, tail = _text_blocks(reply.text), []
    tail += _offer_blocks(reply.offer, original, offer_text, meta, messages)
    if reply.kind == "form" and reply.form == "report":
        button = {"type": "button", "action_id": OPEN_REPORT_ACTION, "value": "report", "style": "primary",
                  "text": _plain(_say(messages, "report_form_button", meta), BUTTON_TEXT)}
        tail.append({"type": "actions", "block_id": OPEN_REPORT_BLOCK, "elements": [button]})
    return _fit(body, tail, _say(messages, "reply_shortened", meta))


def _answer_blocks(reply: Reply, meta: PolicyMeta, policy_url: str | None,
                   messages: Mapping[str, str] | None) -> tuple[list[dict], list[dict]]:
    """The answer's paragraphs in order, each quoted clause as a quote under its summary, and the
    source line as a context line at the end (the text's own source line is left out).

    The paragraphs come from `reply.text`, so the "see also", related policies and review-date
    note stay; citations the text does not quote are the "see also" ones and stay a mention. If
    the text quotes none of them, every citation is quoted after the text.
    """
    body: list[dict] = []
    shown: list[Citation] = []
    prose: list[str] = []  # paragraphs waiting to be packed together, a section for several
    for paragraph in (p.strip() for p in reply.text.split("\n\n")):
        citation = next((c for c in reply.citations if c.quote and c.quote in paragraph and c not in shown), None)
        if citation is not None:
            body += _pack(prose, "\n\n") + _citation_blocks(citation)
            prose = []
            shown.append(citation)
        elif paragraph and not (meta.number in paragraph and meta.version in paragraph):
            prose += _split(escape(paragraph))
    body += _pack(prose, "\n\n")
    if not shown:
        shown = list(reply.citations)
        body += [block for citation in shown for block in _citation_blocks(citation)]
    clauses = ", ".join(dict.fromkeys(c.clause for c in shown))
    source = escape(_say(messages, "citation_source", meta, clauses=clauses))
    if policy_url and policy_url.strip():
        source += f" · <{_url(policy_url)}|{escape(_say(messages, 'policy_link_label', meta))}>"
    return body, [_context(source)]


def _citation_blocks(citation: Citation) -> list[dict]:
    summary = _split(escape(citation.summary)) if citation.summary.strip() else []
    return _pack([*summary, *_quoted(f'"{citation.quote}" ({citation.clause})')])


def _review_blocks(reply: Reply, meta: PolicyMeta, messages: Mapping[str, str] | None,
                   lexicon: Lexicon | None) -> list[dict]:
    """The verdict in words over the verdict sentence, each finding (what it is, the clause, the
    words that cause it, the advice), then the safer version as a quote, or word that there is none."""
    titles, sentences = _review_words(lexicon)
    facts = {"title": meta.title, "number": meta.number}
    label = _say(messages, f"verdict_label_{reply.verdict}", meta)
    blocks = _pack([f"*{escape(label)}*", *_split(escape(sentences[f"verdict_{reply.verdict}"].format(**facts)))])
    for finding in reply.findings:
        blocks += _finding_blocks(finding, titles, messages, meta)
    if reply.rewrite and reply.rewrite.strip():
        blocks += _pack([f"*{escape(sentences['rewrite_intro'])}*", *_quoted(reply.rewrite)])
    elif reply.findings:
        blocks += _text_blocks(sentences["rewrite_none"])
    return blocks


def _finding_blocks(finding: Finding, titles: Mapping[str, str], messages: Mapping[str, str] | None,
                    meta: PolicyMeta) -> list[dict]:
    title = titles.get(finding.category) or finding.category.replace("_", " ").capitalize()
    severity = _say(messages, f"verdict_label_{finding.severity}", meta)
    head = f"*{escape(title)}* · clause {escape(finding.clause)} · {escape(severity)}"
    evidence = _quoted(f"\u201c{' '.join(finding.evidence.split())}\u201d")
    return _pack([head, *evidence, *_split(escape(finding.advice))])


def _offer_blocks(offer: str, original: str, offer_text: str, meta: PolicyMeta,
                  messages: Mapping[str, str] | None) -> list[dict]:
    """One button that re-sends the message read the other way, or the offer in words when the
    message cannot ride in a button (Slack's 2,000-character value)."""
    action_id = OFFER_ACTIONS.get(offer)
    if action_id is None:
        return []
    if original.strip() and len(original) <= BUTTON_VALUE:
        button = {"type": "button", "action_id": action_id, "value": original,
                  "text": _plain(_say(messages, f"offer_{offer}_button", meta), BUTTON_TEXT)}
        return [{"type": "actions", "block_id": OFFER_BLOCK, "elements": [button]}]
    words = offer_text.strip() or _say(messages, f"offer_{offer}", meta)
    return [_context(escape(words))]


# --- Notifications and tickets ------------------------------------------------------------------


def delivery_blocks(delivery: Delivery, *, content: TicketContent | None = None) -> list[dict]:
    """A notification: its text, then the workflow buttons the core offers the recipient.

    `content` is the organisation's tickets.yaml (for the confirmation dialogs); the shipped one
    when not given.
    """
    if content is None:
        from bot.ticket.content import load_ticket_content

        content = load_ticket_content()
    tail = _ticket_actions(delivery.reference, delivery.buttons, content)
    return _fit(_text_blocks(delivery.text), tail, content.say("message_shortened"))


def ticket_blocks(view: TicketView, content: TicketContent, buttons: Sequence[Button], note: str = "") -> list[dict]:
    """What a handler's message becomes after a click: what happened (`note`), the ticket as the
    handler may now see it, and the buttons for its new state (none when nothing is left to do)."""
    body = [_context(escape(note))] if note.strip() else []
    body += _text_blocks(describe_ticket(view, content))
    return _fit(body, _ticket_actions(view.reference, buttons, content), content.say("message_shortened"))


def _ticket_actions(reference: str, buttons: Sequence[Button], content: TicketContent) -> list[dict]:
    """The buttons as one actions block, named by the ticket's reference; the value of each is the
    ticket's unguessable id, and the core decides whether the clicker may take the step."""
    elements: list[dict] = []
    for button in buttons:
        if len(elements) < ACTIONS_ELEMENTS and all(e["action_id"] != TICKET_ACTION + button.action for e in elements):
            elements.append(_ticket_button(button, reference, content))
    if not elements:
        return []
    return [{"type": "actions", "block_id": TICKET_BLOCK + reference, "elements": elements}]


def _ticket_button(button: Button, reference: str, content: TicketContent) -> dict:
    element: dict[str, Any] = {"type": "button", "action_id": TICKET_ACTION + button.action,
                               "text": _plain(button.label, BUTTON_TEXT), "value": button.ticket[:BUTTON_VALUE]}
    if button.action in BUTTON_STYLES:
        element["style"] = BUTTON_STYLES[button.action]
    if button.action in CONFIRMED_ACTIONS:
        confirm = {
            "title": _plain(content.say(f"confirm_{button.action}_title", reference=reference), CONFIRM_TITLE),
            "text": _plain(content.say(f"confirm_{button.action}_text", reference=reference), CONFIRM_TEXT),
            "confirm": _plain(content.say(f"confirm_{button.action}_yes"), CONFIRM_BUTTON),
            "deny": _plain(content.say("confirm_no"), CONFIRM_BUTTON),
        }
        element["confirm"] = {**confirm, "style": "danger"} if button.action == "refer_disciplinary" else confirm
    return element


# --- Dialogs ------------------------------------------------------------------------------------


def report_modal(content: TicketContent, *, title: str = "policy", private_metadata: str = "") -> dict:
    """The breach report (section 7.1) as a dialog: the console's questions as inputs named after
    the form's fields, each as required and as long as tickets.yaml says.

    "Who" is two inputs, a person picker for someone in Slack and a text box for anyone else; "when"
    is a date. `title` is the policy's title, for the introduction; `private_metadata` comes back
    with the submission (Slack allows 3,000 characters, and a longer one is refused, not cut).
    """
    intro = content.say("report_intro", title=title).split("\n")[0]
    blocks = [_section(escape(intro)), _context(escape(content.say("report_modal_recorded")))]
    for spec in content.form:
        blocks += _field_inputs(spec, content)
    view = {"type": "modal", "callback_id": REPORT_CALLBACK,
            "title": _plain(content.say("report_modal_title"), MODAL_TITLE),
            "submit": _plain(content.say("report_modal_submit"), MODAL_BUTTON),
            "close": _plain(content.say("report_modal_close"), MODAL_BUTTON),
            "blocks": blocks[:MAX_MODAL_BLOCKS]}
    return _with_metadata(view, private_metadata)


def _field_inputs(spec: FormField, content: TicketContent) -> list[dict]:
    hint = content.say(FIELD_HINTS[spec.name]) if spec.name in FIELD_HINTS else spec.prompt
    if spec.name == "when":
        element: dict[str, Any] = {"type": "datepicker", "action_id": spec.name}
    else:
        element = {"type": "plain_text_input", "action_id": spec.name, "multiline": spec.name in MULTILINE_FIELDS,
                   "max_length": min(spec.max_length, INPUT_MAX_LENGTH)}
    blocks = [_input(spec.name, spec.label, element, optional=not spec.required, hint=hint)]
    if spec.name == "who":
        picker = {"type": "users_select", "action_id": "who_user"}
        blocks.insert(0, _input("who_user", content.say("report_who_user_label"), picker, optional=not spec.required))
    return blocks


def _input(block_id: str, label: str, element: dict, *, optional: bool, hint: str = "") -> dict:
    block = {"type": "input", "block_id": block_id, "optional": optional,
             "label": _plain(label, LABEL_TEXT), "element": element}
    return {**block, "hint": _plain(hint, LABEL_TEXT)} if hint.strip() else block


def _with_metadata(view: dict, private_metadata: str) -> dict:
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError(f"private_metadata is {len(private_metadata)} characters; Slack takes {PRIVATE_METADATA}")
    return {**view, "private_metadata": private_metadata} if private_metadata else view


def report_values(state_values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, str]:
    """The report dialog's answers from a view_submission's `view["state"]["values"]`, by field
    name, "" for anything left empty: `who_user` is a Slack user id for the app to look up, the
    rest go to the core's `build_report` (which checks them) once `who` is settled."""
    values: dict[str, str] = {}
    for block_id in REPORT_BLOCKS:
        actions = state_values.get(block_id) or {}
        action = actions.get(block_id) or next(iter(actions.values()), {})
        values[block_id] = _selected(action)
    return values


def _selected(action: Mapping[str, Any]) -> str:
    """What one input holds, whichever kind of element it is."""
    key = {"plain_text_input": "value", "users_select": "selected_user", "datepicker": "selected_date"}.get(
        action.get("type", ""))
    value = action.get(key) if key else next(
        (action[k] for k in ("value", "selected_user", "selected_date") if action.get(k) is not None), None)
    return "" if value is None else str(value)


def field_errors(field: str, message: str) -> dict:
    """The answer to a view_submission whose field the core refused (`ReportInvalid`): Slack shows
    the message under that field and keeps the dialog open with what was typed."""
    return {"response_action": "errors", "errors": {FIELD_BLOCKS.get(field, field): _cut(message, ERROR_TEXT)}}


def check_modal(*, private_metadata: str = "", messages: Mapping[str, str] | None = None) -> dict:
    """The /snp-check dialog: one box for the draft (Slack's input holds 3,000 characters; longer
    drafts can still be sent as a "check:" message)."""
    element = {"type": "plain_text_input", "action_id": DRAFT_BLOCK, "multiline": True, "max_length": CHECK_DRAFT_LENGTH}
    view = {"type": "modal", "callback_id": CHECK_CALLBACK,
            "title": _plain(_say(messages, "check_modal_title"), MODAL_TITLE),
            "submit": _plain(_say(messages, "check_modal_submit"), MODAL_BUTTON),
            "close": _plain(_say(messages, "check_modal_close"), MODAL_BUTTON),
            "blocks": [_input(DRAFT_BLOCK, _say(messages, "check_modal_label"), element, optional=False,
                              hint=_say(messages, "check_modal_hint"))]}
    return _with_metadata(view, private_metadata)


def notice_modal(text: str, *, messages: Mapping[str, str] | None = None, title: str = "") -> dict:
    """A dialog that only tells something (why the report form cannot be used, say, or that a
    report was received): the text and a button to close it, so a dialog already open is replaced
    rather than left half-usable."""
    return {"type": "modal", "callback_id": NOTICE_CALLBACK,
            "title": _plain(title or _say(messages, "notice_modal_title"), MODAL_TITLE),
            "close": _plain(_say(messages, "notice_modal_close"), MODAL_BUTTON),
            "blocks": _text_blocks(text)[:MAX_MODAL_BLOCKS]}
