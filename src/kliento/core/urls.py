from django.urls import path
from django.views.generic import RedirectView

from kliento.core.views import auth, language, notifications, search

app_name = "core"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="activities:my-day"), name="home"),
    path("sign-in/", auth.sign_in_page, name="sign-in"),
    path("sign-out/", auth.sign_out_page, name="sign-out"),
    path("welcome/", auth.welcome_page, name="welcome"),
    path("language/", language.set_language, name="language"),
    path("search/", search.search_page, name="search"),
    # --- settings ---
    # --- end settings ---
    # --- timeline and files ---
    # --- end timeline and files ---
    path("notifications/", notifications.notification_list_page, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications-read-all",
    ),
]
