"""Unit tests of the company and contact services."""

from __future__ import annotations

import pytest

from kliento.core import archive
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, Role
from kliento.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kliento.core.models import AuditEvent, CustomField, FieldType
from kliento.customers import services
from kliento.customers.models import Channel, Company, Contact, ImportantDate, Tag
from tests.factories import CompanyFactory, ContactFactory


def fields_of(exc: ValidationFailed) -> set[str]:
    return {e.field for e in exc.errors}


# --- create ----------------------------------------------------------------------------


def test_contact_create_normalises_channels_and_copies_the_primaries(manager):
    # given a contact with two e-mails and two phones, the second phone marked primary
    data = {
        "first_name": "Jānis",
        "last_name": "Bērziņš",
        "emails": [{"value": " Janis@Example.LV ", "label": "work"}, {"value": "j@home.lv"}],
        "phones": [{"value": "2000 0000"}, {"value": "+44 20 7946 0958", "is_primary": True}],
    }

    # when it is created
    contact = services.contact_create(actor=Actor.of_user(manager), data=data)

    # then e-mails are lower-cased, phones E.164, one primary per kind, copied onto the row
    contact.refresh_from_db()
    assert contact.email == "janis@example.lv"
    assert contact.phone == "+442079460958"
    emails = list(contact.channels.filter(kind="email").order_by("id"))
    assert [(c.value, c.is_primary, c.label) for c in emails] == [
        ("janis@example.lv", True, "work"),
        ("j@home.lv", False, ""),
    ]
    phones = list(contact.channels.filter(kind="phone").order_by("id"))
    assert [(c.normalized, c.is_primary) for c in phones] == [
        ("+37120000000", False),
        ("+442079460958", True),
    ]


def test_contact_create_sets_keys_owner_team_tags_dates_and_custom(manager):
    CustomField.objects.create(
        record_type="contact", key="coffee", label="Coffee", field_type=FieldType.NUMBER
    )
    contact = services.contact_create(
        actor=Actor.of_user(manager),
        data={
            "first_name": "Иван",
            "last_name": "Иванов",
            "middle_name": "Петрович",
            "tags": ["vip", "vip", "Riga"],
            "important_dates": [{"label": "Name day", "date": "2024-05-24"}],
            "custom": {"coffee": 3},
            "relationship": "customer",
        },
    )

    contact.refresh_from_db()
    assert contact.name_key == "иванов иван петрович"
    assert contact.first_name_key == "иван"
    assert contact.owner_id == manager.pk
    assert contact.team_id == manager.team_id
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Riga", "vip"]
    assert [(d.label, d.date.isoformat(), d.recurring) for d in contact.important_dates.all()] == [
        ("Name day", "2024-05-24", True)
    ]
    assert contact.custom == {"coffee": 3}
    assert contact.relationship == "customer"


def test_company_create_sets_the_name_key_and_records_an_audit_row(manager):
    company = services.company_create(
        actor=Actor.of_user(manager),
        data={"name": "  SIA Logs  ", "emails": [{"value": "INFO@logs.lv"}], "tags": ["b2b"]},
    )

    assert company.name == "SIA Logs"
    assert company.name_key == "sia logs"
    event = AuditEvent.objects.get(record_type="company", record_id=company.pk)
    assert event.action == AuditAction.CREATE
    assert event.actor_user_id == manager.pk
    assert event.changes["name"] == [None, "SIA Logs"]
    assert event.changes["emails"] == [
        None,
        [{"value": "info@logs.lv", "label": "", "is_primary": True}],
    ]
    assert event.changes["tags"] == [None, ["b2b"]]


def test_a_manager_may_not_give_a_new_record_to_someone_else(manager, colleague):
    with pytest.raises(ValidationFailed) as caught:
        services.contact_create(
            actor=Actor.of_user(manager), data={"last_name": "X", "owner_id": colleague.pk}
        )
    assert fields_of(caught.value) == {"owner_id"}
    assert Contact.objects.count() == 0


def test_a_head_of_sales_may_assign_and_the_team_follows_the_owner(head, stranger):
    contact = services.contact_create(
        actor=Actor.of_user(head), data={"last_name": "X", "owner_id": stranger.pk}
    )
    assert contact.owner_id == stranger.pk
    assert contact.team_id == stranger.team_id


def test_contact_company_must_be_visible_to_the_user(manager, stranger):
    hidden = CompanyFactory(owner=stranger)
    with pytest.raises(ValidationFailed) as caught:
        services.contact_create(
            actor=Actor.of_user(manager), data={"last_name": "X", "company_id": hidden.pk}
        )
    assert fields_of(caught.value) == {"company_id"}


