from django.urls import path

from rsc.views import reflections as views

urlpatterns = [
    path("", views.reflection_list, name="reflection_list"),
    path("new/", views.reflection_create, name="reflection_create"),
    path("children/", views.reflection_children, name="reflection_children"),
    path("deleted/", views.reflection_deleted_list, name="reflection_deleted_list"),
    path("my-practice/", views.reflection_insights, name="reflection_insights"),
    path("<int:pk>/", views.reflection_detail, name="reflection_detail"),
    path("<int:pk>/edit/", views.reflection_edit, name="reflection_edit"),
    path("<int:pk>/share/", views.reflection_share, name="reflection_share"),
    path("<int:pk>/unshare/", views.reflection_unshare, name="reflection_unshare"),
    path("<int:pk>/responses/", views.response_create, name="response_create"),
    path("<int:pk>/responses/draft/", views.response_draft, name="response_draft"),
    path("<int:pk>/versions/", views.reflection_versions, name="reflection_versions"),
    path("<int:pk>/delete/", views.reflection_delete, name="reflection_delete"),
    path("<int:pk>/restore/", views.reflection_restore, name="reflection_restore"),
]
