"""Issue #20 item 3 in a browser, on a phone (390 px): a member sees the
question at the foot of their pathway's page, answers with a comment and is
back on the page with the thank-you; axe finds nothing on either page."""

from playwright.sync_api import expect

from community.survey.models import SurveyAnswer, SurveyComment
from tests.factories import make_forum, make_seasoned_member

COMMENT = "Having somewhere to go at night has helped"


def test_a_member_answers_the_survey_on_a_phone(
    phone_page, pathway, sign_in, visit, submit, fits_the_screen, screenshot
):
    page = phone_page
    make_forum(pathway)
    member = make_seasoned_member(pathway, display_name="Rowan")
    sign_in(page, member)
    forums = f"/community/{pathway.slug}/forums/"
    visit(page, forums)  # axe runs on the page with the question
    question = page.get_by_role("group", name="Has Harbour helped your recovery?")
    expect(question).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "survey-question-phone")

    question.get_by_label("Agree", exact=True).check()
    page.get_by_label("Anything you would like to add").fill(COMMENT)
    submit(page, "Send my answer")  # and axe again, on the page it comes back to

    assert page.url.endswith(forums)
    expect(page.get_by_text("Thank you for answering")).to_be_visible()
    expect(
        page.get_by_role("group", name="Has Harbour helped your recovery?")
    ).to_have_count(0)
    fits_the_screen(page)
    screenshot(page, "survey-thank-you-phone")
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.pathway, answer.user) == (4, pathway, member)
    assert SurveyComment.objects.get().body == COMMENT
