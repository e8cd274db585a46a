"""How an incident recorded in RiskPilot's first shape (one severity, "people affected" and "days
lost" per incident, with "group" as a fourth severity) becomes victims, each with an outcome of
Order 223n. Used by the data migration that introduced victims and by the import of version 1
register files, so that both turn the same old record into the same victims. Pure Python: the
migration runs it against historical models, so it must not import the app's models.

The old record says less than the new one; where it is silent, the rules below choose, and
nothing is dropped silently: whatever the victims cannot hold is written into a note that the
caller appends to the incident's circumstances (``note``).

Accidents (n = people affected, at least one: an accident has a victim; D = days lost):
- "light": n light victims.
- "severe" and "group": the first victim severe, the others light. "Group" only said that there
  were several victims; the old form had no outcome for them, and "severe" is the outcome that
  made most group accidents worth the category. A "group" accident with fewer than two people
  keeps its one victim (the count wins over the label) and says so in the note.
- "fatal": with D = 0, all n victims fatal (a non-fatal victim of an accident has days of
  incapacity; the old dashboards also counted all n as deaths). With D > 0, the first victim is
  fatal and the others light, carrying the days; if there is no other victim, the fatal victim
  keeps 0 days (a death has no days of incapacity, REFERENCE §4.2) and the note keeps D.
- D is spread evenly over the non-fatal victims, the first ones taking the remainder, so the
  total of days is unchanged.
Other kinds have no victims (a microtrauma and an occupational disease count one worker per
incident, a near miss none); days lost or more than one person on them go into the note.
"""

LIGHT, SEVERE, FATAL, GROUP = "light", "severe", "fatal", "group"
ACCIDENT, MICROTRAUMA, NEAR_MISS = "accident", "microtrauma", "near_miss"


def legacy_victims(*, kind: str, severity: str, people: int, days: int) -> tuple[list[tuple[str, int]], str]:
    """The victims (outcome, days of incapacity) of an incident of the old shape, and the note
    (Russian, "" if none) of what they cannot hold."""
    people, days = max(0, people or 0), max(0, days or 0)
    notes = []
    if kind != ACCIDENT:
        if days:
            notes.append(f"было указано дней нетрудоспособности: {days}")
        if people > 1 and kind != NEAR_MISS:
            notes.append(f"было указано пострадавших: {people}")
        return [], _note(notes)
    count = max(people, 1)
    if severity == FATAL and (days == 0 or count == 1):
        outcomes = [FATAL] * (count if days == 0 else 1)
        if days:
            notes.append(f"было указано дней нетрудоспособности: {days}, у погибшего они не учитываются")
        return [(outcome, 0) for outcome in outcomes], _note(notes)
    first = {FATAL: FATAL, SEVERE: SEVERE, GROUP: SEVERE}.get(severity, LIGHT)
    if severity == GROUP and count < 2:
        notes.append("случай был отмечен как групповой при одном пострадавшем")
    outcomes = [first] + [LIGHT] * (count - 1)
    living = [i for i, outcome in enumerate(outcomes) if outcome != FATAL]
    share, rest = divmod(days, len(living)) if living else (0, 0)
    spread = {index: share + (1 if n < rest else 0) for n, index in enumerate(living)}
    return [(outcome, spread.get(i, 0)) for i, outcome in enumerate(outcomes)], _note(notes)


def legacy_shape(*, kind: str, victims: list[tuple[str, int]]) -> tuple[str, int, int]:
    """The other way (the migration's reverse): severity, people affected and days lost of the
    old shape for an incident and its victims."""
    if kind != ACCIDENT:
        return "", 0 if kind == NEAR_MISS else 1, 0
    outcomes = [outcome for outcome, _days in victims]
    if FATAL in outcomes:
        severity = FATAL
    elif len(outcomes) > 1:
        severity = GROUP
    else:
        severity = SEVERE if SEVERE in outcomes else LIGHT
    return severity, len(victims), sum(days for _outcome, days in victims)


def _note(parts: list[str]) -> str:
    if not parts:
        return ""
    return "[При переходе на учёт пострадавших: " + "; ".join(parts) + ".]"


def with_note(description: str, note: str) -> str:
    return f"{description.rstrip()}\n\n{note}" if note else description
