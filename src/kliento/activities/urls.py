from django.urls import path

from kliento.activities.views import activities, bulk, calendar, myday
from kliento.activities.views import quick as quick_actions

app_name = "activities"

urlpatterns = [
    # --- my day, activity list, calendar ---
    path("my-day/", myday.my_day, name="my-day"),
    path("activities/", activities.activity_list, name="activity-list"),
    path("activities/new/", activities.activity_create, name="activity-create"),
    path("activities/bulk/", bulk.activity_bulk, name="activity-bulk"),
    path("activities/export/", bulk.activity_export, name="activity-export"),
    path("activities/<int:activity_id>/edit/", activities.activity_edit, name="activity-edit"),
    path("activities/<int:activity_id>/complete/", myday.activity_complete, name="complete"),
    path(
        "activities/<int:activity_id>/reschedule/",
        activities.activity_reschedule,
        name="reschedule",
    ),
    path("calendar/", calendar.calendar, name="calendar"),
    # --- end my day, activity list, calendar ---
    # --- quick actions on records ---
    path("quick/<str:record_type>/<int:record_id>/call/", quick_actions.log_call, name="log-call"),
    path("quick/<str:record_type>/<int:record_id>/task/", quick_actions.add_task, name="add-task"),
    path("quick/<str:record_type>/<int:record_id>/note/", quick_actions.add_note, name="add-note"),
    path("quick/<str:record_type>/<int:record_id>/file/", quick_actions.attach, name="attach"),
    # --- end quick actions on records ---
]
