"""Migrations stay backward compatible for one release (docs/deploy.md,
"Upgrades"): `migrate` runs before traffic moves to the new code, so for a
while the previous release's processes run on the new schema, and a rollback
runs the previous release on it too. Every migration of our apps newer than
the baseline below is checked for the operations that break that:

- removing or renaming a table or column (RemoveField, DeleteModel,
  RenameField, RenameModel, AlterModelTable, a changed db_column): the old
  code still reads and writes it. Stop using it in one release (a
  `SeparateDatabaseAndState` whose state operations drop it from the model,
  keeping the column nullable), remove it in the next;
- a NOT NULL column the old code does not fill: AddField without null=True or
  a `db_default` (a Python `default` is not enough: Django sets it in the
  database only while it adds the column, then drops it, so the old code's
  inserts fail), AlterField from null to NOT NULL (the old code writes NULL),
  or dropping the `db_default` of a NOT NULL column;
- RunPython or RunSQL without a reverse: the release could not be rolled
  back (`RunPython.noop` is a reverse, when there is nothing to undo).

Operations on a table the same migration creates are safe. A migration that
must break the rule, reviewed, goes into REVIEWED with the reason.

The checker reads migrations with Django's MigrationLoader; no database is
touched. django-migration-linter does more (it reads the SQL) but needs a
database per migration and knows no baseline but a git commit.
"""

from __future__ import annotations

import pytest
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.models.fields import NOT_PROVIDED

APPS = ("community", "chat", "home", "search")
# The latest migration of each app when the rule began: these and everything
# before them are what production runs already; only later ones are checked.
BASELINE = {
    "community": "0011_chat_privacy",
    "chat": "0004_direct_rooms_changes_presence",
    "home": "0004_comments",
    "search": "0001_fulltext_index",
}
# (app, migration) past the baseline whose operations were reviewed and are
# safe despite the checks, each with why; e.g. a column added in an earlier
# migration of the same release, which no released code uses yet.
REVIEWED: dict[tuple[str, str], str] = {}

UPGRADES = "see docs/deploy.md, Upgrades"

# The loader reads files only, but wagtail-localize's first migration asks the
# database a question as it is imported: the test database, never the real one.
pytestmark = pytest.mark.django_db


def unsafe_operations(
    migration: migrations.Migration, state: ProjectState
) -> list[str]:
    """What in `migration` the previous release could not run against, or
    a rollback could not undo, one line each. `state` is the project state
    just before it (not changed: each operation is applied to a copy)."""
    state = state.clone()
    app_label = migration.app_label
    created: set[tuple[str, str]] = set()
    problems = []
    for operation in migration.operations:
        for problem in _check(operation, app_label, state, created):
            problems.append(f"{app_label}.{migration.name}: {problem}")
        operation.state_forwards(app_label, state)
    return problems


def _check(
    operation: Operation,
    app_label: str,
    state: ProjectState,
    created: set[tuple[str, str]],
) -> list[str]:
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        # Only what reaches the database matters; state operations only
        # change what the new code's models say.
        return [
            problem
            for inner in operation.database_operations
            for problem in _check(inner, app_label, state, created)
        ]
    if isinstance(operation, migrations.CreateModel):
        created.add((app_label, operation.name_lower))
        return []
    if isinstance(operation, migrations.RunPython):
        return [] if operation.reversible else [f"RunPython {_no_reverse}"]
    if isinstance(operation, migrations.RunSQL):
        return [] if operation.reversible else [f"RunSQL {_no_reverse}"]
    model = getattr(operation, "model_name_lower", None) or getattr(
        operation, "name_lower", None
    )
    if (app_label, model) in created:
        return []  # a table no released code knows
    describe = f"{type(operation).__name__} {operation.describe()!r}"
    if isinstance(
        operation,
        (
            migrations.RemoveField,
            migrations.DeleteModel,
            migrations.RenameField,
            migrations.RenameModel,
            migrations.AlterModelTable,
        ),
    ):
        return [
            f"{describe}: the previous release still uses the old name; "
            f"stop using it in one release, remove it in the next ({UPGRADES})"
        ]
    if isinstance(operation, migrations.AddField):
        field = operation.field
        if field.many_to_many or field.null or _has_db_default(field):
            return []
        return [
            f"{describe}: a NOT NULL column without db_default; the previous "
            "release inserts rows without it (add null=True or db_default; "
            f"a Python default is dropped from the database) ({UPGRADES})"
        ]
    if isinstance(operation, migrations.AlterField):
        old = state.models[app_label, model].fields[operation.name]
        new = operation.field
        if getattr(old, "many_to_many", False) or new.many_to_many:
            return []
        if old.db_column != new.db_column:
            return [f"{describe}: renames the column ({UPGRADES})"]
        if old.null and not new.null:
            return [
                f"{describe}: makes the column NOT NULL; the previous release "
                f"writes NULL there ({UPGRADES})"
            ]
        if not new.null and _has_db_default(old) and not _has_db_default(new):
            return [
                f"{describe}: drops the database default of a NOT NULL column "
                f"the previous release leaves to it ({UPGRADES})"
            ]
    return []


