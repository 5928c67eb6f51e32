import os
import tempfile

import pytest

# Compiled policies are cached on disk; tests use a private cache so they never see stale modules.
os.environ.setdefault("GUIZE_CACHE_DIR", tempfile.mkdtemp(prefix="guize-test-cache-"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the expected output of golden tests (review with git diff)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


# In CI, property tests draw the same examples every run (reproducible results);
# locally they explore new ones each time, and hypothesis keeps any failure it finds.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
