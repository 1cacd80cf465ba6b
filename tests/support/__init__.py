"""Helpers shared by the tests and benchmarks: signing like the platforms do, building
API Gateway events, creating AWS resources from template.yaml."""
