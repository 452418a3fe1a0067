"""Open built handouts in headless Chromium with the network off and check what a reader sees.

    python tools/course/check_handouts.py                 # every build/NN_*.html and build/zh/NN_*.html
    python tools/course/check_handouts.py page.html --screenshot shots/

For each page: the visible text outside code shows no raw TeX (no `$$`, no `\\frac`, and no TeX
command at all in the markdown prose), formulas are MathML the browser laid out (a fraction's
numerator sits above its denominator) in the maths font the page embeds, every picture loaded
(naturalWidth > 0), and nothing on the page points at the web. Chromium gets a proxy that refuses
everything and a resolver that finds no host, so a page that still needed the network shows it
here. Exit status 0 when every page passes.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
OFFLINE_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
)
MARK = "handout-check-result"
# No D-Bus on a server or in CI: without this Chromium waits ~10 s for one at every start.
NO_DBUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/dev/null", "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/dev/null"}

# Runs in the page after everything loaded; writes its findings into the DOM for --dump-dom.
PROBE = r"""
<script>
window.addEventListener("load", async () => {
  await document.fonts.ready;
  // What a reader sees outside code: code may show a `$$` or a backslash on purpose.
  const code = [...document.querySelectorAll("pre, code")];
  code.forEach(el => el.style.setProperty("display", "none", "important"));
  const visible = document.body.innerText;
  code.forEach(el => el.style.removeProperty("display"));
  const prose = [...document.querySelectorAll(".jp-RenderedMarkdown")].map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll("code, pre, math").forEach(el => el.remove());
    return copy.textContent;
  }).join("\n");
  const fractions = [...document.querySelectorAll("math mfrac")].filter(f => f.children.length === 2);
  const stacked = fractions.filter(f => {
    const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
    return top.height > 0 && bottom.height > 0 && top.bottom <= bottom.top + 1;
  });
  const external = [...document.querySelectorAll("script[src], link[href], img[src], iframe[src], source[src]")]
    .map(el => el.getAttribute("src") || (el.tagName === "LINK" ? el.getAttribute("href") : ""))
    .filter(url => /^(https?:)?\/\//i.test(url || ""));
  const fetched = performance.getEntriesByType("resource").map(e => e.name).filter(u => /^https?:/i.test(u));
  const images = [...document.images];
  const result = {
    raw_dollars: visible.includes("$$"),
    raw_frac: visible.includes("\\frac"),
    prose_tex: [...new Set(prose.match(/\\[A-Za-z]+|\\[\[\(]/g) || [])],
    math: document.querySelectorAll("math").length,
    math_drawn: [...document.querySelectorAll("math")].filter(m => m.getBoundingClientRect().height > 0).length,
    fractions: fractions.length, fractions_stacked: stacked.length,
    images: images.length, images_broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src.slice(0, 60)),
    external: [...new Set([...external, ...fetched])],
    math_font: [...document.fonts].filter(f => f.status === "loaded").map(f => f.family.replace(/"/g, "")),
  };
  const out = document.createElement("pre");
  out.id = "MARK";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
""".replace("MARK", MARK)


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def _run_chromium(chromium: str, args: list[str], timeout: float) -> str:
    with tempfile.TemporaryDirectory(prefix="handout-check-") as profile:
        done = subprocess.run([chromium, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, env={**os.environ, **NO_DBUS})
    return done.stdout


def inspect_page(page: Path, chromium: str, timeout: float = 120.0) -> dict:
    """What Chromium shows for `page`: the probe's findings (see PROBE)."""
    source = page.read_text(encoding="utf-8")
    cut = source.rfind("</body>")
    probed = source[:cut] + PROBE + source[cut:] if cut >= 0 else source + PROBE
    # Beside the original, so relative links resolve exactly as they do for a reader.
    copy = page.with_name(f".check-{page.name}")
    copy.write_text(probed, encoding="utf-8")
    try:
        dom = _run_chromium(chromium, ["--virtual-time-budget=15000", "--dump-dom", copy.resolve().as_uri()], timeout)
    finally:
        copy.unlink(missing_ok=True)
    start = dom.find(f'id="{MARK}">')
    if start < 0:
        raise RuntimeError(f"{page.name}: Chromium returned no result (the page's load event never fired)")
    payload = dom[start + len(f'id="{MARK}">'):dom.index("</pre>", start)]
    return json.loads(html.unescape(payload))


def problems(found: dict) -> list[str]:
    """Empty when the page reads as intended."""
    issues = []
    if found["raw_dollars"] or found["raw_frac"]:
        issues.append("raw TeX visible (`$$` or `\\frac` in the page text)")
    if found["prose_tex"]:
        issues.append(f"TeX commands visible in the prose: {' '.join(found['prose_tex'][:8])}")
    if found["math"] == 0:
        issues.append("no MathML formula on the page")
    elif found["math_drawn"] < found["math"]:
        issues.append(f"{found['math'] - found['math_drawn']} of {found['math']} formulas not drawn")
    elif "Handout Math" not in found["math_font"]:
        issues.append("the embedded maths font (Handout Math) was not used: accents and radicals may be lost")
    if found["fractions_stacked"] < found["fractions"]:
        issues.append(f"{found['fractions'] - found['fractions_stacked']} fractions not laid out as fractions")
    if found["images_broken"]:
        issues.append(f"{len(found['images_broken'])} pictures did not load: {found['images_broken'][:3]}")
    if found["external"]:
        issues.append(f"points at the web: {found['external'][:3]}")
    return issues


def screenshot(page: Path, chromium: str, target: Path, timeout: float = 120.0) -> None:
    _run_chromium(chromium, ["--virtual-time-budget=15000", "--window-size=1100,2600", f"--screenshot={target}",
                             page.resolve().as_uri()], timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="HTML pages (default: build/NN_*.html, build/zh/NN_*.html)")
    parser.add_argument("--screenshot", type=Path, metavar="DIR", help="also save a PNG of each page's top here")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    pages = args.pages or sorted((ROOT / "build").glob("[0-9][0-9]_*.html")) + sorted((ROOT / "build" / "zh").glob("[0-9][0-9]_*.html"))
    if not pages:
        print("no handouts to check: run `make course` first", file=sys.stderr)
        return 2
    failed = 0
    for page in pages:
        found = inspect_page(page, chromium)
        issues = problems(found)
        failed += bool(issues)
        summary = f"{found['math']} formulas, {found['images']} pictures"
        print(f"{'ok    ' if not issues else 'FAILED'} {page.name}: {summary}" + "".join(f"\n       - {i}" for i in issues))
        if args.screenshot:
            args.screenshot.mkdir(parents=True, exist_ok=True)
            screenshot(page, chromium, args.screenshot / f"{page.stem}.png")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
