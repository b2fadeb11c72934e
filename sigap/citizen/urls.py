from django.urls import path

from sigap.citizen import personal, views

app_name = "citizen"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari", views.find_ticket, name="find"),
    path("lapor/", views.report_new, name="report"),
    path("lapor/lokasi", views.locate_json, name="locate"),
    path("lapor/sekitar", views.nearby_json, name="nearby"),
    path("r/<str:ticket>", views.track, name="track"),
    path("r/<str:ticket>/terkirim", views.report_sent, name="sent"),
    path("r/<str:ticket>/dukung", views.support, name="support"),
    path("r/<str:ticket>/komentar", views.comment, name="comment"),
    path("r/<str:ticket>/beres", views.confirm, name="confirm"),
    path("r/<str:ticket>/laporkan", views.flag, name="flag"),
    path("laporan/", views.reports, name="reports"),
    path("laporan/peta.json", views.reports_geojson, name="reports_geojson"),
    path("saya/", views.my_reports, name="mine"),
    path("saya/nama-di-papan", views.show_name, name="show_name"),
    path("saya/data.json", personal.download, name="personal_data"),
    path("di-perangkat/", views.device_reports, name="device"),
    path("offline/", views.offline, name="offline"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
