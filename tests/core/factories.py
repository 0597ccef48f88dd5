"""Factories for core tests: minimal parent records built through the ORM."""

from __future__ import annotations

import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from kliento.core.models import CustomField, FieldType
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.models import Lead


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    name_key = factory.LazyAttribute(lambda o: search_key(o.name))
    team = factory.LazyAttribute(lambda o: o.owner.team)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Ozola{n}")
    name_key = factory.LazyAttribute(lambda o: search_key(o.last_name, o.first_name))
    first_name_key = factory.LazyAttribute(lambda o: search_key(o.first_name))
    team = factory.LazyAttribute(lambda o: o.owner.team)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    title = factory.Sequence(lambda n: f"Lead {n}")
    title_key = factory.LazyAttribute(lambda o: search_key(o.title))
    team = factory.LazyAttribute(lambda o: o.owner.team)


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField

    record_type = "contact"
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    field_type = FieldType.TEXT
    choices = factory.LazyFunction(list)


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
