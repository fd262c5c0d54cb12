"""Rows read by a written-out statement are the instances the ORM makes:
every concrete field the same, converters applied (JSON, and SQLite's dates)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chat import rows
from community.models import Membership, Pathway

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def test_a_joined_row_makes_each_model_as_the_orm_does(pathway, member):
    pathway.rule_packs = ["eating_disorders"]
    pathway.save(update_fields=["rule_packs"])
    membership = Membership.objects.get(user=member, pathway=pathway)
    membership.muted_until = timezone.now() + timedelta(hours=1)
    membership.save(update_fields=["muted_until"])
    made_pathway, made_membership = (
        rows.columns(Pathway, "p"),
        rows.columns(Membership, "m"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {made_pathway.sql}, {made_membership.sql} "  # noqa: S608 - test
            f"FROM {Pathway._meta.db_table} p JOIN {Membership._meta.db_table} m "
            "ON m.pathway_id = p.id WHERE m.id = %s",
            [membership.pk],
        )
        row = cursor.fetchone()
    got_pathway = made_pathway.make(row)
    got_membership = made_membership.make(row, made_pathway.width)
    assert fields_of(got_pathway) == fields_of(Pathway.objects.get(pk=pathway.pk))
    assert got_pathway.rule_packs == ["eating_disorders"]
    assert fields_of(got_membership) == fields_of(
        Membership.objects.get(pk=membership.pk)
    )
    assert got_membership.muted_until == membership.muted_until
    # Instances as the ORM's: saved from here, they update, not insert.
    assert not got_membership._state.adding
    got_membership.save(update_fields=["muted_until"])
    assert Membership.objects.filter(user=member, pathway=pathway).count() == 1


def test_names_are_the_models_own_quoted_for_the_database():
    from chat.models import Room

    quote = connection.ops.quote_name
    assert rows.table(Room) == quote(Room._meta.db_table)
    assert rows.column(Room, "pathway") == quote("pathway_id")
    assert rows.column(Room, "last_seq") == quote("last_seq")
