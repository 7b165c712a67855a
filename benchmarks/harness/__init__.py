"""What the benchmarks share: the lean fake Bot API, simulated users, the bot in a process of its
own, one measured run, and the report table. Not benchmarks themselves (``python -m benchmarks``
runs only the modules one level up)."""
