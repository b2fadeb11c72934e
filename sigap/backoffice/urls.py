from django.urls import path

from sigap.backoffice import moderation, views

app_name = "backoffice"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("baru/", views.arrivals, name="arrivals"),
    path("masuk/", views.staff_signin, name="signin"),
    path("massal/", views.bulk, name="bulk"),
    path("r/<str:ticket>/", views.report_detail, name="report"),
    path("r/<str:ticket>/aksi/<str:action>/", views.act, name="act"),
    path("r/<str:ticket>/foto/<int:photo_id>/", views.photo_blur, name="photo_blur"),
    path("r/<str:ticket>/pelapor-tepercaya/", views.reporter_trust, name="reporter_trust"),
    path("tugas/", views.tasks, name="tasks"),
    path("tugas/<str:ticket>/", views.task_detail, name="task"),
    path("sw.js", views.office_service_worker, name="sw"),
    path("telepon/", views.phone_desk, name="phone"),
    path("moderasi/", moderation.queue, name="moderation"),
    path("moderasi/<int:pk>/", moderation.decide, name="moderation_decide"),
    path("moderasi/kata/", moderation.words, name="moderation_words"),
]
