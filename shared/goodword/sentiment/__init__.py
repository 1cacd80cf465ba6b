"""Sentiment of an event's text, by a pluggable provider (setting ``sentiment.provider``).

Precision matters more than recall: a sample sent to a sarcastic complainer is worse than
a missed fan. So "positive" needs a high score *and* clear guards, and every result says
which guards it tripped.
"""

from goodword.sentiment.model import Sentiment, SentimentLabel, SentimentSettings

__all__ = ["Sentiment", "SentimentLabel", "SentimentSettings"]
