"""Full-page screenshots of built pages, network blocked: `python scripts/screenshot.py OUT_DIR PAGE...`.

PAGE is a path under _build/html (e.g. chapters/introduction.html). For looking at the book as a reader.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HTML = Path(__file__).resolve().parent.parent / "_build" / "html"


def main(out_dir: str, pages: list[str], dark: bool = False) -> None:
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark" if dark else "light")
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        for name in pages:
            page.goto((HTML / name).as_uri())
            page.wait_for_timeout(1500)
            target = Path(out_dir) / (name.replace("/", "_").replace(".html", "") + (".dark" if dark else "") + ".png")
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    dark = "--dark" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--dark"]
    main(args[0], args[1:], dark)
