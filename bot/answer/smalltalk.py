"""Greetings, thanks and requests for help get a short guide, not a search of the policy.

A message is small talk when nothing is left of it once the phrases of `vocabulary.yaml`'s
`smalltalk` lists are taken away: "hi there!" is, "hi, can I post pics from the party?" is not
(it is a question with a greeting in front, and is answered as one).
"""

from __future__ import annotations

import re

from bot.policy.models import Policy

WORDS = re.compile(r"[a-z0-9']+")


class SmallTalk:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._kinds = {kind: sorted((" ".join(WORDS.findall(p.lower())) for p in phrases), key=len, reverse=True)
                       for kind, phrases in policy.vocabulary.smalltalk.items()}

    def kind(self, text: str) -> str | None:
        """'greeting', 'thanks', 'help' (or another list's name) when the text is only small talk."""
        rest = " ".join(WORDS.findall(text.lower().replace("\u2019", "'")))
        found: list[str] = []
        while rest:
            match = next(((k, p) for k, ps in self._kinds.items() for p in ps
                          if rest == p or rest.startswith(p + " ")), None)
            if not match:
                return None
            found.append(match[0])
            rest = rest[len(match[1]):].strip()
        meaningful = [k for k in found if k != "filler"]
        if not meaningful:
            return None
        return "help" if "help" in meaningful else meaningful[0]

    def reply(self, text: str) -> str | None:
        kind = self.kind(text)
        if kind is None:
            return None
        opening = self._policy.messages.get(f"smalltalk_{kind}")
        guide = self._policy.message("guide")
        return f"{opening.strip()}\n\n{guide}" if opening else guide
