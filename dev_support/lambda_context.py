from dataclasses import dataclass


@dataclass
class FakeLambdaContext:
    """The four fields Powertools reads, plus the remaining-time method."""

    function_name: str = "ReceiveWebhookFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:ReceiveWebhookFunction"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
