from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kliento.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from django.db.models import Q

        from kliento.core import records
        from kliento.sales.models import Deal, DealParticipant, Lead

        def deal_participant(user: object) -> Q:
            # A deal is also visible to the users who take part in it.
            # An IN list read from the (user, deal) index: a few rows, found at once.
            mine = DealParticipant.objects.filter(user_id=user.pk).values("deal_id")  # type: ignore[attr-defined]
            return Q(pk__in=mine)

        records.register("lead", Lead)
        records.register("deal", Deal, extra_visibility=deal_participant)

        from kliento.core.timeline import register_source
        from kliento.sales.timeline import stage_change_entries

        register_source(stage_change_entries)

        # --- board and deals: menu and search ---
        from kliento.core.web import nav, search
        from kliento.sales.search import find_deals

        nav.register(
            nav.NavItem("sales:board", _("Board"), "kanban", order=20, section="sales:board"),
            nav.NavItem("sales:deal-list", _("Deals"), "handshake", order=30, section="sales:deal"),
        )
        search.register(search.Finder("deal", _("Deals"), "handshake", find_deals, order=40))
        # --- end board and deals: menu and search ---
        # --- leads: menu and search ---
        from kliento.sales.search import find_leads

        nav.register(
            nav.NavItem("sales:lead-list", _("Leads"), "target", order=35, section="sales:lead")
        )
        search.register(search.Finder("lead", _("Leads"), "target", find_leads, order=30))
        # --- end leads: menu and search ---
        # --- settings: the pipelines and reasons pages are under Settings in the menu ---
        from kliento.core.web import nav

        nav.add_section("core:settings", "sales:settings")
        # --- end settings ---
        # --- lists: the parameters their saved filters keep, besides the common ones ---
        from kliento.core import saved_filters

        saved_filters.register("leads", ["channel"])
        saved_filters.register("deals", ["pipeline"])
