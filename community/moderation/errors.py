"""What the safety mechanism says when it will not do what was asked.

Two kinds, under one base so a view that only shows the message catches
`SafetyError` and stays right for both:
- `Refused`: the rules or the present state refuse the request, whatever was
  typed (a moderator paused the author, the topic is locked, the person
  blocked them, a limit is used up, the thing has gone).
- `InvalidInput`: the request itself is not one we take (a choice not among
  those shown, a blank or over-long field); asking again with other input can
  succeed.
`str(error)` is kind and clear, ready to show the person who asked.
"""


class SafetyError(Exception):
    """A request the safety mechanism does not carry out; see the subclasses."""


class Refused(SafetyError):
    """The rules or the present state refuse this request."""


class InvalidInput(SafetyError):
    """The request's input is not one of those we take."""
