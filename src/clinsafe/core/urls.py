from django.urls import path

from clinsafe.core import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("notifications/", views.notifications, name="notifications"),
    path("account/registration/", views.account_registration, name="account-registration"),
    path("account/training/", views.account_training, name="account-training"),
    path("account/tokens/", views.account_token, name="account-token"),
    path("account/password/", views.PasswordChange.as_view(), name="password_change"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("account/tokens/<int:token>/revoke/", views.token_revoke, name="token-revoke"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/people/new/", views.person_add, name="person-add"),
    path(
        "organisations/<slug:slug>/acceptance/",
        views.acceptance_policy,
        name="acceptance-policy",
    ),
    path("organisations/<slug:slug>/roles/grant/", views.role_grant, name="role-grant"),
    path(
        "organisations/<slug:slug>/roles/<int:membership>/revoke/",
        views.role_revoke,
        name="role-revoke",
    ),
    path(
        "organisations/<slug:slug>/appointments/new/",
        views.appointment_add,
        name="appointment-add",
    ),
    path(
        "organisations/<slug:slug>/appointments/<int:appointment>/end/",
        views.appointment_end,
        name="appointment-end",
    ),
    path("products/<slug:slug>/cso/", views.product_cso, name="product-cso"),
]
