"""Lambda function: performs approved offers and actions from ActionsQueue."""
