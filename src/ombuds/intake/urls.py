from django.urls import path

from .phone import views as phone

app_name = "intake"
urlpatterns = [
    path("phone/<str:account_id>/calls/", phone.ombuds_call, name="phone_call"),
    path("phone/<str:account_id>/twilio/", phone.twilio_call, name="phone_twilio"),
]
