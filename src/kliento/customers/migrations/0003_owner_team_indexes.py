"""Index (owner, team), and on PostgreSQL joint statistics of the two columns.

A team-scoped list reads "one's own rows outside the team" as its own part
(core.visibility.scope_parts); that part is nearly always empty. The index
answers it at once, and the statistics tell PostgreSQL how owner and team go
together: without them it guesses thousands of rows and walks the owner's whole
name index instead (0.46 s at 1M contacts; 0.03 ms with them).
"""

from django.conf import settings
from django.db import migrations, models

TABLES = ["customers_company", "customers_contact"]


def _statistics(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {table}_owner_team_stats (mcv) "
            f"ON owner_id, team_id FROM {schema_editor.quote_name(table)}"
        )


def _drop_statistics(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {table}_owner_team_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("customers", "0002_search_keys_collate_c"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(fields=["owner", "team"], name="company_owner_team"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "team"], name="contact_owner_team"),
        ),
        migrations.RunPython(_statistics, _drop_statistics),
    ]
