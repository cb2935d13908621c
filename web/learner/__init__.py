"""The learner's space (blueprint ``learner`` in ``views``); modules below add their routes to it."""

from web.learner import assessment  # noqa: F401  (the assessment journey's routes)
