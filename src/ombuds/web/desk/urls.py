from django.urls import path

from .views import attachments, auth, cases, chats, inbox

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
    path("w/<slug:slug>/chats/", chats.live_chat_list, name="live_chats"),
    path(
        "w/<slug:slug>/cases/<str:reference>/timeline/",
        chats.chat_timeline,
        name="case_timeline",
    ),
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
]
