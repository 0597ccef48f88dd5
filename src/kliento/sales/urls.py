from django.urls import path  # noqa: F401 - the pages of this app are added below

app_name = "sales"

urlpatterns: list[object] = [
    # --- board and deals ---
    # --- end board and deals ---
    # --- leads ---
    # --- end leads ---
]
