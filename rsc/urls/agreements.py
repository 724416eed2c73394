from django.urls import path

from rsc.views import agreements as views

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("new/", views.agreement_create, name="agreement_create"),
    # Before <int:pk>/ so that the word is never read as an id.
    path("mine/", views.agreement_mine, name="agreement_mine"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/end/", views.agreement_end, name="agreement_end"),
    path("<int:pk>/acknowledge/", views.agreement_acknowledge, name="agreement_acknowledge"),
]
