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

from .classifier import classify
from .lexicon_store import lexicons_for
from .risk import RiskResult, detect_risk
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
    messages: list[str] = field(default_factory=list)

    @property
    def show_crisis_contacts(self) -> bool:
        """True when the author should see crisis contacts at once."""
        return self.risk.needs_attention

    @property
    def raise_alert(self) -> bool:
        """True when the pathway's on-duty staff must be alerted (for a
        classifier-only sign, to review)."""
        return self.risk.needs_attention


def run_pipeline(
    text: str,
    *,
    pathway=None,
    language: str = "en",
    trusted: bool = True,
    moderator_on_duty: bool | Callable[[], bool] = True,
    hold_when_unstaffed: bool = False,
    lexicons=None,
) -> Verdict:
    """Check one piece of member text for `pathway`.

    `trusted`: the author has had enough posts approved in this pathway
    (Pathway.premoderation_threshold); the content kind's caller works it out.
    `moderator_on_duty`: someone is on the pathway's rota right now; or a
    function that says so, asked only when the answer matters (a trusted
    author's text that shows risk, or a pathway that holds everything when
    unstaffed), since it costs a query on every post.
    `hold_when_unstaffed`: the pathway holds every post when no one is on duty.
    `lexicons`: risk lexicons to use; default the shipped ones plus the phrases
    service leads added (community.safety.lexicon_store).

    Rule-pack hits ask for a rewrite (nothing is stored or changed). Otherwise
    the text is held when the author is not yet trusted, or when it shows risk
    and no moderator is on duty; else it is published. Risk never loses the
    text: it is published or held, and the author sees crisis contacts.
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
    if hits:
        return Verdict(
            text=clean,
            action=Action.REWRITE,
            rule_hits=hits,
            risk=risk,
            messages=sorted({hit.message for hit in hits}),
        )

    messages = []
    if not trusted:
        action = Action.HOLD
        messages.append(
            _(
                "Thank you. New members' posts are checked by a moderator before "
                "others see them; yours will appear soon."
            )
        )
    elif (risk.needs_attention or hold_when_unstaffed) and not (
        moderator_on_duty() if callable(moderator_on_duty) else moderator_on_duty
    ):
        action = Action.HOLD
        messages.append(
            _(
                "Thank you for sharing this. A moderator will look at it before "
                "others see it."
            )
        )
    else:
        action = Action.PUBLISH
    if risk.needs_attention:
        messages.insert(
            0,
            _(
                "It sounds like things are really hard right now. You don't have to "
                "face this alone: the contacts below can help straight away, and "
                "someone from your care team will see your message."
            ),
        )
    return Verdict(text=clean, action=action, risk=risk, messages=messages)


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
    )
    risk.review = [c for c in risk.review if c not in risk.categories]
    messages = list(dict.fromkeys(m for v in items for m in v.messages))
    return Verdict(
        text=strictest.text,
        action=strictest.action,
        rule_hits=[h for v in items for h in v.rule_hits],
        risk=risk,
        messages=messages,
    )
