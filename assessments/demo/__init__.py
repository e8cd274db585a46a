"""Demo data for RiskPilot (`python manage.py seed_demo`): the five pilot regions, 13 Orenburg
pilot enterprises and a few in the other regions, their registers over the last two years and one
demo user per role. Demo only: nothing else creates these users."""

from .loader import COUNTS, DemoDataError, demo_is_loaded, seed_demo
from .organisations import DEMO_USERS

__all__ = ["COUNTS", "DEMO_USERS", "DemoDataError", "demo_is_loaded", "seed_demo"]
