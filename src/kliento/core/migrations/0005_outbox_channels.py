"""The e-mail outbox becomes the outbox of every external send: a channel and a payload.

Existing e-mails keep their rows, keys and Message-IDs; their address, subject and
text move into the payload (and back, if this migration is reversed).
"""

from django.db import migrations, models

EMAIL_FIELDS = ("to", "subject", "body")


def to_payload(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    for message in OutboxMessage.objects.all().iterator():
        message.payload = {name: getattr(message, name) for name in EMAIL_FIELDS}
        message.save(update_fields=["payload"])


def from_payload(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    for message in OutboxMessage.objects.filter(channel="email").iterator():
        for name in EMAIL_FIELDS:
            setattr(message, name, str(message.payload.get(name, "")))
        message.save(update_fields=list(EMAIL_FIELDS))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_event_stream"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="channel",
            field=models.CharField(default="email", max_length=20),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="payload",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Reversing needs the old columns to accept rows before the payload is copied back.
        migrations.AlterField(
            model_name="outboxmessage",
            name="to",
            field=models.CharField(default="", max_length=254),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="subject",
            field=models.CharField(default="", max_length=300),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="body",
            field=models.TextField(default=""),
        ),
        migrations.RunPython(to_payload, from_payload),
        migrations.RemoveField(model_name="outboxmessage", name="to"),
        migrations.RemoveField(model_name="outboxmessage", name="subject"),
        migrations.RemoveField(model_name="outboxmessage", name="body"),
        migrations.AlterField(
            model_name="outboxmessage",
            name="key",
            field=models.CharField(max_length=200),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                fields=("channel", "key"), name="uniq_outbox_channel_key"
            ),
        ),
    ]
