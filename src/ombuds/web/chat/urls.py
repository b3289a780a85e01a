from django.urls import path

from . import views

# Included by ombuds.web.urls into the "web" namespace under /chat/.
urlpatterns = [
    path("widget.js", views.widget_script, name="chat_widget"),
    path("<slug:slug>/widget.json", views.widget_settings, name="chat_settings"),
    path("<slug:slug>/demo/", views.demo_shop, name="chat_demo"),
]
