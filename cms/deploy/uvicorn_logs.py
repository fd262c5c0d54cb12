"""uvicorn's own log lines as JSON (cms/deploy/uvicorn-logging.json)."""

import logging


class PlainLines(logging.Filter):
    """uvicorn's lines as the app's are: without the copy of a message with
    terminal colour codes that uvicorn puts on some records
    (`color_message`), and without the query string of a socket's address in
    its "WebSocket /path [accepted]" lines (the access log is off for the same
    reason: search terms and the like stay out of logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        if (
            isinstance(record.msg, str)
            and '"WebSocket %s"' in record.msg
            and isinstance(record.args, tuple)
            and len(record.args) >= 2
            and isinstance(record.args[1], str)
        ):
            record.args = (
                record.args[0],
                record.args[1].split("?", 1)[0],
                *record.args[2:],
            )
        return True
