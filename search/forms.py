from django import forms

from .selectors import MAX_LENGTH, MIN_LENGTH, normalise


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        help_text="A reference or part of one, a person's name (spelling need not be exact), or an employer",
        required=True,
        max_length=MAX_LENGTH,
        strip=True,
        error_messages={
            "required": "Enter a reference, a name or an employer to search for",
            "max_length": f"Search must be {MAX_LENGTH} characters or fewer",
        },
    )

    def clean_q(self) -> str:
        query = normalise(self.cleaned_data["q"])
        if len(query.replace(" ", "")) < MIN_LENGTH:
            raise forms.ValidationError(f"Enter at least {MIN_LENGTH} letters or numbers to search for")
        return query
