"""Forms of the structure: structural units and workplaces, created and changed in the browser.
The rules (one number per enterprise, a unit of the same enterprise, no unit inside itself) are
the services' (enterprises.services), the same as the register import's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from riskpilot.forms import HiddenErrorsAboveMixin, ModelIdChoiceField, VersionField
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.versions import version_token

from .models import Department, Workplace
from .okpdtr import okpdtr_entries
from .services import WORKPLACE_FIELDS, department_tree, descendants

INDENT = "\u2003"  # an em space per level of the tree in the unit choices


def unit_choices(enterprise, *, exclude: set[int] = frozenset()) -> tuple[list[int], list[tuple]]:
    """The enterprise's active units in tree order, indented, less ``exclude``: (ids, choices)."""
    tree, _by_id = department_tree(enterprise)
    chosen, hidden_depth = [], None
    for department, depth in tree:
        # Below an archived unit (or one left out) nothing can be chosen either.
        if hidden_depth is not None and depth > hidden_depth:
            continue
        hidden_depth = None
        if department.archived_at is not None or department.pk in exclude:
            hidden_depth = depth
            continue
        chosen.append((department.pk, INDENT * depth + department.name))
    return [pk for pk, _label in chosen], chosen


class UnitForm(forms.ModelForm):
    parent = ModelIdChoiceField(
        queryset=Department.objects.none(),
        required=False,
        label=_("Parent unit"),
        empty_label=_("— none: a top-level unit —"),
        help_text=_("Choose another parent unit to move this unit with everything in it."),
    )

    class Meta:
        model = Department
        fields = ["name", "kind", "parent"]

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        exclude = set()
        if self.instance.pk is not None:
            _tree, by_id = department_tree(enterprise)
            exclude = descendants(self.instance.pk, by_id)
        ids, choices = unit_choices(enterprise, exclude=exclude)
        field = self.fields["parent"]
        field.queryset = Department.objects.filter(pk__in=ids)
        field.choices = [("", field.empty_label), *choices]
        self.fields["name"].widget.attrs["autofocus"] = True

    def _post_clean(self):
        # The model's rules run in the service (enterprises.services), with the lock it takes.
        pass


class UnitAddForm(OnceFormMixin, UnitForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].help_text = ""  # moving is for units that exist


class UnitEditForm(HiddenErrorsAboveMixin, UnitForm):
    # The unit's version when the form was loaded (enterprises.services.check_structure_version).
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_token(self.instance.updated_at)


class WorkplaceForm(forms.ModelForm):
    department = ModelIdChoiceField(queryset=Department.objects.none(), label=_("Structural unit"))

    class Meta:
        model = Workplace
        fields = list(WORKPLACE_FIELDS)
        widgets = {
            "okpdtr_code": forms.TextInput(
                attrs={"list": "okpdtr-classifier", "inputmode": "numeric", "autocomplete": "off"}
            ),
            "job_function": forms.Textarea(attrs={"rows": 2}),
            "equipment": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "okpdtr_code": _("Choose from the list or type a five-digit code of ОК 016-94."),
            "position": _("As in the staff list and on the SOUT card."),
        }

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        ids, choices = unit_choices(enterprise)
        field = self.fields["department"]
        field.queryset = Department.objects.filter(pk__in=ids)
        field.choices = [("", "—"), *choices]
        self.fields["position"].widget.attrs["list"] = "okpdtr-positions"
        self.okpdtr = okpdtr_entries()

    def _post_clean(self):
        # The model's rules run in the service (enterprises.services), with the lock it takes.
        pass


class WorkplaceAddForm(OnceFormMixin, WorkplaceForm):
    pass


class WorkplaceEditForm(HiddenErrorsAboveMixin, WorkplaceForm):
    # The workplace's version when the form was loaded (enterprises.services.check_structure_version).
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_token(self.instance.updated_at)
