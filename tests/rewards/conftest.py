"""Fixtures of the rewards tests."""

from __future__ import annotations

import pytest

from lab.rewards import catalog
from tests.rewards.helpers import REWARD_FIELDS


@pytest.fixture
def make_reward(make_admin):
    """Factory: make_reward(**fields) -> a reward saved through the catalog service."""
    admin = None

    def make(**fields):
        nonlocal admin
        admin = admin or make_admin()
        return catalog.save_reward(admin, **{**REWARD_FIELDS, **fields})

    return make
