# The archive (core.archive): archived_at and archived_with, their partial indexes.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_signin_addresses'),
        ('customers', '0004_archive'),
        ('sales', '0003_deal_stage_totals_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='deal',
            name='deal_stage_totals',
        ),
        migrations.AddField(
            model_name='deal',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='archived'),
        ),
        migrations.AddField(
            model_name='deal',
            name='archived_with',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='lead',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='archived'),
        ),
        migrations.AddField(
            model_name='lead',
            name='archived_with',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['stage', 'team', 'currency', 'amount', 'archived_at'], name='deal_stage_totals'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(condition=models.Q(('archived_at__isnull', False)), fields=['archived_at', 'id'], name='deal_archived'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(condition=models.Q(('archived_with__isnull', False)), fields=['archived_with'], name='deal_archived_with'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('archived_at__isnull', False)), fields=['archived_at', 'id'], name='lead_archived'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('archived_with__isnull', False)), fields=['archived_with'], name='lead_archived_with'),
        ),
    ]
