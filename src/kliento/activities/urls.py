from django.urls import path

from kliento.activities.views import myday

app_name = "activities"

urlpatterns = [
    path("my-day/", myday.my_day, name="my-day"),
]
