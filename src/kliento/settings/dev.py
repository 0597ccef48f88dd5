"""The embedded demo: SQLite, DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("KLIENTO_DEBUG", True)
