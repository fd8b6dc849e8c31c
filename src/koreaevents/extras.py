"""Optional dependencies: one way to import them, one message when one is missing.

pandas, polars and matplotlib are not needed to load, validate, build or query a
dataset; the conversions and the timeline picture import them when first used, through
:func:`require`. When one is missing, every caller raises the same
:class:`MissingExtraError`, naming what needed it, the package, and the ``pip install``
line of the koreaevents extra that brings it; the command line prints that line and
exits 2.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "missing_extra_message", "require"]

EXTRAS: dict[str, str] = {"pandas": "pandas", "polars": "polars", "matplotlib": "plot"}
"""The koreaevents extra that installs each optional package."""


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message says which extra to install.

    A subclass of :class:`ImportError`, so ``except ImportError`` still catches it.
    """


def missing_extra_message(package: str, purpose: str) -> str:
    """The one message for a missing optional package.

    Args:
        package: The package that is missing (``pandas``, ``polars``, ``matplotlib``).
        purpose: What needed it, such as ``"Dataset.to_pandas"``.

    Returns:
        ``"<purpose> needs <package>, which is not installed: pip install
        "koreaevents[<extra>]""``.
    """
    extra = EXTRAS.get(package, package)
    return f'{purpose} needs {package}, which is not installed: pip install "koreaevents[{extra}]"'


def require(package: str, purpose: str) -> ModuleType:
    """Import an optional package, or raise :class:`MissingExtraError` saying how to
    install it.

    Args:
        package: The module to import (``pandas``, ``polars``, ``matplotlib``).
        purpose: What needs it, for the message (``"Dataset.to_pandas"``).

    Returns:
        The imported module.

    Raises:
        MissingExtraError: If the package cannot be imported.
    """
    try:
        return importlib.import_module(package)
    except ImportError:
        raise MissingExtraError(missing_extra_message(package, purpose), name=package) from None
