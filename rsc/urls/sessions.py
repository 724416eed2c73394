from django.urls import path

from rsc.views import sessions as views

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("week/", views.session_week, name="session_week"),
    path("overview/", views.session_overview, name="session_overview"),
    path("new/", views.session_create, name="session_create"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("<int:pk>/prepare/", views.session_prepare, name="session_prepare"),
    path("<int:pk>/notes/", views.session_document, name="session_document"),
    path("<int:pk>/notes/versions/", views.session_versions, name="session_versions"),
    path("<int:pk>/follow-ups/", views.follow_up_create, name="follow_up_create"),
    path("<int:pk>/follow-ups/<int:follow_up_pk>/delete/", views.follow_up_delete, name="follow_up_delete"),
    path("<int:pk>/sign/", views.session_sign, name="session_sign"),
    path("<int:pk>/reopen/", views.session_reopen, name="session_reopen"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/agenda/<int:item_pk>/move/", views.agenda_move, name="agenda_move"),
    path("<int:pk>/agenda/<int:item_pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("<int:pk>/replies/", views.session_reply_create, name="session_reply_create"),
]
