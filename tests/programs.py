"""The real programs reports go to: headless Chromium (Debian's `chromium`), LibreOffice
(`libreoffice-calc`), poppler's pdfinfo / pdftotext / pdftoppm (`poppler-utils`) and the calendar
khal (`khal`); .ci/run installs them. Each test that needs one skips, saying which package, when it
is missing."""
from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
from pathlib import Path

import pytest

BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext") and shutil.which("pdftoppm")

needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium binary (chromium, chromium-browser or google-chrome) on PATH; "
                            ".ci/run installs Debian's `chromium` package")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="no soffice on PATH; .ci/run installs libreoffice-calc")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="no pdfinfo/pdftotext on PATH; .ci/run installs poppler-utils")
KHAL = shutil.which("khal")
# CI (CI=true) installs khal in .ci/run: there a missing khal is a failure, not a skip.
needs_khal = pytest.mark.skipif(KHAL is None and not os.environ.get("CI"),
                                reason="no khal on PATH; .ci/run installs Debian's `khal` package")

# Headless, as root in CI: no sandbox, no GPU, nothing fetched behind the page's back, a fresh profile.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")
A4_LANDSCAPE = (842, 595)  # points, rounded


def browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium, headless, on `page`; its console goes to stderr (--enable-logging=stderr)."""
    return subprocess.run(
        [BROWSER, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)


def print_to_pdf(page: Path, profile: Path, target: Path) -> Path:
    """Chromium's print to PDF with its default settings (paper, margins, headers and footers)."""
    result = browse(page, profile, f"--print-to-pdf={target}")
    assert result.returncode == 0 and target.exists(), result.stderr[-2000:]
    return target


class DevTools:
    """Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: it reads commands
    on fd 3, writes replies on fd 4, each a JSON text ended by NUL). The page itself runs no script
    (its Content-Security-Policy forbids them); DevTools measures it from outside."""

    def __init__(self, profile: Path):
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        fds = (to_browser_r, from_browser_w)

        def on_fds_3_and_4():
            high = [os.dup(fd) for fd in fds]  # out of the way first: a pipe may itself be fd 3 or 4
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [BROWSER, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=on_fds_3_and_4, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in fds:
            os.close(fd)
        self._out, self._in = to_browser_w, from_browser_r
        self._buffer, self._next, self._events = b"", 0, []
        try:
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        except Exception:
            self.close()
            raise

    def __enter__(self) -> "DevTools":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], 60)
            if not ready:
                raise RuntimeError("Chromium gave no answer on the DevTools pipe in 60 s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self._events.append(reply)

    def page(self, method: str, **params) -> dict:
        return self.send(method, self.session, **params)

    def wait_for(self, event: str) -> dict:
        while True:
            for i, message in enumerate(self._events):
                if message.get("method") == event:
                    return self._events.pop(i)
            self._events.append(self._message())

    def open(self, page: Path, width: int, height: int, *, mobile: bool) -> None:
        """Load `page` in a `width` × `height` viewport (a phone's, with its meta viewport, if `mobile`)."""
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)
        self.page("Page.enable")
        self.page("Page.navigate", url=page.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        return self.page("Runtime.evaluate", expression=expression, returnByValue=True)["result"]["value"]

    def screenshot(self, width: int, height: int, scale: float = 1) -> bytes:
        """The top `width` × `height` CSS pixels of the page, drawn at `scale`."""
        data = self.page("Page.captureScreenshot", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": scale})["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        os.close(self._out)
        os.close(self._in)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()  # the browser this object started, by its own handle
            self.process.wait()


def libreoffice(source: Path, target_format: str, outdir: Path, profile: Path, infilter: str | None = None) -> Path:
    """LibreOffice, headless, converts `source` (e.g. to pdf, or csv with its filter options), reading it
    with `infilter` if given (a CSV's encoding, as its import dialog would ask)."""
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         *([f"--infilter={infilter}"] if infilter else []),
         "--convert-to", target_format, "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=180)
    extension = target_format.split(":")[0]
    target = outdir / f"{source.stem}.{extension}"
    assert result.returncode == 0 and target.exists(), (result.stdout, result.stderr)
    return target


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def page_count(pdf: Path) -> int:
    return int(pdf_info(pdf)["Pages"])


def page_size(pdf: Path) -> tuple[int, int]:
    """The first page's size in points, rounded: (842, 595) is A4 landscape."""
    width, height = re.match(r"([\d.]+) x ([\d.]+) pts", pdf_info(pdf)["Page size"]).groups()
    return round(float(width)), round(float(height))


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page in content order (-raw: a table cell's lines stay together)."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")[:page_count(pdf)]


def squashed(text: str) -> str:
    """Text without whitespace: a PDF breaks lines where the layout wraps them, not where the data does."""
    return re.sub(r"\s+", "", text)


def png(pdf: Path, target: Path, resolution: int = 60, page: int = 1) -> Path:
    """One page of `pdf` as a PNG at `resolution` dpi (pdftoppm)."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    return target
