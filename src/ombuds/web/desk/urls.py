from django.urls import path

from .views import attachments, auth, cases, inbox, money, money_report, policy

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
        "w/<slug:slug>/cases/<str:reference>/money/refund/", money.case_refund, name="case_refund"
    ),
    path(
        "w/<slug:slug>/cases/<str:reference>/money/credit/", money.case_credit, name="case_credit"
    ),
    path("w/<slug:slug>/approvals/", money.approvals_queue, name="approvals"),
    path(
        "w/<slug:slug>/approvals/<int:approval_id>/decide/",
        money.approval_decide,
        name="approval_decide",
    ),
    path("w/<slug:slug>/money/", money_report.money_report, name="money_report"),
    path("w/<slug:slug>/policy/", policy.policy, name="policy"),
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
]
