"""Lambda function: the rules pipeline, consuming EventsTable's stream of new events."""
