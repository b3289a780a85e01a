"""Signing in and out, and the front door that sends an agent to their inbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ombuds.accounts.selectors import memberships_of

from ..access import LAST_WORKSPACE_SESSION_KEY, access_workspace
from ..forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "web/desk/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The profile's language is the default on a browser that has not chosen one yet;
        # a choice made with the switcher (the cookie) wins.
        language = form.get_user().language
        if (
            language in dict(settings.LANGUAGES)
            and settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


@login_required
def home(request):
    """Back to the workspace the agent last worked in, else the first one they belong to."""
    memberships = sorted(memberships_of(request.user), key=lambda m: m.workspace.name.lower())
    if not memberships:
        return render(request, "web/desk/no_workspace.html")
    last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    chosen = next((m for m in memberships if m.workspace.slug == last), memberships[0])
    return redirect("web:inbox", slug=chosen.workspace.slug)


@login_required
def workspace_home(request, slug: str):
    workspace, _ = access_workspace(request, slug)
    return redirect("web:inbox", slug=workspace.slug)
