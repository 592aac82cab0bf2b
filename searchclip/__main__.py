"""`python -m searchclip` runs the command line."""

from searchclip.app.entry import main

main()
