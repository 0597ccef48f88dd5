"""What both the demo story and the scale seeder stand on: teams, users, pipelines, reasons,
custom fields. Every step is a get-or-create, so running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from kliento.core.choices import Role
from kliento.core.models import CustomField, FieldType, Team, User
from kliento.customers.records import COMPANY, CONTACT
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import DealReason, Pipeline, Stage
from kliento.sales.records import DEAL

DEMO_PASSWORD = "kliento-demo"  # noqa: S105 - the documented password of the local demo

# Every demo user's time zone: the story plans their days in it.
DEMO_TIME_ZONE = "Europe/Riga"

WINDOWS_TEAM = "Windows team"
B2B_TEAM = "B2B team"

# username, first name, last name, role, team, what they do
USERS: list[tuple[str, str, str, str, str | None, str]] = [
    ("admin", "Demo", "Admin", Role.ADMIN, None, "administrator"),
    ("irina", "Irina", "Sokolova", Role.HEAD_OF_SALES, None, "head of sales"),
    ("janis", "Jānis", "Bērziņš", Role.MANAGER, WINDOWS_TEAM, "window sales manager"),
    ("olga", "Olga", "Smirnova", Role.MANAGER, WINDOWS_TEAM, "window sales manager"),
    ("andris", "Andris", "Kalniņš", Role.MANAGER, WINDOWS_TEAM, "measurer"),
    ("sergejs", "Sergejs", "Petrovs", Role.SERVICE_AGENT, WINDOWS_TEAM, "installer"),
    ("james", "James", "Whitfield", Role.MANAGER, B2B_TEAM, "key account manager"),
    ("ekaterina", "Ekaterina", "Volkova", Role.MANAGER, B2B_TEAM, "key account manager"),
    ("thomas", "Thomas", "Wright", Role.SERVICE_AGENT, B2B_TEAM, "consultant and trainer"),
    ("laura", "Laura", "Vītola", Role.MARKETER, None, "marketer"),
    ("maija", "Maija", "Liepiņa", Role.READ_ONLY, None, "accountant (read-only)"),
]
DEMO_USERNAMES = [u[0] for u in USERS if u[0] != "admin"]

WINDOWS = "Windows"
INDUSTRIAL = "Industrial supply"
# name, probability %, responsible role, expected result, kind
PIPELINES: dict[str, list[tuple[str, int, str, str, str]]] = {
    WINDOWS: [
        ("First call", 10, Role.MANAGER, "Needs and address known, measurement booked", "open"),
        ("Measurement", 30, Role.MANAGER, "Dimensions measured and attached to the deal", "open"),
        ("Approval", 50, Role.MANAGER, "Quote approved by the customer", "open"),
        ("Payment", 70, Role.MANAGER, "Advance payment received", "open"),
        ("Installation", 90, Role.SERVICE_AGENT, "Windows installed, acceptance signed", "open"),
        ("Won", 100, "", "", StageKind.WON),
        ("Lost", 0, "", "", StageKind.LOST),
    ],
    INDUSTRIAL: [
        ("First interest", 10, Role.MANAGER, "Need and decision maker identified", "open"),
        ("Presentation", 25, Role.MANAGER, "Product presented to the buyer", "open"),
        ("Negotiation and contract", 50, Role.MANAGER, "Contract signed", "open"),
        ("Delivery", 75, Role.MANAGER, "Goods delivered and accepted", "open"),
        ("Consulting and training", 90, Role.SERVICE_AGENT, "Staff trained", "open"),
        ("Won", 100, "", "", StageKind.WON),
        ("Lost", 0, "", "", StageKind.LOST),
    ],
}
WON_REASONS = ["Best price", "Fast installation", "Product quality", "Good references"]
LOST_REASONS = [
    "Too expensive",
    "Chose a competitor",
    "No follow-up",
    "Project postponed",
    "No budget",
]
# record type, key, label, type, choices
CUSTOM_FIELDS = [
    (CONTACT, "cups_of_coffee", "Cups of coffee a day", FieldType.NUMBER, []),
    (DEAL, "window_count", "Number of windows", FieldType.NUMBER, []),
    (
        COMPANY,
        "segment_size",
        "Segment size",
        FieldType.CHOICE,
        ["small", "medium", "large"],
    ),
]


@dataclass
class Base:
    users: dict[str, User]
    teams: dict[str, Team]
    pipelines: dict[str, Pipeline]
    stages: dict[str, list[Stage]]  # per pipeline name, in order
    won_reasons: list[DealReason] = field(default_factory=list)
    lost_reasons: list[DealReason] = field(default_factory=list)

    def stage(self, pipeline: str, name: str) -> Stage:
        return next(s for s in self.stages[pipeline] if s.name == name)

    def open_stages(self, pipeline: str) -> list[Stage]:
        return [s for s in self.stages[pipeline] if s.kind == StageKind.OPEN]


@transaction.atomic
def ensure_base() -> Base:
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in (WINDOWS_TEAM, B2B_TEAM)}
    users: dict[str, User] = {}
    for username, first, last, role, team, _ in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@kliento.example",
                role=role,
                team=teams[team] if team else None,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
                language="ru" if username in ("irina", "olga", "ekaterina") else "en",
                time_zone=DEMO_TIME_ZONE,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[username] = user
    pipelines: dict[str, Pipeline] = {}
    stages: dict[str, list[Stage]] = {}
    for position, (name, steps) in enumerate(PIPELINES.items()):
        pipeline = Pipeline.objects.get_or_create(
            name=name, defaults={"position": position, "default_currency": "EUR"}
        )[0]
        pipelines[name] = pipeline
        existing = {s.name: s for s in pipeline.stages.all()}
        for index, (stage_name, probability, role, result, kind) in enumerate(steps):
            if stage_name not in existing:
                existing[stage_name] = Stage.objects.create(
                    pipeline=pipeline,
                    name=stage_name,
                    position=max((s.position for s in existing.values()), default=-1) + 1
                    if any(s.position == index for s in existing.values())
                    else index,
                    probability=probability,
                    responsible_role=role,
                    expected_result=result,
                    kind=kind,
                )
        stages[name] = sorted(existing.values(), key=lambda s: s.position)
    won = [DealReason.objects.get_or_create(kind=ReasonKind.WON, name=n)[0] for n in WON_REASONS]
    lost = [DealReason.objects.get_or_create(kind=ReasonKind.LOST, name=n)[0] for n in LOST_REASONS]
    for position, (record_type, key, label, field_type, choices) in enumerate(CUSTOM_FIELDS):
        CustomField.objects.get_or_create(
            record_type=record_type,
            key=key,
            defaults={
                "label": label,
                "field_type": field_type,
                "choices": choices,
                "position": position,
            },
        )
    return Base(users, teams, pipelines, stages, won, lost)
