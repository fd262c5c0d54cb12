"""Step 3 of the safety pipeline: risk detection.

Finds signs of suicide, self-harm, harm to others and safeguarding disclosures
in what a member wrote, in each language the site runs. It is tolerant of the
ways people really write (misspelling, slang, spaced-out or repeated letters,
emoji, leetspeak) and of negation and idiom ("I'm not suicidal", "kill time",
"this exam is killing me" are not alerts).

It errs towards asking a person to look: a false alert costs a clinician a
minute; a missed one can cost a life. Lexicons are data (lexicons/<lang>.json),
reviewed with clinicians and measured against tests/community/safety/corpus.tsv
(tuning) and the two held-out corpora (bench/safety_corpus.py).

Patterns are written as families (a "vocab" of named alternatives expanded into
`{name}`), weak signs combine (noisy-OR: two different weak signs alert, one
does not), and looking back ("I used to cut", "2 years free") is not an alert
for suicide, self-harm or harm to others unless the sentence also speaks of now
("again", "relapsed", "tonight"). Disclosures of abuse stay alerts however old.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).parent / "lexicons"
CATEGORIES = ("suicide", "self_harm", "harm_to_others", "safeguarding")
ALERT_THRESHOLD = 0.5

EMOJI_WORDS = {
    "🔪": " knife ",
    "🗡": " knife ",
    "💊": " pills ",
    "⚰": " coffin ",
    "🪦": " grave ",
    "💀": " skull ",
    "☠": " skull ",
    "🩸": " blood ",
    "🔫": " gun ",
    "🪢": " rope ",
}
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
    }
)
MIXED_TOKEN = re.compile(r"\b(?=\S*[a-z])(?=\S*[0-9@$!])[a-z0-9@$!]+\b")
SPACED_LETTERS = re.compile(r"\b(?:[a-z][ .\-_*]){2,}[a-z]\b")
RUN_OF_THREE = re.compile(r"([a-z])\1{2,}")
WORD = re.compile(r"[a-z']+")
SENTENCE_END = re.compile(r"[.!?\n;,]+")
FULL_STOP = re.compile(r"[.!?\n;]+")
VOCAB_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Looking back is not a current risk of these; a safeguarding disclosure is
# one whenever it happened.
LOOKING_BACK_CATEGORIES = ("suicide", "self_harm", "harm_to_others")

# Words worth correcting when misspelt by one letter (typed in distress, on a
# phone). Only long words, so ordinary words are not pulled into them.
KEY_WORDS = (
    "suicide",
    "suicidal",
    "myself",
    "overdose",
    "selfharm",
    "cutting",
    "abused",
    "unalive",
    "hunanladdiad",
    "hunanladdol",
    "paracetamol",
)
# Ordinary words one edit away from a key word, never "corrected" into it
# ("putting" is not "cutting", "amused" is not "abused").
NOT_MISSPELT = frozenset(
    {"putting", "gutting", "butting", "jutting", "amused", "abuser", "abuses"}
)


class Tier(StrEnum):
    """How strongly one assessment asks for a person, weakest first.

    - none: nothing to do.
    - review: staff should look when they can; the author sees nothing
      different (a sign only the statistical classifier found).
    - alert: risk is stated: the author is shown crisis contacts at once and
      the on-duty staff are alerted.
    - urgent: a plan, a means, a time or an act in progress: as alert, and the
      text is held from peers and everyone on duty is told at once.
    """

    NONE = "none"
    REVIEW = "review"
    ALERT = "alert"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


SIGNPOSTED_TIERS = frozenset({Tier.ALERT, Tier.URGENT})


@dataclass(frozen=True)
class ImminentMatch:
    """A plan, a means, a time or an act in progress (`kind`) of `category`."""

    category: str
    kind: str
    excerpt: str


@dataclass(frozen=True)
class RiskMatch:
    category: str
    weight: float
    excerpt: str


@dataclass
class RiskResult:
    """Scores per category (0 to 1) and the matches behind them."""

    scores: dict[str, float] = field(default_factory=dict)
    matches: list[RiskMatch] = field(default_factory=list)
    # Categories only the statistical classifier flagged (the pipeline fills
    # this in): shown to moderators as "please review".
    review: list[str] = field(default_factory=list)
    # Plans, means, times and acts in progress (the pipeline fills this in).
    imminent: list[ImminentMatch] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        """Categories at or above the alert threshold, most severe first."""
        found = [c for c, s in self.scores.items() if s >= ALERT_THRESHOLD]
        return sorted(found, key=lambda c: -self.scores[c])

    @property
    def is_risk(self) -> bool:
        return bool(self.categories)

    @property
    def needs_attention(self) -> bool:
        """A sign of risk from the lexicon or the classifier."""
        return self.is_risk or bool(self.review)

    @property
    def tier(self) -> Tier:
        """The one answer every caller acts on (see `Tier`)."""
        if self.imminent:
            return Tier.URGENT
        if self.is_risk:
            return Tier.ALERT
        if self.review:
            return Tier.REVIEW
        return Tier.NONE


@dataclass(frozen=True)
class Lexicon:
    language: str
    patterns: dict[str, list[tuple[re.Pattern, float]]]
    negations: tuple[str, ...]
    contrast: tuple[str, ...]
    idioms: re.Pattern | None
    # Looking back: a cue in the clause before a match ("used to", "years
    # ago"), or anywhere in its sentence ("2 years free", "in recovery"),
    # unless the sentence also has a `current` cue ("again", "tonight").
    past: re.Pattern | None = None
    recovery: re.Pattern | None = None
    current: re.Pattern | None = None


def expand_vocab(pattern: str, vocab: dict[str, str]) -> str:
    """`pattern` with each {name} replaced by the vocab entry `name`, itself
    expanded, as a non-capturing group."""
    for _ in range(6):
        expanded = VOCAB_REF.sub(lambda m: "(?:" + vocab[m.group(1)] + ")", pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError(f"vocab nested too deeply: {pattern[:80]}")


def _compile(pattern: str, vocab: dict[str, str], source: str) -> re.Pattern:
    try:
        return re.compile(expand_vocab(pattern, vocab))
    except (re.error, KeyError) as error:
        raise ValueError(f"{source}: bad pattern {pattern[:60]!r}: {error}") from error


def _optional(data: dict, key: str, vocab: dict[str, str]) -> re.Pattern | None:
    return re.compile(expand_vocab(data[key], vocab)) if data.get(key) else None


@lru_cache(maxsize=8)
def load_lexicon(language: str) -> Lexicon:
    """The lexicon for `language`, English when there is none for it."""
    path = LEXICON_DIR / f"{language}.json"
    if not path.exists():
        path = LEXICON_DIR / "en.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    vocab = data.get("vocab", {})
    patterns = {
        category: [
            (_compile(entry["pattern"], vocab, path.name), float(entry["weight"]))
            for entry in data["categories"].get(category, [])
        ]
        for category in CATEGORIES
    }
    idioms = [expand_vocab(idiom, vocab) for idiom in data.get("idioms") or []]
    return Lexicon(
        language=data["language"],
        patterns=patterns,
        negations=tuple(sorted(data.get("negations", []), key=len, reverse=True)),
        contrast=tuple(data.get("contrast", [])),
        idioms=re.compile(r"\b(?:" + "|".join(idioms) + r")\b") if idioms else None,
        past=_optional(data, "past", vocab),
        recovery=_optional(data, "recovery", vocab),
        current=_optional(data, "current", vocab),
    )


def _one_edit_apart(a: str, b: str) -> bool:
    """True if a and b differ by one substitution, insertion, deletion or swap
    of neighbouring letters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1 :] == short:
            return True
    return False


