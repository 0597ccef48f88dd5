from django.urls import path

from kliento.sales.views import board, bulk, deals, leads  # board and deals; leads
from kliento.sales.views import settings as settings_pages

app_name = "sales"

urlpatterns: list[object] = [
    # --- board and deals ---
    path("board/", board.board, name="board"),
    path(
        "board/<int:pipeline_id>/stages/<int:stage_id>/",
        board.board_column,
        name="board-column",
    ),
    path("deals/", deals.deal_list, name="deal-list"),
    path("deals/new/", deals.deal_create, name="deal-create"),
    path("deals/bulk/", bulk.deal_bulk, name="deal-bulk"),
    path("deals/export/", bulk.deal_export, name="deal-export"),
    path("deals/<int:deal_id>/", deals.deal_detail, name="deal-detail"),
    path("deals/<int:deal_id>/edit/", deals.deal_edit, name="deal-edit"),
    path("deals/<int:deal_id>/delete/", deals.deal_delete, name="deal-delete"),
    path("deals/<int:deal_id>/move/", board.deal_move, name="deal-move"),
    # --- end board and deals ---
    # --- leads ---
    path("leads/", leads.lead_list_page, name="lead-list"),
    path("leads/new/", leads.lead_create_page, name="lead-create"),
    path("leads/bulk/", bulk.lead_bulk, name="lead-bulk"),
    path("leads/export/", bulk.lead_export, name="lead-export"),
    path("leads/<int:lead_id>/", leads.lead_detail_page, name="lead-detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit_page, name="lead-edit"),
    path("leads/<int:lead_id>/qualify/", leads.lead_qualify, name="lead-qualify"),
    path("leads/<int:lead_id>/convert/", leads.lead_convert_page, name="lead-convert"),
    path("leads/<int:lead_id>/delete/", leads.lead_delete_page, name="lead-delete"),
    # --- end leads ---
    # --- settings ---
    path("settings/pipelines/", settings_pages.pipeline_list, name="settings-pipelines"),
    path(
        "settings/pipelines/new/",
        settings_pages.pipeline_create,
        name="settings-pipeline-create",
    ),
    path(
        "settings/pipelines/<int:pipeline_id>/",
        settings_pages.pipeline_edit,
        name="settings-pipeline-edit",
    ),
    path("settings/reasons/", settings_pages.reason_list, name="settings-reasons"),
    path(
        "settings/reasons/<int:reason_id>/",
        settings_pages.reason_edit,
        name="settings-reason-edit",
    ),
    # --- end settings ---
]
