"""A whole enterprise register as one JSON document, and back: the backup of one enterprise
(manage.py export_register / import_register), complete enough to rebuild it in another database.

The document references what lies outside the enterprise by natural keys, never by primary keys:
catalogue items by code, methods by code and version, users by username, the region by code.
Objects of the enterprise refer to each other by keys local to the file (d1, w1, h1, m1, given in
primary-key order), so exporting an imported register gives the same document again. Evidence
files travel inside the document (base64), so a backup needs nothing else.

Round trip: exporting an imported register gives the same document, except for one volatile
field, ``enterprise.updated_at`` (the import's moment; see _import). Not exported: the change
history (django-simple-history) and the users themselves; an import records its objects' history
as new, by the importing user (none from a command).

A file describes one enterprise and may create or change nothing else: shared catalogue items and
methods are only referenced (a version of a shared method in the file is refused: it would change
the scoring of every enterprise), every user it names must exist and have the enterprise in their
scope (its own people, its region's reviewers, national roles), and evidence files pass the same
checks as an upload."""

import base64
import binascii
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, models, transaction
from django.utils import timezone, translation

from enterprises.models import Department, Enterprise, HeadcountPeriod, Region, User, Workplace
from hazards.models import Hazard, HazardGroup, HazardousEvent, HazardType, ModelMeasure

from .legacy_incidents import legacy_victims, with_note
from .models import (
    ControlMeasure,
    DeletedRow,
    DeletedRowKind,
    Incident,
    IncidentKind,
    IncidentVictim,
    MeasureEvidence,
    RiskAssessment,
    RiskMethod,
    RiskMethodVersion,
    WorkplaceReview,
)
from .services import evidence_file_name, evidence_inspect

FORMAT = "riskpilot-register"
VOLATILE = (("enterprise", "updated_at"),)
# Version 2: an accident's victims (section "incident_victims") instead of one severity, people
# affected and days lost per incident. Version 1 files are still read: see _upgrade_v1.
VERSION = 2
READABLE_VERSIONS = (1, 2)

# Fields written as they are (timestamps included, so a restored register is the same register),
# with these exceptions: the primary key, a row's search text (derived, rebuilt on import by
# assessments.search) and, for evidence, the storage path (a random name, chosen again on
# import; the content travels instead).
SKIPPED_FIELDS = {"id", "search_text"}


