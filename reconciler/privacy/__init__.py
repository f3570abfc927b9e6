"""Keeping personal data out of logs: masking identifiers (`masking`) and the
log file handler that masks and strips secrets whoever formatted the text (`logfile`)."""
