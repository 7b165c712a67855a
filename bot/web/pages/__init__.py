"""The console's pages, one module per subject; each exports ``ROUTES`` (see bot.web.app)."""
