"""List rows built in Python escape everything that comes from data, once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone, translation

from kliento.activities.views.rows import activity_rows
from kliento.core.web.cells import Dates, mailto, tel
from kliento.customers.views.rows import company_rows, contact_rows

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def _contact(**fields):
    row = SimpleNamespace(
        pk=7, full_name=HOSTILE, job_title=HOSTILE, company_id=3, company_visible=True,
        company=SimpleNamespace(name=HOSTILE), email='a"b@example.com', phone="+37120000000",
        owner_id=1, created_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    for key, value in fields.items():
        setattr(row, key, value)
    return row


def test_contact_rows_escape_every_value(db):
    html = str(contact_rows([_contact()], {1: HOSTILE}))
    assert "<script>" not in html and "<img" not in html
    assert (
        html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    )  # name, label, job, company, owner
    assert 'href="mailto:a%22b@example.com"' in html
    assert 'href="tel:+37120000000"' in html
    assert html.startswith('<tr data-record="contact-7">')


def test_a_company_the_user_may_not_see_is_neither_named_nor_linked(db):
    html = str(contact_rows([_contact(company_visible=False)], {}))
    assert "/companies/3/" not in html
    assert html.count("&lt;script&gt;") == 3  # name, label, job title: not the company


def test_company_rows_escape_every_value(db):
    row = SimpleNamespace(
        pk=4, name=HOSTILE, industry="", list_email="", list_phone="", owner_id=2,
        created_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    html = str(company_rows([row], {}))
    assert "<script>" not in html and 'data-record="company-4"' in html
    assert "<td>—</td>" in html  # an owner the user may not see: a dash


def test_dates_are_in_the_active_language_and_time_zone():
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    with translation.override("ru"), timezone.override("Europe/Riga"):  # 01:30 on 2 March
        cell = Dates("DATE_FORMAT")(moment)
    assert cell == '<time datetime="2026-03-02T01:30:00+02:00">2 марта 2026 г.</time>'
    assert Dates()(None) == ""


def test_empty_channels_render_nothing():
    assert mailto("") == "" and tel("") == ""


def test_date_and_time_cells_format_each_moment():
    first = dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC)
    with translation.override("en"), timezone.override("UTC"):
        cells = Dates("SHORT_DATETIME_FORMAT", with_time=True)
        morning, evening = cells(first), cells(first.replace(hour=18))
    assert "9:05 a.m." in morning and "6:05 p.m." in evening  # the same day, two times


def test_activity_rows_escape_every_value_and_link_only_what_is_kept(db):
    hostile_deal = SimpleNamespace(pk=7, title=HOSTILE)
    row = SimpleNamespace(
        pk=5, subject=HOSTILE, when=timezone.now(), created_at=timezone.now(), done=False,
        outcome="failed", kind="call", links=[("deal", hostile_deal)],
    )  # fmt: skip
    bare = SimpleNamespace(**{**vars(row), "pk": 6, "links": [], "done": True, "outcome": ""})
    html = str(activity_rows([row, bare]))
    assert "<script>" not in html and "<img" not in html
    # label, subject and the deal's title; the second row names no record
    assert html.count("&lt;script&gt;") == 3 + 2
    assert "Call" in html
    assert 'href="/deals/7/"' in html and 'data-record="activity-6"' in html
    assert '<span class="muted">—</span>' in html  # no visible record: a dash
    assert "Failed" in html and "Done" in html and "Open" in html
