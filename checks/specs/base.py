"""The fields and rules every check spec shares."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from checks.thresholds import Threshold, ThresholdField, as_threshold

Scalar = str | int | float | bool
FORMATS = ("email", "uuid", "date", "datetime", "phone")
TYPE_FAMILIES = ("integer", "number", "string", "boolean", "date", "timestamp")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(Model):
    """Fields every check has."""

    type: str
    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str = ""
    severity: Literal["warn", "error"] = "error"
    block: bool = True
    filter: str | None = Field(default=None, min_length=1)
    warn: ThresholdField | None = None
    fail: ThresholdField | None = None
    unit: Literal["count", "percent"] | None = None

    default_fail: ClassVar[str | None] = "> 0"
    allows_percent: ClassVar[bool] = True
    needs_threshold: ClassVar[bool] = False

    @property
    def check_name(self) -> str:
        """The given name, or one derived from the type and its arguments (stable)."""
        return self.name or self._derived_name()

    def _derived_name(self) -> str:
        return self.type

    @property
    def fail_threshold(self) -> Threshold | None:
        if self.fail is not None:
            return self.fail
        if self.warn is None and self.default_fail is not None:
            return as_threshold(self.default_fail)
        return None

    @property
    def involved_columns(self) -> tuple[str, ...]:
        return ()

    @property
    def value_unit(self) -> Literal["count", "percent"]:
        """The unit of the stored value of a count check: `unit`, else percent when
        every threshold given is a percent, else count."""
        if self.unit is not None:
            return self.unit
        given = [t for t in (self.warn, self.fail) if t is not None]
        return "percent" if given and all(t.percent for t in given) else "count"

    @field_validator("warn", "fail")
    @classmethod
    def _threshold_unit(cls, t: Threshold | None, info: ValidationInfo) -> Threshold | None:
        kind = cls.model_fields["type"].annotation
        name = getattr(kind, "__args__", ("this",))[0]
        if t is not None and t.percent and not cls.allows_percent:
            raise ValueError(
                f"{info.field_name} threshold {t.text!r}: a {name} check takes no percent"
            )
        if t is not None and t.unit == "duration" and name != "freshness":
            raise ValueError(
                f"{info.field_name} threshold {t.text!r}: durations only apply to freshness checks"
            )
        return t

    @model_validator(mode="after")
    def _check_thresholds(self) -> Check:
        if self.unit is not None and not self.allows_percent:
            raise ValueError(f"unit: a {self.type} check measures no count or percent")
        if self.needs_threshold and self.warn is None and self.fail is None:
            raise ValueError(f"a {self.type} check needs a warn or fail threshold")
        return self


class Target(Model):
    """Another dataset: `<connection>.<table>` (or a table of the same connection)."""

    dataset: str = Field(min_length=1)
    column: str | None = None
    filter: str | None = None
