"""The staff web console (starlette, server-rendered Jinja2 templates)."""
