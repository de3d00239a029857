from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/sent/", views.register_sent, name="register_sent"),
    path("confirm/<str:signup_token>/", views.confirm, name="confirm"),
    path("join/<str:invitation_token>/", views.join, name="join"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("pin/set/", views.pin_set, name="pin_set"),
    path("pin/change/", views.pin_change, name="pin_change"),
    path("lock/", views.lock, name="lock"),
    path("unlock/", views.unlock, name="unlock"),
    path("activity/", views.activity, name="activity"),
    path("switch/", views.switch_workshop, name="switch_workshop"),
    path("branches/", views.branches, name="branches"),
    path("branches/<int:branch_id>/", views.branch_edit, name="branch_edit"),
    path("branches/<int:branch_id>/toggle/", views.branch_toggle, name="branch_toggle"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:membership_id>/", views.member_edit, name="member_edit"),
    path("staff/<int:membership_id>/toggle/", views.member_toggle, name="member_toggle"),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("sign-ins/", views.signins, name="signins"),
]
