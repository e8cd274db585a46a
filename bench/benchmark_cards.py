"""Measuring the set of risk assessment cards (part of `make bench`): all cards of a 300-workplace
enterprise as one PDF, as the pdf worker puts them together (documents.rendering.bundle_render:
every card rendered and kept, a cover, one merged file), timed and with the process's peak
memory.

The benchmark data has no enterprise of 300 workplaces, so the one with the most workplaces is
grown to 300 inside a transaction that is rolled back: its workplaces are copied (with their
register rows, current assessments and measures) until there are 300 card groups, a card is
issued for each, and the set is rendered. The files go to a temporary folder. It runs in a child
process of its own, as in a worker's pool process, so that the peak is the set's."""

import multiprocessing
import resource
import tempfile
import time

from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.db.models import Count, Prefetch

WORKPLACES = 300


def _grow(enterprise, target: int) -> None:
    """Copy the enterprise's workplaces (with their rows, ratings and measures) up to ``target``."""
    from assessments.models import ControlMeasure, RiskAssessment
    from enterprises.models import Workplace
    from hazards.models import Hazard

    sources = list(
        Workplace.objects.active()
        .filter(enterprise=enterprise)
        .prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.active().prefetch_related("measures", "assessments"))
        )
        .order_by("pk")
    )
    existing = len(sources)
    for index in range(target - existing):
        source = sources[index % existing]
        copy = Workplace.objects.create(
            enterprise=enterprise,
            department_id=source.department_id,
            number=f"Б-{index + 1}",
            position=source.position,
            okpdtr_code=source.okpdtr_code,
            job_function=source.job_function,
            equipment=source.equipment,
            headcount_total=source.headcount_total,
            sout_class=source.sout_class,
            sout_date=source.sout_date,
        )
        for hazard in source.hazards.all():
            measures = list(hazard.measures.all())
            assessments = [a for a in hazard.assessments.all() if a.is_current]
            hazard.pk, hazard.id, hazard.workplace_id = None, None, copy.pk
            hazard._state.adding = True
            hazard.save()
            for assessment in assessments:
                assessment.pk, assessment.id, assessment.hazard_id = None, None, hazard.pk
            RiskAssessment.objects.bulk_create(assessments)
            for measure in measures:
                measure.pk, measure.id, measure.hazard_id = None, None, hazard.pk
            ControlMeasure.objects.bulk_create(measures)


def _render(enterprise_id: int, results) -> None:
    from documents.cards import bundle_request, card_issue, card_leads
    from documents.models import CardBundle, RiskCard
    from documents.rendering import bundle_render
    from enterprises.models import Enterprise, User

    connection.close()  # the parent's socket is not ours to use
    storage = FileSystemStorage(location=tempfile.mkdtemp(prefix="riskpilot-cards-bench-"), base_url=None)
    for model in (RiskCard, CardBundle):
        model._meta.get_field("file").storage = storage
    with transaction.atomic():
        enterprise = Enterprise.objects.get(pk=enterprise_id)
        measured_workplaces = enterprise.workplaces.count()
        _grow(enterprise, WORKPLACES)
        user = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
        leads = card_leads(enterprise)
        for lead in leads:
            card_issue(workplace=lead, user=user, render=False)
        bundle = bundle_request(enterprise=enterprise, user=user)
        started = time.perf_counter()
        bundle = bundle_render(bundle_id=bundle.pk)
        seconds = time.perf_counter() - started
        results.put(
            {
                "cards_enterprise_s": round(seconds, 1),
                "cards_enterprise_cards": bundle.total,
                "cards_enterprise_pages": bundle.pages,
                "cards_enterprise_copied_from": measured_workplaces,
                "cards_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
        transaction.set_rollback(True)
    connection.close()


def measure() -> dict:
    from enterprises.models import Enterprise

    enterprise = (
        Enterprise.objects.annotate(count=Count("workplaces"))
        .filter(count__gt=0)
        .order_by("-count", "pk")
        .first()
    )
    if enterprise is None:
        return {}
    connection.close()  # never share a connection with a forked child
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_render, args=(enterprise.pk, results))
    child.start()
    figures = results.get(timeout=30 * 60)
    child.join()
    return figures
