"""Approve from Slack (optional, per brand): an offer entering review is posted to the brand's
channel with Approve and Reject buttons (``notices``), and the buttons' clicks come back to
``POST /slack/interactions`` (``interactions``), verified with Slack's signing secret
(``signature``) and decided through the review service, like the console and the command.
Pure except where a transport or a store is passed in; nothing here builds an AWS client."""
