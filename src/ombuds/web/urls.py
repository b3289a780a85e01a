from django.urls import include, path

app_name = "web"
urlpatterns = [
    path("help/", include("ombuds.web.portal.urls")),
    path("chat/", include("ombuds.web.chat.urls")),
    path("", include("ombuds.web.desk.urls")),
]
