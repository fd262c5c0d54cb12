"""What a page may watch live through the bell's socket (an open topic's new
replies, decision 0031).

The socket joins one more group for a page the person has open, after the
access layer said they may read it. This module keeps the registry: a wing
registers, with `watchable(kind)`, a function that answers for one person and
one thing to watch, so the socket (which must not import the wings) asks
without knowing them. Events to a watched group carry ids only: the page
fetches what changed through the access layer, rendered by the server.
"""

from collections.abc import Callable
from dataclasses import dataclass

from community.models import User


@dataclass(frozen=True)
class Watch:
    """A group the socket may join for its person, and the authors whose
    events it must not pass on to them (those they blocked or muted, read
    when the watch began: the page's fetch applies the rules again, so a
    block made since in another tab still shows nothing)."""

    group: str
    silenced: frozenset[int]


WatchCheck = Callable[[User, dict], Watch | None]
_WATCHES: dict[str, WatchCheck] = {}


def watchable(kind: str) -> Callable[[WatchCheck], WatchCheck]:
    """Register (as a decorator) the check for watching `kind`: given the
    person and the client's frame, the Watch, or None when the thing is
    missing or theirs to not see (alike)."""

    def register(function: WatchCheck) -> WatchCheck:
        _WATCHES[kind] = function
        return function

    return register


def check_watch(user: User, frame: dict) -> Watch | None:
    """The Watch for `frame` (`{"type": "watch", "kind": ..., ...}`) if
    `user` may watch it; None for an unknown kind, a malformed frame, or
    anything the access layer refuses, alike."""
    kind = frame.get("kind")
    check = _WATCHES.get(kind) if isinstance(kind, str) else None
    if check is None:
        return None
    return check(user, frame)
