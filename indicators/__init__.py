"""The département's indicators: one documented function per figure of the call's « Évaluation ».

Indicators read all three domain packages (people and their paths in ``learners``, sessions and
levels in ``assessments``, credentials in ``badges``), so they fit none of them: this package sits
above the three, below ``web``, and imports neither Flask nor ``web``. Every function returns
aggregates only — counts and rates, with cells computed from fewer people than the masking
threshold hidden — so no page, export or API built on it can name a beneficiary.
"""
