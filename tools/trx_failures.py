#!/usr/bin/env python3
"""Prints each failed test of one or more TRX files: its name, duration and the first lines of its message.

Used by `./sweeps.sh test` right before the totals, so that the tail of a CI log says which test
failed and why, whatever scrolled past above it. Usage: trx_failures.py FILE.trx [...] [--lines N]
"""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main(argv):
    lines = 12
    files = []
    it = iter(argv)
    for arg in it:
        if arg == "--lines":
            lines = int(next(it))
        else:
            files.append(arg)
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            print(f"  {path}: cannot read ({error})")
            continue
        for result in root.iter(NS + "UnitTestResult"):
            if result.get("outcome") in ("Passed", "NotExecuted"):
                continue
            print(f"  {result.get('outcome', '?').upper()} {result.get('testName')} ({result.get('duration', '?')})")
            message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
            text = (message.text or "") if message is not None else "(no message)"
            shown = text.strip().splitlines()
            for line in shown[:lines]:
                print(f"    {line}")
            if len(shown) > lines:
                print(f"    ... ({len(shown) - lines} more lines in {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
