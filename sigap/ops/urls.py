from django.urls import path

from sigap.ops import metrics

app_name = "ops"
urlpatterns = [
    path("metrics", metrics.metrics, name="metrics"),
]
