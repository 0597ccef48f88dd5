from django.urls import path

from kliento.api import api

urlpatterns = [
    path("api/v1/", api.urls),
]
