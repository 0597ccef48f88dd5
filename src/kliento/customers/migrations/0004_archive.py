# The archive (core.archive): archived_at and archived_with, their partial indexes.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_signin_addresses'),
        ('customers', '0003_owner_team_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='company',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='archived'),
        ),
        migrations.AddField(
            model_name='company',
            name='archived_with',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='contact',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='archived'),
        ),
        migrations.AddField(
            model_name='contact',
            name='archived_with',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='company',
            index=models.Index(condition=models.Q(('archived_at__isnull', False)), fields=['archived_at', 'id'], name='company_archived'),
        ),
        migrations.AddIndex(
            model_name='company',
            index=models.Index(condition=models.Q(('archived_with__isnull', False)), fields=['archived_with'], name='company_archived_with'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(condition=models.Q(('archived_at__isnull', False)), fields=['archived_at', 'id'], name='contact_archived'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(condition=models.Q(('archived_with__isnull', False)), fields=['archived_with'], name='contact_archived_with'),
        ),
    ]
