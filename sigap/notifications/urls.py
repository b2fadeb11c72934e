from django.urls import path

from sigap.notifications import views

app_name = "notifications"
urlpatterns = [
    path("berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
