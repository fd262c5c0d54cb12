"""The one safety pipeline for everything a member writes.

    sanitise -> pathway rule packs -> risk detection -> pre-moderation decision

Every kind of member text (forum posts, comments, wall messages, chat messages,
present notes, profile text) calls `run_pipeline` before it is stored or
broadcast, and acts on the verdict. A new kind joins by calling it, not by
copying checks.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .classifier import classify
from .imminence import detect_imminence
from .lexicon_store import lexicons_for
from .registry import Screening
from .risk import SIGNPOSTED_TIERS, RiskMatch, RiskResult, Tier, detect_risk
from .rulepacks import RuleHit, check_rule_packs
from .sanitise import sanitise

MAX_LENGTH = 10_000
CLASSIFIER_MIN_WORDS = 6


class Action(StrEnum):
    PUBLISH = "publish"  # store and show it
    HOLD = "hold"  # store it, show it to its author only, until a moderator decides
    REWRITE = "rewrite"  # store nothing; show the form again with the text and why


@dataclass
class Verdict:
    """What the caller must do with the text, and what to show its author."""

    text: str
    action: Action
    rule_hits: list[RuleHit] = field(default_factory=list)
    risk: RiskResult = field(default_factory=RiskResult)
    # Calm notices for the author (held for checking, ...), or what to change
    # when the action is REWRITE.
    messages: list[str] = field(default_factory=list)
    # The words shown inside the crisis card, with the crisis contacts; only
    # when `show_crisis_contacts`.
    crisis_message: str = ""

    @property
    def tier(self) -> Tier:
        return self.risk.tier

    @property
    def show_crisis_contacts(self) -> bool:
        """True when the author should see crisis contacts at once: risk is
        stated (alert or urgent), never for a review only."""
        return self.tier in SIGNPOSTED_TIERS

    @property
    def raise_alert(self) -> bool:
        """True when staff must be told: an alert or urgent tier pages the
        on-duty staff; a review waits in the queue for them."""
        return self.tier != Tier.NONE


CRISIS_MESSAGE = _lazy(
    "It sounds like things are really hard right now. You don't have to "
    "face this alone: the contacts below can help straight away, and "
    "someone from your care team will see your message."
)
URGENT_HELD_MESSAGE = _lazy(
    "Your care team has your message now and someone will be in touch. Others "
    "in the community won't see it. If you are in danger, please call 999."
)
PREMODERATION_MESSAGE = _lazy(
    "Thank you. New members' posts are checked by a moderator before "
    "others see them; yours will appear soon."
)
UNSTAFFED_MESSAGE = _lazy(
    "Thank you for sharing this. A moderator will look at it before others see it."
)


def run_pipeline(
    text: str,
    *,
    pathway=None,
    language: str = "en",
    trusted: bool = True,
    moderator_on_duty: bool | Callable[[], bool] = True,
    hold_when_unstaffed: bool = False,
    lexicons=None,
    screening: Screening = Screening.FULL,
) -> Verdict:
    """Check one piece of member text for `pathway`.

    `screening`: SANITISE_ONLY (a kind registered as a private plan) runs
    step 1 alone: the text is made plain and kept (a rewrite only when it is
    too long or empty), never judged against rule packs or for risk, so the
    verdict is always to publish with no risk and no crisis card.

    `trusted`: the author has had enough posts approved in this pathway
    (Pathway.premoderation_threshold); the content kind's caller works it out.
    `moderator_on_duty`: someone is on the pathway's rota right now; or a
    function that says so, asked only when the answer matters (a trusted
    author's text that shows risk, or a pathway that holds everything when
    unstaffed), since it costs a query on every post.
    `hold_when_unstaffed`: the pathway holds every post when no one is on duty.
    `lexicons`: risk lexicons to use; default the shipped ones plus the phrases
    service leads added (community.safety.lexicon_store).

    The verdict's tier (`risk.Tier`) decides: an urgent text is held from
    peers whoever wrote it; stated risk (alert or urgent) shows the author the
    crisis contacts with `crisis_message`; a review changes nothing the author
    sees. Rule-pack hits ask for a rewrite (nothing is stored), unless risk is
    stated, when the text is held instead: risk never loses the text. Otherwise
    the text is held when the author is not yet trusted, or when it states
    risk and no moderator is on duty; else it is published.
    """
    try:
        clean = sanitise(text, max_length=MAX_LENGTH)
    except ValueError:
        return Verdict(
            text=text,
            action=Action.REWRITE,
            messages=[
                _("Please make this shorter: up to %(n)s characters.")
                % {"n": MAX_LENGTH}
            ],
        )
    if not clean:
        return Verdict(
            text=clean,
            action=Action.REWRITE,
            messages=[_("Please write something first.")],
        )
    if screening == Screening.SANITISE_ONLY:
        return Verdict(text=clean, action=Action.PUBLISH)

    packs = list(pathway.rule_packs or []) if pathway is not None else []
    watched = pathway.watched_words_list if pathway is not None else []
    hits = check_rule_packs(clean, packs, watched)
    if lexicons is None:
        lexicons = lexicons_for(language)
    risk = detect_risk(clean, language, lexicons)
    # The classifier catches phrasings the lexicon has never seen; what it
    # alone flags goes to moderators to review (community.safety.classifier).
    # On a few words it leans on pronouns ("me too" scored as safeguarding),
    # so it speaks only from CLASSIFIER_MIN_WORDS words up; short risk
    # phrases are the lexicon's.
    if len(clean.split()) >= CLASSIFIER_MIN_WORDS:
        risk.review = [
            category
            for category, margin in classify(clean, language).items()
            if margin > 0 and category not in risk.categories
        ]
    _add_imminence(risk, clean, language)
    tier = risk.tier
    crisis = str(CRISIS_MESSAGE) if tier in SIGNPOSTED_TIERS else ""
    if hits and tier.rank < Tier.ALERT.rank:
        return Verdict(
            text=clean,
            action=Action.REWRITE,
            rule_hits=hits,
            risk=risk,
            messages=sorted({hit.message for hit in hits}),
        )

    messages = []
    if tier == Tier.URGENT:
        # Never published to peers, whoever wrote it: its author and staff
        # see it while the care team acts.
        action = Action.HOLD
        messages.append(str(URGENT_HELD_MESSAGE))
    elif hits:
        # Stated risk is never sent back for a rewrite (the person might not
        # post again): held for a moderator, as a rule pack asks.
        action = Action.HOLD
        messages.append(str(UNSTAFFED_MESSAGE))
    elif not trusted:
        action = Action.HOLD
        messages.append(str(PREMODERATION_MESSAGE))
    elif (tier == Tier.ALERT or hold_when_unstaffed) and not (
        moderator_on_duty() if callable(moderator_on_duty) else moderator_on_duty
    ):
        action = Action.HOLD
        messages.append(str(UNSTAFFED_MESSAGE))
    else:
        action = Action.PUBLISH
    return Verdict(
        text=clean,
        action=action,
        rule_hits=hits,
        risk=risk,
        messages=messages,
        crisis_message=crisis,
    )


def _add_imminence(risk: RiskResult, text: str, language: str) -> None:
    """Record plans, means, times and acts in progress on `risk`; each also
    counts as stated risk of its category."""
    risk.imminent = detect_imminence(text, language)
    for match in risk.imminent:
        risk.scores[match.category] = max(risk.scores.get(match.category, 0.0), 1.0)
        risk.matches.append(RiskMatch(match.category, 1.0, match.excerpt))
    if risk.imminent:
        risk.review = [c for c in risk.review if c not in risk.categories]


SEVERITY = {Action.PUBLISH: 0, Action.HOLD: 1, Action.REWRITE: 2}


def run_pipeline_on_fields(fields: dict[str, str], **options) -> dict[str, Verdict]:
    """Run the pipeline on each field of one submission (e.g. a title and a
    body), so each field's problems are shown beside it."""
    return {name: run_pipeline(text, **options) for name, text in fields.items()}


def overall(verdicts: dict[str, Verdict]) -> Verdict:
    """One verdict for a submission of several fields: the strictest action,
    the risk of any field, every message once."""
    items = list(verdicts.values())
    strictest = max(items, key=lambda v: SEVERITY[v.action])
    risk = RiskResult(
        scores={
            category: max(v.risk.scores.get(category, 0.0) for v in items)
            for category in items[0].risk.scores
        },
        matches=[m for v in items for m in v.risk.matches],
        review=sorted({c for v in items for c in v.risk.review}),
        imminent=[m for v in items for m in v.risk.imminent],
    )
    risk.review = [c for c in risk.review if c not in risk.categories]
    messages = list(dict.fromkeys(m for v in items for m in v.messages))
    return Verdict(
        text=strictest.text,
        action=strictest.action,
        rule_hits=[h for v in items for h in v.rule_hits],
        risk=risk,
        messages=messages,
        crisis_message=next((v.crisis_message for v in items if v.crisis_message), ""),
    )
