"""The backends the channel contract suite runs against: one adapter each."""

from __future__ import annotations

from tests.contract.adapter import Backend
from tests.contract.cloud_adapter import CloudBackend
from tests.contract.waha_adapter import WahaBackend
from tests.contract.x_adapter import XBackend

BACKENDS: tuple[type[Backend], ...] = (XBackend, WahaBackend, CloudBackend)
