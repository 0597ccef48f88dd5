"""Assembles the domain routers into the REST API at /api/v1/."""

from ninja import NinjaAPI

from kliento.activities.api import routers as activity_routers
from kliento.core.api import routers as core_routers
from kliento.core.api_archive import routers as archive_routers
from kliento.core.api_customfields import routers as custom_field_routers
from kliento.core.api_files import routers as file_routers
from kliento.core.api_notifications import routers as notification_routers
from kliento.core.api_session import routers as session_routers
from kliento.core.api_timeline import routers as timeline_routers
from kliento.core.apikit import AUTH, install_error_handlers
from kliento.customers.api import routers as customer_routers
from kliento.sales.api import routers as sales_routers

api = NinjaAPI(
    title="Kliento API",
    version="1",
    description="The REST API of Kliento, a self-hosted CRM.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

for prefix, router in [
    *core_routers,
    *customer_routers,
    *sales_routers,
    *activity_routers,
    *notification_routers,
    *custom_field_routers,
    *file_routers,
    *session_routers,
    *timeline_routers,
    *archive_routers,
]:
    api.add_router(prefix, router)
