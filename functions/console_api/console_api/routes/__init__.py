"""One router per console page: review, people, rules, settings, report (results)."""
