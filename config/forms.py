"""What every app's views share about forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def apply_service_errors(form, error: ValidationError, field_for=lambda name: name) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has one
    (`field_for` maps a service's name to the form's), else at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = field_for(name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error)
