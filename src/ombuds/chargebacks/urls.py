"""Webhook addresses of payment providers: /psp/<workspace>/<provider>/."""

from django.urls import path

from .webhooks import receive_webhook

app_name = "psp"
urlpatterns = [
    path("<slug:workspace>/<slug:provider>/", receive_webhook, name="webhook"),
]
