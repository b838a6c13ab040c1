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
