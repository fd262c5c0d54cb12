"""Errors reach Sentry when SENTRY_DSN is set, with no personal data: a real
sentry-sdk in a production-settings process sends to a local endpoint."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cms.sentry import scrub_event
from tests.cms.test_settings import PRODUCTION_ENV, ROOT

# A page that fails, added in the child process before its first request.
SCRIPT = """
import django, sentry_sdk
django.setup()
from django.test import Client
from django.urls import path
import cms.urls

def boom(request):
    raise ValueError("could not save for someone.real@example.nhs.uk")

cms.urls.urlpatterns.insert(0, path("boom/", boom))
client = Client(raise_request_exception=False)
client.cookies["harbour_private"] = "cookie-secret-value"
response = client.get(
    "/boom/?q=my+private+worry",
    HTTP_HOST="harbour.example.nhs.uk",
    HTTP_X_FORWARDED_PROTO="https",
    HTTP_X_MEMBER_NOTE="header-secret-value",
)
print(response.status_code)
sentry_sdk.flush(10)
"""


class _Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # only if the SDK chose it

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_reaches_sentry_without_personal_data():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received = []
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env={
                **{
                    k: v
                    for k, v in os.environ.items()
                    if k not in {"DATABASE_URL", "REDIS_URL"}
                },
                **PRODUCTION_ENV,
                "DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite3",
                "REDIS_URL": "",
                "AWS_STORAGE_BUCKET_NAME": "",
                "DJANGO_SETTINGS_MODULE": "cms.settings.production",
                "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1",
                "SENTRY_ENVIRONMENT": "test",
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "500"
    sent = b"\n".join(_Receiver.received).decode()
    events = [
        json.loads(line)
        for line in sent.splitlines()
        if line.startswith("{") and '"exception"' in line
    ]
    assert len(events) == 1, sent[:2000]
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["environment"] == "test"
    assert event["transaction"] == "/boom/"
    for secret in (
        "someone.real",
        "private+worry",
        "private worry",
        "cookie-secret-value",
        "header-secret-value",
    ):
        assert secret not in sent


def test_scrub_keeps_the_user_id_and_drops_the_rest():
    event = scrub_event(
        {
            "user": {"id": 7, "email": "a@example.org", "ip_address": "1.2.3.4"},
            "request": {"data": "I feel awful", "headers": {"Cookie": "x"}},
            "extra": {"text": "I feel awful"},
            "breadcrumbs": {
                "values": [{"message": "sent to a@example.org", "data": {"x": 1}}]
            },
        }
    )
    assert event["user"] == {"id": 7}
    assert event["request"] == {"headers": {}}
    assert "extra" not in event
    assert event["breadcrumbs"]["values"][0] == {"message": "sent to [email]"}
