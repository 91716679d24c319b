"""The staff dashboard tests use the feedback factories (campaigns in testing, reports)."""

from tests.campaigns.conftest import (  # noqa: F401  (fixtures used here)
    english,
    make_campaign,
    make_product,
    make_tester,
)
from tests.feedback.conftest import file_report, make_test_campaign  # noqa: F401
