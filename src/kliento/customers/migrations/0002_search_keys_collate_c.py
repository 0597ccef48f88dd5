"""Byte-wise collation for the search-key columns on PostgreSQL.

Prefix search is a range `key >= lo AND key < hi` and lists sort by the key;
under a language collation the range and ORDER BY disagree with the bytes the
keys are built from, and a type-ahead ORDER BY walks the index slowly
(FACTS.md). With COLLATE "C" both follow code-point order, like SQLite's
default BINARY collation, so nothing is needed there. A later AlterField of
these columns must re-apply the collation.
"""

from django.db import migrations

COLUMNS = [
    ("customers_company", "name_key", 200),
    ("customers_contact", "name_key", 300),
    ("customers_contact", "first_name_key", 100),
]


def _set_collation(schema_editor, collation: str | None) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        clause = f' COLLATE "{collation}"' if collation else ""
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} ALTER COLUMN "
            f"{schema_editor.quote_name(column)} TYPE varchar({length}){clause}"
        )


def forwards(apps, schema_editor) -> None:
    _set_collation(schema_editor, "C")


def backwards(apps, schema_editor) -> None:
    _set_collation(schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
