from django.urls import path

from rsc.views import export

urlpatterns = [
    path("export/", export.my_data_export, name="my_data_export"),
]
