from django.urls import path

from directories import views

app_name = "directories"

urlpatterns = [
    path("", views.index, name="index"),
    path("suggest/<str:kind>/", views.suggest, name="suggest"),
    path("entry/<int:entry_id>/", views.entry_detail, name="entry"),
    path("entry/<int:entry_id>/rename/", views.entry_rename, name="rename"),
    path("entry/<int:entry_id>/merge/", views.entry_merge, name="merge"),
    path("entry/<int:entry_id>/hide/", views.entry_hide, name="hide"),
    path("entry/<int:entry_id>/delete/", views.entry_delete, name="delete"),
    path("<str:kind>/", views.entries, name="entries"),
]
