from django.urls import path

from sigap.capacity import views

app_name = "capacity"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/cetak/", views.run_print, name="print"),
    path("<int:pk>/status/", views.run_status, name="status"),
]
