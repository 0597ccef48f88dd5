from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kliento.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from kliento.core import records
        from kliento.sales.records import DEAL_SPEC, LEAD_SPEC

        records.register(LEAD_SPEC)
        records.register(DEAL_SPEC)

        from kliento.core import archive, events
        from kliento.sales.models import Deal, Lead

        # A deal's or lead's home is its company, else its contact (core.archive).
        archive.register_followers(Deal, "company", "contact")
        archive.register_followers(Lead, "company", "contact")

        events.register_action("deal.moved", _("Moved to another stage"))
        events.register_action("deal.won", _("Won"))
        events.register_action("deal.lost", _("Lost"))
        events.register_action("lead.converted", _("Converted"))

        from kliento.core import first_run
        from kliento.sales.services.defaults import pipeline_install_default

        first_run.register(pipeline_install_default)

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
