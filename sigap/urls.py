from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("sigap.open311.urls")),
    path("api/", include("sigap.api.urls")),
    path("office/jaga/", include("sigap.duty.urls")),
    path("office/", include("sigap.backoffice.urls")),
    path("kapasitas/", include("sigap.capacity.urls")),
    path("akun/", include("sigap.accounts.urls")),
    path("notifikasi/", include("sigap.notifications.urls")),
    path("ikuti/", include("sigap.follows.urls")),
    path("kanal/", include("sigap.channels.urls")),
    path("dasbor/", include("sigap.dashboard.urls")),
    path("transparansi/", include("sigap.dashboard.public_urls")),
    path("", include("sigap.ops.urls")),
    path("", include("sigap.citizen.urls")),
]
if settings.SIGAP_SERVE_MEDIA:
    # Embedded set-up: no separate web server, so Sigap serves uploaded photos itself.
    urlpatterns += [
        re_path(r"^media/(?P<path>(photos|thumbs|public)/.*)$", serve,
                {"document_root": settings.MEDIA_ROOT}),
    ]
handler400 = "sigap.errors.bad_request"
