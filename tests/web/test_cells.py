"""List rows built in Python escape everything that comes from data, once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone, translation

from kliento.activities.views.rows import activity_rows
from kliento.core.web.cells import Dates, mailto, tel
from kliento.customers.views.rows import company_rows, contact_rows
from kliento.sales.views.rows import deal_rows, lead_rows

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


def test_deal_rows_escape_every_value_and_mark_a_late_open_deal(db):
    today = dt.date(2026, 5, 10)
    names = SimpleNamespace(companies={3: HOSTILE}, owners={2: HOSTILE})
    deal = SimpleNamespace(
        pk=8, title=HOSTILE, stage=SimpleNamespace(name=HOSTILE), status="open", company_id=3,
        amount=1234, currency="EUR", owner_id=2, expected_close_date=dt.date(2026, 5, 1),
        created_at=timezone.now(),
    )  # fmt: skip
    won = SimpleNamespace(**{**vars(deal), "pk": 9, "status": "won", "company_id": None})
    with translation.override("en"):
        html = str(deal_rows([deal, won], names, today=today, bulk=True))
    assert "<script>" not in html and "<img" not in html
    assert html.count('class="overdue"') == 1  # the won deal is not late
    assert 'class="chip chip-ok"' in html and "1,234 EUR" in html
    assert 'name="ids" value="8"' in html
    assert 'name="ids"' not in str(deal_rows([deal], names, today=today, bulk=False))


def test_lead_rows_escape_every_value_with_icons_in_the_links(db):
    lead = SimpleNamespace(
        pk=4, title=HOSTILE, company_name=HOSTILE, first_name=HOSTILE, last_name="",
        email="a@b.lv", phone="+37120000000", status="working", source=HOSTILE,
        channel="call", owner_id=99, created_at=timezone.now(),
    )  # fmt: skip
    with translation.override("en"):
        html = str(lead_rows([lead], {}, bulk=False))
    assert "<script>" not in html and "<img" not in html
    assert 'href="mailto:a@b.lv"><svg' in html and 'href="tel:%2B37120000000"' not in html
    assert 'href="tel:+37120000000"><svg' in html
    assert "chip chip-warn" in html and "Working" in html and "Call" in html
    assert "<td>—</td>" in html  # an owner the user may not see
