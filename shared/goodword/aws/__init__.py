"""The only modules that talk to AWS (boto3). Everything else is pure."""
