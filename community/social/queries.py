"""Reads for the social wing's pages: reactions and their counts."""

from collections.abc import Mapping

from django.db.models import Count, Q

from community.models import (
    User,
)
from community.social.models import Reaction, ReactionKind


def reactions_to(reader: User, kind_name: str, objects) -> dict[int, list[dict]]:
    """For each object id: every reaction kind with its count and whether the
    reader gave it, in one query whatever the number of objects."""
    ids = [obj.pk for obj in objects]
    rows = (
        Reaction.objects.filter(content_kind=kind_name, object_id__in=ids)
        .values("object_id", "reaction")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user=reader)))
    )
    found: dict[tuple[int, str], Mapping[str, object]] = {
        (r["object_id"], r["reaction"]): r for r in rows
    }
    return {
        pk: [
            {
                "value": value,
                "label": label,
                "count": found.get((pk, value), {}).get("n", 0),
                "mine": bool(found.get((pk, value), {}).get("mine", 0)),
            }
            for value, label in ReactionKind.choices
        ]
        for pk in ids
    }
