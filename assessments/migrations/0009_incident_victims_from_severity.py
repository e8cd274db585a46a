"""Every incident's old severity, people affected and days lost become victims, by the rules of
assessments/legacy_incidents.py (read its docstring: which outcome each victim gets, how the
days are spread, what goes into a note). In short:

- an accident with N people (at least one) gets N victims and the total of its days;
- "group" is no longer a severity: the first victim is severe, the others light;
- a "fatal" accident without days has N fatal victims; with days, the first victim is fatal and
  the others carry the days; a lone fatal victim keeps 0 days and the days are kept in a note;
- whatever the victims cannot hold (days on a microtrauma, several people on an occupational
  disease, a "group" accident of one person) is appended to the circumstances as a note, so
  nothing is lost.

Each victim gets its "created" history record. The reverse rebuilds the old columns from the
victims (the worst outcome, "group" for several non-fatal victims, their count and days)."""

from django.db import migrations
from django.utils import timezone

from assessments.legacy_incidents import legacy_shape, legacy_victims, with_note

BATCH = 2000


def victims_from_severity(apps, schema_editor):
    Incident = apps.get_model("assessments", "Incident")
    IncidentVictim = apps.get_model("assessments", "IncidentVictim")
    HistoricalIncidentVictim = apps.get_model("assessments", "HistoricalIncidentVictim")
    now = timezone.now()
    incidents = Incident.objects.order_by("pk").values_list(
        "pk", "kind", "severity", "people_affected", "days_lost", "description"
    )
    victims, notes = [], []
    for pk, kind, severity, people, days, description in incidents.iterator(chunk_size=BATCH):
        outcomes, note = legacy_victims(kind=kind, severity=severity, people=people, days=days)
        victims += [
            IncidentVictim(incident_id=pk, outcome=outcome, days_lost=lost) for outcome, lost in outcomes
        ]
        if note:
            notes.append((pk, with_note(description, note)))
        if len(victims) >= BATCH:
            _write(IncidentVictim, HistoricalIncidentVictim, victims, now)
            victims = []
    _write(IncidentVictim, HistoricalIncidentVictim, victims, now)
    for pk, description in notes:
        Incident.objects.filter(pk=pk).update(description=description)


def _write(IncidentVictim, HistoricalIncidentVictim, victims, now):
    if not victims:
        return
    # PostgreSQL and SQLite both return the new primary keys from a bulk insert.
    created = IncidentVictim.objects.bulk_create(victims)
    HistoricalIncidentVictim.objects.bulk_create(
        HistoricalIncidentVictim(
            id=victim.pk,
            incident_id=victim.incident_id,
            outcome=victim.outcome,
            days_lost=victim.days_lost,
            position="",
            created_at=victim.created_at,
            updated_at=victim.updated_at,
            history_date=now,
            history_type="+",
            history_change_reason="Victims from the old severity (migration)",
        )
        for victim in created
    )


def severity_from_victims(apps, schema_editor):
    Incident = apps.get_model("assessments", "Incident")
    IncidentVictim = apps.get_model("assessments", "IncidentVictim")
    victims = {}
    for incident_id, outcome, days in IncidentVictim.objects.order_by("pk").values_list(
        "incident_id", "outcome", "days_lost"
    ):
        victims.setdefault(incident_id, []).append((outcome, days))
    for incident in Incident.objects.order_by("pk").only("pk", "kind"):
        severity, people, days = legacy_shape(kind=incident.kind, victims=victims.get(incident.pk, []))
        Incident.objects.filter(pk=incident.pk).update(severity=severity, people_affected=people, days_lost=days)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0008_incident_victims")]

    operations = [migrations.RunPython(victims_from_severity, severity_from_victims)]
