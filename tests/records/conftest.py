import pytest


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    """Each test's documents in a directory of its own."""
    settings.DOCUMENT_ROOT = str(tmp_path / "documents")
    return tmp_path / "documents"
