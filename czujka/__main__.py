"""`python -m czujka` is the `czujka` command."""

from czujka.cli import app

app(prog_name="czujka")
