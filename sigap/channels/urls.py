from django.urls import path

from sigap.channels import views

app_name = "channels"
urlpatterns = [
    path("whatsapp/", views.whatsapp, name="whatsapp"),
    path("sms/", views.sms_inbound, name="sms"),
]
