from django.urls import path

from sigap.accounts import twofactor, views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.signin, name="signin"),
    path("masuk/kode/", views.enter_code, name="code"),
    path("masuk/sandi/", views.password_signin, name="password"),
    path("buka-kunci/", views.unlock_request, name="unlock"),
    path("buka-kunci/kode/", views.unlock_code, name="unlock_code"),
    path("2fa/", twofactor.twofactor, name="twofactor"),
    path("keluar/", views.signout, name="signout"),
    path("profil/", views.profile, name="profile"),
    path("profil/kontak/", views.confirm_contact, name="confirm_contact"),
    path("hapus/", views.delete, name="delete"),
]
