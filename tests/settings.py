"""The test suite's settings: the product's test settings plus apps that exist only in tests."""

from kliento.settings.test import *  # noqa: F403
from kliento.settings.test import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.records_app"]
