"""`goodword`: the marketer's and operator's command (rules as files, review, events, offers,
report, replay) against a deployed stack (--stack) or the local stack (--local). Development
and operations tooling: never deployed, never imported by the functions."""
