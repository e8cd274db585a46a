"""Views of the register: browsing (register.py) and the work on one row (risk.py)."""
