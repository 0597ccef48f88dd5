# The archive (core.archive): archived_at and archived_with, their partial indexes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0004_subject_key'),
        ('core', '0006_signin_addresses'),
        ('customers', '0003_owner_team_indexes'),
        ('sales', '0003_deal_stage_totals_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='activity',
            name='activity_owner_kind',
        ),
        migrations.AddField(
            model_name='activity',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='archived'),
        ),
        migrations.AddField(
            model_name='activity',
            name='archived_with',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='activity',
            name='company',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='activities', to='customers.company'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='activities', to='customers.contact'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='deal',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='activities', to='sales.deal'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='lead',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='activities', to='sales.lead'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['owner', 'kind', 'when', 'outcome', 'archived_at'], name='activity_owner_kind'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('archived_at__isnull', False)), fields=['archived_at', 'id'], name='activity_archived'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('archived_with__isnull', False)), fields=['archived_with'], name='activity_archived_with'),
        ),
    ]
