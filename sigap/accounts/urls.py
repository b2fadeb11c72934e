from django.urls import path

from django.contrib.auth import views as auth_views

app_name = "accounts"
urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(template_name="accounts/signin.html"),
         name="signin"),
    path("keluar/", auth_views.LogoutView.as_view(), name="signout"),
]
