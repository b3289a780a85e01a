"""Webhook addresses, one per connected account: /intake/<platform>/<account id>/."""

from django.urls import path

from .webhooks import PLATFORMS, webhook

app_name = "intake_social"
urlpatterns = [
    path(f"{channel}/<str:account_id>/", webhook, {"platform": channel}, name=f"webhook_{channel}")
    for channel in PLATFORMS
]
