"""People and their paths: accounts, organisations, programmes, enrolments, outcomes."""
