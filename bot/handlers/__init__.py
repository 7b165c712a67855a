"""Channels: each module turns one platform's updates into engine input and
the engine's replies into that platform's messages. Thin by design."""
