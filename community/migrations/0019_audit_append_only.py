"""Audit rows are append-only on PostgreSQL: a trigger refuses UPDATE and
DELETE on community_auditevent unless the transaction opened the retention
window (community.audit.audit_retention_window sets harbour.audit_retention
to 'on' for itself only). SQLite (the embedded default) has no such guard.

TRUNCATE is not guarded: the test suite empties tables with it between
transactional tests, and only the database owner can run it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION harbour_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('harbour.audit_retention', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only retention, inside its window, may delete audit rows.';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS community_auditevent_append_only ON community_auditevent;
CREATE TRIGGER community_auditevent_append_only
    BEFORE UPDATE OR DELETE ON community_auditevent
    FOR EACH ROW EXECUTE FUNCTION harbour_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS community_auditevent_append_only ON community_auditevent;
DROP FUNCTION IF EXISTS harbour_audit_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no placeholders: % is plpgsql's

    return run


class Migration(migrations.Migration):
    dependencies = [("community", "0018_rights_data_export")]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
