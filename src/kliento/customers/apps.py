from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kliento.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kliento.core import records
        from kliento.customers.models import Company, Contact

        records.register("company", Company)
        records.register("contact", Contact)
