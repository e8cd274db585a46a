"""Forms of the structure: structural units and workplaces, created and changed in the browser.
The rules (one number per enterprise, a unit of the same enterprise, no unit inside itself) are
the services' (enterprises.services), the same as the register import's."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from riskpilot.forms import HiddenErrorsAboveMixin, ModelIdChoiceField, VersionField
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.versions import version_token

from .models import Department, Workplace
from .okpdtr import okpdtr_code_clean, okpdtr_matches
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
    # Wider than the stored five digits: a code missing from the loaded classifier is typed with
    # its check digit ("19149 6"), see enterprises.okpdtr.okpdtr_code_clean.
    okpdtr_code = forms.CharField(
        label=_("OKPDTR code"),
        max_length=12,
        required=False,
        help_text=_(
            "Choose from the list or type the code of ОК 016-94; a code the list does not have, "
            "with its check digit (e.g. 19149 6)."
        ),
        widget=forms.TextInput(
            attrs={"list": "okpdtr-classifier", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )

    class Meta:
        model = Workplace
        fields = list(WORKPLACE_FIELDS)
        widgets = {
            "job_function": forms.Textarea(attrs={"rows": 2}),
            "equipment": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "position": _("As in the staff list and on the SOUT card; left empty, the classifier's name."),
        }

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        ids, choices = unit_choices(enterprise)
        field = self.fields["department"]
        field.queryset = Department.objects.filter(pk__in=ids)
        field.choices = [("", "—"), *choices]
        self.fields["position"].required = False  # filled from the classifier when left empty
        # Search as you type (htmx refills the datalist); without JavaScript a plain input with
        # the first matches of what the form was loaded with.
        options_url = reverse("enterprises:okpdtr_options")
        for name, datalist in (("okpdtr_code", "okpdtr-classifier"), ("position", "okpdtr-positions")):
            self.fields[name].widget.attrs.update(
                {
                    "list": datalist,
                    "autocomplete": "off",
                    "hx-get": options_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": f"#{datalist}",
                    "hx-sync": "this:replace",
                }
            )
        self.okpdtr_entry = None

    def okpdtr_options(self):
        """The classifier's first matches of the code typed so far (the datalist on first load)."""
        return okpdtr_matches(str(self["okpdtr_code"].value() or ""))

    def position_options(self):
        return okpdtr_matches(str(self["position"].value() or ""))

    def clean_okpdtr_code(self):
        kept = self.instance.okpdtr_code if self.instance.pk else ""
        code, self.okpdtr_entry = okpdtr_code_clean(self.cleaned_data.get("okpdtr_code", ""), kept=kept)
        return code

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("position") and "position" not in self.errors:
            if self.okpdtr_entry is not None:
                cleaned["position"] = self.okpdtr_entry.name
            else:
                self.add_error("position", forms.Field.default_error_messages["required"])
        return cleaned

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
