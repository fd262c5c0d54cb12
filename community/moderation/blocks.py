"""What a member keeps from their own view: blocks, mutes, mute words and how
content warnings open. Nobody else is told.
"""

from django.utils.translation import gettext as _

from community.inputs import with_id
from community.models import (
    Block,
    Mute,
    MuteWord,
    User,
)
from community.moderation.errors import InvalidInput, Refused
from community.safety.sanitise import sanitise


def do_block(user: User, other: User) -> None:
    """`user` blocks `other` (who is not told)."""
    if user == other:
        raise InvalidInput(_("You can't block yourself."))
    Block.objects.get_or_create(blocker=user, blocked=other)


def do_unblock(user: User, other: User) -> None:
    """`user` lifts their block of `other` (nothing when there was none).
    Only for `user`'s own blocks; `other` is not told, nothing is audited."""
    Block.objects.filter(blocker=user, blocked=other).delete()


def do_mute(user: User, other: User) -> None:
    """`user` stops seeing what `other` writes (who is not told)."""
    if user == other:
        raise InvalidInput(_("You can't mute yourself."))
    Mute.objects.get_or_create(muter=user, muted=other)


def do_unmute(user: User, other: User) -> None:
    """`user` sees what `other` writes again (nothing when not muted). Only
    for `user`'s own mutes; `other` is not told, nothing is audited."""
    Mute.objects.filter(muter=user, muted=other).delete()


MAX_MUTE_WORDS = 100


def do_add_mute_word(user: User, word: str) -> MuteWord:
    """Add a word or phrase the member would rather not see."""
    word = sanitise(word, max_length=1000).strip().lower()
    if not word:
        raise InvalidInput(_("Please type a word or phrase."))
    limit = MuteWord._meta.get_field("word").max_length
    assert limit is not None  # noqa: S101 - a CharField's
    if len(word) > limit:
        raise InvalidInput(_("Please keep it to 60 characters or fewer."))
    if user.mute_words.count() >= MAX_MUTE_WORDS:
        raise Refused(_("You have 100 muted words already; remove one first."))
    found, _created = MuteWord.objects.get_or_create(user=user, word=word)
    return found


def do_remove_mute_word(user: User, pk: object) -> None:
    """`user` removes their own mute word `pk`; another person's, a missing
    one or an odd id removes nothing. Not audited; nobody hears of it."""
    with_id(MuteWord.objects.filter(user=user), pk).delete()


def do_set_content_warnings(user: User, choice: str) -> None:
    """Whether pages with a content warning open folded or unfolded for
    `user`. An unknown choice keeps the safe default (folded)."""
    valid = {
        value
        for value, _label in User._meta.get_field("content_warnings").choices or ()
    }
    user.content_warnings = choice if choice in valid else "collapse"
    user.save(update_fields=["content_warnings"])