def test_a_contact_needs_a_first_or_last_name(manager):
    with pytest.raises(ValidationFailed) as caught:
        services.contact_create(actor=Actor.of_user(manager), data={"middle_name": "Only"})
    assert fields_of(caught.value) == {"last_name"}


def test_two_primaries_of_one_kind_are_refused(manager):
    with pytest.raises(ValidationFailed) as caught:
        services.contact_create(
            actor=Actor.of_user(manager),
            data={
                "last_name": "X",
                "emails": [
                    {"value": "a@x.lv", "is_primary": True},
                    {"value": "b@x.lv", "is_primary": True},
                ],
            },
        )
    assert fields_of(caught.value) == {"emails"}


def test_every_bad_value_is_reported_at_once_and_nothing_is_written(manager):
    with pytest.raises(ValidationFailed) as caught:
        services.contact_create(
            actor=Actor.of_user(manager),
            data={
                "first_name": 5,
                "last_name": "x" * 101,
                "emails": [{"value": "not-an-email"}],
                "phones": [{"value": "123"}],
                "birthday": "31.12.1990",
                "relationship": "enemy",
                "tags": [""],
                "team_id": 3,
            },
        )
    assert fields_of(caught.value) == {
        "first_name",
        "last_name",
        "emails.0.value",
        "phones.0.value",
        "birthday",
        "relationship",
        "tags.0",
        "team_id",
    }
    assert Contact.objects.count() == Channel.objects.count() == Tag.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_role_without_the_create_right_is_refused(make_user):
    agent = make_user(Role.SERVICE_AGENT)
    with pytest.raises(PermissionDenied):
        services.company_create(actor=Actor.of_user(agent), data={"name": "X"})


# --- update ----------------------------------------------------------------------------


def test_update_replaces_a_given_channel_list_and_keeps_the_others(manager):
    actor = Actor.of_user(manager)
    contact = services.contact_create(
        actor=actor,
        data={
            "last_name": "Kalniņa",
            "emails": [{"value": "a@x.lv"}],
            "phones": [{"value": "+37120000000"}],
        },
    )

    updated = services.contact_update(
        actor=actor,
        contact_id=contact.pk,
        version=1,
        data={"emails": [{"value": "b@x.lv"}, {"value": "c@x.lv"}]},
    )

    assert updated.version == 2
    assert updated.email == "b@x.lv"
    assert updated.phone == "+37120000000"
    assert sorted(
        Channel.objects.filter(contact=contact, kind="email").values_list("value", flat=True)
    ) == [
        "b@x.lv",
        "c@x.lv",
    ]
    assert Channel.objects.filter(contact=contact, kind="phone").count() == 1


def test_update_audits_before_and_after_including_lists(manager):
    actor = Actor.of_user(manager)
    contact = services.contact_create(
        actor=actor, data={"first_name": "Anna", "last_name": "Ozola", "tags": ["a"]}
    )

    services.contact_update(
        actor=actor,
        contact_id=contact.pk,
        version=1,
        data={"first_name": "Anne", "tags": ["a", "b"], "job_title": "CEO"},
    )

    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.changes == {
        "first_name": ["Anna", "Anne"],
        "job_title": ["", "CEO"],
        "tags": [["a"], ["a", "b"]],
    }


def test_update_renames_the_search_keys(manager):
    actor = Actor.of_user(manager)
    contact = services.contact_create(
        actor=actor, data={"first_name": "Anna", "last_name": "Ozola"}
    )
    services.contact_update(
        actor=actor, contact_id=contact.pk, version=1, data={"last_name": "Šmite"}
    )
    contact.refresh_from_db()
    assert contact.name_key == "šmite anna"
    assert contact.first_name_key == "anna"


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(manager):
    actor = Actor.of_user(manager)
    company = services.company_create(actor=actor, data={"name": "First"})
    services.company_update(actor=actor, company_id=company.pk, version=1, data={"name": "Second"})

    with pytest.raises(Conflict):
        services.company_update(
            actor=actor,
            company_id=company.pk,
            version=1,
            data={"name": "Third", "emails": [{"value": "x@y.lv"}]},
        )

    company.refresh_from_db()
    assert (company.name, company.version) == ("Second", 2)
    assert not Channel.objects.filter(company=company).exists()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_update_without_a_version_is_refused(manager):
    contact = ContactFactory(owner=manager)
    with pytest.raises(ValidationFailed) as caught:
        services.contact_update(
            actor=Actor.of_user(manager),
            contact_id=contact.pk,
            version=None,
            data={"last_name": "Y"},
        )
    assert fields_of(caught.value) == {"version"}


