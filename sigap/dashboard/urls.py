from django.urls import path

from sigap.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("provinsi/", views.province, name="province"),
    path("provinsi/ekspor.csv", views.province_csv, name="province_csv"),
    path("laporan/", views.reports, name="reports"),
    path("wilayah.geojson", views.areas, name="areas"),
    path("ekspor.csv", views.export_csv, name="export_csv"),
    path("ekspor.xlsx", views.export_xlsx, name="export_xlsx"),
    path("ekspor.geojson", views.export_geojson, name="export_geojson"),
    path("bulanan/", views.monthly, name="monthly_city"),
    path("bulanan/<str:agency_code>/", views.monthly, name="monthly"),
]
