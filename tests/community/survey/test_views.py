"""The survey's page and the question at the foot of a pathway's pages:
a plain form, back to the page with a kind word; bad input gets the form
again with its message and the words kept; another pathway is not found."""

import pytest
from django.urls import reverse

from community.moderation.models import RiskAlert
from community.survey.models import SurveyAnswer, SurveyComment, SurveyPrompt
from tests.factories import make_forum, make_member, make_seasoned_member

pytestmark = pytest.mark.django_db

QUESTION = "Has Harbour helped your recovery?"


def survey_url(pathway):
    return reverse("community:survey", kwargs={"slug": pathway.slug})


def forums_url(pathway):
    return reverse("community:forums", kwargs={"slug": pathway.slug})


def test_a_due_member_sees_the_question_on_their_pathways_pages(client, pathway):
    client.force_login(make_seasoned_member(pathway))
    page = client.get(forums_url(pathway)).content.decode()
    assert QUESTION in page and "Not now" in page and "Don't ask me again" in page
    assert f'action="{survey_url(pathway)}"' in page
    assert f'name="next" value="{forums_url(pathway)}"' in page


def test_a_new_member_sees_no_question(client, pathway):
    """(Staff, alerts and the rest: tests/community/survey/test_asking.py.)"""
    client.force_login(make_member(pathway))
    response = client.get(forums_url(pathway))
    assert response.status_code == 200
    assert QUESTION not in response.content.decode()


def test_answering_with_a_comment_goes_back_with_a_thank_you(client, pathway):
    user = make_seasoned_member(pathway)
    client.force_login(user)
    make_forum(pathway)
    response = client.post(
        survey_url(pathway),
        {
            "score": "5",
            "comment": "The night forum",
            "decision": "answer",
            "next": forums_url(pathway),
        },
        follow=True,
    )
    assert response.redirect_chain == [(forums_url(pathway), 302)]
    page = response.content.decode()
    assert "Thank you for answering" in page
    assert QUESTION not in page  # asked: gone for the period
    assert SurveyAnswer.objects.get().score == 5
    assert SurveyComment.objects.get().body == "The night forum"


def test_a_comment_stating_risk_shows_the_crisis_card(client, pathway):
    user = make_seasoned_member(pathway)
    client.force_login(user)
    response = client.post(
        survey_url(pathway),
        {"score": "2", "comment": "I want to kill myself", "decision": "answer"},
        follow=True,
    )
    page = response.content.decode()
    assert "Help is here, right now" in page and "Thank you for answering" in page
    assert RiskAlert.objects.get().author == user


@pytest.mark.parametrize("score", ["", "0", "6", "many"])
def test_no_choice_or_one_off_the_scale_gets_the_form_again_with_the_words(
    client, pathway, score
):
    client.force_login(make_seasoned_member(pathway))
    data = {"comment": "It helped at 3am", "decision": "answer"}
    if score:
        data["score"] = score
    response = client.post(survey_url(pathway), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose" in page
    assert "It helped at 3am" in page
    assert not SurveyAnswer.objects.exists()


def test_a_rewrite_keeps_the_words_beside_the_comment(client, pathway):
    pathway.rule_packs = ["eating_disorders"]
    pathway.save()
    client.force_login(make_seasoned_member(pathway))
    response = client.post(
        survey_url(pathway),
        {"score": "4", "comment": "I was 45kg", "decision": "answer"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "I was 45kg" in page
    assert 'id="survey-comment-error"' in page
    assert not SurveyAnswer.objects.exists()


def test_not_now_and_dont_ask_again_need_no_answer(client, pathway):
    user = make_seasoned_member(pathway)
    client.force_login(user)
    back = forums_url(pathway)
    response = client.post(survey_url(pathway), {"decision": "later", "next": back})
    assert response.status_code == 302 and response.url == back
    assert SurveyPrompt.objects.get(user=user).stopped_at is None
    response = client.post(survey_url(pathway), {"decision": "never"}, follow=True)
    assert "We won&#x27;t ask you again." in response.content.decode()
    assert SurveyPrompt.objects.get(user=user).stopped_at is not None
    assert not SurveyAnswer.objects.exists()


def test_next_to_another_site_is_ignored(client, pathway):
    client.force_login(make_seasoned_member(pathway))
    response = client.post(
        survey_url(pathway), {"decision": "later", "next": "https://evil.example/"}
    )
    assert response.url == forums_url(pathway)


def test_another_pathway_is_not_found(client, pathway, other_pathway):
    """(Staff are "not found" too: tests/community/survey/test_permissions.py.)"""
    client.force_login(make_seasoned_member(other_pathway))
    data = {"score": "5", "decision": "answer"}
    assert client.get(survey_url(pathway)).status_code == 404
    assert client.post(survey_url(pathway), data).status_code == 404
    assert client.post(survey_url(pathway), {"decision": "never"}).status_code == 404
    assert not SurveyAnswer.objects.exists() and not SurveyPrompt.objects.exists()


def test_the_page_says_thank_you_when_already_answered(client, pathway):
    client.force_login(make_seasoned_member(pathway))
    client.post(survey_url(pathway), {"score": "4", "decision": "answer"})
    page = client.get(survey_url(pathway)).content.decode()
    assert "You have answered already" in page
    response = client.post(survey_url(pathway), {"score": "4", "decision": "answer"})
    assert "You have answered already" in response.content.decode()
    assert SurveyAnswer.objects.count() == 1


def test_the_pathways_landing_page_asks_too(client, pathway):
    from home.models import PathwayPage

    client.force_login(make_seasoned_member(pathway))
    landing = PathwayPage.objects.get(pathway=pathway)
    response = client.get(landing.url)
    assert response.status_code == 200
    assert QUESTION in response.content.decode()
