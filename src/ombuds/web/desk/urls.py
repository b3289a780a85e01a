from django.urls import path

from .views import attachments, auth, cases, inbox, reports, service_levels

SL = "w/<slug:slug>/service-levels"
service_level_urls = [
    path(f"{SL}/", service_levels.service_levels, name="service_levels"),
    path(f"{SL}/policies/new/", service_levels.policy_edit, name="sla_policy_new"),
    path(f"{SL}/policies/<int:policy_id>/", service_levels.policy_edit, name="sla_policy"),
    path(
        f"{SL}/policies/<int:policy_id>/delete/",
        service_levels.policy_delete,
        name="sla_policy_delete",
    ),
    path(
        f"{SL}/policies/<int:policy_id>/move/", service_levels.policy_move, name="sla_policy_move"
    ),
    path(f"{SL}/start-clocks/", service_levels.start_clocks, name="sla_start_clocks"),
    path(f"{SL}/calendars/new/", service_levels.calendar_edit, name="sla_calendar_new"),
    path(f"{SL}/calendars/<int:calendar_id>/", service_levels.calendar_edit, name="sla_calendar"),
    path(
        f"{SL}/calendars/<int:calendar_id>/delete/",
        service_levels.calendar_delete,
        name="sla_calendar_delete",
    ),
    path(
        f"{SL}/calendars/<int:calendar_id>/closures/",
        service_levels.closure_add,
        name="sla_closure_add",
    ),
    path(
        f"{SL}/calendars/<int:calendar_id>/closures/<int:closure_id>/delete/",
        service_levels.closure_delete,
        name="sla_closure_delete",
    ),
    path(
        f"{SL}/teams/<int:team_id>/calendar/",
        service_levels.team_calendar,
        name="sla_team_calendar",
    ),
    path("w/<slug:slug>/reports/sla/", reports.sla_report, name="sla_report"),
    path("w/<slug:slug>/reports/sla/csat-target/", reports.csat_target, name="sla_csat_target"),
]

# Included by ombuds.web.urls into the "web" namespace at the site root.
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("w/<slug:slug>/", auth.workspace_home, name="workspace"),
    path("w/<slug:slug>/inbox/", inbox.inbox, name="inbox"),
    path("w/<slug:slug>/cases/<str:reference>/", cases.case_detail, name="case"),
    path("w/<slug:slug>/cases/<str:reference>/reply/", cases.case_reply, name="case_reply"),
    path("w/<slug:slug>/cases/<str:reference>/note/", cases.case_note, name="case_note"),
    path(
        "w/<slug:slug>/cases/<str:reference>/properties/",
        cases.case_properties,
        name="case_properties",
    ),
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
    *service_level_urls,
]
