"""Exception hierarchy: every error says what is wrong and how to fix it."""


class CapacityError(Exception):
    """Base class of every error raised by capacity."""


class ParameterError(CapacityError, ValueError):
    """A scenario parameter file or value is invalid (names file, key, value and rule)."""


class DataError(CapacityError, ValueError):
    """A data file is missing or malformed (names file, row and problem)."""


class RunError(CapacityError, RuntimeError):
    """A notebook run or batch failed."""
