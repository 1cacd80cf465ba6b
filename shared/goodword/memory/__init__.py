"""Plain-Python adapters of ``goodword.ports``: the same behaviour as the DynamoDB ones (the
contract tests hold both to it), nothing written anywhere. Backtests, ``rules test`` and fast
tests of the pipeline and the performer run on them."""
