"""The whole scenario: one frozen model with a section per part of the suite."""

from __future__ import annotations

from pydantic import Field

from capacity.params.backlog import BacklogConfig
from capacity.params.base import DataConfig, Frozen, Meta
from capacity.params.forecast import ForecastConfig
from capacity.params.shelter import ShelterConfig


class Scenario(Frozen):
    """A validated scenario: what every notebook and model reads its parameters from."""

    meta: Meta = Field(default_factory=Meta)
    data: DataConfig = Field(default_factory=DataConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    shelter: ShelterConfig = Field(default_factory=ShelterConfig)
    backlog: BacklogConfig = Field(default_factory=BacklogConfig)