class RegisterDumpError(Exception):
    """A document that cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class Section:
    name: str
    model: type[models.Model]
    local_prefix: str = ""  # objects others refer to get a file-local key
    m2m: tuple[str, ...] = ()


# Written and read in this order: each section refers only to those before it.
SECTIONS = (
    Section("risk_methods", RiskMethod),
    Section("risk_method_versions", RiskMethodVersion),
    Section("departments", Department, "d"),
    Section("workplaces", Workplace, "w"),
    Section("headcount_periods", HeadcountPeriod),
    Section("hazard_types", HazardType),
    Section("hazardous_events", HazardousEvent),
    Section("hazards", Hazard, "h"),
    Section("assessments", RiskAssessment),
    Section("measures", ControlMeasure, "m"),
    Section("evidence", MeasureEvidence),
    Section("incidents", Incident, "i", m2m=("hazards",)),
    Section("incident_victims", IncidentVictim),
    Section("workplace_reviews", WorkplaceReview),
)
LOCAL_MODELS = {section.model: section for section in SECTIONS if section.local_prefix}


def _enterprise_rows(enterprise: Enterprise) -> dict[str, models.QuerySet]:
    """Every object of the enterprise, per section, in primary-key order."""
    return {
        "risk_methods": RiskMethod.objects.filter(enterprise=enterprise),
        "risk_method_versions": RiskMethodVersion.objects.filter(
            method__enterprise=enterprise
        ).select_related("method"),
        # Parents before children, so that an import can create them in file order.
        "departments": _departments_parents_first(enterprise),
        "workplaces": Workplace.objects.filter(enterprise=enterprise),
        "headcount_periods": HeadcountPeriod.objects.filter(enterprise=enterprise),
        "hazard_types": HazardType.objects.filter(enterprise=enterprise).select_related("group"),
        "hazardous_events": HazardousEvent.objects.filter(enterprise=enterprise).select_related(
            "hazard_type"
        ),
        "hazards": Hazard.objects.filter(enterprise=enterprise).select_related("event", "identified_by"),
        "assessments": RiskAssessment.objects.filter(hazard__enterprise=enterprise).select_related(
            "method_version__method", "assessor", "approved_by"
        ),
        "measures": ControlMeasure.objects.filter(hazard__enterprise=enterprise).select_related(
            "model_measure"
        ),
        "evidence": MeasureEvidence.objects.filter(measure__hazard__enterprise=enterprise).select_related(
            "uploaded_by"
        ),
        "incidents": Incident.objects.filter(enterprise=enterprise)
        .select_related("event", "reported_by")
        .prefetch_related("hazards"),
        "incident_victims": IncidentVictim.objects.filter(incident__enterprise=enterprise),
        "workplace_reviews": WorkplaceReview.objects.filter(workplace__enterprise=enterprise).select_related(
            "reviewer"
        ),
    }


def _departments_parents_first(enterprise) -> list[Department]:
    departments = list(Department.objects.filter(enterprise=enterprise).order_by("pk"))
    ordered, placed = [], set()
    while len(ordered) < len(departments):
        progress = False
        for department in departments:
            if department.pk not in placed and (
                department.parent_id is None or department.parent_id in placed
            ):
                ordered.append(department)
                placed.add(department.pk)
                progress = True
        if not progress:  # a cycle cannot be stored (constraint), but never loop forever
            ordered.extend(d for d in departments if d.pk not in placed)
            break
    return ordered


def _fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS]


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


# --- Export -------------------------------------------------------------------------------------


class _Exporter:
    def __init__(self, enterprise: Enterprise):
        self.enterprise = enterprise
        self.local: dict[tuple[type, int], str] = {}
        self.counters: dict[type, int] = {}
        self.users = dict(User.objects.values_list("pk", "username"))
        self.methods = dict(RiskMethod.objects.values_list("pk", "code"))
        self.versions = {
            pk: [code, number]
            for pk, code, number in RiskMethodVersion.objects.values_list("pk", "method__code", "version")
        }
        self.groups = dict(HazardGroup.objects.values_list("pk", "number"))
        self.model_measures = dict(ModelMeasure.objects.values_list("pk", "code"))

    def reference(self, fk: models.ForeignKey, obj) -> object:
        pk = getattr(obj, fk.attname)
        if pk is None:
            return None
        target = fk.related_model
        if target in LOCAL_MODELS:
            return self.local[(target, pk)]
        if target is User:
            return self.users[pk]
        if target is RiskMethod:
            return self.methods[pk]
        if target is RiskMethodVersion:
            return self.versions[pk]
        if target is HazardGroup:
            return self.groups[pk]
        if target is ModelMeasure:
            return self.model_measures[pk]
        if target is Region:
            return obj.region.code
        if target in (HazardType, HazardousEvent):
            item = getattr(obj, fk.name)
            return {"code": item.code, "own": item.enterprise_id is not None}
        raise RegisterDumpError(f"No natural key for {fk.model.__name__}.{fk.name}")

    def item(self, obj, section: Section | None) -> dict:
        data = {}
        if section is not None and section.local_prefix:
            self.counters[section.model] = self.counters.get(section.model, 0) + 1
            key = f"{section.local_prefix}{self.counters[section.model]}"
            self.local[(section.model, obj.pk)] = key
            data["key"] = key
        for f in _fields(type(obj)):
            if f.is_relation:
                if f.related_model is Enterprise:
                    continue  # the document's enterprise
                data[f.name] = self.reference(f, obj)
            elif isinstance(f, models.FileField):
                try:
                    with getattr(obj, f.name).open("rb") as handle:
                        data[f.name] = base64.b64encode(handle.read()).decode("ascii")
                except (OSError, ValueError) as error:
                    # A backup without the file would look complete and not be.
                    raise RegisterDumpError(
                        f"The file of {obj._meta.model_name} {obj} is missing: {error}"
                    ) from error
            else:
                data[f.name] = _plain(f.value_from_object(obj))
        for name in section.m2m if section else ():
            data[name] = sorted(
                (self.local[(Hazard, related.pk)] for related in getattr(obj, name).all()),
                key=lambda key: int(key[1:]),
            )
        return data


def register_export(enterprise: Enterprise) -> dict:
    """The enterprise's whole register as a JSON-ready dict (see the module's docstring)."""
    exporter = _Exporter(enterprise)
    document = {"format": FORMAT, "version": VERSION, "enterprise": exporter.item(enterprise, None)}
    rows = _enterprise_rows(enterprise)
    for section in SECTIONS:
        objects = rows[section.name]
        if isinstance(objects, models.QuerySet):
            objects = objects.order_by("pk")
        document[section.name] = [exporter.item(obj, section) for obj in objects]
    return document


def register_export_json(enterprise: Enterprise) -> str:
    return json.dumps(register_export(enterprise), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def find_enterprise(identifier: str) -> Enterprise:
    """An enterprise by INN, else by primary key."""
    enterprise = Enterprise.objects.filter(inn=identifier).first()
    if enterprise is None and identifier.isdigit() and len(identifier) < 10:
        enterprise = Enterprise.objects.filter(pk=int(identifier)).first()
    if enterprise is None:
        raise RegisterDumpError(f"No enterprise with INN or id {identifier!r}.")
    return enterprise


# --- Import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    enterprise: Enterprise
    counts: dict[str, int] = field(default_factory=dict)
    replaced: bool = False


class _Resolver:
    """Turns the document's references back into objects, and collects every unknown one."""

    def __init__(self, document: dict):
        self.document = document
        self.errors: list[str] = []
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=self._usernames()).select_related(
                "enterprise", "region"
            )
        }
        self.groups = {g.number: g for g in HazardGroup.objects.all()}
        self.local: dict[tuple[type, str], models.Model] = {}
        self.own_types: dict[str, HazardType] = {}
        self.own_events: dict[str, HazardousEvent] = {}
        self.own_methods: dict[str, RiskMethod] = {}
        self.own_versions: dict[tuple[str, int], RiskMethodVersion] = {}
        self.cache: dict[tuple, models.Model | None] = {}

    def _usernames(self) -> set[str]:
        names = set()
        for section in SECTIONS:
            user_fields = [
                f.name for f in _fields(section.model) if f.is_relation and f.related_model is User
            ]
            for item in self.document.get(section.name) or []:
                if isinstance(item, dict):
                    names.update(item.get(name) for name in user_fields if isinstance(item.get(name), str))
        return names

    def _acts_for_enterprise(self, user: User) -> bool:
        """Whether the enterprise of the document is in the user's scope (enterprises/access.py):
        a file must not credit assessments or approvals to someone from another enterprise."""
        if user.sees_everything:
            return True
        data = self.document["enterprise"]
        if user.is_regional_reviewer:
            return user.region is not None and user.region.code == data.get("region")
        return user.enterprise is not None and user.enterprise.inn == data.get("inn")

    def _cached(self, key: tuple, lookup: Callable[[], models.Model | None]):
        if key not in self.cache:
            self.cache[key] = lookup()
        return self.cache[key]

    def resolve(self, fk: models.ForeignKey, value, where: str):
        """The object ``value`` names, or None after recording an error."""
        if value is None:
            return None
        target = fk.related_model
        found = None
        if target in LOCAL_MODELS:
            found = self.local.get((target, value)) if isinstance(value, str) else None
        elif target is User:
            found = self.users.get(value) if isinstance(value, str) else None
            if found is not None and not self._acts_for_enterprise(found):
                self.errors.append(
                    f"{where}: user {value!r} does not work for this enterprise and does not oversee it; "
                    "a register file may name only users who have the enterprise in their scope."
                )
                return None
        elif target is Region:
            found = self._cached(("region", value), lambda: Region.objects.filter(code=value).first())
        elif target is HazardGroup:
            found = self.groups.get(value)
        elif target is ModelMeasure:
            found = self._cached(("mm", value), lambda: ModelMeasure.objects.filter(code=value).first())
        elif target is RiskMethod:
            found = self.own_methods.get(value) or self._cached(
                ("method", value),
                lambda: RiskMethod.objects.filter(code=value, enterprise__isnull=True).first(),
            )
        elif target is RiskMethodVersion and isinstance(value, list) and len(value) == 2:
            code, number = value
            found = self.own_versions.get((code, number)) or self._cached(
                ("version", code, number),
                lambda: RiskMethodVersion.objects.filter(
                    method__code=code, method__enterprise__isnull=True, version=number
                ).first(),
            )
        elif target in (HazardType, HazardousEvent) and isinstance(value, dict):
            code = value.get("code")
            if value.get("own"):
                found = (self.own_types if target is HazardType else self.own_events).get(code)
            else:
                found = self._cached(
                    (target.__name__, code),
                    lambda: target.objects.filter(code=code, enterprise__isnull=True).first(),
                )
        if found is None:
            self.errors.append(
                f"{where}: unknown {target._meta.model_name} {json.dumps(value, ensure_ascii=False)}"
            )
        return found


