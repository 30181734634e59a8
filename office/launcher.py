"""The ``kiosk-office`` console command: a friendly word when the server's extras are missing.

A kiosk machine installs only the kiosk (``sh scripts/setup.sh``); the office
server needs FastAPI, uvicorn and SQLAlchemy (``sh scripts/setup.sh --office``).
"""
import sys


def main() -> int:
    try:
        from office.cli import main as office_main
    except ModuleNotFoundError as exc:
        print(f"kiosk-office: the office server is not installed here ({exc.name} is missing). "
              f"Install it with: sh scripts/setup.sh --office", file=sys.stderr)
        return 2
    return office_main()


if __name__ == "__main__":
    sys.exit(main())
