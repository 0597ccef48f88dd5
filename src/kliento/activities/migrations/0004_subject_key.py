"""The subject's search key (the list's prefix search and its sort by subject), and the
indexes that serve each sort of the list for every visible part (own, team).

Quick on a table of millions of activities:
- the column is added in place. Django's AddField copies the whole table on SQLite
  for any NOT NULL column; `ADD COLUMN ... NOT NULL DEFAULT ''` does not (SQLite keeps
  the constant default, which nothing relies on: every save sets the key). On
  PostgreSQL a constant default rewrites nothing either, and the column takes
  COLLATE "C" as the customers' keys do (customers 0002): ranges and ORDER BY then
  follow code points, like SQLite's BINARY. A later AlterField must re-apply it.
- the keys are filled in batches by id, each batch one statement;
- the indexes are built once, after the keys are in.

The other indexes serve the list's sorts for a scoped user, each visible part (own,
team) in its order, and (owner, team) the "own rows in another team" part at once.
"""

from django.conf import settings
from django.db import migrations, models

from kliento.core.text import search_key

TABLE = "activities_activity"
KEY_LENGTH = 300
BATCH = 5000


def _add_column(apps, schema_editor) -> None:
    q = schema_editor.quote_name
    postgres = schema_editor.connection.vendor == "postgresql"
    collate = ' COLLATE "C"' if postgres else ""
    schema_editor.execute(
        f"ALTER TABLE {q(TABLE)} ADD COLUMN {q('subject_key')} "
        f"varchar({KEY_LENGTH}){collate} NOT NULL DEFAULT ''"
    )
    if postgres:  # as Django leaves a column: the model gives every value
        schema_editor.execute(f"ALTER TABLE {q(TABLE)} ALTER COLUMN {q('subject_key')} DROP DEFAULT")


def _drop_column(apps, schema_editor) -> None:
    q = schema_editor.quote_name
    schema_editor.execute(f"ALTER TABLE {q(TABLE)} DROP COLUMN {q('subject_key')}")


def _update(cursor, postgres: bool, keyed: list[tuple[str, int]], table: str) -> None:
    if postgres:
        cursor.execute(
            f"UPDATE {table} AS a SET subject_key = v.k "
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, k) WHERE a.id = v.id",
            [[pk for _, pk in keyed], [key for key, _ in keyed]],
        )
    else:
        cursor.executemany(f"UPDATE {table} SET subject_key = %s WHERE id = %s", keyed)


def _fill_keys(apps, schema_editor) -> None:
    connection = schema_editor.connection
    table = schema_editor.quote_name(TABLE)
    postgres = connection.vendor == "postgresql"
    keys: dict[str, str] = {}  # subjects repeat a lot ("Follow-up call")
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, subject FROM {table} WHERE id > %s ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            keyed = []
            for pk, subject in rows:
                key = keys.get(subject)
                if key is None:
                    key = search_key(subject)[:KEY_LENGTH]
                    if len(keys) < 100_000:
                        keys[subject] = key
                if key:
                    keyed.append((key, pk))
            if keyed:
                _update(cursor, postgres, keyed, table)


def _statistics(apps, schema_editor) -> None:
    # How owner and team go together, for PostgreSQL's guess of the "own rows in another
    # team" part of a team-scoped list (nearly always empty), as customers 0003 does.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {TABLE}_owner_team_stats (mcv) "
            f"ON owner_id, team_id FROM {schema_editor.quote_name(TABLE)}"
        )


def _drop_statistics(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {TABLE}_owner_team_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_owner_kind_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="activity",
                    name="subject_key",
                    field=models.CharField(default="", editable=False, max_length=KEY_LENGTH),
                    preserve_default=False,
                ),
            ],
            database_operations=[migrations.RunPython(_add_column, _drop_column)],
        ),
        migrations.RunPython(_fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["subject_key", "id"], name="activity_subject_key"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["owner", "subject_key", "id"], name="activity_owner_subject"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["team", "subject_key", "id"], name="activity_team_subject"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["owner", "created_at", "id"], name="activity_owner_created"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["team", "created_at", "id"], name="activity_team_created"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["owner", "team"], name="activity_owner_team"),
        ),
        migrations.RunPython(_statistics, _drop_statistics),
    ]
