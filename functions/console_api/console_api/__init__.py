"""The console's JSON API (/api/*): routes over goodword.services."""
