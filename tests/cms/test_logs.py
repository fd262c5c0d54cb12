"""Log lines: JSON with time, level, request id and user id; no search terms,
no email addresses."""

import io
import json
import logging
import logging.config

import pytest
from django.test import Client

from cms.logs import logging_config
from tests.factories import UserFactory


@pytest.fixture
def json_lines():
    """Harbour's production log configuration, writing into a buffer."""
    stream = io.StringIO()
    config = logging_config("json", "INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_request_logs_one_json_line_without_its_query(json_lines):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get("/search/?q=my+private+worry")
    lines = [line for line in json_lines() if line["logger"] == "harbour.access"]
    assert len(lines) == 1
    line = lines[0]
    assert {"time", "level", "logger", "message", "request_id", "user_id"} <= set(line)
    assert line["level"] == "INFO"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == user.pk
    assert line["path"] == "/search/" and line["status"] == response.status_code
    assert "worry" not in json.dumps(lines)


def test_email_addresses_are_taken_out_of_messages_and_tracebacks(json_lines):
    logger = logging.getLogger("harbour.test")
    logger.warning("Could not email %s", "someone.real@example.nhs.uk")
    try:
        raise ValueError("Key (email)=(someone.real@example.nhs.uk) exists")
    except ValueError:
        logger.exception("Saving failed")
    text = json.dumps(json_lines())
    assert "someone.real" not in text
    assert text.count("[email]") >= 2
    assert "ValueError" in text


def test_lines_outside_a_request_have_no_request_id(json_lines):
    logging.getLogger("harbour.test").warning("Worker pass")
    (line,) = json_lines()
    assert line["request_id"] is None and line["user_id"] is None
    assert line["message"] == "Worker pass"
