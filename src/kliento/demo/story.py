"""Demo data that tells a story: a window-installation firm and a B2B industrial supplier.

Written with plain ORM writes (the demo is not user input, and it must load on a
fresh install before anyone signs in); the derived columns the services keep
(name keys, team from owner, primary channels on the contact) are set the same way.
Deterministic for a given seed; dates are relative to the day it is loaded, planned
in the demo users' time zone so that My day and the diary of every manager have
something in each box: today's calls, tasks and meetings, overdue ones, the coming
weeks, and meetings three weeks ago with their outcomes and follow-ups.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.models import Activity, Reminder
from kliento.core.models import Attachment, User
from kliento.core.text import search_key
from kliento.customers.choices import ChannelKind, Relationship
from kliento.customers.models import Channel, Company, Contact
from kliento.demo import files, names
from kliento.demo.base import (
    DEMO_PASSWORD,
    DEMO_TIME_ZONE,
    DEMO_USERNAMES,
    INDUSTRIAL,
    WINDOWS,
    Base,
    ensure_base,
)
from kliento.sales.choices import LeadChannel, LeadStatus, StageKind
from kliento.sales.models import Deal, DealParticipant, Lead, Stage, StageChange

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "is_loaded", "load"]

B2B_COMPANIES = [
    ("SIA Daugavas Metālapstrāde", "LV", "Manufacturing", "medium"),
    ("AS Rīgas Būvkonstrukcijas", "LV", "Construction", "large"),
    ("SIA Kurzemes Loģistika", "LV", "Logistics", "small"),
    ("ООО «Уральские компоненты»", "RU", "Manufacturing", "large"),
    ("АО «Северный металл»", "RU", "Energy", "large"),
    ("ООО «Невский пластик»", "RU", "Manufacturing", "medium"),
    ("Pennine Fabrication Ltd", "GB", "Manufacturing", "medium"),
    ("Thames Hydraulics plc", "GB", "Engineering", "large"),
]
B2B_DEALS = [
    "Steel profiles, annual supply",
    "Hydraulic press spare parts",
    "Conveyor components",
    "Welding consumables contract",
    "Stainless sheet delivery",
    "Bearings framework agreement",
    "Pipe fittings for new plant",
    "Fasteners, quarterly supply",
    "CNC tooling package",
    "Industrial coatings trial",
]
QUIZ = [
    ("How many windows?", ["1-2", "3-5", "6-10", "more than 10"]),
    ("Type of building", ["apartment", "private house", "office", "summer cottage"]),
    ("Frame material", ["PVC", "wood", "aluminium"]),
    ("When do you need them?", ["as soon as possible", "within a month", "this season"]),
]


Day = int | Literal["next_month"]  # days from today, or the 5th of next month
# Deals' histories end at least this many days ago, so that their open next steps
# (some of them overdue) come after the stage they belong to was entered.
HISTORY_ENDS = 5
# Where the open next steps of one person fall, in turn: (days from today, hour).
NEXT_STEPS: list[tuple[Day, int]] = [
    (0, 10),
    (-3, 11),
    (0, 14),
    (7, 10),
    (2, 9),
    (14, 15),
    (-1, 16),
    (21, 11),
]
# A manager's own meetings with the customer three weeks ago, and what followed them, on
# their first open deals: (hour, outcome of the meeting, when the follow-up meeting is).
# The follow-ups fall today, next week and next month; "next month" is its 5th day.
DIARY: list[tuple[int, Outcome, tuple[Day, int]]] = [
    (10, Outcome.SUCCESSFUL, (0, 16)),
    (15, Outcome.RESCHEDULED, (7, 11)),
    (12, Outcome.SUCCESSFUL, ("next_month", 10)),
]
DIARY_SUBJECTS = {
    WINDOWS: ("Showroom visit: frames and glazing", "Follow-up: choose the frame colour"),
    INDUSTRIAL: ("Review meeting with the buyer", "Follow-up: volumes for next quarter"),
}
# The diary of the people who work on others' deals: their own visits and the next ones.
ROLE_DIARY = {
    "measurer": ("Measure the window openings", "Follow-up: re-measure after the wall repair"),
    "installer": ("Install the windows", "Follow-up: adjust the sashes after a month"),
    "consultant": ("Train the customer's staff", "Follow-up: training for the new shift"),
}
OUTCOME_TEXTS = {
    Outcome.SUCCESSFUL: "Went as planned.",
    Outcome.NO_ANSWER: "No answer; tried again the next day.",
    Outcome.RESCHEDULED: "Moved at the customer's request.",
    Outcome.FAILED: "Customer was not ready.",
}


@dataclass
class _Story:
    base: Base
    rng: random.Random
    now: dt.datetime
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEMO_TIME_ZONE))
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    stamps: list[tuple[type[models.Model], int, dt.datetime]] = field(default_factory=list)
    next_steps: dict[int, int] = field(default_factory=dict)  # per doer: steps planned so far
    diaries: dict[int, int] = field(default_factory=dict)  # per owner: deals with a diary

    def ago(self, days: float) -> dt.datetime:
        return self.now - dt.timedelta(days=days)

    @property
    def today(self) -> dt.date:
        return timezone.localtime(self.now, self.zone).date()

    def on(self, days: Day, hour: int) -> dt.datetime:
        """`hour` o'clock of a day relative to today (or the 5th of next month) in the
        demo's time zone: where the users' My day looks."""
        if days == "next_month":
            day = (self.today.replace(day=1) + dt.timedelta(days=32)).replace(day=5)
        else:
            day = self.today + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour), tzinfo=self.zone)

    def next_step(self, doer: User) -> dt.datetime:
        """When the doer's next open step is: the first ones of each person fill today,
        the overdue list and the coming weeks; the rest falls in the next three weeks."""
        n = self.next_steps.get(doer.pk, 0)
        self.next_steps[doer.pk] = n + 1
        if n < len(NEXT_STEPS):
            return self.on(*NEXT_STEPS[n])
        return self.on(self.rng.randrange(1, 21), self.rng.randrange(9, 18))

    def phone(self, country: str) -> str:
        prefix = {"LV": "+37129", "RU": "+7916", "GB": "+447712"}[country]
        while True:
            digits = {"LV": 12, "RU": 12, "GB": 13}[country] - len(prefix)
            number = prefix + "".join(str(self.rng.randrange(10)) for _ in range(digits))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self, local: str, domain: str) -> str:
        address, n = f"{local}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address)
        return address

    def stamp(self, instance: models.Model, at: dt.datetime) -> None:
        self.stamps.append((type(instance), instance.pk, at))


def is_loaded() -> bool:
    """True when the database already holds customers (demo or real): never load twice."""
    return Contact.objects.exists() or Company.objects.exists()


@transaction.atomic
def load(seed: int = 2026) -> None:
    """Create the whole story; does nothing when customers exist already."""
    if is_loaded():
        return
    story = _Story(ensure_base(), random.Random(seed), timezone.now())  # noqa: S311
    window_customers = _window_customers(story)
    companies = _b2b_companies(story)
    _leads(story, window_customers)
    window_deals = _window_deals(story, window_customers)
    _b2b_deals(story, companies)
    _attachments(story, window_deals)
    # created_at is set on insert; move it into the past afterwards to spread the history.
    for model, pk, at in story.stamps:
        model.objects.filter(pk=pk).update(created_at=at, updated_at=at)  # type: ignore[attr-defined]


def _channels(
    story: _Story, *, contact: Contact | None = None, company: Company | None = None, **values: str
) -> None:
    for kind, value in values.items():
        Channel.objects.create(
            contact=contact,
            company=company,
            kind=kind,
            value=value,
            normalized=value.lower() if kind == ChannelKind.EMAIL else value,
            label="work" if company else "",
            is_primary=True,
        )


def _contact(
    story: _Story,
    country: str,
    owner: User,
    *,
    company: Company | None = None,
    relationship: str = Relationship.PROSPECT,
    **extra: Any,
) -> Contact:
    first, last, middle = names.person(story.rng, country)
    domain = story.rng.choice(names.EMAIL_DOMAINS[country])
    email = story.email(f"{names.ascii_of(first)}.{names.ascii_of(last)}", domain)
    phone = story.phone(country)
    contact = Contact.objects.create(
        first_name=first,
        last_name=last,
        middle_name=middle,
        name_key=search_key(last, first, middle),
        first_name_key=search_key(first),
        company=company,
        email=email,
        phone=phone,
        owner=owner,
        team_id=owner.team_id,
        region=story.rng.choice(names.REGIONS[country]),
        relationship=relationship,
        source=story.rng.choice(names.SOURCES),
        custom={"cups_of_coffee": story.rng.randrange(0, 6)} if story.rng.random() < 0.5 else {},
        **extra,
    )
    _channels(story, contact=contact, email=email, phone=phone)
    if story.rng.random() < 0.4:
        Channel.objects.create(
            contact=contact,
            kind=ChannelKind.MESSENGER,
            value=f"@{names.ascii_of(first)}_{names.ascii_of(last)}",
            normalized=f"@{names.ascii_of(first)}_{names.ascii_of(last)}",
            label="Telegram",
            is_primary=True,
        )
    return contact


def _window_customers(story: _Story) -> list[Contact]:
    managers = [story.base.users["janis"], story.base.users["olga"]]
    out = []
    for i in range(16):
        country = ["LV", "LV", "RU", "GB"][i % 4]
        contact = _contact(
            story,
            country,
            managers[i % 2],
            relationship=Relationship.CUSTOMER if i % 3 == 0 else Relationship.PROSPECT,
            birthday=dt.date(1960 + story.rng.randrange(40), 1 + i % 12, 1 + i),
            impressions="Prefers calls after 18:00." if i % 5 == 0 else "",
        )
        story.stamp(contact, story.ago(story.rng.uniform(30, 360)))
        out.append(contact)
    return out


def _b2b_companies(story: _Story) -> list[Company]:
    managers = [story.base.users["james"], story.base.users["ekaterina"]]
    out = []
    for i, (name, country, industry, size) in enumerate(B2B_COMPANIES):
        owner = managers[i % 2]
        company = Company.objects.create(
            name=name,
            name_key=search_key(name),
            website=f"https://www.{names.ascii_of(name.split()[-1])[:20] or 'firm'}.example",
            owner=owner,
            team_id=owner.team_id,
            region=names.REGIONS[country][0],
            industry=industry,
            segment="Enterprise" if size == "large" else "Mid-market",
            relationship=Relationship.CUSTOMER if i < 4 else Relationship.PROSPECT,
            source=story.rng.choice(["trade fair", "referral", "cold call"]),
            custom={"segment_size": size},
        )
        domain = f"{names.ascii_of(name.split()[-1])[:20] or 'firm'}{i}.example"
        _channels(
            story,
            company=company,
            email=story.email("info", domain),
            phone=story.phone(country),
        )
        story.stamp(company, story.ago(story.rng.uniform(200, 365)))
        # Two contacts at every other pair of firms: each manager has one nobody calls.
        for _ in range(1 + i // 2 % 2):
            contact = _contact(
                story,
                country,
                owner,
                company=company,
                relationship=company.relationship,
                job_title=story.rng.choice(names.JOB_TITLES[:-1]),
            )
            story.stamp(contact, story.ago(story.rng.uniform(150, 360)))
        out.append(company)
    return out


def _leads(story: _Story, customers: list[Contact]) -> None:
    statuses = [
        LeadStatus.NEW,
        LeadStatus.NEW,
        LeadStatus.WORKING,
        LeadStatus.QUALIFIED,
        LeadStatus.DISQUALIFIED,
        LeadStatus.CONVERTED,
        LeadStatus.CONVERTED,
        LeadStatus.CONVERTED,
    ]
    campaigns = [
        ("google", "cpc", "windows-spring", "plastic windows riga"),
        ("facebook", "social", "warm-home", ""),
        ("newsletter", "email", "autumn-offer", ""),
    ]
    for i, status in enumerate(statuses):
        converted = status == LeadStatus.CONVERTED
        source, medium, campaign, keyword = campaigns[i % len(campaigns)]
        if converted:
            contact = customers[i]
            first, last, email, phone = (
                contact.first_name,
                contact.last_name,
                contact.email,
                contact.phone,
            )
        else:
            contact = None
            first, last, _ = names.person(story.rng, ["LV", "RU", "GB"][i % 3])
            email = story.email(f"{names.ascii_of(first)}.{names.ascii_of(last)}", "gmail.com")
            phone = story.phone(["LV", "RU", "GB"][i % 3])
        owner = story.base.users["janis" if i % 2 else "olga"]
        title = f"Window quote request — {first} {last}"
        lead = Lead.objects.create(
            title=title,
            title_key=search_key(title),
            status=status,
            channel=LeadChannel.WEB_FORM,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            source="web form",
            utm_source=source,
            utm_medium=medium,
            utm_campaign=campaign,
            utm_term=keyword,
            referrer="https://www.google.com/" if source == "google" else "",
            keyword=keyword,
            answers={q: story.rng.choice(options) for q, options in QUIZ},
            budget_amount=Decimal(story.rng.randrange(10, 80) * 100) if i % 2 else None,
            budget_currency="EUR" if i % 2 else "",
            need="Replace old wooden windows before winter." if i % 3 == 0 else "",
            owner=owner,
            team_id=owner.team_id,
            contact=contact,
            converted_at=story.ago(20 + i) if converted else None,
        )
        story.stamp(lead, story.ago(25 + i * 3))
    # A B2B enquiry by e-mail with BANT filled in.
    owner = story.base.users["james"]
    title = "Enquiry: stainless fasteners for a new line"
    lead = Lead.objects.create(
        title=title,
        title_key=search_key(title),
        status=LeadStatus.QUALIFIED,
        channel=LeadChannel.EMAIL,
        first_name="Oliver",
        last_name="Hughes",
        company_name="Severn Engineering Ltd",
        email=story.email("oliver.hughes", "severn-engineering.example"),
        source="trade fair",
        budget_amount=Decimal("45000.00"),
        budget_currency="GBP",
        authority="Chief engineer, signs up to 50k",
        need="Fasteners for a new packaging line",
        timeline=(story.now + dt.timedelta(days=75)).date(),
        owner=owner,
        team_id=owner.team_id,
    )
    story.stamp(lead, story.ago(9))


def _deal_history(
    story: _Story,
    deal: Deal,
    path: list[Stage],
    start: dt.datetime,
    end: dt.datetime,
    by: User,
) -> list[tuple[Stage, dt.datetime]]:
    """StageChange rows along `path` spread from start to end; returns (stage, entered)."""
    step = (end - start) / max(1, len(path))
    entered = []
    previous = None
    for index, stage in enumerate(path):
        at = start + step * index + dt.timedelta(hours=story.rng.randrange(1, 8))
        StageChange.objects.create(deal=deal, from_stage=previous, to_stage=stage, by=by, at=at)
        entered.append((stage, at))
        previous = stage
    return entered


def _finish_deal(
    story: _Story, deal: Deal, final: Stage, lost_at: Stage | None, entered_at: dt.datetime
) -> None:
    deal.stage = final
    deal.status = final.kind
    deal.stage_entered_at = entered_at
    if final.kind == StageKind.WON:
        deal.closed_at = entered_at
        deal.won_reason = story.rng.choice(story.base.won_reasons)
    elif final.kind == StageKind.LOST:
        deal.closed_at = entered_at
        deal.lost_reason = story.rng.choice(story.base.lost_reasons)
        deal.lost_at_stage = lost_at
        deal.reason_text = "Customer went quiet after the quote." if lost_at else ""
    deal.save()


def _plan(stages: list[Stage]) -> list[tuple[Stage, Stage | None]]:
    """(final stage, lost at) for deals in every stage: open stages twice, won 3, lost 3."""
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    plan: list[tuple[Stage, Stage | None]] = [(s, None) for s in open_stages for _ in range(2)]
    plan += [(won, None)] * 3
    plan += [(lost, open_stages[0]), (lost, open_stages[2]), (lost, open_stages[3])]
    return plan


def _window_deals(story: _Story, customers: list[Contact]) -> list[Deal]:
    base = story.base
    stages = base.stages[WINDOWS]
    open_stages = base.open_stages(WINDOWS)
    measurer, installer = base.users["andris"], base.users["sergejs"]
    out = []
    for i, (final, lost_at) in enumerate(_plan(stages)):
        contact = customers[i % len(customers)]
        owner = User.objects.get(pk=contact.owner_id)
        windows = story.rng.randrange(1, 12)
        title = f"{windows} window{'s' if windows > 1 else ''} for {contact.last_name}"
        start = story.ago(story.rng.uniform(40, 350))
        end = min(story.ago(HISTORY_ENDS), start + dt.timedelta(days=20 + 8 * windows))
        deal = Deal.objects.create(
            title=title,
            title_key=search_key(title),
            pipeline=base.pipelines[WINDOWS],
            stage=open_stages[0],
            amount=Decimal(windows * story.rng.randrange(380, 720)),
            currency="EUR",
            contact=contact,
            owner=owner,
            team_id=owner.team_id,
            start_date=start.date(),
            expected_close_date=(end + dt.timedelta(days=30)).date(),
            custom={"window_count": windows},
        )
        story.stamp(deal, start)
        if final.kind == StageKind.OPEN:
            path = open_stages[: open_stages.index(final) + 1]
        elif final.kind == StageKind.WON:
            path = [*open_stages, final]
        else:
            assert lost_at is not None
            path = [*open_stages[: open_stages.index(lost_at) + 1], final]
        entered = _deal_history(story, deal, path, start, end, owner)
        _finish_deal(story, deal, final, lost_at, entered[-1][1])
        reached = {s.name for s, _ in entered}
        if "Measurement" in reached:
            DealParticipant.objects.create(deal=deal, user=measurer, role="measurer")
        if "Installation" in reached:
            DealParticipant.objects.create(deal=deal, user=installer, role="installer")
        _deal_activities(story, deal, entered, contact=contact, company=None)
        out.append(deal)
    return out


def _b2b_deals(story: _Story, companies: list[Company]) -> None:
    base = story.base
    stages = base.stages[INDUSTRIAL]
    open_stages = base.open_stages(INDUSTRIAL)
    consultant = base.users["thomas"]
    for i, (final, lost_at) in enumerate(_plan(stages)):
        company = companies[i % len(companies)]
        contact = company.contacts.order_by("id").first()
        owner = User.objects.get(pk=company.owner_id)
        title = f"{B2B_DEALS[i % len(B2B_DEALS)]} — {company.name}"
        start = story.ago(story.rng.uniform(60, 360))
        end = min(story.ago(HISTORY_ENDS), start + dt.timedelta(days=90))
        deal = Deal.objects.create(
            title=title[:200],
            title_key=search_key(title[:200]),
            pipeline=base.pipelines[INDUSTRIAL],
            stage=open_stages[0],
            amount=Decimal(story.rng.randrange(5, 250) * 1000),
            currency="GBP" if "Ltd" in company.name or "plc" in company.name else "EUR",
            company=company,
            contact=contact,
            owner=owner,
            team_id=owner.team_id,
            start_date=start.date(),
            expected_close_date=(end + dt.timedelta(days=45)).date(),
        )
        story.stamp(deal, start)
        if final.kind == StageKind.OPEN:
            path = open_stages[: open_stages.index(final) + 1]
        elif final.kind == StageKind.WON:
            path = [*open_stages, final]
        else:
            assert lost_at is not None
            path = [*open_stages[: open_stages.index(lost_at) + 1], final]
        entered = _deal_history(story, deal, path, start, end, owner)
        _finish_deal(story, deal, final, lost_at, entered[-1][1])
        if "Consulting and training" in {s.name for s, _ in entered}:
            DealParticipant.objects.create(deal=deal, user=consultant, role="consultant")
        _deal_activities(story, deal, entered, contact=contact, company=company)


# What happens in each stage: (kind, subject, who: "owner"/"measurer"/"installer"/"consultant")
STAGE_WORK = {
    "First call": (ActivityKind.CALL, "Call about the request", "owner"),
    "Measurement": (ActivityKind.MEETING, "Measure the window openings", "measurer"),
    "Approval": (ActivityKind.TASK, "Send the quote and get approval", "owner"),
    "Payment": (ActivityKind.TASK, "Check the advance payment", "owner"),
    "Installation": (ActivityKind.MEETING, "Install the windows", "installer"),
    "First interest": (ActivityKind.CALL, "Discovery call with the buyer", "owner"),
    "Presentation": (ActivityKind.MEETING, "Product presentation on site", "owner"),
    "Negotiation and contract": (ActivityKind.MEETING, "Negotiate the contract", "owner"),
    "Delivery": (ActivityKind.TASK, "Arrange delivery and acceptance", "owner"),
    "Consulting and training": (ActivityKind.MEETING, "Train the customer's staff", "consultant"),
}
WHO = {"measurer": "andris", "installer": "sergejs", "consultant": "thomas"}


def _activity(
    story: _Story,
    *,
    kind: str,
    subject: str,
    owner: User,
    when: dt.datetime,
    deal: Deal,
    stage: Stage,
    contact: Contact | None,
    company: Company | None,
    done: bool,
    outcome: str = "",
    outcome_text: str = "",
    follow_up_of: Activity | None = None,
) -> Activity:
    timed = kind in (ActivityKind.MEETING, ActivityKind.CALL)
    activity = Activity.objects.create(
        kind=kind,
        subject=subject,
        owner=owner,
        team_id=owner.team_id,
        start_at=when if timed else None,
        end_at=when + dt.timedelta(minutes=60 if kind == ActivityKind.MEETING else 10)
        if timed
        else None,
        due_at=None if timed else when,
        when=when,
        done=done,
        done_at=when + dt.timedelta(hours=1) if done else None,
        outcome=outcome,
        outcome_text=outcome_text,
        contact=contact,
        company=company,
        deal=deal,
        deal_stage=stage,
        follow_up_of=follow_up_of,
    )
    story.stamp(activity, min(when, story.now) - dt.timedelta(days=1))
    return activity


def _reminders(story: _Story, activity: Activity) -> None:
    """A reminder a day and half an hour before; one whose time has passed has fired."""
    for minutes in (30, 1440):
        fire_at = activity.when - dt.timedelta(minutes=minutes)
        Reminder.objects.create(
            activity=activity,
            minutes_before=minutes,
            fire_at=fire_at,
            fired_at=fire_at if fire_at <= story.now else None,
        )


def _deal_activities(
    story: _Story,
    deal: Deal,
    entered: list[tuple[Stage, dt.datetime]],
    *,
    contact: Contact | None,
    company: Company | None,
) -> None:
    users = story.base.users
    owner = User.objects.get(pk=deal.owner_id)
    outcomes = [Outcome.SUCCESSFUL] * 4 + [Outcome.NO_ANSWER, Outcome.RESCHEDULED, Outcome.FAILED]
    for index, (stage, at) in enumerate(entered):
        if stage.name not in STAGE_WORK:
            continue
        kind, subject, who = STAGE_WORK[stage.name]
        doer = owner if who == "owner" else users[WHO[who]]
        current = index == len(entered) - 1 and deal.status == StageKind.OPEN
        if current:
            # The next step is still open: today, overdue or ahead, with reminders.
            activity = _activity(
                story, kind=kind, subject=subject, owner=doer, when=story.next_step(doer),
                deal=deal, stage=stage, contact=contact, company=company, done=False,
            )  # fmt: skip
            _reminders(story, activity)
            continue
        outcome = story.rng.choice(outcomes)
        when = at + dt.timedelta(days=story.rng.uniform(0.5, 3))
        _activity(
            story, kind=kind, subject=subject, owner=doer, when=min(when, story.now), deal=deal,
            stage=stage, contact=contact, company=company, done=True, outcome=outcome,
            outcome_text=OUTCOME_TEXTS[outcome],
        )  # fmt: skip
    if deal.status == StageKind.OPEN:
        _diary(story, deal, entered, owner=owner, contact=contact, company=company)
        for part in DealParticipant.objects.filter(deal=deal).select_related("user"):
            _diary(
                story, deal, entered, owner=part.user, contact=contact, company=company,
                subjects=ROLE_DIARY.get(part.role),
            )  # fmt: skip
    # A note of personal impressions on every deal.
    note = Activity.objects.create(
        kind=ActivityKind.NOTE,
        subject="Impressions",
        body=story.rng.choice(
            [
                "Very detail-oriented, wants everything in writing.",
                "Decides with the spouse; send photos of finished work.",
                "Price-sensitive but values a fast installation.",
                "Long-term partner potential; invite to the spring seminar.",
            ]
        ),
        owner=owner,
        team_id=owner.team_id,
        when=entered[0][1] + dt.timedelta(hours=2),
        done=True,
        contact=contact,
        company=company,
        deal=deal,
        deal_stage=entered[0][0],
    )
    story.stamp(note, entered[0][1])


def _diary(
    story: _Story,
    deal: Deal,
    entered: list[tuple[Stage, dt.datetime]],
    *,
    owner: User,
    contact: Contact | None,
    company: Company | None,
    subjects: tuple[str, str] | None = None,
) -> None:
    """On the first open deals of `owner` (or of a participant, with the subjects of their
    role): a meeting three weeks ago and its follow-up."""
    n = story.diaries.get(owner.pk, 0)
    if n >= len(DIARY):
        return
    story.diaries[owner.pk] = n + 1
    hour, outcome, follow_up = DIARY[n]
    met, follow = subjects or DIARY_SUBJECTS[deal.pipeline.name]
    when = story.on(-21, hour)
    stage = entered[0][0]  # the stage the deal was in then
    for step, at in entered:
        if at <= when:
            stage = step
    meeting = _activity(
        story, kind=ActivityKind.MEETING, subject=met, owner=owner, when=when, deal=deal,
        stage=stage, contact=contact, company=company, done=True, outcome=outcome,
        outcome_text=OUTCOME_TEXTS[outcome],
    )  # fmt: skip
    planned = _activity(
        story, kind=ActivityKind.MEETING, subject=follow, owner=owner,
        when=story.on(*follow_up), deal=deal, stage=entered[-1][0], contact=contact,
        company=company, done=False, follow_up_of=meeting,
    )  # fmt: skip
    _reminders(story, planned)


def _attach(story: _Story, deal: Deal, name: str, content_type: str, data: bytes, by: User) -> None:
    attachment = Attachment(
        record_type="deal",
        record_id=deal.pk,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()


def _attachments(story: _Story, deals: list[Deal]) -> None:
    measurer = story.base.users["andris"]
    measured = [
        d for d in deals if DealParticipant.objects.filter(deal=d, role="measurer").exists()
    ][:3]
    for n, deal in enumerate(measured):
        count = int(deal.custom.get("window_count", 2))
        rows = [("window", "width_mm", "height_mm")] + [
            (k + 1, story.rng.randrange(600, 1800, 10), story.rng.randrange(900, 1600, 10))
            for k in range(count)
        ]
        _attach(story, deal, "dimensions.csv", "text/plain", files.csv(rows), measurer)
        _attach(story, deal, "window-sketch.png", "image/png", files.png(seed=n), measurer)
    if measured:
        deal = measured[0]
        owner = User.objects.get(pk=deal.owner_id)
        lines = [
            "Quote for " + names.ascii_of(deal.title.split(" for ")[-1]).title(),
            f"Amount: {deal.amount} {deal.currency}",
            "Valid for 30 days.",
        ]
        _attach(story, deal, "quote.pdf", "application/pdf", files.pdf(lines), owner)
