from django.urls import include, path

from ombuds.config.api import api
from ombuds.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("intake/", include("ombuds.intake.urls")),
    path("intake/", include("ombuds.intake.social.urls")),
    path("intake/email/", include("ombuds.intake.email.urls")),
    path("psp/", include("ombuds.chargebacks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ombuds.web.urls")),
]
