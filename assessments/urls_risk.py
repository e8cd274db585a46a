"""The work on one register row: its page, assessment and approval (one by one or from the
manager's queue, assessments/views/approvals.py), measures and their evidence, incidents, and
the periodic review of a workplace (assessments/views/risk*.py)."""

from django.urls import path

from .views import approvals, risk, risk_assess, risk_incidents, risk_measures, risk_review

urlpatterns = [
    path("rows/<int:pk>/", risk.hazard_detail, name="hazard"),
    path("rows/<int:pk>/assess/", risk_assess.assess, name="assess"),
    path("ratings/<int:pk>/approve/", risk.assessment_approve, name="assessment_approve"),
    path("ratings/<int:pk>/return/", approvals.assessment_return, name="assessment_return"),
    path("enterprise/<int:enterprise_pk>/approvals/", approvals.queue, name="approvals"),
    path("enterprise/<int:enterprise_pk>/approvals/approve/", approvals.approve, name="approvals_approve"),
    path("rows/<int:pk>/measures/new/", risk_measures.measure_add, name="measure_add"),
    path("measures/<int:pk>/done/", risk_measures.measure_complete, name="measure_complete"),
    path("measures/<int:pk>/edit/", risk_measures.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/start/", risk_measures.measure_start, name="measure_start"),
    path("measures/<int:pk>/cancel/", risk_measures.measure_cancel, name="measure_cancel"),
    path("my-tasks/", risk_measures.my_tasks, name="my_tasks"),
    path("evidence/<int:pk>/", risk_measures.evidence, name="evidence"),
    path("enterprise/<int:enterprise_pk>/incidents/", risk_incidents.incidents, name="incidents"),
    path("enterprise/<int:enterprise_pk>/incidents/new/", risk_incidents.incident_add, name="incident_add"),
    path("incidents/<int:pk>/", risk_incidents.incident_detail, name="incident"),
    path("incidents/<int:pk>/edit/", risk_incidents.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/cancel/", risk_incidents.incident_cancel, name="incident_cancel"),
    path("workplaces/<int:pk>/review/", risk_review.review_start, name="review_start"),
]
