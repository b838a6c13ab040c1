"""Pages speak the users' language (issue 15 §8): no text that can reach a user cites our own documents,
seed numbers or paragraph numbers ("(003 §56)", "Indicators (001)", "seed 001", "issue 12 §1",
"domain.md"). The sources live in code comments (`#` in Python, `{# #}` in templates), which these
checks leave out, as they leave out docstrings.

What is checked:
- every template under templates/ (pages, e-mail texts, PDFs), without its Jinja comments, and our own
  scripts in static/js without their comments;
- every form class of the project: each field's label, help text, choices and error messages;
- every model of the project: its verbose names, and each field's verbose name, help text, choices and
  text default;
- every string literal in the project's Python source outside docstrings, tests and migrations: this
  catches history change reasons (`reason=`), timeline and notice texts, messages, ValidationError
  texts, CSV/XLSX headers and invitee-suggestion reasons, wherever they are written.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings

from tests.allegations.factories import make_case
from tests.meetings.factories import held_meeting_with_minutes

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"

# A citation of our documents: a paragraph sign; a seed number in brackets, or followed by a paragraph,
# "'s" or "says"; "seed 00x"; "issue N §"; a Markdown document's name.
CITATION = re.compile(
    r"§|\(00\d\)|\b00\d(?: §|'s\b| says\b)|\bseed 0\d\d\b|\bissue \d+ §|\b[\w-]+\.md\b",
    re.IGNORECASE,
)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
SKIPPED_DIRS = {"tests", "migrations", "__pycache__"}


def _is_ours(path) -> bool:
    """Inside the project, and not an installed library (the virtualenv may live in the project)."""
    relative = Path(path).resolve()
    return relative.is_relative_to(ROOT.resolve()) and not relative.relative_to(ROOT.resolve()).parts[0].startswith(".")


def _project_apps():
    return [a for a in apps.get_app_configs() if _is_ours(a.path)]


def _project_packages() -> list[Path]:
    """The project's own Python packages: its apps and config."""
    return sorted({Path(a.path) for a in _project_apps()} | {ROOT / "config"})


def _python_files():
    for package in _project_packages():
        for path in sorted(package.rglob("*.py")):
            if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                yield path


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def _report(found: list[str]) -> str:
    return ("User-facing text cites our documents; say it in plain words and move the source into a "
            "code comment beside it:\n  " + "\n  ".join(found))


# --- The detector itself ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The employer has a statutory duty to refer to the DBS (003 §56)", "Indicators (001)", "004 §3.9",
    "Seed 001's indicators", "001 says 14 days", "Default question (seed 000's audit)", "see issue 12 §1",
    "as domain.md says", "deadlines.md",
])
def test_a_citation_is_found(text):
    assert CITATION.search(text), text


@pytest.mark.parametrize("text", [
    "The employer has a statutory duty to refer to the DBS", "Indicators", "Section 47 enquiries",
    "Keeping children safe in education, Part 4", "Reference LADO-2026-0001", "within 24 hours",
    "Imported 1,000 rows", "version 2.0",
])
def test_plain_words_are_not_a_citation(text):
    assert not CITATION.search(text), text


def test_jinja_comments_are_left_out():
    source = '{# 003 §56 #}\n<p>Plain {#- (001)\n spread over lines -#} words</p>'
    assert not CITATION.search(JINJA_COMMENT.sub("", source))


# --- Templates ------------------------------------------------------------------------------------

def _template_citations(path: Path) -> list[str]:
    source = path.read_text()
    # Comments are blanked, keeping their newlines so the line numbers stay right.
    without_comments = JINJA_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), source)
    return [f"{_where(path, number)}: {line.strip()[:160]}"
            for number, line in enumerate(without_comments.splitlines(), start=1) if CITATION.search(line)]


