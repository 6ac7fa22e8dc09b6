"""The activity log's field filters, as Partner Center's AuditService takes them: a field (CustomerId,
CustomerName, ResourceType, OperationType), an operator (equals, substring, starts_with) and a value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func

from partnerhub.audit.models import ActivityRecord
from partnerhub.errors import InvalidInput


class AuditField(StrEnum):
    """A field a filter names, as the AuditService spells it."""

    CUSTOMER_ID = "CustomerId"
    CUSTOMER_NAME = "CustomerName"
    RESOURCE_TYPE = "ResourceType"
    OPERATION_TYPE = "OperationType"


class AuditOperator(StrEnum):
    EQUALS = "equals"
    SUBSTRING = "substring"
    STARTS_WITH = "starts_with"


_COLUMNS = {
    AuditField.CUSTOMER_ID: ActivityRecord.customer_id,
    AuditField.CUSTOMER_NAME: ActivityRecord.customer_name,
    AuditField.RESOURCE_TYPE: ActivityRecord.resource_type,
    AuditField.OPERATION_TYPE: ActivityRecord.operation_type,
}
_FIELDS = {f.value.lower(): f for f in AuditField}
# the swagger's names, and the spellings clients write them in (StartsWith, eq, contains)
_OPERATORS = {
    "equals": AuditOperator.EQUALS,
    "eq": AuditOperator.EQUALS,
    "substring": AuditOperator.SUBSTRING,
    "contains": AuditOperator.SUBSTRING,
    "starts_with": AuditOperator.STARTS_WITH,
    "startswith": AuditOperator.STARTS_WITH,
}
MAX_VALUE = 200


@dataclass(frozen=True)
class AuditCondition:
    """One condition; several are combined with `and`. Comparisons ignore case (ids and the operation and
    resource names are lower case; a company name is matched as a person types it)."""

    field: AuditField
    operator: AuditOperator
    value: str

    @classmethod
    def parse(cls, field: str, operator: str | None, value: str) -> AuditCondition:
        """From the words a door received; unknown fields or operators are bad input naming the choices."""
        chosen = _FIELDS.get(field.strip().lower())
        if chosen is None:
            raise InvalidInput(detail="filter.Field: must be CustomerId, CustomerName, ResourceType or OperationType")
        op = _OPERATORS.get((operator or "equals").strip().lower())
        if op is None:
            raise InvalidInput(detail="filter.Operator: must be equals, substring or starts_with")
        text = value.strip()
        if not text or len(text) > MAX_VALUE:
            raise InvalidInput(detail=f"filter.Value: is required, at most {MAX_VALUE} characters")
        return cls(chosen, op, text)

    def clause(self) -> Any:
        column = _COLUMNS[self.field]
        value = self.value.lower()
        if self.field in (AuditField.CUSTOMER_ID, AuditField.RESOURCE_TYPE, AuditField.OPERATION_TYPE):
            target: Any = column  # stored lower case: the index on the column still serves equality
        else:
            target = func.lower(column)
        if self.operator == AuditOperator.EQUALS:
            return target == value
        if self.operator == AuditOperator.STARTS_WITH:
            return target.startswith(value, autoescape=True)
        return target.contains(value, autoescape=True)
