from django.urls import path

from accounts.views import auth, branches, invitations, pin, registration, staff

app_name = "accounts"

urlpatterns = [
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("register/", registration.register, name="register"),
    path("register/sent/", registration.register_sent, name="register_sent"),
    path("confirm/<str:signup_token>/", registration.confirm, name="confirm"),
    path("join/<str:invitation_token>/", invitations.join, name="join"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("pin/set/", pin.pin_set, name="pin_set"),
    path("pin/change/", pin.pin_change, name="pin_change"),
    path("lock/", pin.lock, name="lock"),
    path("unlock/", pin.unlock, name="unlock"),
    path("activity/", pin.activity, name="activity"),
    path("switch/", auth.switch_workshop, name="switch_workshop"),
    path("branches/", branches.branches, name="branches"),
    path("branches/<int:branch_id>/", branches.branch_edit, name="branch_edit"),
    path("branches/<int:branch_id>/toggle/", branches.branch_toggle, name="branch_toggle"),
    path("staff/", staff.staff, name="staff"),
    path("staff/<int:membership_id>/", staff.member_edit, name="member_edit"),
    path("staff/<int:membership_id>/toggle/", staff.member_toggle, name="member_toggle"),
    path("invitations/", invitations.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("sign-ins/", staff.signins, name="signins"),
]
