from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from sigap.api import views

app_name = "api"

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report")

SCHEMA_SETTINGS = {"POSTPROCESSING_HOOKS": [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "sigap.api.schema.add_error_responses",
]}

urlpatterns = [
    path("v1/", views.ApiRoot.as_view(), name="root"),
    path("v1/", include(router.urls)),
    path("v1/categories/", views.CategoryList.as_view(), name="categories"),
    path("v1/categories/suggest/", views.CategorySuggest.as_view(), name="category-suggest"),
    path("v1/areas/", views.AreaGeoJSON.as_view(), name="areas"),
    path("v1/auth/token/", views.ObtainToken.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(custom_settings=SCHEMA_SETTINGS), name="schema"),
    # The split view serves its start-up script as a file: no inline script (CSP). Swagger
    # UI's page carries an inline <style>: the one page allowed inline style (developers').
    path("docs/", csp_update({"style-src": [UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]