_no_reverse = "without a reverse: the release could not be rolled back"


def _has_db_default(field) -> bool:
    return getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED


def checked_migrations(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Our apps' migrations past the baseline, in the order they apply."""
    done: set[tuple[str, str]] = set()
    for app, name in BASELINE.items():
        done.update(loader.graph.forwards_plan((app, name)))
    leaves = [node for node in loader.graph.leaf_nodes() if node[0] in APPS]
    plan: list[tuple[str, str]] = []
    for leaf in leaves:
        for node in loader.graph.forwards_plan(leaf):
            if node[0] in APPS and node not in done and node not in plan:
                plan.append(node)
    return plan


def problems_in(loader: MigrationLoader, nodes: list[tuple[str, str]]) -> list[str]:
    """Every unsafe operation in the migrations `nodes` of `loader`, less
    those REVIEWED."""
    problems = []
    for node in nodes:
        if node in REVIEWED:
            continue
        state = loader.project_state(node, at_end=False)
        problems += unsafe_operations(loader.graph.nodes[node], state)
    return problems


def _load(django_db_blocker) -> MigrationLoader:
    """The migration files alone (no connection: whatever a database has
    applied), the test database let in for wagtail-localize's question."""
    with django_db_blocker.unblock():
        return MigrationLoader(None, ignore_no_migrations=True)


@pytest.fixture(scope="module")
def loader(django_db_setup, django_db_blocker):
    return _load(django_db_blocker)


def test_migrations_since_the_baseline_keep_the_previous_release_working(loader):
    problems = problems_in(loader, checked_migrations(loader))
    assert not problems, "\n".join(problems)


def test_the_baseline_names_each_app_s_migrations_that_exist(loader):
    assert set(BASELINE) == set(APPS)
    for node in BASELINE.items():
        assert node in loader.graph.nodes, (
            f"{node} is in BASELINE but not among the migrations: a squash or "
            "rename must update the baseline"
        )
    assert all(node in loader.graph.nodes for node in REVIEWED)


def test_nothing_before_the_baseline_is_checked(loader):
    checked = checked_migrations(loader)
    assert not set(checked) & set(BASELINE.items())
    assert ("community", "0001_initial") not in checked


# The checker itself, fed migrations made up here -----------------------------------


def _at_baseline(loader) -> ProjectState:
    return loader.project_state(list(BASELINE.items()), at_end=True)


def _forwards(apps, schema_editor):
    pass  # pragma: no cover - never run, only inspected


def _made_up(*operations: Operation) -> migrations.Migration:
    migration = migrations.Migration("9999_made_up", "community")
    migration.operations = list(operations)
    return migration


OLD_NAME = "still uses the old name"
NOT_NULL = "NOT NULL"
NO_REVERSE = "could not be rolled back"
# What each unsafe operation is, and a phrase its problem must give.
UNSAFE = {
    "remove a field": (migrations.RemoveField("pathway", "minimum_age"), OLD_NAME),
    "delete a model": (migrations.DeleteModel("RiskPhrase"), OLD_NAME),
    "rename a field": (migrations.RenameField("pathway", "name", "title"), OLD_NAME),
    "rename a model": (migrations.RenameModel("MuteWord", "HiddenWord"), OLD_NAME),
    "rename a table": (
        migrations.AlterModelTable("muteword", "community_hidden"),
        OLD_NAME,
    ),
    "add NOT NULL": (
        migrations.AddField("pathway", "colour", models.CharField(max_length=7)),
        NOT_NULL,
    ),
    "add NOT NULL, Python default only": (
        migrations.AddField(
            "pathway", "colour", models.CharField(max_length=7, default="#005eb8")
        ),
        NOT_NULL,
    ),
    "make NOT NULL": (
        migrations.AlterField(
            "riskalert", "escalate_at", models.DateTimeField(db_index=True)
        ),
        NOT_NULL,
    ),
    "rename a column": (
        migrations.AlterField(
            "pathway", "name", models.CharField(max_length=120, db_column="title")
        ),
        "renames the column",
    ),
    "RunPython one way": (migrations.RunPython(_forwards), NO_REVERSE),
    "RunSQL one way": (
        migrations.RunSQL("UPDATE community_pathway SET name = name"),
        NO_REVERSE,
    ),
    "remove, in the database part": (
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RemoveField("pathway", "minimum_age")]
        ),
        OLD_NAME,
    ),
}

