"""Levels on reputation: names and thresholds live here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Level:
    code: str
    threshold: int
    label: object  # lazy translated name

    def __str__(self) -> str:
        return str(self.label)


LEVELS = (
    Level("newcomer", 0, _l("Newcomer")),
    Level("helper", 100, _l("Helper")),
    Level("connoisseur", 500, _l("Connoisseur")),
    Level("expert", 2_000, _l("Expert")),
    Level("legend", 10_000, _l("Legend")),
)
BY_CODE = {level.code: level for level in LEVELS}


def level_for(reputation: int) -> Level:
    reached = LEVELS[0]
    for level in LEVELS:
        if reputation >= level.threshold:
            reached = level
    return reached


def next_level(reputation: int) -> Level | None:
    return next((level for level in LEVELS if level.threshold > reputation), None)


def reaches(reputation: int, code: str) -> bool:
    """Has a member with this reputation reached the level named by code?"""
    return reputation >= BY_CODE[code].threshold


def choices():
    return [(level.code, level.label) for level in LEVELS]
