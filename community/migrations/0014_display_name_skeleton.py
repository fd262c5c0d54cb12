"""Each person's display name skeleton (community.models.names.skeleton), unique:
no two names a reader could take for each other. Names that already look
alike keep working: the later ones get a skeleton marked with their id, so
the constraint holds, and they are asked for nothing until they change name."""

from django.db import migrations, models

from community.models.names import skeleton


def fill_skeletons(apps, schema_editor):
    User = apps.get_model("community", "User")
    seen = set()
    for user in User.objects.order_by("pk").only("pk", "display_name"):
        shape = skeleton(user.display_name)[:230]
        if not shape:
            continue
        if shape in seen:
            shape = f"{shape}#{user.pk}"
        seen.add(shape)
        User.objects.filter(pk=user.pk).update(display_name_skeleton=shape)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("community", "0013_site_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name_skeleton",
            field=models.CharField(
                blank=True, db_default="", default="", editable=False, max_length=255
            ),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("display_name_skeleton", ""), _negated=True),
                fields=("display_name_skeleton",),
                name="unique_display_name_skeleton",
            ),
        ),
    ]