# Ordinary words recur from message to message: each is compared with every
# key word once per process, not once per use.
@lru_cache(maxsize=4096)
def _correct(word: str) -> str:
    if len(word) < 6 or word in NOT_MISSPELT:
        return word
    for key in KEY_WORDS:
        if _one_edit_apart(word, key):
            return key
    return word


# Each text is normalised by the lexicons, the classifier and the imminence
# check in turn: kept for the next two, and only for the last few texts.
@lru_cache(maxsize=16)
def normalise(text: str) -> str:
    """Lower case, accents folded, emoji named, leetspeak decoded in words that
    mix letters and digits, spaced-out letters joined, common misspellings of
    key words corrected."""
    for emoji, words in EMOJI_WORDS.items():
        text = text.replace(emoji, words)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'")
    text = MIXED_TOKEN.sub(lambda m: m.group(0).translate(LEET), text)
    text = SPACED_LETTERS.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    text = re.sub(r"\b(?:self|slef|sefl|sself|selff)[\s\-_]*harm", "selfharm", text)
    text = WORD.sub(lambda m: _correct(m.group(0)), text)
    text = text.replace("selfharm", "self harm")
    return re.sub(r"[ \t]+", " ", text)


def _variants(text: str) -> set[str]:
    """Letters typed three or more times ("killlll", "diiiie") folded two ways."""
    return {
        text,
        RUN_OF_THREE.sub(r"\1\1", text),
        RUN_OF_THREE.sub(r"\1", text),
    }


