"""Demo job profiles: a position with its OKPDTR code, SOUT class and the 776n hazardous events
that fit it, each with a plausible source, existing controls and a typical probability and
severity on the 5×5 scales (REFERENCE §3.1). The data lives in jobs.toml; the loader turns every
workplace of a profile into register rows and scores them with the enterprise's method."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

ELIMINATION = "elimination"
SUBSTITUTION = "substitution"
ENGINEERING = "engineering"
ADMINISTRATIVE = "administrative"
PPE = "ppe"


@dataclass(frozen=True)
class Measure:
    """A measure in the officer's own words (the loader also offers 776n model measures)."""

    level: str
    text: str
    periodicity: str = ""


@dataclass(frozen=True)
class HazardTemplate:
    event: str  # 776n hazardous event code, e.g. "5.2"
    source: str
    p: int  # typical probability 1–5 before new measures
    s: int  # typical severity 1–5
    e: int | float = 6  # Fine-Kinney exposure (10 continuous, 6 daily, 3 weekly …)
    obj: str = ""
    controls: str = ""
    activity: str = "routine"
    measures: tuple[Measure, ...] = ()


@dataclass(frozen=True)
class Job:
    position: str
    okpdtr: str
    sout: str
    function: str
    equipment: str
    hazards: tuple[HazardTemplate, ...]


def _hazard(spec: dict) -> HazardTemplate:
    measures = tuple(Measure(**m) for m in spec.get("measures", ()))
    return HazardTemplate(**{**spec, "measures": measures})


def load_jobs(path: Path) -> dict[str, Job]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    shared = {name: _hazard(spec) for name, spec in data["hazards"].items()}
    jobs = {}
    for key, spec in data["jobs"].items():
        hazards = tuple(shared[h] if isinstance(h, str) else _hazard(h) for h in spec.pop("hazards"))
        jobs[key] = Job(**spec, hazards=hazards)
    return jobs


JOBS: dict[str, Job] = load_jobs(Path(__file__).with_name("jobs.toml"))
