from django.urls import path

from sigap.duty import views

app_name = "duty"
urlpatterns = [
    path("", views.rota_page, name="rota"),
    path("<int:pk>/hapus/", views.delete_shift, name="delete"),
    path("panggilan/<int:pk>/", views.ack, name="ack"),
    path("push/langganan/", views.subscribe, name="subscribe"),
    path("push/kunci/", views.vapid_key, name="vapid_key"),
    path("sw.js", views.service_worker, name="service_worker"),
]
