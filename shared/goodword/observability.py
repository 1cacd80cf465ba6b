"""Powertools singletons shared by every module: one logger, one metrics, one tracer."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
tracer = Tracer()
