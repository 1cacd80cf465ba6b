"""Event sources emulated from the template: DynamoDB streams, SQS queues, schedules."""
