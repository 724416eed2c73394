from django.urls import path

from rsc.views import families as views

urlpatterns = [
    path("", views.family_list, name="family_list"),
    path("new/", views.family_create, name="family_create"),
    path("deleted/", views.family_deleted_list, name="family_deleted_list"),
    path("<int:pk>/", views.family_detail, name="family_detail"),
    path("<int:pk>/edit/", views.family_edit, name="family_edit"),
    path("<int:pk>/close/", views.family_close, name="family_close"),
    path("<int:pk>/reopen/", views.family_reopen, name="family_reopen"),
    path("<int:pk>/delete/", views.family_delete, name="family_delete"),
    path("<int:pk>/restore/", views.family_restore, name="family_restore"),
]
