"""Content kinds register once; the safety mechanism finds them by name or
by object."""

import pytest

from community.forums.models import Reply, Topic
from community.safety.registry import kind_named, kind_of, registered_kinds


def test_forum_topics_and_replies_are_registered():
    names = {kind.name for kind in registered_kinds()}
    assert {"topic", "reply"} <= names
    assert kind_named("topic").model is Topic
    assert kind_of(Reply()).name == "reply"
    assert kind_named("nonsense") is None


def test_an_unregistered_object_is_an_error():
    with pytest.raises(LookupError):
        kind_of(object())
