"""Receivers that keep the insights' summaries in step with the content,
whichever road wrote it: the submission road, the admin, the demo loader, a
test's factory, a shell. Connected by the app's composition root
(community.apps); they run on the writer's connection right after its
INSERT, UPDATE or DELETE, so inside the writer's transaction (the
submission road's, a moderator's decision's, erasure's) they commit or roll
back with the content.

Signals rather than calls in each action: every road that saves or deletes
a model instance sends them (a queryset's delete() too, one per row, since
receivers are connected), so a new road cannot forget them. What sends none
- QuerySet.update(), bulk_create(), raw SQL and COPY - must say so: erasure
re-derives the first replies it hides (rights.erasure.erase_content), and
bench/insights.py, which writes by COPY, runs `summary.rebuild`.
`repair_insights` rebuilds both from the content tables.

- every counted model (summary.counted): a row saved for the first time adds
  one to its person-day and its pathway's kind-hour, and may be its author's
  latest post; a row whose pathway, author or time changed moves from the
  old person-day and hour to the new; a row deleted takes one away (and,
  when it may have been the latest, the author's latest is found again).
- forum replies: a reply saved (its status, author, topic or time possibly
  changed: a moderator's decision, an approval, an edit) or deleted makes
  its topic's first-reply times derived again
  (forums.actions.refresh_first_replies), and its old topic's if it moved."""

from django.db.models.signals import post_delete, post_save, pre_save

from community.forums.actions import refresh_first_replies
from community.forums.models import Reply, Topic
from community.insights.summary import (
    add_written,
    counted,
    day_of,
    kind_of,
    spec_of,
    take_written,
)

# A reply's fields that can change which reply is a topic's first.
FIRST_REPLY_FIELDS = frozenset(
    {"status", "author", "author_id", "topic", "topic_id", "pathway", "pathway_id"}
    | {"created_at"}
)


def _key(instance, author: str, when: str):
    moment = getattr(instance, when)
    return (
        instance.pathway_id,
        getattr(instance, f"{author}_id"),
        day_of(moment) if moment else None,
    )


def _count(sender, instance, key, at, n: int) -> None:
    """Add (n=1) or take away (n=-1) one row written at `at` by key's
    author in key's pathway (`_key`) in every summary."""
    pathway, author, _day = key
    change = add_written if n > 0 else take_written
    change(pathway, author, kind_of(sender, instance), at)


def remember(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a counted row already stored is saved again: what it was (its
    person-day, and a reply's topic), unless the save names only fields
    that change neither."""
    spec = spec_of(sender)
    if spec is None or instance._state.adding or instance.pk is None:
        return
    author, when = spec
    watched = {"pathway", "pathway_id", author, f"{author}_id", when}
    if sender is Reply:
        watched |= FIRST_REPLY_FIELDS
    if update_fields is not None and not watched & set(update_fields):
        return
    fields = ["pathway_id", f"{author}_id", when] + (
        ["topic_id"] if sender is Reply else []
    )
    before = sender._default_manager.filter(pk=instance.pk).values_list(*fields)
    row = before.first()
    if row is not None:
        instance._insights_before = (
            (row[0], row[1], day_of(row[2]) if row[2] else None),
            row[3] if sender is Reply else None,
            row[2],
        )


def saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    spec = spec_of(sender)
    if spec is None:
        return
    now = _key(instance, *spec)
    before = instance.__dict__.pop("_insights_before", None)
    at = getattr(instance, spec[1])
    if created and now[2]:
        _count(sender, instance, now, at, 1)
    elif not created and before is not None and (before[0], before[2]) != (now, at):
        old = before[0]
        if old[2]:
            _count(sender, instance, old, before[2], -1)
        if now[2]:
            _count(sender, instance, now, at, 1)
    if sender is Reply and (
        created or update_fields is None or FIRST_REPLY_FIELDS & set(update_fields)
    ):
        topics = {instance.topic_id, before[1] if before else None} - {None}
        refresh_first_replies(Topic.objects.filter(pk__in=topics))


def deleted(sender, instance, **kwargs) -> None:
    spec = spec_of(sender)
    if spec is None:
        return
    key = _key(instance, *spec)
    if key[2]:
        _count(sender, instance, key, getattr(instance, spec[1]), -1)
    if sender is Reply:
        # When the topic itself is being deleted this updates nothing.
        refresh_first_replies(Topic.objects.filter(pk=instance.topic_id))


def connect() -> None:
    """Called once by community.apps. Each counted model by name, never
    every model: a receiver for all senders would make every other bulk
    delete in Harbour fetch its rows to send signals. The comment's model
    is registered with the safety registry by its app (home, ready before
    community)."""
    for model in counted():
        uid = f"insights.{model._meta.label_lower}"
        pre_save.connect(remember, sender=model, dispatch_uid=f"{uid}.remember")
        post_save.connect(saved, sender=model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(deleted, sender=model, dispatch_uid=f"{uid}.deleted")
