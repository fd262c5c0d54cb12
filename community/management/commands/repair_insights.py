"""Count the insights' summaries again from the content: each person's
posts per pathway and London day, posts per pathway, kind and hour, and
each topic's first-reply times. For
after anything that wrote content without the model's signals (raw SQL,
COPY, a bulk update), or to prove the summaries had not drifted: it says
how many rows it changed.

python manage.py repair_insights
python manage.py repair_insights --pathway perinatal
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from community.forums.actions import refresh_first_replies
from community.forums.models import Topic
from community.insights.models import AuthorDay, KindHour
from community.insights.summary import rebuild
from community.models import Pathway


class Command(BaseCommand):
    help = (
        "Rebuild the insights' summaries (posts per person-day and per hour, "
        "first replies)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pathway", help="one pathway's slug (default: all)")

    def handle(self, *args, pathway=None, **options):
        chosen = None
        if pathway:
            chosen = Pathway.objects.filter(slug=pathway).first()
            if chosen is None:
                raise CommandError(f"No pathway {pathway!r}.")
        topics = Topic.objects.all()
        days, hours = AuthorDay.objects.all(), KindHour.objects.all()
        if chosen is not None:
            topics = topics.filter(pathway=chosen)
            days, hours = days.filter(pathway=chosen), hours.filter(pathway=chosen)
        fields = ("pathway", "day", "author", "posts")
        hour_fields = ("pathway", "hour", "kind", "posts")
        replies = ("pk", "first_member_reply_at", "first_staff_reply_at")
        with transaction.atomic():
            before = set(days.values_list(*fields))
            hours_before = set(hours.values_list(*hour_fields))
            firsts = set(topics.values_list(*replies))
            rows = rebuild(chosen)
            refresh_first_replies(topics)
            changed_days = len(before ^ set(days.values_list(*fields)))
            changed_hours = len(hours_before ^ set(hours.values_list(*hour_fields)))
            changed_topics = len(firsts - set(topics.values_list(*replies)))
        self.stdout.write(
            f"{rows} person-days counted ({changed_days} rows differed); "
            f"{hours.count()} pathway-hours ({changed_hours} differed); "
            f"{topics.count()} topics' first replies derived ({changed_topics} "
            "differed)."
        )
