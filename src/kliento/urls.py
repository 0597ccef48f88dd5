from django.urls import include, path

from kliento.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("kliento.core.urls")),
    path("", include("kliento.customers.urls")),
    path("", include("kliento.sales.urls")),
    path("", include("kliento.activities.urls")),
]
