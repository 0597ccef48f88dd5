"""Factories for companies and contacts, keys kept consistent like the services keep them."""

from __future__ import annotations

import factory

from kliento.core.text import search_key
from kliento.customers.choices import ChannelKind
from kliento.customers.models import Channel, Company, Contact
from tests.factories import UserFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n:04d}")
    name_key = factory.LazyAttribute(lambda o: search_key(o.name))
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"First{n:04d}")
    last_name = factory.Sequence(lambda n: f"Last{n:04d}")
    middle_name = ""
    name_key = factory.LazyAttribute(lambda o: search_key(o.last_name, o.first_name, o.middle_name))
    first_name_key = factory.LazyAttribute(lambda o: search_key(o.first_name))
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


def add_channel(record: Company | Contact, kind: str, value: str, primary: bool = True) -> Channel:
    link = {"contact": record} if isinstance(record, Contact) else {"company": record}
    channel = Channel.objects.create(
        kind=kind, value=value, normalized=value, is_primary=primary, **link
    )
    if isinstance(record, Contact) and primary and kind in (ChannelKind.EMAIL, ChannelKind.PHONE):
        setattr(record, "email" if kind == ChannelKind.EMAIL else "phone", value)
        record.save()
    return channel
