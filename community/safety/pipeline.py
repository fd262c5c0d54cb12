"""The one safety pipeline for everything a member writes.

    sanitise -> pathway rule packs -> risk detection -> pre-moderation decision

Every kind of member text (forum posts, comments, wall messages, chat messages,
present notes, profile text) calls `run_pipeline` before it is stored or
broadcast, and acts on the verdict. A new kind joins by calling it, not by
copying checks.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from .risk import RiskResult, detect_risk
from .rulepacks import RuleHit, check_rule_packs
from .sanitise import sanitise

MAX_LENGTH = 10_000


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
        return self.risk.is_risk

    @property
    def raise_alert(self) -> bool:
        """True when the pathway's on-duty staff must be alerted."""
        return self.risk.is_risk


def run_pipeline(
    text: str,
    *,
    pathway=None,
    language: str = "en",
    trusted: bool = True,
    moderator_on_duty: bool = True,
) -> Verdict:
    """Check one piece of member text for `pathway`.

    `trusted`: the author has had enough posts approved in this pathway
    (Pathway.premoderation_threshold); the content kind's caller works it out.
    `moderator_on_duty`: someone is on the pathway's rota right now.

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
    risk = detect_risk(clean, language)
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
    elif risk.is_risk and not moderator_on_duty:
        action = Action.HOLD
        messages.append(
            _(
                "Thank you for sharing this. A moderator will look at it before "
                "others see it."
            )
        )
    else:
        action = Action.PUBLISH
    if risk.is_risk:
        messages.insert(
            0,
            _(
                "It sounds like things are really hard right now. You don't have to "
                "face this alone: the contacts below can help straight away, and "
                "someone from your care team will see your message."
            ),
        )
    return Verdict(text=clean, action=action, risk=risk, messages=messages)
