"""``python -m evidence [DATA_DIR]``: check the evidence base; exit 1 with the list of problems."""

import sys

from evidence.ledger import EvidenceError, check_all


def main(argv: list[str]) -> int:
    try:
        evidence = check_all(argv[0] if argv else None)
    except EvidenceError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"evidence ok: {len(evidence.sources)} sources, {len(evidence.claims)} claims, "
        "every quote found in its own source and credited to the voice that says it, every figure stated in its quote"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
