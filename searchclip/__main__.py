"""`python -m searchclip` runs the command line."""

from searchclip.entry import main

main()
