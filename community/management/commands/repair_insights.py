"""Count the insights' summaries again from the content: each person's
posts per pathway and London day, and each topic's first-reply times. For
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
from community.insights.models import AuthorDay
from community.insights.summary import rebuild
from community.models import Pathway


class Command(BaseCommand):
    help = "Rebuild the insights' summaries (posts per person-day, first replies)."

    def add_arguments(self, parser):
        parser.add_argument("--pathway", help="one pathway's slug (default: all)")

    def handle(self, *args, pathway=None, **options):
        chosen = None
        if pathway:
            chosen = Pathway.objects.filter(slug=pathway).first()
            if chosen is None:
                raise CommandError(f"No pathway {pathway!r}.")
        topics = Topic.objects.all()
        days = AuthorDay.objects.all()
        if chosen is not None:
            topics, days = topics.filter(pathway=chosen), days.filter(pathway=chosen)
        fields = ("pathway", "day", "author", "posts")
        replies = ("pk", "first_member_reply_at", "first_staff_reply_at")
        with transaction.atomic():
            before = set(days.values_list(*fields))
            firsts = set(topics.values_list(*replies))
            rows = rebuild(chosen)
            refresh_first_replies(topics)
            changed_days = len(before ^ set(days.values_list(*fields)))
            changed_topics = len(firsts - set(topics.values_list(*replies)))
        self.stdout.write(
            f"{rows} person-days counted ({changed_days} rows differed); "
            f"{topics.count()} topics' first replies derived ({changed_topics} "
            "differed)."
        )
