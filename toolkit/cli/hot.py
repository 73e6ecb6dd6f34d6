"""placeholder"""
from __future__ import annotations


def main() -> None:
    from toolkit.cli.commands import main as typer_main

    typer_main()