SAFE = {
    "remove a field": migrations.RemoveField("pathway", "minimum_age"),
    "delete a model": migrations.DeleteModel("RiskPhrase"),
    "rename a field": migrations.RenameField("pathway", "name", "title"),
    "rename a model": migrations.RenameModel("MuteWord", "HiddenWord"),
    "rename a table": migrations.AlterModelTable("muteword", "community_hidden"),
    "add NOT NULL": migrations.AddField(
        "pathway", "colour", models.CharField(max_length=7)
    ),
    "add NOT NULL, Python default only": migrations.AddField(
        "pathway", "colour", models.CharField(max_length=7, default="#005eb8")
    ),
    "make NOT NULL": migrations.AlterField(
        "riskalert", "escalate_at", models.DateTimeField(db_index=True)
    ),
    "rename a column": migrations.AlterField(
        "pathway", "name", models.CharField(max_length=120, db_column="title")
    ),
    "RunPython one way": migrations.RunPython(_forwards),
    "RunSQL one way": migrations.RunSQL("UPDATE community_pathway SET name = name"),
    "remove, in the database part": migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RemoveField("pathway", "minimum_age")]
    ),
}

SAFE = {
    "add nullable": migrations.AddField(
        "pathway", "colour", models.CharField(max_length=7, null=True)
    ),
    "add with db_default": migrations.AddField(
        "pathway",
        "colour",
        models.CharField(max_length=7, default="#005eb8", db_default="#005eb8"),
    ),
    "make nullable": migrations.AlterField(
        "pathway", "name", models.CharField(max_length=120, null=True)
    ),
    "RunPython with a reverse": migrations.RunPython(
        _forwards, migrations.RunPython.noop
    ),
    "RunSQL with a reverse": migrations.RunSQL(
        "UPDATE community_pathway SET name = name",
        "UPDATE community_pathway SET name = name",
    ),
    "remove from the model only": migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RemoveField("pathway", "minimum_age")]
    ),
    "add an index": migrations.AddIndex(
        "pathway", models.Index(fields=["name"], name="pathway_name_idx")
    ),
}


@pytest.mark.parametrize(("operation", "why"), UNSAFE.values(), ids=UNSAFE.keys())
def test_the_check_fails_an_unsafe_operation(loader, operation, why):
    problems = unsafe_operations(_made_up(operation), _at_baseline(loader))
    assert len(problems) == 1
    assert problems[0].startswith("community.9999_made_up: ")
    assert why in problems[0]


@pytest.mark.parametrize("operation", SAFE.values(), ids=SAFE.keys())
def test_the_check_passes_a_safe_operation(loader, operation):
    assert unsafe_operations(_made_up(operation), _at_baseline(loader)) == []


def test_a_table_made_in_the_same_migration_may_change_at_will(loader):
    migration = _made_up(
        migrations.CreateModel(
            "Colour", [("id", models.BigAutoField(primary_key=True))]
        ),
        migrations.AddField("colour", "hex", models.CharField(max_length=7)),
        migrations.RenameField("colour", "hex", "code"),
    )
    assert unsafe_operations(migration, _at_baseline(loader)) == []


def test_a_made_up_migration_past_the_baseline_fails_the_whole_check(
    django_db_setup, django_db_blocker
):
    """The path the real test takes: a migration in the graph after the
    baseline, found, loaded and failed (on a loader of its own, as the made-up
    migration is added to its graph)."""
    loader = _load(django_db_blocker)
    leaf = max(node for node in loader.graph.leaf_nodes() if node[0] == "community")
    migration = _made_up(migrations.RemoveField("pathway", "minimum_age"))
    migration.dependencies = [leaf]
    loader.graph.add_node(("community", migration.name), migration)
    loader.graph.add_dependency(migration, ("community", migration.name), leaf)
    nodes = checked_migrations(loader)
    assert ("community", "9999_made_up") in nodes
    assert problems_in(loader, nodes) == [
        "community.9999_made_up: RemoveField 'Remove field minimum_age from "
        "pathway': the previous release still uses the old name; stop using it "
        f"in one release, remove it in the next ({UPGRADES})"
    ]