def _check_shape(document) -> None:
    if not isinstance(document, dict):
        raise RegisterDumpError("The file is not a RiskPilot register export (not a JSON object).")
    if document.get("format") != FORMAT:
        raise RegisterDumpError(f"Unknown format {document.get('format')!r}: expected {FORMAT!r}.")
    if document.get("version") not in READABLE_VERSIONS:
        raise RegisterDumpError(
            f"Unsupported version {document.get('version')!r}: this RiskPilot reads "
            + ", ".join(map(str, READABLE_VERSIONS))
            + "."
        )
    if not isinstance(document.get("enterprise"), dict) or not document["enterprise"].get("inn"):
        raise RegisterDumpError("The file has no enterprise with an INN.")
    errors = []
    for section in SECTIONS:
        items = document.setdefault(section.name, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            errors.append(f"{section.name}: expected a list of objects.")
    if errors:
        raise RegisterDumpError(errors)
    if document["version"] == 1:
        _upgrade_v1(document)


def _upgrade_v1(document: dict) -> None:
    """A version 1 document in version 2's shape: each incident's severity, people affected and
    days lost become victims by the rules of the data migration (legacy_incidents), so an old
    backup restores the same victims that migrating its database would have given."""
    victims = []
    for index, item in enumerate(document["incidents"], start=1):
        severity = item.pop("severity", "") or ""
        people, days = item.pop("people_affected", 1), item.pop("days_lost", 0)
        if not isinstance(people, int) or not isinstance(days, int) or not isinstance(severity, str):
            raise RegisterDumpError(
                f"incidents[{index}]: people_affected, days_lost or severity is not valid."
            )
        key = item.setdefault("key", f"i{index}")
        outcomes, note = legacy_victims(kind=item.get("kind"), severity=severity, people=people, days=days)
        if note and isinstance(item.get("description"), str):
            item["description"] = with_note(item["description"], note)
        stamps = {name: item[name] for name in ("created_at", "updated_at") if name in item}
        victims += [
            {"incident": key, "outcome": o, "days_lost": d, "position": "", **stamps} for o, d in outcomes
        ]
    document["incident_victims"] = victims
    document["version"] = VERSION


def _build(model, item: dict, resolver: _Resolver, where: str, **fixed) -> tuple[models.Model, dict]:
    """An unsaved instance from a document item, and its timestamps to restore after saving."""
    values = dict(fixed)
    stamps = {}
    for f in _fields(model):
        if f.name in fixed or isinstance(f, models.FileField):
            continue
        if f.name not in item:
            if f.has_default() or f.null or f.blank:
                continue
            resolver.errors.append(f"{where}: missing {f.name!r}.")
            continue
        raw = item[f.name]
        if f.is_relation:
            values[f.name] = resolver.resolve(f, raw, where)
            continue
        if isinstance(raw, list | dict) and not isinstance(f, models.JSONField):
            # to_python would store the repr of a list as text.
            resolver.errors.append(f"{where}: {f.name}: expected a single value, not a list or an object.")
            continue
        try:
            value = f.to_python(raw) if raw is not None else None
        except ValidationError as error:
            resolver.errors.append(f"{where}: {f.name}: {' '.join(error.messages)}")
            continue
        # auto_now fields are stamped "now" by save(); restored afterwards (see _import).
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamps[f.name] = value
        values[f.name] = value
    return model(**values), stamps


def register_import(document: dict, *, replace: bool = False) -> ImportResult:
    """Rebuild an enterprise's register from ``register_export``'s document: all or nothing.
    An enterprise with the same INN is refused unless ``replace``: then its register (not the
    enterprise row, its users or its reports) is deleted and rebuilt from the document."""
    _check_shape(document)
    saved_files: list[tuple] = []
    try:
        with transaction.atomic():
            return _import(document, replace=replace, saved_files=saved_files)
    except (
        RegisterDumpError,
        DatabaseError,
        ValidationError,
        ValueError,
        TypeError,
        KeyError,
        RecursionError,
    ) as error:
        # The rows are rolled back; the evidence files written so far are removed too.
        for storage, name in saved_files:
            storage.delete(name)
        if isinstance(error, RegisterDumpError):
            raise
        if isinstance(error, models.ProtectedError):
            # What came after the register file's layout (workers, the documents of the procedure)
            # keeps the enterprise's workplaces: a restore would have to delete it.
            # In English, like the file's other messages.
            with translation.override("en"):
                kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
            raise RegisterDumpError(
                [
                    f"The enterprise has {', '.join(kinds)} that a register file does not carry: "
                    "restoring the register would delete them. Nothing was changed."
                ]
            ) from error
        if isinstance(error, ValidationError):
            raise RegisterDumpError([" ".join(error.messages)]) from error
        raise RegisterDumpError([f"{type(error).__name__}: {error}"]) from error


def _check_references(document: dict, resolver: _Resolver) -> None:
    """Every reference to something outside the file (catalogue codes, methods, users, the
    region), all at once, before anything is written; references within the file are checked as
    their targets are created."""
    own_methods = {item.get("code") for item in document.get("risk_methods", [])}
    for index, item in enumerate(document["risk_method_versions"], 1):
        # A version of a shared method would become the newest version every enterprise scores with.
        if item.get("method") not in own_methods:
            resolver.errors.append(
                f"risk_method_versions[{index}]: method {json.dumps(item.get('method'), ensure_ascii=False)} "
                "is not one of this enterprise's own methods (risk_methods): a register file cannot "
                "add versions to a shared method."
            )
    items = [("enterprise", Enterprise, document["enterprise"])]
    for section in SECTIONS:
        items += [
            (f"{section.name}[{i}]", section.model, item) for i, item in enumerate(document[section.name], 1)
        ]
    for where, model, item in items:
        for f in _fields(model):
            if not f.is_relation or f.related_model in LOCAL_MODELS or f.related_model is Enterprise:
                continue
            value = item.get(f.name)
            if isinstance(value, dict) and value.get("own"):
                continue
            if f.related_model is RiskMethod and value in own_methods:
                continue
            if (
                f.related_model is RiskMethodVersion
                and isinstance(value, list)
                and value[:1]
                and value[0] in own_methods
            ):
                continue
            resolver.resolve(f, value, where)
    if resolver.errors:
        raise RegisterDumpError(resolver.errors)


def _import(document: dict, *, replace: bool, saved_files: list) -> ImportResult:
    resolver = _Resolver(document)
    _check_references(document, resolver)
    data = document["enterprise"]
    existing = Enterprise.objects.select_for_update().filter(inn=data["inn"]).first()
    if existing is not None and not replace:
        raise RegisterDumpError(
            f"An enterprise with INN {data['inn']} already exists (id {existing.pk}): "
            "use --replace to rebuild its register from the file."
        )
    # The enterprise first, without its method (which may be one of its own, created below).
    method_ref = data.get("risk_method")
    enterprise, stamps = _build(Enterprise, {**data, "risk_method": None}, resolver, "enterprise")
    # The one volatile field: the enterprise's updated_at is the import's moment, so that the
    # dashboards' roll-ups (which look for registers changed by updated_at) count it again.
    stamps.pop("updated_at", None)
    if resolver.errors:
        raise RegisterDumpError(resolver.errors)
    if existing is not None:
        _wipe(existing)
        enterprise.pk = existing.pk
    enterprise.full_clean(validate_unique=False, validate_constraints=False)
    enterprise.save()
    saved = [(enterprise, stamps)]
    result = ImportResult(enterprise=enterprise, replaced=existing is not None)

    for section in SECTIONS:
        items = document.get(section.name, [])
        for index, item in enumerate(items, start=1):
            where = f"{section.name}[{index}]"
            fixed = {}
            if any(f.is_relation and f.related_model is Enterprise for f in _fields(section.model)):
                fixed["enterprise"] = enterprise
            obj, stamps = _build(section.model, item, resolver, where, **fixed)
            if resolver.errors:
                raise RegisterDumpError(resolver.errors)
            if section.model is MeasureEvidence:
                _attach_file(obj, item, where, saved_files)
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            saved.append((obj, stamps))
            for name in section.m2m:
                refs = item.get(name) or []
                related = [resolver.resolve(section.model._meta.get_field(name), r, where) for r in refs]
                if resolver.errors:
                    raise RegisterDumpError(resolver.errors)
                getattr(obj, name).set(related)
            _remember(resolver, section, obj, item)
        result.counts[section.name] = len(items)

    # An accident has a victim (REFERENCE §4.1); the victims' own rules were checked one by one.
    bare = Incident.objects.filter(enterprise=enterprise, kind=IncidentKind.ACCIDENT, victims__isnull=True)
    if bare.exists():
        raise RegisterDumpError(
            f"incidents: {bare.count()} accident(s) without a victim in incident_victims."
        )

    if method_ref is not None:
        method = resolver.resolve(Enterprise._meta.get_field("risk_method"), method_ref, "enterprise")
        if resolver.errors:
            raise RegisterDumpError(resolver.errors)
        enterprise.risk_method = method
        enterprise.save(update_fields=["risk_method"])
    # Timestamps as in the file: auto_now would otherwise stamp everything "now".
    for obj, stamps in saved:
        if stamps:
            type(obj).objects.filter(pk=obj.pk).update(**stamps)
    return result


def _remember(resolver: _Resolver, section: Section, obj, item: dict) -> None:
    if section.local_prefix:
        resolver.local[(section.model, item.get("key"))] = obj
    elif section.model is HazardType:
        resolver.own_types[obj.code] = obj
    elif section.model is HazardousEvent:
        resolver.own_events[obj.code] = obj
    elif section.model is RiskMethod:
        resolver.own_methods[obj.code] = obj
    elif section.model is RiskMethodVersion:
        resolver.own_versions[(obj.method.code, obj.version)] = obj


def _attach_file(evidence: MeasureEvidence, item: dict, where: str, saved_files: list) -> None:
    encoded = item.get("file") or ""
    if not isinstance(encoded, str):
        raise RegisterDumpError(f"{where}: the file content is not valid base64.")
    # Refused before decoding: base64 holds 3 bytes in every 4 characters.
    if len(encoded) // 4 * 3 > settings.MAX_UPLOAD_BYTES:
        raise RegisterDumpError(
            f"{where}: the file is larger than the upload limit ({settings.MAX_UPLOAD_BYTES} bytes)."
        )
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise RegisterDumpError(f"{where}: the file content is not valid base64.") from None
    # The checks of an upload (assessments.services.evidence_inspect): the type is judged by the
    # content, whatever the file declares, so HTML declared as image/png is refused.
    upload = ContentFile(content, name=evidence.original_name or "evidence")
    try:
        content_type = evidence_inspect(upload)
    except ValidationError as error:
        raise RegisterDumpError(f"{where}: {' '.join(error.messages)}") from None
    if content_type != evidence.content_type:
        raise RegisterDumpError(
            f"{where}: the file is declared {evidence.content_type!r} but its content is {content_type!r}."
        )
    evidence.original_name = evidence_file_name(evidence.original_name, content_type)
    evidence.size = len(content)
    evidence.file.save(evidence.original_name, upload, save=False)
    saved_files.append((evidence.file.storage, evidence.file.name))


# What programs keeping a copy see of a wipe: a tombstone per deleted row of the kinds the API
# lists (its updated_since), recorded in the wipe's own transaction.
_TOMBSTONED = (
    (DeletedRowKind.INCIDENT, Incident, "enterprise"),
    (DeletedRowKind.MEASURE, ControlMeasure, "hazard__enterprise"),
    (DeletedRowKind.ASSESSMENT, RiskAssessment, "hazard__enterprise"),
    (DeletedRowKind.HAZARD, Hazard, "enterprise"),
    (DeletedRowKind.WORKPLACE, Workplace, "enterprise"),
    (DeletedRowKind.UNIT, Department, "enterprise"),
    (DeletedRowKind.EVENT, HazardousEvent, "enterprise"),
    (DeletedRowKind.HAZARD_TYPE, HazardType, "enterprise"),
)


def _record_deletions(enterprise: Enterprise) -> None:
    now = timezone.now()
    for kind, model, path in _TOMBSTONED:
        ids = (
            model.objects.filter(**{path: enterprise}).values_list("pk", flat=True).iterator(chunk_size=5000)
        )
        DeletedRow.objects.bulk_create(
            (DeletedRow(kind=kind, object_id=pk, enterprise=enterprise, deleted_at=now) for pk in ids),
            batch_size=5000,
        )


def _wipe(enterprise: Enterprise) -> None:
    """Delete the enterprise's register (children before parents: every link is PROTECT),
    leaving a tombstone for each deleted row. The evidence files are removed once the
    transaction commits."""
    _record_deletions(enterprise)
    evidence = MeasureEvidence.objects.filter(measure__hazard__enterprise=enterprise)
    files = [(item.file.storage, item.file.name) for item in evidence]
    evidence.delete()
    Incident.objects.filter(enterprise=enterprise).delete()
    WorkplaceReview.objects.filter(workplace__enterprise=enterprise).delete()
    ControlMeasure.objects.filter(hazard__enterprise=enterprise).delete()
    RiskAssessment.objects.filter(hazard__enterprise=enterprise).delete()
    Hazard.objects.filter(enterprise=enterprise).delete()
    HazardousEvent.objects.filter(enterprise=enterprise).delete()
    HazardType.objects.filter(enterprise=enterprise).delete()
    if enterprise.risk_method_id and RiskMethod.objects.filter(
        pk=enterprise.risk_method_id, enterprise=enterprise
    ):
        Enterprise.objects.filter(pk=enterprise.pk).update(risk_method=None)
    RiskMethodVersion.objects.filter(method__enterprise=enterprise).delete()
    RiskMethod.objects.filter(enterprise=enterprise).delete()
    HeadcountPeriod.objects.filter(enterprise=enterprise).delete()
    Workplace.objects.filter(enterprise=enterprise).delete()
    departments = Department.objects.filter(enterprise=enterprise)
    departments.update(parent=None)
    departments.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


def register_wipe(enterprise: Enterprise) -> None:
    """Delete an enterprise's whole register and then the enterprise itself (tests, a move of
    an enterprise to another installation). Its users and reports must be gone first."""
    with transaction.atomic():
        _wipe(enterprise)
        Enterprise.objects.filter(pk=enterprise.pk).delete()


def register_import_json(text: str, *, replace: bool = False) -> ImportResult:
    try:
        document = json.loads(text)
    except ValueError as error:  # JSONDecodeError, and numbers past Python's digit limit
        raise RegisterDumpError(f"The file is not valid JSON: {error}.") from error
    except RecursionError:
        # No register nests this deep; the parser gives up before the stack does.
        raise RegisterDumpError("The file is nested too deeply to be a register export.") from None
    return register_import(document, replace=replace)
