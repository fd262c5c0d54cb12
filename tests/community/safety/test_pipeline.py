"""The one pipeline: its verdict for each rule, and never losing the text."""

import pytest

from community.models import Pathway
from community.safety.pipeline import Action, run_pipeline
from community.safety.risk import Tier

pytestmark = pytest.mark.django_db


def ed_pathway(**fields):
    return Pathway(
        slug="ed", name="Eating disorders", rule_packs=["eating_disorders"], **fields
    )


def test_ordinary_text_from_a_trusted_member_is_published_clean():
    verdict = run_pipeline("<b>Had a good day</b>", pathway=ed_pathway())
    assert verdict.action == Action.PUBLISH
    assert verdict.text == "Had a good day"
    assert not verdict.show_crisis_contacts


def test_rule_pack_hits_ask_for_a_rewrite_and_keep_the_text():
    verdict = run_pipeline("I was 7 stone", pathway=ed_pathway())
    assert verdict.action == Action.REWRITE
    assert verdict.text == "I was 7 stone"
    assert verdict.messages and verdict.rule_hits[0].excerpt == "7 stone"


def test_watched_words_ask_for_a_rewrite():
    verdict = run_pipeline(
        "any proana tips", pathway=ed_pathway(watched_words="proana\n")
    )
    assert verdict.action == Action.REWRITE


def test_untrusted_members_are_held_and_told():
    verdict = run_pipeline("Hello everyone", pathway=ed_pathway(), trusted=False)
    assert verdict.action == Action.HOLD
    assert "checked by a moderator" in verdict.messages[0]


def test_risk_is_published_with_crisis_contacts_and_an_alert():
    verdict = run_pipeline("I want to kill myself", pathway=ed_pathway())
    assert verdict.action == Action.PUBLISH
    assert verdict.tier == Tier.ALERT
    assert verdict.show_crisis_contacts and verdict.raise_alert
    assert "alone" in verdict.crisis_message
    assert verdict.messages == []  # nothing calm to add, and nothing doubled


def test_risk_with_no_moderator_on_duty_is_held_not_lost():
    verdict = run_pipeline(
        "I want to kill myself", pathway=ed_pathway(), moderator_on_duty=False
    )
    assert verdict.action == Action.HOLD
    assert verdict.text == "I want to kill myself"
    assert verdict.show_crisis_contacts


def test_the_rota_is_asked_only_when_its_answer_decides_the_verdict():
    """Asking who is on duty costs a query on every post: a function passed
    as `moderator_on_duty` is called only for risk, or where the pathway
    holds everything when unstaffed, and its answer is kept to."""
    asked = []

    def nobody_on_duty():
        asked.append(True)
        return False

    ordinary = run_pipeline(
        "Had a good day", pathway=ed_pathway(), moderator_on_duty=nobody_on_duty
    )
    assert ordinary.action == Action.PUBLISH and asked == []
    risky = run_pipeline(
        "I want to kill myself", pathway=ed_pathway(), moderator_on_duty=nobody_on_duty
    )
    assert risky.action == Action.HOLD and asked == [True]
    unstaffed = run_pipeline(
        "Had a good day",
        pathway=ed_pathway(),
        moderator_on_duty=nobody_on_duty,
        hold_when_unstaffed=True,
    )
    assert unstaffed.action == Action.HOLD and asked == [True, True]
    staffed = run_pipeline(
        "I want to kill myself", pathway=ed_pathway(), moderator_on_duty=lambda: True
    )
    assert staffed.action == Action.PUBLISH and staffed.raise_alert


@pytest.mark.parametrize("text", ["", "   ", "<p></p>"])
def test_empty_text_asks_for_something(text):
    assert run_pipeline(text).action == Action.REWRITE


def test_too_long_text_asks_for_a_shorter_one_and_keeps_it():
    verdict = run_pipeline("a" * 10_001)
    assert verdict.action == Action.REWRITE
    assert len(verdict.text) == 10_001


def test_the_classifier_alone_asks_staff_to_review_and_the_author_sees_nothing_new():
    """A review is for staff: a crisis card on a classifier's guess alarmed
    people who had written nothing of the kind ("Thank you for being so
    honest")."""
    verdict = run_pipeline("there is no reason for me to keep going on like this")
    assert verdict.risk.categories == [] and verdict.risk.review == ["suicide"]
    assert verdict.tier == Tier.REVIEW and verdict.raise_alert
    assert not verdict.show_crisis_contacts and verdict.crisis_message == ""
    assert verdict.action == Action.PUBLISH and verdict.messages == []


def test_a_new_members_post_with_stated_risk_gets_one_crisis_card_and_a_calm_notice():
    verdict = run_pipeline("I want to kill myself", trusted=False)
    assert verdict.action == Action.HOLD and verdict.show_crisis_contacts
    assert "alone" in verdict.crisis_message
    assert len(verdict.messages) == 1 and "checked" in verdict.messages[0]
    assert "alone" not in verdict.messages[0]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("took 30 paracetamol an hour ago", "act"),
        ("I have the pills saved up and I know what I'm going to do", "means"),
        ("I'm on the bridge now", "act"),
    ],
)
def test_a_plan_means_or_act_in_progress_is_urgent_and_held_from_peers(text, kind):
    verdict = run_pipeline(text, trusted=True, moderator_on_duty=True)
    assert verdict.tier == Tier.URGENT
    assert kind in {m.kind for m in verdict.risk.imminent}
    assert verdict.action == Action.HOLD and verdict.show_crisis_contacts
    assert "care team has your message" in verdict.messages[0]
    assert verdict.risk.categories  # urgent is stated risk too


def test_stated_risk_is_held_not_sent_back_when_a_rule_pack_also_objects():
    """Asking someone in crisis to reword their post may lose it."""
    verdict = run_pipeline("I want to kill myself, I weigh 38kg", pathway=ed_pathway())
    assert verdict.rule_hits and verdict.tier.rank >= Tier.ALERT.rank
    assert verdict.action == Action.HOLD and verdict.show_crisis_contacts


def test_the_classifier_does_not_speak_on_a_few_words():
    verdict = run_pipeline("Me too")
    assert verdict.risk.review == [] and not verdict.raise_alert


def test_a_text_is_normalised_once_for_the_lexicons_classifier_and_imminence():
    """All three read `risk.normalise` of the same text: it is worked out
    once (kept for the last few texts), with the same verdict as ever."""
    from community.safety.risk import normalise

    text = "Thanks, that helps. I'll try the breathing exercise tonight."
    run_pipeline("warm the lexicons first", pathway=ed_pathway())
    normalise.cache_clear()
    verdict = run_pipeline(text, pathway=ed_pathway())
    info = normalise.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert verdict.action == Action.PUBLISH and verdict.risk.tier == Tier.NONE
