"""Lambda functions: approve from Slack. ``handler``: the buttons' clicks (POST
/slack/interactions); ``notices``: offers entering review, posted to the brand's channel."""
