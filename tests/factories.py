"""factory_boy factories and test data shared by every test module.

Rows are written straight through the ORM, with the derived columns kept the way the
services keep them: `name_key`/`title_key` from `kliento.core.text.search_key`, and `team`
copied from the owner. Tests of behaviour go through the services; these build the world.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kliento.activities.models import Activity
from kliento.core.choices import Role
from kliento.core.models import Attachment, CustomField, FieldType, Notification, Team, User
from kliento.core.records import spec_for_model
from kliento.core.text import search_key
from kliento.customers.choices import ChannelKind
from kliento.customers.models import Channel, Company, Contact
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import Deal, DealReason, Lead, Pipeline, Stage

# --- file contents recognised by their bytes -----------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = (
    bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\0" * 32
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\0" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64 + b"PE\0\0"
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 64
CSV = "name,city\nАнна,Rīga\n".encode()


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])
XLSX = _zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])
ODT = _zip([("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")])
PLAIN_ZIP = _zip([("notes.txt", b"hello")])


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- people ------------------------------------------------------------------------------


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.MANAGER
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password("secret-pass-123")


class OwnedFactory(factory.django.DjangoModelFactory):
    """A customer record: the team follows the owner, as the services make it."""

    class Meta:
        abstract = True

    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


# --- customers ---------------------------------------------------------------------------


class CompanyFactory(OwnedFactory):
    class Meta:
        model = Company

    # Zero-padded so that default names sort in creation order.
    name = factory.Sequence(lambda n: f"Company {n:04d}")
    name_key = factory.LazyAttribute(lambda o: search_key(o.name))


class ContactFactory(OwnedFactory):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"First{n:04d}")
    last_name = factory.Sequence(lambda n: f"Last{n:04d}")
    middle_name = ""
    name_key = factory.LazyAttribute(lambda o: search_key(o.last_name, o.first_name, o.middle_name))
    first_name_key = factory.LazyAttribute(lambda o: search_key(o.first_name))


def add_channel(record: Company | Contact, kind: str, value: str, primary: bool = True) -> Channel:
    """A channel on a company or contact; a primary e-mail/phone is copied onto the contact."""
    link = {"contact": record} if isinstance(record, Contact) else {"company": record}
    channel = Channel.objects.create(
        kind=kind, value=value, normalized=value, is_primary=primary, **link
    )
    if isinstance(record, Contact) and primary and kind in (ChannelKind.EMAIL, ChannelKind.PHONE):
        setattr(record, "email" if kind == ChannelKind.EMAIL else "phone", value)
        record.save()
    return channel


# --- sales -------------------------------------------------------------------------------

WINDOW_STAGES = [
    ("First call", StageKind.OPEN, 10),
    ("Measurement", StageKind.OPEN, 30),
    ("Approval", StageKind.OPEN, 60),
    ("Won", StageKind.WON, 100),
    ("Lost", StageKind.LOST, 0),
]


class PipelineFactory(factory.django.DjangoModelFactory):
    """A pipeline with its stages: WINDOW_STAGES unless `stages=[(name, kind, probability)]`."""

    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pipeline {n}")

    @factory.post_generation
    def stages(self, create: bool, extracted: list[tuple[str, str, int]] | None, **_: Any):
        if not create:
            return
        for position, (name, kind, probability) in enumerate(
            WINDOW_STAGES if extracted is None else extracted
        ):
            Stage.objects.create(
                pipeline=self, name=name, position=position, kind=kind, probability=probability
            )


def make_pipeline(name: str | None = None, stages: list[tuple[str, str, int]] | None = None):
    return PipelineFactory(**({"name": name} if name else {}), stages=stages)


def stage_of(pipeline: Pipeline, name: str) -> Stage:
    return Stage.objects.get(pipeline=pipeline, name=name)


class DealReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealReason

    kind = ReasonKind.WON
    name = factory.Sequence(lambda n: f"Reason {n}")


class TitledFactory(OwnedFactory):
    """A lead or deal: searched by `title_key`, kept from the title as the services keep it."""

    class Meta:
        abstract = True

    title_key = factory.LazyAttribute(lambda o: search_key(o.title))


class LeadFactory(TitledFactory):
    class Meta:
        model = Lead

    title = factory.Sequence(lambda n: f"Lead {n}")
    first_name = "Anna"
    last_name = "Bērziņa"
    company_name = "Logi SIA"
    email = factory.Sequence(lambda n: f"lead{n}@example.com")


class DealFactory(TitledFactory):
    """A deal in the first open stage of its pipeline (a new one unless given)."""

    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    pipeline = factory.SubFactory(PipelineFactory)
    stage = factory.LazyAttribute(
        lambda o: o.pipeline.stages.filter(kind=StageKind.OPEN).order_by("position").first()
    )
    status = factory.LazyAttribute(lambda o: o.stage.kind)
    currency = "EUR"
    stage_entered_at = factory.LazyFunction(timezone.now)


def deal_for(owner: User, pipeline: Pipeline, **kwargs: Any) -> Deal:
    return DealFactory(owner=owner, pipeline=pipeline, **kwargs)


# --- activities, files, notifications, custom fields -------------------------------------


class ActivityFactory(OwnedFactory):
    """A bare row due tomorrow; tests of behaviour create activities through the services."""

    class Meta:
        model = Activity

    kind = "call"
    subject = factory.Sequence(lambda n: f"Call {n}")
    start_at = None
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    # The calendar sorts on `when`: the start, else the due time, as the service sets it.
    when = factory.LazyAttribute(lambda o: o.start_at or o.due_at or timezone.now())


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A stored file on `record` (a new company unless given), uploaded by its owner."""

    class Meta:
        model = Attachment
        exclude = ("record", "content")

    record = factory.SubFactory(CompanyFactory)
    content = PDF
    record_type = factory.LazyAttribute(lambda o: spec_for_model(type(o.record)).name)
    record_id = factory.LazyAttribute(lambda o: o.record.pk)
    original_name = "plan.pdf"
    content_type = "application/pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.LazyAttribute(lambda o: o.record.owner)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test:{n}")
    kind = "reminder"
    title = factory.Sequence(lambda n: f"Reminder {n}")


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField

    record_type = "contact"
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    field_type = FieldType.TEXT
    choices = factory.LazyFunction(list)