def test_no_template_cites_our_documents():
    paths = sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in {".html", ".txt", ".xml", ".csv", ".md"})
    assert len(paths) > 50  # pages, e-mails and PDFs
    assert any(p.suffix == ".txt" for p in paths) and any("pdf" in p.parts for p in paths)
    found = [hit for path in paths for hit in _template_citations(path)]
    assert not found, _report(found)


def test_no_text_in_our_own_scripts_cites_our_documents():
    """static/js (not the vendored libraries), without its comments."""
    paths = sorted((ROOT / "static" / "js").rglob("*.js"))
    assert paths
    found = []
    for path in paths:
        source = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), path.read_text(), flags=re.DOTALL)
        for number, line in enumerate(source.splitlines(), start=1):
            code = re.sub(r"(^|\s)//.*$", "", line)
            if CITATION.search(code):
                found.append(f"{_where(path, number)}: {code.strip()[:160]}")
    assert not found, _report(found)


# --- Forms and models ------------------------------------------------------------------------------

def _import_project_modules():
    """Every module of the apps, so every form class is defined (config, whose settings modules are
    not all importable in every environment, has no forms)."""
    for package in sorted(Path(a.path) for a in _project_apps()):
        name = package.name
        importlib.import_module(name)
        for info in pkgutil.walk_packages([str(package)], prefix=f"{name}."):
            if not SKIPPED_DIRS & set(info.name.split(".")):
                importlib.import_module(info.name)


def _project_forms() -> list[type[forms.BaseForm]]:
    _import_project_modules()
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            module = inspect.getmodule(sub)
            if module is not None and getattr(module, "__file__", None) and _is_ours(module.__file__):
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def _choice_labels(choices) -> list[str]:
    labels = []
    for value, label in choices or ():
        if isinstance(label, (list, tuple)):  # a group
            labels.append(str(value))
            labels.extend(_choice_labels(label))
        else:
            labels.append(str(label))
    return labels


def _field_texts(field: forms.Field) -> list[str]:
    texts = [str(field.label or ""), str(field.help_text or ""), *map(str, field.error_messages.values())]
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        texts.extend(_choice_labels(field.choices))
    return texts


def test_no_form_label_help_text_choice_or_error_cites_our_documents():
    classes = _project_forms()
    assert len(classes) > 30
    found = []
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            for text in _field_texts(field):
                if CITATION.search(text):
                    found.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}: {text[:160]}")
    assert not found, _report(found)


def test_no_model_verbose_name_help_text_choice_or_default_cites_our_documents():
    models = [m for a in _project_apps() for m in a.get_models()]
    assert len(models) > 30
    found = []
    for model in models:
        where = f"{model._meta.label}"
        texts = [(where, str(model._meta.verbose_name)), (where, str(model._meta.verbose_name_plural))]
        for field in model._meta.get_fields():
            if not hasattr(field, "help_text"):
                continue  # a reverse relation
            at = f"{where}.{field.name}"
            texts += [(at, str(field.verbose_name)), (at, str(field.help_text))]
            texts += [(at, label) for label in _choice_labels(field.choices)]
            if isinstance(getattr(field, "default", None), str):
                texts.append((at, field.default))
        found += [f"{at}: {text[:160]}" for at, text in texts if CITATION.search(text)]
    assert not found, _report(found)


# --- Every string literal in the project's Python source ---------------------------------------------

