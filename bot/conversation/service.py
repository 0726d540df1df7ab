"""One entry point for every platform: a `Message` in, a `Reply` out.

The rules of interfaces.md live here, once for every platform: a message ending in "?" is a
question; one starting "check:" or "draft:", a "/snp-check" command or a quote block is a draft
to review; anything else is decided by its shape, and the reply offers the other reading.
"""

from __future__ import annotations

import re

from bot.answer import Answer, Answerer
from bot.conversation.models import Message, Reply
from bot.metrics import QUESTIONS, REVIEWS
from bot.review.messages import describe
from bot.review.models import Review
from bot.review.service import Reviewer

DRAFT_PREFIX = re.compile(r"^\s*(?:check|draft)\s*:\s*", re.IGNORECASE)
ASK_PREFIX = re.compile(r"^\s*(?:ask|question)\s*:\s*", re.IGNORECASE)
CHECK_COMMAND = re.compile(r"^\s*/?snp-check\b\s*", re.IGNORECASE)
REPORT_COMMAND = re.compile(r"^\s*/?snp-report\b\s*$", re.IGNORECASE)
SLASH_COMMAND = re.compile(r"^\s*/[a-z][\w-]*", re.IGNORECASE)
QUESTION_START = re.compile(
    r"^\s*(?:hi|hello|hey)?[,!\s]*(?:can|could|may|might|am|is|are|was|were|do|does|did|should|shall|will|would|"
    r"have|has|what|what's|whats|who|who's|whom|when|where|why|how|which|if|any|help|thanks|thank|"
    # the same, as typed in a hurry
    r"wat|wot|wht|whta|hw|cn|cud|cld|shud|shld|wud|wld)\b",
    re.IGNORECASE)


def route(text: str) -> tuple[str, str, bool]:
    """(intent, body, decided): intent is "question", "draft", "check_prompt", "report" or "unknown_command";
    `decided` is True
    when the bot chose by the message's shape rather than by an explicit rule."""
    if REPORT_COMMAND.match(text):
        return "report", "", False
    if match := CHECK_COMMAND.match(text):
        body = text[match.end():]
        return ("draft", body, False) if body.strip() else ("check_prompt", "", False)
    if match := SLASH_COMMAND.match(text):
        return "unknown_command", match.group(0).strip(), False
    if match := DRAFT_PREFIX.match(text):
        return "draft", text[match.end():], False
    if match := ASK_PREFIX.match(text):
        return "question", text[match.end():], False
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines and all(line.lstrip().startswith(">") for line in lines):
        return "draft", "\n".join(line.lstrip()[1:].strip() for line in lines), False
    if text.rstrip().endswith("?"):
        # "Off to the pub after a long shift, who's coming?" ends like a question but reads like a
        # post: unless it starts like one, the reply offers to check it as a draft.
        return "question", text, not QUESTION_START.match(text)
    return ("question" if QUESTION_START.match(text) or len(text.split()) <= 3 else "draft"), text, True


class Conversation:
    def __init__(self, answerer: Answerer, reviewer: Reviewer) -> None:
        self.answerer = answerer
        self.reviewer = reviewer

    def handle(self, message: Message) -> Reply:
        intent, body, decided = route(message.text)
        if intent == "report":
            return Reply(self.answerer.policy.message("report_form"), "form", form="report")
        if intent in ("check_prompt", "unknown_command"):
            return Reply(self.answerer.policy.message(intent, command=body), "notice")
        if intent == "draft":
            reply = self._from_review(self.reviewer.review(body, message.attachments), decided)
            REVIEWS.labels(reply.verdict or "notice").inc()
            return reply
        reply = self._from_answer(self.answerer.answer(body), decided)
        QUESTIONS.labels(reply.kind).inc()
        return reply

    def _from_review(self, review: Review, decided: bool) -> Reply:
        if review.notice:
            return Reply(review.notice, "notice")
        return Reply(describe(review, self.answerer.policy, self.reviewer.lexicon), "review", findings=review.findings, verdict=review.verdict,
                     rewrite=review.rewrite, offer="ask" if decided else "")

    def _from_answer(self, answer: Answer, decided: bool) -> Reply:
        offer = "check" if decided else ""
        if answer.in_scope:
            return Reply(answer.text, "answer", answer.citations, offer=offer)
        if answer.pointer:
            return Reply(answer.text, "declined", offer=offer)
        return Reply(answer.text, "notice" if answer.notice else "guide")
