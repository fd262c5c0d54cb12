"""uvicorn's own log lines as JSON (cms/deploy/uvicorn-logging.json)."""

import logging


class WithoutColour(logging.Filter):
    """uvicorn puts a copy of some messages with terminal colour codes on the
    record (`color_message`); a JSON line keeps only the plain `message`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        return True
