#!/usr/bin/env python3
"""Every link in the repository's Markdown works before the crates are published.

Offline: a relative link must name a file or folder of the repository (and a heading of it,
for `#anchor`), and no link may point at a docs.rs page of one of our own crates, which does
not exist until the crate is published. Links to other sites are not fetched. Symlinked pages
(the crates' guide.md) are checked where they live, under docs/.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_CRATES = re.compile(r"https?://docs\.rs/(tokengate(-[a-z]+)?)(/|$)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_files():
    listed = subprocess.run(
        ["git", "ls-files", "-z", "*.md"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_symlink() or "node_modules" in path.parts:
            continue
        yield path


def prose_lines(text):
    """The lines outside fenced code blocks, with inline code blanked."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r"`[^`]*`", "``", line)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, found = {}, set()
        for _, line in prose_lines(path.read_text(encoding="utf-8")):
            match = HEADING.match(line)
            if match:
                base = slug(match.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f"{base}-{count}")
        cache[path] = found
    return cache[path]


def problems_of(path):
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            where = f"{path.relative_to(ROOT)}:{number}: {target}"
            if OUR_CRATES.match(target):
                yield f"{where}: docs.rs has no page for an unpublished crate; link the file"
                continue
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # another site, or mailto:
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                yield f"{where}: no such file"
            elif not linked.is_relative_to(ROOT):
                yield f"{where}: outside the repository"
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                yield f"{where}: no heading #{anchor} in {linked.relative_to(ROOT)}"


def main():
    checked, problems = 0, []
    for path in markdown_files():
        checked += 1
        problems.extend(problems_of(path))
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{checked} Markdown files, {len(problems)} broken links")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
