from django import forms

from config.forms import LimitsInWords

class YearForm(LimitsInWords, forms.Form):
    """Which financial year's report (a GET form: the page's address names the year)."""

    year = forms.TypedChoiceField(
        label="Financial year", coerce=int,
        help_text="April to March. The report of a year that has not ended counts up to today.",
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in reversed(years)]


class WorkforceForm(LimitsInWords, forms.Form):
    """Whose figures: the children's workforce (LADO), the adults' (PiPoT) or both (a GET form, like the year)."""

    workforce = forms.ChoiceField(
        label="Workforce", widget=forms.RadioSelect,
        choices=[("both", "Both workforces"), ("children", "The children's workforce (LADO)"),
                 ("adults", "The adults' workforce (PiPoT)")],
        error_messages={"invalid_choice": "Choose the children's workforce, the adults' or both."},
    )


class ReportForm(YearForm):
    """The annual report's choice: a financial year and a workforce."""

    workforce = WorkforceForm.base_fields["workforce"]
