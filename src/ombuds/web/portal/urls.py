"""The help center and buyer portal, one per workspace, under /help/<slug>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.home, name="help_home"),
    path("<slug:slug>/contact/", views.contact, name="help_contact"),
    path("<slug:slug>/contact/sent/", views.contact_sent, name="help_contact_sent"),
    path("<slug:slug>/portal/", views.portal_request, name="portal_request"),
    path("<slug:slug>/portal/sent/", views.portal_sent, name="portal_sent"),
    path("<slug:slug>/portal/login/<str:token>/", views.portal_login, name="portal_login"),
    path("<slug:slug>/portal/logout/", views.portal_logout, name="portal_logout"),
    path("<slug:slug>/portal/cases/", views.cases, name="portal_cases"),
    path("<slug:slug>/portal/cases/<str:reference>/", views.case_detail, name="portal_case"),
    path(
        "<slug:slug>/portal/cases/<str:reference>/files/<int:attachment_id>/",
        views.attachment,
        name="portal_attachment",
    ),
]