def test_a_manager_may_not_take_a_teammates_record(manager, colleague):
    contact = ContactFactory(owner=colleague)
    with pytest.raises(ValidationFailed) as caught:
        services.contact_update(
            actor=Actor.of_user(manager),
            contact_id=contact.pk,
            version=1,
            data={"owner_id": manager.pk},
        )
    assert fields_of(caught.value) == {"owner_id"}
    contact.refresh_from_db()
    assert contact.owner_id == colleague.pk


def test_updating_a_record_of_another_team_is_not_found(manager, stranger):
    contact = ContactFactory(owner=stranger)
    with pytest.raises(NotFound):
        services.contact_update(
            actor=Actor.of_user(manager), contact_id=contact.pk, version=1, data={}
        )


def test_a_required_custom_field_must_be_set_on_create(manager):
    CustomField.objects.create(
        record_type="company", key="size", label="Size", field_type=FieldType.TEXT, required=True
    )
    with pytest.raises(ValidationFailed) as caught:
        services.company_create(actor=Actor.of_user(manager), data={"name": "X"})
    assert fields_of(caught.value) == {"custom.size"}


# --- delete ----------------------------------------------------------------------------


def test_delete_removes_children_and_audits_what_was_there(admin):
    actor = Actor.of_user(admin)
    contact = services.contact_create(
        actor=actor,
        data={
            "last_name": "Gone",
            "emails": [{"value": "g@x.lv"}],
            "important_dates": [{"label": "x", "date": "2020-01-01"}],
        },
    )

    # when it is archived, and then deleted for good
    services.contact_delete(actor=actor, contact_id=contact.pk)
    kept = (Channel.objects.count(), ImportantDate.objects.count())
    archive.purge(actor, Contact, contact.pk)

    assert kept == (1, 1)  # the archive keeps everything
    assert not Contact.all_objects.exists()
    assert not Channel.objects.exists()
    assert not ImportantDate.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.ARCHIVE).record_id == contact.pk
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert event.record_id == contact.pk
    assert event.changes["last_name"] == ["Gone", None]


def test_delete_needs_the_delete_right(manager):
    company = CompanyFactory(owner=manager)
    with pytest.raises(PermissionDenied):
        services.company_delete(actor=Actor.of_user(manager), company_id=company.pk)
    assert Company.objects.filter(pk=company.pk).exists()


def test_a_writer_that_commits_between_read_and_write_wins_and_the_late_one_conflicts(
    manager, monkeypatch
):
    # given a contact, and another writer who saves while our update is validating
    actor = Actor.of_user(manager)
    contact = services.contact_create(actor=actor, data={"last_name": "Start"})
    from kliento.customers.services import contacts as contact_services

    real_clean = contact_services._clean

    def clean_while_someone_saves(*args, **kwargs):
        Contact.objects.filter(pk=contact.pk).update(last_name="Theirs", version=2)
        return real_clean(*args, **kwargs)

    monkeypatch.setattr(contact_services, "_clean", clean_while_someone_saves)

    # when our update, made from version 1, reaches the write
    with pytest.raises(Conflict):
        services.contact_update(
            actor=actor,
            contact_id=contact.pk,
            version=1,
            data={"last_name": "Mine", "emails": [{"value": "m@x.lv"}]},
        )

    # then the guarded version bump refused it and nothing of ours was written (the simulated
    # writer shares our connection, so its change is rolled back with ours)
    contact.refresh_from_db()
    assert contact.last_name != "Mine"
    assert not Channel.objects.filter(contact=contact).exists()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 0


def test_deleting_a_company_audits_the_contacts_it_unlinks(manager, admin):
    from kliento.core.actors import Actor
    from kliento.core.models import AuditEvent
    from kliento.customers.services import company_delete

    # given a company with two contacts
    company = CompanyFactory(owner=manager)
    linked = [ContactFactory(owner=manager, company=company) for _ in range(2)]

    # when it is archived, the contacts keep it; deleted for good, they lose it
    company_delete(actor=Actor.of_user(admin), company_id=company.pk)
    assert all(Contact.objects.get(pk=c.pk).company_id == company.pk for c in linked)
    archive.purge(Actor.of_user(admin), Company, company.pk)

    # then each contact lost its company, and the audit says so, by whom
    for contact in linked:
        contact.refresh_from_db()
        assert contact.company_id is None
        event = AuditEvent.objects.get(record_type="contact", record_id=contact.pk)
        assert event.action == "update"
        assert event.changes == {"company_id": [company.pk, None]}
        assert event.actor_user_id == admin.pk
