from django.urls import path

from kliento.customers.views import lists, pickers, records

app_name = "customers"

urlpatterns = [
    path("contacts/", lists.contact_list_page, name="contact-list"),
    path("contacts/new/", records.contact_create, name="contact-create"),
    path("contacts/duplicates/", records.contact_duplicates, name="contact-duplicates"),
    path("contacts/bulk/", lists.contact_bulk, name="contact-bulk"),
    path("contacts/export/", lists.contact_export, name="contact-export"),
    path("contacts/<int:contact_id>/", records.contact_detail, name="contact-detail"),
    path("contacts/<int:contact_id>/edit/", records.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/delete/", records.contact_delete, name="contact-delete"),
    path("companies/", lists.company_list_page, name="company-list"),
    path("companies/new/", records.company_create, name="company-create"),
    path("companies/bulk/", lists.company_bulk, name="company-bulk"),
    path("companies/export/", lists.company_export, name="company-export"),
    path("companies/<int:company_id>/", records.company_detail, name="company-detail"),
    path("companies/<int:company_id>/edit/", records.company_edit, name="company-edit"),
    path("companies/<int:company_id>/delete/", records.company_delete, name="company-delete"),
    path("customers/pick/<str:kind>/", pickers.pick, name="pick"),
]
