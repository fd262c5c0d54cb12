"""Chat's refusals, beneath both the access layer (chat.permissions) and the
actions (chat.actions), so that either may raise them without a circle."""

from community.actions import InvalidInput, Refused, SafetyError


class ChatError(Exception):
    """A request chat refuses; `code` for sockets, `str(error)` for people."""

    # What the sender typed or sent is wrong; every other code is a refusal.
    INPUT_CODES = frozenset({"too_long", "bad_client_id", "bad_frame"})

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code

    def as_safety_error(self) -> SafetyError:
        """The same answer as the page forms' kind of error."""
        kind = InvalidInput if self.code in self.INPUT_CODES else Refused
        return kind(str(self))
