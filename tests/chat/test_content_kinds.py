"""Chat messages as a content kind: reportable by those who may read them,
and only by them (a support conversation is its member's and the staff's)."""

import uuid

import pytest

from chat.actions import do_send_message
from chat.support import do_ask_for_support
from community.moderation.models import ModerationCase
from tests.factories import make_trusted

pytestmark = pytest.mark.django_db


def test_only_people_who_may_read_a_support_message_may_report_it(
    client, pathway, member, clinician
):
    room = do_ask_for_support(member, pathway)
    message = do_send_message(member, room, uuid.uuid4(), "I need to talk").message
    url = f"/community/{pathway.slug}/report/chat/{message.pk}/"
    client.force_login(make_trusted(pathway))  # same pathway, not their room
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "spam"}).status_code == 404
    assert not ModerationCase.objects.filter(object_id=message.pk).exists()
    client.force_login(member)
    assert client.get(url).status_code == 200
