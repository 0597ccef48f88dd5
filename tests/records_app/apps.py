from django.apps import AppConfig


class RecordsAppConfig(AppConfig):
    name = "tests.records_app"
    label = "records_app"

    def ready(self) -> None:
        from kliento.core import events, records
        from kliento.core.choices import Role, Scope
        from kliento.core.records import GROUPED, WRITTEN, Field, RecordSpec
        from kliento.core.rights import Rights
        from tests.records_app.models import Ticket

        records.register(
            RecordSpec(
                name="ticket",
                model=Ticket,
                label="Ticket",
                plural="Tickets",
                icon="ticket",
                default_rights={
                    Role.SERVICE_AGENT: Rights(Scope.OWN, can_create=True, can_edit=True)
                },
                declared_fields=(
                    Field("subject", WRITTEN, sort="bounded"),
                    Field("priority", WRITTEN | GROUPED, index="ticket_priority"),
                    Field("resolved", GROUPED),
                    Field("owner", GROUPED, index="ticket_owner_team"),
                ),
                timeline=True,
                order=900,
            )
        )
        events.register_action("ticket.resolved", "Ticket resolved")
        from tests.records_app.consumers import NAME, note_ticket_event

        events.subscribe(NAME, note_ticket_event, record_types={"ticket"})
