"""The learner's space (blueprint ``learner`` in ``views``); modules below add routes to it."""

from web.learner import (
    assessment,  # noqa: F401  (the assessment journey's routes)
    personal_data,  # noqa: F401  (« Mes données »: download and erasure)
    wallet,  # noqa: F401  (« Mes badges »: the learner's badges and their files)
)
