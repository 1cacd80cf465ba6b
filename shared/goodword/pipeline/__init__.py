"""The rules pipeline: score, remember, decide, offer (issue: rules pipeline)."""
