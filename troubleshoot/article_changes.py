"""Whether the articles the guides were written from changed, moved or vanished since the pinned commit.

Reads a git repository with `git` itself: a local clone as it is, or a URL cloned partially (no
file contents until asked for, only the articles' folders checked out) and fetched again on the
next run. `check_sources` records what this finds as `SourceCheck` rows.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "https://github.com/Expensify/App.git"
DIFF_LIMIT = 100_000  # characters of one article's diff kept; a rewrite of one article is far less


class GitError(RuntimeError):
    pass


@dataclass(frozen=True)
class Finding:
    path: str
    commit: str
    state: str  # "same", "changed", "moved", "vanished" or "unknown" (see SourceCheck.State)
    head: str
    new_path: str = ""
    diff: str = ""


class Repository:
    """A git repository and the commit to compare each pinned commit with."""

    def __init__(self, git_dir: Path, ref: str):
        self.git_dir = Path(git_dir)
        self.head = self.resolve(ref)
        if not self.head:
            raise GitError(f"{ref} is not a commit in {self.git_dir}")

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(["git", "-C", str(self.git_dir), *args], capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=600)
        if check and done.returncode:
            raise GitError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def resolve(self, ref: str) -> str:
        done = self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    def has(self, commit: str, path: str) -> bool:
        return self.git("cat-file", "-e", f"{commit}:{path}", check=False).returncode == 0

    def diff(self, commit: str, *paths: str) -> str:
        text = self.git("diff", "-M", commit, self.head, "--", *paths).stdout
        return text if len(text) <= DIFF_LIMIT else text[:DIFF_LIMIT] + "\n[… the rest of the diff is left out]\n"

    def moved_to(self, commit: str, path: str) -> str:
        """Where the article went, if git sees it renamed between the commit and the head ('' if not)."""
        folder = "/".join(path.split("/")[:2]) or "."  # e.g. docs/articles: a rename may cross sub-folders
        out = self.git("diff", "--name-status", "-M", "--diff-filter=R", commit, self.head, "--", folder).stdout
        for line in out.splitlines():
            status, old, new = (line.split("\t") + ["", ""])[:3]
            if status.startswith("R") and old == path:
                return new
        return ""

    def compare(self, path: str, commit: str) -> Finding:
        full = self.resolve(commit)
        if not full or not self.has(full, path):
            return Finding(path, commit, "unknown", self.head)
        if self.has(self.head, path):
            diff = self.diff(full, path)
            return Finding(path, commit, "changed" if diff else "same", self.head, diff=diff)
        new_path = self.moved_to(full, path)
        if new_path:
            return Finding(path, commit, "moved", self.head, new_path, self.diff(full, path, new_path))
        return Finding(path, commit, "vanished", self.head, diff=self.diff(full, path))


def folders_of(paths: list[str]) -> list[str]:
    """The folders to check out: each article's first two levels (docs/articles)."""
    return sorted({"/".join(p.split("/")[:2]) for p in paths if "/" in p}) or ["docs"]


def open_repository(location: str, clone_into: Path, folders: list[str], ref: str = "") -> tuple[Repository, str]:
    """The repository at `location`, and a sentence of what was done to get it.

    A local directory is used as it is (compared at `ref`, default HEAD). Anything else is a URL,
    cloned partially into `clone_into` the first time and fetched there afterwards (compared at
    `ref`, default the remote's default branch).
    """
    local = Path(location)
    if local.is_dir():
        return Repository(local, ref or "HEAD"), f"Read the local clone {local}."
    clone_into = Path(clone_into)
    if (clone_into / ".git").is_dir() or (clone_into / "HEAD").is_file():
        run(["git", "-C", str(clone_into), "remote", "set-url", "origin", location])
        run(["git", "-C", str(clone_into), "fetch", "--quiet", "--filter=blob:none", "origin"])
        run(["git", "-C", str(clone_into), "remote", "set-head", "origin", "--auto"])
        how = f"Fetched {location} into {clone_into}."
    else:
        clone_into.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "clone", "--quiet", "--filter=blob:none", "--no-checkout", "--sparse", location, str(clone_into)])
        how = f"Cloned {location} partially into {clone_into} (only {', '.join(folders)} checked out)."
    run(["git", "-C", str(clone_into), "sparse-checkout", "set", *folders])
    return Repository(clone_into, ref or "origin/HEAD"), how


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise GitError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout.strip()}")
