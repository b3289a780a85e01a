from django.urls import path

from . import endpoint

# Included at /intake/email/ by the site's URLconf.
urlpatterns = [
    path("<slug:slug>/", endpoint.receive_email, name="intake_email"),
]
