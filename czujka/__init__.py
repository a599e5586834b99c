"""czujka: keeps watch over a shop's social media and wakes the right person when a crisis starts."""

__version__ = "0.1.0"
