from django.urls import path

from .views import attachments, auth, cases, inbox, routing

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
    path("w/<slug:slug>/routing/", routing.overview, name="routing"),
    path("w/<slug:slug>/routing/presence/", routing.presence_switch, name="routing_presence"),
    path("w/<slug:slug>/routing/manage/", routing.manage, name="routing_manage"),
    path(
        "w/<slug:slug>/routing/agents/<int:user_id>/",
        routing.agent_settings,
        name="routing_agent",
    ),
    path(
        "w/<slug:slug>/routing/agents/<int:user_id>/hand-over/",
        routing.hand_over_now,
        name="routing_hand_over",
    ),
    path("w/<slug:slug>/routing/queues/new/", routing.queue_new, name="routing_queue_new"),
    path(
        "w/<slug:slug>/routing/queues/<int:queue_id>/",
        routing.queue_edit,
        name="routing_queue",
    ),
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
]
