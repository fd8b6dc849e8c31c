"""koreaevents: typed, validated, citable records of security events on the Korean peninsula.

>>> import koreaevents as ke
>>> ds = ke.load()                                   # the bundled dataset
>>> [e.id for e in ds.events_between("2024-01-24", "2024-01-24")][:1]
['evt-2024-01-24-cruise-missiles-yellow-sea']
"""

from koreaevents._version import __version__
from koreaevents.changes import DatasetDiff, diff
from koreaevents.convert import RecordError
from koreaevents.dataset import Dataset
from koreaevents.edtf import EdtfBounds, EdtfError, parse_edtf
from koreaevents.exports import Export, export
from koreaevents.extras import MissingExtraError
from koreaevents.io.json_io import write_json
from koreaevents.io.loading import load
from koreaevents.io.parquet import write_parquet
from koreaevents.issues import DataError, Issue
from koreaevents.query import events_between
from koreaevents.records import (
    Actor,
    ActorRole,
    Analysis,
    Citation,
    Discrepancy,
    Event,
    EventDate,
    Location,
    Retired,
    Source,
    Verification,
    Weapon,
)
from koreaevents.schema import json_schema
from koreaevents.timeline import plot_timeline
from koreaevents.validation import ValidationReport, validate

__all__ = [
    "Actor",
    "ActorRole",
    "Analysis",
    "Citation",
    "DataError",
    "Dataset",
    "DatasetDiff",
    "Discrepancy",
    "EdtfBounds",
    "EdtfError",
    "Event",
    "EventDate",
    "Export",
    "Issue",
    "Location",
    "MissingExtraError",
    "RecordError",
    "Retired",
    "Source",
    "ValidationReport",
    "Verification",
    "Weapon",
    "__version__",
    "diff",
    "events_between",
    "export",
    "json_schema",
    "load",
    "parse_edtf",
    "plot_timeline",
    "validate",
    "write_json",
    "write_parquet",
]
