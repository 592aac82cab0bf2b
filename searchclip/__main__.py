"""`python -m searchclip` runs the command line."""

from searchclip.cli import main

main()
