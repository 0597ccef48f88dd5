from django.urls import path

from kliento.core.views import archive, auth, language, notifications, saved_filters, search
from kliento.core.views import settings as settings_views
from kliento.core.views.home import home
from kliento.core.views.settings import fields as settings_fields
from kliento.core.views.settings import rights as settings_rights
from kliento.core.views.settings import tokens as settings_tokens
from kliento.core.views.settings import users as settings_users
from kliento.core.views.timeline import timeline

app_name = "core"

urlpatterns = [
    path("", home, name="home"),
    path("sign-in/", auth.sign_in_page, name="sign-in"),
    path("sign-out/", auth.sign_out_page, name="sign-out"),
    path("welcome/", auth.welcome_page, name="welcome"),
    path("language/", language.set_language, name="language"),
    path("search/", search.search_page, name="search"),
    # --- settings ---
    path("settings/", settings_views.settings_index, name="settings"),
    path("settings/users/", settings_users.user_list, name="settings-users"),
    path("settings/users/new/", settings_users.user_create, name="settings-user-create"),
    path("settings/users/<int:user_id>/", settings_users.user_edit, name="settings-user-edit"),
    path(
        "settings/users/<int:user_id>/password/",
        settings_users.user_password,
        name="settings-user-password",
    ),
    path(
        "settings/users/<int:user_id>/unlock/",
        settings_users.user_signin_unlock,
        name="settings-user-unlock",
    ),
    path("settings/teams/", settings_users.team_list, name="settings-teams"),
    path("settings/teams/new/", settings_users.team_create, name="settings-team-create"),
    path("settings/teams/<int:team_id>/", settings_users.team_edit, name="settings-team-edit"),
    path("settings/roles/", settings_rights.role_rights, name="settings-roles"),
    path("settings/fields/", settings_fields.field_list, name="settings-fields"),
    path("settings/fields/new/", settings_fields.field_create, name="settings-field-create"),
    path("settings/fields/<int:field_id>/", settings_fields.field_edit, name="settings-field-edit"),
    path(
        "settings/fields/<int:field_id>/delete/",
        settings_fields.field_delete,
        name="settings-field-delete",
    ),
    path("settings/tokens/", settings_tokens.token_list, name="settings-tokens"),
    path("settings/tokens/new/", settings_tokens.token_create, name="settings-token-create"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        settings_tokens.token_revoke,
        name="settings-token-revoke",
    ),
    # --- end settings ---
    # --- timeline and files ---
    path("timeline/<str:record_type>/<int:record_id>/", timeline, name="timeline"),
    # --- end timeline and files ---
    path("archive/", archive.archive_page, name="archive"),
    path(
        "archive/<str:record_type>/<int:record_id>/purge/",
        archive.archive_purge,
        name="archive-purge",
    ),
    path(
        "archive/<str:record_type>/<int:record_id>/restore/",
        archive.archive_restore,
        name="archive-restore",
    ),
    # --- saved filters ---
    path("saved-filters/", saved_filters.saved_filter_create, name="saved-filter-create"),
    path(
        "saved-filters/<int:filter_id>/delete/",
        saved_filters.saved_filter_delete,
        name="saved-filter-delete",
    ),
    # --- end saved filters ---
    path("notifications/", notifications.notification_list_page, name="notifications"),
    path("notifications/bell/", notifications.bell, name="bell"),
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