def _negated(lexicon: Lexicon, text: str, start: int) -> bool:
    """True if the clause before `start` ends in a negation, e.g. "I'm not"
    before "suicidal". A contrast word ("but") or sentence end resets it."""
    clause = SENTENCE_END.split(text[:start])[-1]
    for word in lexicon.contrast:
        parts = re.split(rf"\b{re.escape(word)}\b", clause)
        clause = parts[-1]
    words = clause.split()[-4:]
    window = " " + " ".join(words) + " "
    return any(f" {cue} " in window for cue in lexicon.negations)


def _looking_back(lexicon: Lexicon, text: str, start: int) -> bool:
    """True if the match at `start` is looked back on: a past cue earlier in
    its clause, or a recovery cue anywhere in its sentence, and no cue of now
    in the sentence ("I used to cut" but not "I used to, and cut again")."""
    if lexicon.past is None and lexicon.recovery is None:
        return False
    before = FULL_STOP.split(text[:start])[-1]
    after = FULL_STOP.split(text[start:], maxsplit=1)[0]
    sentence = before + after
    if lexicon.current is not None and lexicon.current.search(sentence):
        return False
    clause = SENTENCE_END.split(before)[-1]
    for word in lexicon.contrast:
        clause = re.split(rf"\b{re.escape(word)}\b", clause)[-1]
    if lexicon.past is not None and lexicon.past.search(clause):
        return True
    return lexicon.recovery is not None and bool(lexicon.recovery.search(sentence))


def file_lexicons(language: str) -> list[Lexicon]:
    """The shipped lexicons to run for `language`. English always runs too:
    people mix languages, and a missed English phrase in a Welsh post is still
    missed."""
    languages = [language] if language == "en" else [language, "en"]
    return [load_lexicon(lang) for lang in languages]


def detect_risk(
    text: str, language: str = "en", lexicons: list[Lexicon] | None = None
) -> RiskResult:
    """Scores for each risk category in `text`, using `lexicons` (default: the
    shipped ones for `language`; community.safety.lexicon_store adds the
    entries service leads edit)."""
    result = RiskResult(scores=dict.fromkeys(CATEGORIES, 0.0))
    if lexicons is None:
        lexicons = file_lexicons(language)
    # The weight of each different pattern that matched, per category: one
    # strong sign alerts; different weak signs add up (noisy-OR), the same one
    # found twice does not.
    found: dict[str, dict[int, float]] = {category: {} for category in CATEGORIES}
    for variant in _variants(normalise(text)):
        for lexicon in lexicons:
            searchable = (
                lexicon.idioms.sub(lambda m: " " * len(m.group(0)), variant)
                if lexicon.idioms
                else variant
            )
            for category, patterns in lexicon.patterns.items():
                for pattern, weight in patterns:
                    for match in pattern.finditer(searchable):
                        start = (
                            match.start("core")
                            if "core" in pattern.groupindex and match.start("core") >= 0
                            else match.start()
                        )
                        if _negated(lexicon, searchable, start):
                            continue
                        if category in LOOKING_BACK_CATEGORIES and _looking_back(
                            lexicon, searchable, start
                        ):
                            continue
                        result.matches.append(
                            RiskMatch(category, weight, match.group(0).strip())
                        )
                        found[category][id(pattern)] = weight
                        break
    for category, weights in found.items():
        missing = 1.0
        for weight in weights.values():
            missing *= 1.0 - min(weight, 1.0)
        result.scores[category] = round(1.0 - missing, 4)
    return result
