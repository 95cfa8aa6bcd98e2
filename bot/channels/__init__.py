"""Rasa input/output channels of the assistant, loaded by Rasa by module path from the credentials
file that ``bot.channels.config`` writes at start-up (``python -m bot run``):

    bot.channels.slack.SlackInput    Slack (Events API + interactivity)  /webhooks/slack/webhook
    bot.channels.teams.TeamsInput    Microsoft Teams (Bot Framework)     /webhooks/teams/webhook

Nothing is imported here, so that ``bot.channels.config`` loads without Rasa.
"""
