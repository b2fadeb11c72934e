from django.urls import path

from sigap.follows import feeds, views

app_name = "follows"
urlpatterns = [
    path("", views.follow, name="follow"),
    path("rss", feeds.PlaceFeed(), name="rss"),
    path("atom", feeds.PlaceAtomFeed(), name="atom"),
    path("konfirmasi/<str:token>/", views.confirm, name="confirm"),
    path("berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("push/kunci", views.push_key, name="push_key"),
    path("saya/", views.mine, name="mine"),
    path("saya/<int:pk>/berhenti", views.stop, name="stop"),
]