def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _literal_citations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = _docstrings(tree)
    return [f"{_where(path, node.lineno)}: {node.value.strip()[:160]!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and CITATION.search(node.value)]


def test_no_string_in_the_source_cites_our_documents():
    """Reasons for history, timeline and notice texts, messages, errors, headers: every string literal
    (f-strings' parts included) outside docstrings. Comments are not string literals."""
    paths = list(_python_files())
    assert any(p.name == "services.py" for p in paths) and len(paths) > 50
    found = [hit for path in paths for hit in _literal_citations(path)]
    assert not found, _report(found)


def test_history_reasons_are_among_the_strings_scanned():
    """The literal scan sees the `reason=` strings handed to history (so it can catch a citation in one)."""
    reasons = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "reason" and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
                reasons.append(ast.unparse(node.value))
    assert any("Referral received" in r for r in reasons)
    assert len(reasons) > 50


# --- Records written before: the data migrations reword them -----------------------------------------

def _migration(app: str, suffix: str):
    """A migration module found by its name's end (its number may change when branches merge), and the
    models as that migration sees them (no history signals: what it writes is all there is)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    [path] = (ROOT / app / "migrations").glob(f"*_{suffix}.py")
    state = MigrationLoader(connection).project_state((app, path.stem))
    return importlib.import_module(f"{app}.migrations.{path.stem}"), state.apps


def test_retention_rules_with_a_cited_default_basis_are_reworded_and_a_written_basis_is_kept(partnership):
    from governance import retention
    from governance.models import RetentionRule

    migration, migration_apps = _migration("governance", "retention_basis_plain_words")
    rules = retention.rules(partnership)
    (old, new), = [(o, n) for o, n in migration.REWORDED.items() if "(003 §46)" in o and "harm threshold" in o]
    advice, closed = rules["advice"], rules["closed_case"]
    RetentionRule.objects.filter(pk=advice.pk).update(basis=old)
    RetentionRule.objects.filter(pk=closed.pk).update(basis="Local schedule agreed in 2025 (003 §44)")
    before = advice.history.count()

    migration.reword(migration_apps, None)

    advice.refresh_from_db()
    closed.refresh_from_db()
    assert advice.basis == new == retention.DEFAULTS["advice"]["basis"]
    assert advice.history.count() == before + 1
    assert advice.history.first().history_change_reason == "Basis reworded in plain words"
    assert advice.history.first().basis == new
    assert closed.basis == "Local schedule agreed in 2025 (003 §44)"  # written by someone: theirs to change
    # Every old default maps to today's default.
    assert set(migration.REWORDED.values()) <= {d["basis"] for d in retention.DEFAULTS.values()}


def test_minutes_with_the_cited_confidentiality_note_or_guidance_are_reworded(referral, lado_officer, chair):
    from meetings.models import Minutes

    migration, migration_apps = _migration("meetings", "minutes_plain_words")
    meeting = held_meeting_with_minutes(make_case(officer=lado_officer, referral=referral), actor=lado_officer, chair=chair)
    minutes = meeting.minutes
    assert minutes.confidentiality_note == migration.NEW_NOTE == Minutes._meta.get_field("confidentiality_note").default
    Minutes.objects.filter(pk=minutes.pk).update(confidentiality_note=migration.OLD_NOTE)
    before = minutes.history.count()
    # Guidance as agendas.py wrote it before: the confidentiality section's, and one with two citations.
    confidentiality = minutes.sections.get(key="confidentiality")
    employment = minutes.sections.get(key="adult_employment")
    plain = {s.pk: s.guidance for s in (confidentiality, employment)}
    assert plain[employment.pk] == "Suspension or alternative arrangements and who decides; support and a named contact."
    type(confidentiality).objects.filter(pk=confidentiality.pk).update(
        guidance=confidentiality.guidance.removesuffix(".") + " (003 §29).")
    type(employment).objects.filter(pk=employment.pk).update(
        guidance="Suspension or alternative arrangements and who decides (003 §34); support and a named contact (003 §35).")

    migration.reword(migration_apps, None)

    minutes.refresh_from_db()
    assert minutes.confidentiality_note == migration.NEW_NOTE
    assert not CITATION.search(minutes.confidentiality_note) and CITATION.search(migration.OLD_NOTE)
    assert minutes.history.count() == before + 1
    assert minutes.history.first().history_change_reason == "Confidentiality note reworded in plain words"
    for section in (confidentiality, employment):
        section.refresh_from_db()
        assert section.guidance == plain[section.pk]
        assert section.history.first().history_change_reason == "Guidance reworded in plain words"
