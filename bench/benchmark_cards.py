"""Measuring the set of risk assessment cards (part of `make bench`): all cards of a 300-workplace
enterprise as one PDF, as the pdf worker puts them together (documents.bundles): the set is
claimed, its cards are rendered in parts by ``PDF_WORKER_PROCESSES`` processes side by side (the
pdf worker's ``--concurrency`` in docker-compose.yml, one per core of a 2-core machine), and the
part that completes it has the cover and the merged file made. Timed from the claim to the kept
file, with the peak memory of the largest process.

The benchmark data has no enterprise of 300 workplaces, so the one with the most workplaces is
grown to 300: its workplaces are copied (with their register rows, current assessments and
measures) until there are 300 card groups, and a card is issued for each without a PDF, so every
card is rendered cold. The parts' processes read the data through their own connections, so it
is committed, then removed again (also what a run that was interrupted left behind). The files go
to a temporary folder."""

import multiprocessing
import queue
import resource
import shutil
import tempfile
import time

from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.db.models import Count, Prefetch
from django.test.utils import override_settings

WORKPLACES = 300
PDF_WORKER_PROCESSES = 2
# The copies' workplace numbers: how a run finds what an interrupted one left behind.
COPY_PREFIX = "Б-"


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
            number=f"{COPY_PREFIX}{index + 1}",
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


@transaction.atomic
def _clean(enterprise, *, after_card: int, after_bundle: int, previously_current: list[int]) -> None:
    """Remove the copies (this run's or an interrupted one's), the cards and sets made after
    ``after_card`` / ``after_bundle``, and make the cards current before current again."""
    from assessments.models import ControlMeasure, RiskAssessment
    from documents.models import CardBundle, RiskCard
    from enterprises.models import Workplace
    from hazards.models import Hazard

    copies = Workplace.objects.filter(enterprise=enterprise, number__startswith=COPY_PREFIX)
    hazards = Hazard.objects.filter(workplace__in=copies)
    CardBundle.objects.filter(enterprise=enterprise, pk__gt=after_bundle).delete()
    RiskCard.objects.filter(enterprise=enterprise, pk__gt=after_card).delete()
    RiskCard.objects.filter(workplace__in=copies).delete()
    RiskCard.objects.filter(pk__in=previously_current).update(is_current=True)
    ControlMeasure.objects.filter(hazard__in=hazards).delete()
    RiskAssessment.objects.filter(hazard__in=hazards).delete()
    hazards.delete()
    copies.delete()


def _part(bundle_id: int, card_ids: list[int]) -> tuple[bool, float]:
    """One part, in a pool process, as render_bundle_part runs it on the worker."""
    from documents.bundles import bundle_render_part

    return bundle_render_part(bundle_id=bundle_id, card_ids=card_ids), _peak_mb(resource.RUSAGE_SELF)


def _finish(bundle_id: int) -> float:
    from documents.bundles import bundle_finish

    bundle_finish(bundle_id=bundle_id)
    return _peak_mb(resource.RUSAGE_SELF)


def _peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _render(enterprise_id: int, results) -> None:
    from django.db.models import Max

    from documents.bundles import bundle_start
    from documents.cards import card_issue, card_leads
    from documents.models import CardBundle, RiskCard
    from enterprises.models import Enterprise, User

    connection.close()  # the parent's socket is not ours to use
    folder = tempfile.mkdtemp(prefix="riskpilot-cards-bench-")
    storage = FileSystemStorage(location=folder, base_url=None)
    for model in (RiskCard, CardBundle):
        model._meta.get_field("file").storage = storage
    enterprise = Enterprise.objects.get(pk=enterprise_id)
    clean = {
        "after_card": RiskCard.objects.aggregate(last=Max("pk"))["last"] or 0,
        "after_bundle": CardBundle.objects.aggregate(last=Max("pk"))["last"] or 0,
        "previously_current": list(
            RiskCard.objects.current().filter(enterprise=enterprise).values_list("pk", flat=True)
        ),
    }
    try:
        with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
            _clean(enterprise, **clean)  # what an interrupted run left behind
            measured_workplaces = enterprise.workplaces.count()
            _grow(enterprise, WORKPLACES)
            user = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
            for lead in card_leads(enterprise):
                card_issue(workplace=lead, user=user, render=False)
            # The row only: the benchmark plays the worker's part itself.
            bundle = CardBundle.objects.create(enterprise=enterprise, requested_by=user)
        connection.close()  # the pool's processes are forked from this one
        started = time.perf_counter()
        parts = bundle_start(bundle_id=bundle.pk)
        connection.close()
        context = multiprocessing.get_context("fork")
        with context.Pool(PDF_WORKER_PROCESSES) as pool:
            rendered = pool.starmap(_part, [(bundle.pk, part) for part in parts], chunksize=1)
            peaks = [peak for _complete, peak in rendered]
            peaks.append(pool.apply(_finish, (bundle.pk,)))
        seconds = time.perf_counter() - started
        bundle.refresh_from_db()
        results.put(
            {
                "cards_enterprise_s": round(seconds, 1),
                "cards_enterprise_cards": bundle.total,
                "cards_enterprise_pages": bundle.pages,
                "cards_enterprise_copied_from": measured_workplaces,
                "cards_enterprise_processes": PDF_WORKER_PROCESSES,
                "cards_peak_mb": round(max([*peaks, _peak_mb(resource.RUSAGE_SELF)]), 1),
            }
        )
    finally:
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            _clean(enterprise, **clean)
        shutil.rmtree(folder, ignore_errors=True)
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
    deadline = time.monotonic() + 30 * 60
    while True:
        try:
            figures = results.get(timeout=5)
            break
        except queue.Empty:
            # A child that died (its traceback is on stderr) sends nothing: do not wait for it.
            if not child.is_alive() or time.monotonic() > deadline:
                child.join(timeout=5)
                raise RuntimeError("The cards benchmark's process ended without figures.") from None
    child.join()
    return figures
