"""The help center and buyer portal, one per workspace, under /help/<slug>/."""

from django.urls import path

from . import dispute_views, seller_views, views

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
        "<slug:slug>/portal/cases/<str:reference>/rescue/choose/",
        views.rescue_choose,
        name="portal_rescue_choose",
    ),
    path(
        "<slug:slug>/portal/cases/<str:reference>/files/<int:attachment_id>/",
        views.attachment,
        name="portal_attachment",
    ),
    path("<slug:slug>/portal/disputes/", dispute_views.disputes, name="portal_disputes"),
    path("<slug:slug>/portal/disputes/new/", dispute_views.dispute_new, name="portal_dispute_new"),
    path(
        "<slug:slug>/portal/disputes/<str:reference>/",
        dispute_views.dispute_detail,
        name="portal_dispute",
    ),
    path(
        "<slug:slug>/portal/disputes/<str:reference>/files/<int:number>/",
        dispute_views.dispute_evidence,
        name="portal_dispute_file",
    ),
    path(
        "<slug:slug>/portal/disputes/<str:reference>/<slug:action>/",
        dispute_views.dispute_act,
        name="portal_dispute_act",
    ),
    path("<slug:slug>/seller/", seller_views.seller_request, name="seller_request"),
    path("<slug:slug>/seller/sent/", seller_views.seller_sent, name="seller_sent"),
    path("<slug:slug>/seller/login/<str:token>/", seller_views.seller_login, name="seller_login"),
    path("<slug:slug>/seller/logout/", seller_views.seller_logout, name="seller_logout"),
    path("<slug:slug>/seller/disputes/", seller_views.seller_disputes, name="seller_disputes"),
    path(
        "<slug:slug>/seller/disputes/<str:reference>/",
        seller_views.seller_dispute,
        name="seller_dispute",
    ),
    path(
        "<slug:slug>/seller/disputes/<str:reference>/files/<int:number>/",
        seller_views.seller_evidence,
        name="seller_dispute_file",
    ),
    path(
        "<slug:slug>/seller/disputes/<str:reference>/<slug:action>/",
        seller_views.seller_act,
        name="seller_dispute_act",
    ),
    path("<slug:slug>/seller/scorecard/", seller_views.seller_scorecard, name="seller_scorecard"),
]
