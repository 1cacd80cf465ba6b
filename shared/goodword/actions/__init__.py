"""Performing approved offers and actions: policy-checked, paced, sent at most once."""
