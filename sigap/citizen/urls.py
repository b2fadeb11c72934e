from django.urls import path

from sigap.citizen import views

app_name = "citizen"
urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:ticket>", views.track, name="track"),
]
