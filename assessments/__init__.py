"""Competency frameworks, item bank, adaptive engine, sessions and scoring."""

# Each path's first and last levels follow its learner's paths: ``learners.enrolments`` calls
# back when a path starts or ends, and the callback registers as soon as this package loads.
from assessments import path_progress  # noqa: F401
