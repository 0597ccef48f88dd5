from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kliento.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kliento.core import records, saved_filters
        from kliento.core.web import nav
        from kliento.core.web import search as global_search
        from kliento.customers import search
        from kliento.customers.records import COMPANY_SPEC, CONTACT_SPEC

        records.register(COMPANY_SPEC)
        records.register(CONTACT_SPEC)
        nav.register(
            nav.NavItem(
                "customers:contact-list",
                _("Contacts"),
                "user",
                order=40,
                section="customers:contact-",
            ),
            nav.NavItem(
                "customers:company-list",
                _("Companies"),
                "building-2",
                order=50,
                section="customers:company-",
            ),
        )
        for finder in search.FINDERS:
            global_search.register(finder)
        saved_filters.register("contacts", ["company"])
        saved_filters.register("companies", [])
