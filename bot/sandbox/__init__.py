"""A local sandbox: the bot with a pretend Slack workspace in the browser, for trying the whole
product without Slack or Teams (`peer-support sandbox`, or `make run` with nothing configured).

`slack_api.FakeSlackApi` is the supported fake Slack Web API (tests and benchmarks use it too);
`slack_client.SignedSlack` sends the bot what Slack's servers send; `server.Sandbox` runs both
with the bot; `page` serves the page.
"""
