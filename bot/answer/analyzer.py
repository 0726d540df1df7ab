"""Turn staff wording and policy wording into the same index terms.

Staff say "pics", "boss" and "the Christmas do"; the policy says "photographs", "line manager" and
"taken at work". Each text is lower-cased, phrases and words from `vocabulary.yaml` add their
policy concept (written `~photograph`), misspelt words are corrected against the policy's own
vocabulary (SymSpell), and every word is stemmed (Snowball), so both sides meet in the middle.
"""

from __future__ import annotations

import re
from functools import cached_property

import Stemmer
from symspellpy import SymSpell, Verbosity

from bot.policy.models import Vocabulary
from bot.text import english_words

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
CONCEPT = "~"


def normalise(text: str) -> str:
    """Lower-case, straighten quotes and drop the possessive, so "manager's" meets "manager"."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"'s\b", "", text)


class Analyzer:
    """Tokeniser shared by the clause index and the questions put to it."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._stop = frozenset(vocabulary.stopwords)
        self._unstemmed = frozenset(vocabulary.unstemmed)
        self._stemmer = Stemmer.Stemmer("english")
        self._concepts_of: dict[str, list[str]] = {}
        phrases: dict[str, list[str]] = {}
        for concept, variants in vocabulary.terms.items():
            for variant in (concept.replace("_", " "), *variants):
                variant = normalise(variant)
                target = phrases if " " in variant or "-" in variant else self._concepts_of
                target.setdefault(variant, []).append(CONCEPT + concept)
        # Inflections of a one-word variant ("retweeted" for "retweet") find it by their stem.
        self._concepts_of_stem: dict[str, list[str]] = {}
        for variant, concepts in self._concepts_of.items():
            self._concepts_of_stem.setdefault(self.stem(variant), []).extend(concepts)
        ordered = sorted(phrases, key=len, reverse=True)
        self._phrases = phrases
        self._phrase_re = re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b") if ordered else None
        self._domain: set[str] = set(self._concepts_of)
        self.anchors = frozenset(self._anchor_terms(vocabulary.anchors))
        self._weights = {CONCEPT + concept: weight for concept, weight in vocabulary.weights.items()}

    def _anchor_terms(self, anchors: tuple[str, ...]) -> list[str]:
        return [CONCEPT + a if a in {c[1:] for cs in self._concepts_of.values() for c in cs} else self.stem(a)
                for a in anchors]

    def stem(self, word: str) -> str:
        return word if word in self._unstemmed else self._stemmer.stemWord(word)

    def learn(self, texts: list[str]) -> None:
        """Add the words of the indexed texts to the vocabulary that misspellings are corrected to."""
        for text in texts:
            self._domain.update(WORD.findall(normalise(text)))
        self.__dict__.pop("_speller", None)

    @cached_property
    def _known(self) -> frozenset[str]:
        """Known English words, which are never 'corrected'."""
        return english_words()[0]

    @cached_property
    def _speller(self) -> SymSpell:
        """One edit away (a slip, a missing or swapped letter) covers most typing errors, and keeps
        building the speller cheap enough for a command-line start-up."""
        speller = SymSpell(max_dictionary_edit_distance=1)
        for word in self._domain:
            if len(word) >= 4 and word.isalpha():
                speller.create_dictionary_entry(word, 1)
        return speller

    def _spell(self, word: str) -> str:
        """The policy word a misspelt word was meant to be, or the word itself. A real English word
        is never changed ("posh" stays "posh", not "post"); the word list loads only when needed."""
        if len(word) < 4 or not word.isalpha() or word in self._domain:
            return word
        found = self._speller.lookup(word, Verbosity.TOP, max_edit_distance=1)
        return found[0].term if found and word not in self._known else word

    def _concepts(self, word: str) -> list[str]:
        """The concepts of a word, found as written or, failing that, by its stem."""
        found = self._concepts_of.get(word)
        return found if found is not None else self._concepts_of_stem.get(self.stem(word), [])

    def tokens(self, text: str, spell: bool = True) -> list[str]:
        """Index terms of a text: concepts for the staff phrases and words in it, then word stems.
        `spell=False` for the policy's own texts, which need no correcting."""
        text = normalise(text)
        terms: list[str] = []
        inside_phrases: set[int] = set()
        if self._phrase_re:
            for match in self._phrase_re.finditer(text):
                terms += self._phrases[match.group(0)]
                inside_phrases.update(range(*match.span()))
        for match in WORD.finditer(text):
            word = match.group(0).replace("'", "")
            if word in self._stop:
                continue
            word = self._spell(word) if spell else word
            if match.start() not in inside_phrases:
                # "gp" in "gp practice" is the practice, not a registered GP: a phrase's words
                # keep their stems but not their own concepts.
                terms += self._concepts(word)
            terms.append(self.stem(word))
        return terms

    def corrected(self, text: str) -> str:
        """The text with its misspelt words put right ("wat if i break the socail media polcy" →
        "… social media policy"), for the sentence encoder, whose word pieces a typo scatters."""
        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            lower = word.lower()
            fixed = self._spell(lower) if lower.isalpha() else lower
            return word if fixed == lower else fixed
        return re.sub(r"[A-Za-z]+", fix, text)

    def query_terms(self, text: str) -> list[str]:
        """A question's terms, each once ("slag off … rubbish" is one complaint, not three), bar the
        concepts `vocabulary.yaml` weighs more, which are repeated."""
        unique = dict.fromkeys(self.tokens(text))
        return [t for term in unique for t in [term] * self._weights.get(term, 1)]
