"""Lambda function: the console's pages (GET /console, /console/{proxy+}) and its sign-in (POST /console/sign-in)."""
