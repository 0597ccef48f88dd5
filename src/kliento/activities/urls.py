from django.urls import path

from kliento.activities.views import myday

app_name = "activities"

urlpatterns = [
    # --- my day, activity list, calendar ---
    path("my-day/", myday.my_day, name="my-day"),
    # --- end my day, activity list, calendar ---
    # --- quick actions on records ---
    # --- end quick actions on records ---
]
