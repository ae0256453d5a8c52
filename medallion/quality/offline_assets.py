"""Data Docs without internet: their CSS and JavaScript served from this machine.

Great Expectations writes Data Docs pages that load jQuery, Bootstrap, bootstrap-table
and Font Awesome from CDNs. Without internet (a classroom) the home page then lists
nothing: its table of validation results is drawn by bootstrap-table. The same files,
at the same versions, come from the npm registry: `vendor/data_docs/package.json` names
them and `make docs` installs them (`npm ci`) into `vendor/data_docs/node_modules/`.
Their licences are in each package's folder (vendor/data_docs/README.md lists them).

`make docs` serves the pages with each CDN address below replaced by the local copy
under /_vendor/; the files GX wrote are not changed. Two pages' scripts carry an
integrity hash (popper.js, bootstrap.js): the local copies are byte-identical, so the
browser accepts them.

Left on the CDN, because no page of this project uses them: vega, vega-lite and
vega-embed (profiling charts) and GX's newsletter link.
"""

from __future__ import annotations

from pathlib import Path

from medallion.settings import load_settings

# Under this URL path the server answers from vendor/data_docs/node_modules/.
VENDOR_URL = "/_vendor/"

# CDN address prefix -> the same files inside the npm packages (node_modules/...).
CDN_TO_PACKAGE = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/": "bootstrap/dist/",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/": "bootstrap/dist/",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/": "popper.js/dist/",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/": "bootstrap-table/dist/",
    # One stylesheet is named at 1.19.0; 1.19.1's copy is the one the pages' script uses.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/": "bootstrap-table/dist/",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/": (
        "bootstrap-datepicker/dist/"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/": (
        "@fortawesome/fontawesome-free/"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/": "@forevolve/bootstrap-dark/",
}

# GX's logo comes from its web server; GX also writes the same picture into static/.
LOGO_URL = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png"
LOCAL_LOGO = "/static/images/logo-long.png"


class MissingAssetsError(RuntimeError):
    """The npm packages with the Data Docs' CSS and JavaScript are not installed."""


def vendor_dir() -> Path:
    """Where `npm ci` installs the packages: vendor/data_docs/node_modules/."""
    return load_settings().home / "vendor" / "data_docs" / "node_modules"


def check_installed(folder: Path | None = None) -> Path:
    """The node_modules folder, or MissingAssetsError naming the command that fills it."""
    folder = folder or vendor_dir()
    missing = [name for name in packages() if not (folder / name / "package.json").is_file()]
    if missing:
        raise MissingAssetsError(
            f"the Data Docs' CSS and JavaScript are not installed in {folder} "
            f"(missing: {', '.join(missing)}): run `make docs`, which installs them with "
            "`npm ci` in vendor/data_docs/ (npm: apt-get install npm)"
        )
    return folder


def packages() -> list[str]:
    """The npm packages the pages need: the first part of each path (two for @scope/)."""
    names = set()
    for path in CDN_TO_PACKAGE.values():
        parts = path.split("/")
        names.add("/".join(parts[:2]) if path.startswith("@") else parts[0])
    return sorted(names)


def localise(html: str) -> str:
    """A Data Docs page with every CDN address it uses replaced by the local copy."""
    for cdn, package_path in CDN_TO_PACKAGE.items():
        html = html.replace(cdn, VENDOR_URL + package_path)
    # The logo's address ends in "?d=<build time>": keep the query, it does no harm.
    return html.replace(LOGO_URL, LOCAL_LOGO)
