"""URLs for referrals: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from licensing.referrals import api, views

urlpatterns = [
    path("cases/<int:pk>/referrals/add/", views.referral_add, name="review-referral-add"),
    path("cases/<int:pk>/referrals/send/", views.referrals_send, name="review-referrals-send"),
    path("cases/<int:pk>/referrals/skip/", views.referrals_skip, name="review-referrals-skip"),
    path("cases/<int:pk>/referrals/<int:referral_id>/drop/", views.referral_drop, name="review-referral-drop"),
    path("cases/<int:pk>/referrals/<int:referral_id>/withdraw/", views.referral_withdraw,
         name="review-referral-withdraw"),
    path("cases/<int:pk>/referrals/<int:referral_id>/opinion/", views.opinion_give, name="review-referral-opinion"),
    path("review/rules/", views.rule_list, name="review-rules"),
    path("review/rules/new/", views.rule_new, name="review-rule-new"),
    path("review/rules/<int:pk>/", views.rule_edit, name="review-rule-edit"),
    path("review/rules/<int:pk>/deactivate/", views.rule_deactivate, name="review-rule-deactivate"),
    path("review/agencies/", views.settings_list, name="review-agency-settings"),
    path("review/agencies/<int:pk>/", views.settings_edit, name="review-agency-settings-edit"),
    path("review/country-groups/", views.group_list, name="review-country-groups"),
    path("review/country-groups/new/", views.group_new, name="review-country-group-new"),
    path("review/country-groups/<int:pk>/", views.group_edit, name="review-country-group-edit"),
]

api_urlpatterns = [
    path("applications/<int:pk>/referrals/", api.CaseReferralsView.as_view(), name="api-review-referrals"),
    path("applications/<int:pk>/referrals/send/", api.ReferralsSendView.as_view(), name="api-review-referrals-send"),
    path("applications/<int:pk>/referrals/skip/", api.ReferralsSkipView.as_view(), name="api-review-referrals-skip"),
    path("applications/<int:pk>/referrals/<int:referral_id>/drop/", api.ReferralDropView.as_view(),
         name="api-review-referral-drop"),
    path("applications/<int:pk>/referrals/<int:referral_id>/withdraw/", api.ReferralWithdrawView.as_view(),
         name="api-review-referral-withdraw"),
    path("referrals/<int:pk>/opinion/", api.OpinionView.as_view(), name="api-review-referral-opinion"),
    path("routing-rules/", api.RoutingRuleListView.as_view(), name="api-review-routing-rules"),
    path("routing-rules/<int:pk>/", api.RoutingRuleDetailView.as_view(), name="api-review-routing-rule"),
    path("routing-rules/<int:pk>/deactivate/", api.RoutingRuleDeactivateView.as_view(),
         name="api-review-routing-rule-deactivate"),
    path("agency-settings/", api.AgencySettingsListView.as_view(), name="api-review-agency-settings"),
    path("agency-settings/<int:pk>/", api.AgencySettingsDetailView.as_view(), name="api-review-agency-setting"),
    path("country-groups/", api.CountryGroupListView.as_view(), name="api-review-country-groups"),
    path("country-groups/<int:pk>/", api.CountryGroupDetailView.as_view(), name="api-review-country-group"),
]
