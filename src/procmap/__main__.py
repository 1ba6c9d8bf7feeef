from procmap.cli import main

main()
