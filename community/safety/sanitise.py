"""Step 1 of the safety pipeline: member text becomes plain text.

Harbour stores what members write as plain text and escapes it when showing it;
no member-written HTML ever reaches a page. nh3 strips any markup a client sends
(pasted rich text, a crafted request), then entities are decoded so the stored
text is what the person sees and what risk detection reads.
"""

import html
import re
import unicodedata

import nh3

CONTROL_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e]"
)
MANY_BLANK_LINES = re.compile(r"\n{3,}")


def sanitise(text: str, *, max_length: int = 10_000) -> str:
    """Plain text: no tags, no control or direction-override characters, NFC
    normalised, newlines kept (at most one blank line in a row), trimmed.
    Raises ValueError if the result is longer than `max_length`."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = html.unescape(nh3.clean(text, tags=set()))
    text = CONTROL_CHARS.sub("", text)
    text = MANY_BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > max_length:
        raise ValueError(f"Text is longer than {max_length} characters.")
    return text
