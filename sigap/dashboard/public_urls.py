from django.urls import path

from sigap.dashboard import public_views as public

app_name = "transparency"
urlpatterns = [
    path("", public.transparency, name="home"),
    path("data.csv", public.open_data_csv, name="csv"),
    path("data.geojson", public.open_data_geojson, name="geojson"),
    path("kamus-data/", public.data_dictionary, name="dictionary"),
]
