"""Factories for activity tests: plain rows of the records an activity links to."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kliento.activities.models import Activity
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.models import Deal, Lead, Pipeline, Stage
from tests.factories import UserFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    name_key = factory.LazyAttribute(lambda o: search_key(o.name))
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Ozola{n}")
    name_key = factory.LazyAttribute(lambda o: search_key(o.last_name, o.first_name))
    first_name_key = factory.LazyAttribute(lambda o: search_key(o.first_name))
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    title_key = factory.LazyAttribute(lambda o: search_key(o.title))
    stage = factory.SubFactory(StageFactory)
    pipeline = factory.LazyAttribute(lambda o: o.stage.pipeline)
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    title = factory.Sequence(lambda n: f"Lead {n}")
    title_key = factory.LazyAttribute(lambda o: search_key(o.title))
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


class ActivityFactory(factory.django.DjangoModelFactory):
    """A bare row; tests of behaviour create activities through the services."""

    class Meta:
        model = Activity

    kind = "call"
    subject = factory.Sequence(lambda n: f"Call {n}")
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)
    when = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
