"""The page frame's extras cost nothing unless a page uses them."""

import pytest
from django.test import RequestFactory

from community.notifications.actions import notify
from community.web.context_processors import harbour
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_unread_count_and_crisis_contacts_for_the_reader(
    pathway, django_assert_num_queries
):
    user = make_member(pathway)
    notify(user, pathway, "moderation", "Hello")
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(0):
        context = harbour(request)
    assert str(context["unread_notifications"]) == "1"
    names = [c.name for c in context["my_crisis_contacts"]]
    assert any("Samaritans" in name for name in names)
