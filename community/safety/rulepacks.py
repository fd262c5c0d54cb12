"""Step 2 of the safety pipeline: a pathway's rule packs.

A rule pack finds things a community has agreed not to share, and says why, so
the author can rewrite. Nothing is ever changed silently.

The eating-disorders pack: no numbers about weight, food energy, BMI or clothes
sizes, in digits or in words ("7 stone", "1200 kcal", "size 6", "45kg",
"BMI of 15", "eight stone"), because numbers invite comparison and can harm.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NUMBER_WORDS = (
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    r"half|a\s+half|un|dau|dwy|tri|tair|pedwar|pedair|pump|chwech|saith|wyth|naw|deg"
)
NUMBER = rf"(?:\d+(?:[.,]\d+)?|(?:(?:{NUMBER_WORDS})[\s-]*)+)"
WEIGHT_UNITS = (
    r"st(?:one)?s?|lb?s?|pounds?|kgs?|kilo(?:gram)?s?|kilos?|grams?|g|oz|ounces?|"
    r"carreg|cerrig|pwys"
)
ENERGY_UNITS = r"k?cals?|calories?|kcals?|kj|kilojoules?|calorïau"


@dataclass(frozen=True)
class RuleHit:
    """One thing a rule pack asks the author to rewrite."""

    pack: str
    start: int
    end: int
    excerpt: str
    message: str


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    message: "StrOrPromise"  # translated when shown


EATING_DISORDER_RULES = [
    Rule(
        re.compile(rf"\b{NUMBER}\s*(?:{WEIGHT_UNITS})\b", re.I),
        _("Please leave out weights: numbers like this can be hard for others."),
    ),
    Rule(
        re.compile(rf"\b{NUMBER}\s*(?:{ENERGY_UNITS})\b", re.I),
        _("Please leave out calories or other amounts of food energy."),
    ),
    Rule(
        re.compile(
            rf"\bbmi\b(?:\s+(?:of|is|was|at|now|down\s+to|up\s+to))*\s*{NUMBER}", re.I
        ),
        _("Please leave out BMI numbers."),
    ),
    Rule(
        re.compile(rf"\b{NUMBER}\s*bmi\b", re.I),
        _("Please leave out BMI numbers."),
    ),
    Rule(
        re.compile(
            rf"\b(?:size|maint|dress\s+size|jeans?\s+size|waist)\s*(?:of\s+)?{NUMBER}"
            r"|\b(?:size|maint)\s+(?:xx?s|xx?l|zero)\b",
            re.I,
        ),
        _("Please leave out clothes sizes."),
    ),
    Rule(
        re.compile(rf"\b{NUMBER}\s*(?:inch(?:es)?|in|cm)\s+waist\b", re.I),
        _("Please leave out body measurements."),
    ),
]

PACKS: dict[str, list[Rule]] = {"eating_disorders": EATING_DISORDER_RULES}


def check_rule_packs(text: str, packs, watched_words=()) -> list[RuleHit]:
    """Every hit of the given packs, plus the pathway's own watched words or
    patterns (plain words match whole words, ignoring case)."""
    hits = []
    for pack in packs:
        for rule in PACKS.get(pack, []):
            hits += [
                RuleHit(pack, m.start(), m.end(), m.group(0).strip(), str(rule.message))
                for m in rule.pattern.finditer(text)
            ]
    for word in watched_words:
        word = word.strip()
        if not word:
            continue
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.I)
        hits += [
            RuleHit(
                "watched_words",
                m.start(),
                m.end(),
                m.group(0),
                str(_("This community has asked members not to use this word.")),
            )
            for m in pattern.finditer(text)
        ]
    return sorted(hits, key=lambda hit: hit.start)
