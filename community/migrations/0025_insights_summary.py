"""The insights' summaries (docs/decisions/0026-insights.md): each person's
posts per pathway and London day and latest post per pathway, and each
topic's first-reply times; all
filled from the content already stored, set-based (one INSERT ... SELECT,
one UPDATE), by the same code `repair_insights` runs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    """The code of today on purpose: the statements name only the columns
    they read (pathway, author, time; a reply's topic and status), and a
    kind whose table is not there yet (a fresh database) is skipped."""
    from community.forums.actions import refresh_first_replies
    from community.forums.models import Topic
    from community.insights.summary import rebuild

    rebuild()
    refresh_first_replies(Topic.objects.all())
    if schema_editor.connection.vendor == "postgresql":
        # Fresh tables have no statistics until autovacuum comes: without
        # them the planner takes a million rows for a few.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE community_authorday, community_authorlatest, community_topic"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0024_easy_read"),
        # Their messages and comments are counted by the backfill.
        ("chat", "0004_direct_rooms_changes_presence"),
        ("home", "0004_comments"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="first_member_reply_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="topic",
            name="first_staff_reply_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.CreateModel(
            name="AuthorDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField()),
                ("posts", models.PositiveIntegerField(default=0)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pathway",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.pathway",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pathway", "day", "author"), name="insights_author_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuthorLatest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("last_at", models.DateTimeField()),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pathway",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.pathway",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["pathway", "last_at"],
                        name="community_a_pathway_c99ef8_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pathway", "author"), name="insights_author_latest"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
