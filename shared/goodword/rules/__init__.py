"""Marketer rules: data (pydantic models, exported JSON Schema), compiled once per load
into plain closures, evaluated per event with an explanation of every decision."""
