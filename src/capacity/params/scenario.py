"""The whole scenario: one frozen model with a section per part of the suite."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from capacity.params.backlog import BacklogConfig
from capacity.params.base import DataConfig, Frozen, Meta
from capacity.params.eu import EuConfig
from capacity.params.forecast import ForecastConfig
from capacity.params.shelter import ShelterConfig
from capacity.params.warnings import WarningsConfig


class Scenario(Frozen):
    """A validated scenario: what every notebook and model reads its parameters from."""

    meta: Meta = Field(default_factory=Meta)
    data: DataConfig = Field(default_factory=DataConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    shelter: ShelterConfig = Field(default_factory=ShelterConfig)
    backlog: BacklogConfig = Field(default_factory=BacklogConfig)
    warnings: WarningsConfig = Field(default_factory=WarningsConfig)
    eu: EuConfig = Field(default_factory=EuConfig)

    @model_validator(mode="wrap")
    @classmethod
    def _one_tpd_end(cls, data: Any, handler: ModelWrapValidatorHandler[Scenario]) -> Scenario:
        """Give the shelter model the TPD end of ``backlog.tpd_end_date``, its one home."""
        shelter = data.get("shelter") if isinstance(data, dict) else None
        if isinstance(shelter, dict) and "tpd_end" in shelter:
            moved = PydanticCustomError(
                "moved_key",
                "no longer a key: set the TPD end once, as "
                "backlog.tpd_end_date (the backlog and the shelter model "
                "both read it)",
            )
            raise ValidationError.from_exception_data(
                cls.__name__, [InitErrorDetails(type=moved, loc=("shelter", "tpd_end"), input=shelter["tpd_end"])]
            )
        scn = handler(data)
        shelter = scn.shelter.model_copy(update={"tpd_end": scn.backlog.tpd_end_date})
        return scn.model_copy(update={"shelter": shelter})
