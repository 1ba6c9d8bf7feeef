from procmap.cli import run

run()
