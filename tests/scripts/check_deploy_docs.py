#!/usr/bin/env python3
"""What README.md, deploy/README.md and knights/README.md tell an operator to use exists and
works: every repository path they name (in backticks or as a link), every `make` target, every
`kubectl apply -k` directory (rendering with no Flux object unless it is deploy/flux, since
those need Flux's controllers), and every `kubectl kustomize`/`bash` path. Run from the
repository root."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import Checks, by_kind, render  # noqa: E402
from platform_checks import FLUX_KINDS  # noqa: E402

DOCS = ["README.md", "deploy/README.md", "knights/README.md"]
# README.md is checked for the deployment's paths only (its other paths belong to other checks).
SCOPE = {"README.md": ("deploy/", "knights/", "docker/", "tests/scripts/", ".ci/", "Makefile")}
EXAMPLES = ("knights/bedivere",)  # the docs' worked example of a new knight
ABSENT = {"knights/kustomization.yaml"}  # named as deliberately absent (Flux generates it)
ROOTS = ("deploy/", "knights/", "docker/", "tests/", "docs/", "src/", "include/", "bench/", ".ci/", "Makefile", "CMakeLists.txt")
PLACEHOLDER = re.compile(r"[<>*{}$]|\.\.\.|__NAME__")
c = Checks("deploy docs")


def make_targets():
    return set(re.findall(r"^([a-zA-Z][\w-]*):", open("Makefile").read(), re.M))


def candidates(text):
    """Path-like tokens: backticked words and link targets."""
    for token in re.findall(r"`([^`\n]+)`", text):
        for word in token.split():
            yield word
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if not target.startswith("http"):
            yield target


def resolve(doc, word):
    """The file or folder a word names, relative to the root or the doc's folder; None when it
    is no repository path."""
    word = word.strip("`'\",;:()").split("=")[-1]
    word = re.sub(r"^\./", "", word)
    if not word or PLACEHOLDER.search(word) or "://" in word or word.startswith("/"):
        return None
    here = os.path.dirname(doc)
    if word.startswith(ROOTS) or word.startswith("../"):
        return os.path.normpath(os.path.join(here if word.startswith("../") else "", word))
    if here and "/" in word and os.path.exists(os.path.join(here, word.split("/")[0])):
        return os.path.normpath(os.path.join(here, word))
    return None


def check_doc(doc, targets):
    text = open(doc).read()
    paths = set()
    for word in candidates(text):
        path = resolve(doc, word)
        if path is not None and path.startswith(SCOPE.get(doc, ("",))) and not path.startswith(EXAMPLES):
            paths.add(path)
            if path in ABSENT:
                c.check(not os.path.exists(path), "%s says %s does not exist, but it does" % (doc, path))
            else:
                c.check(os.path.exists(path), "%s names %s, which does not exist" % (doc, word))
    for target in re.findall(r"`make ([a-z][\w-]*)", text):
        c.check(target in targets, "%s names `make %s`, which the Makefile does not define" % (doc, target))
    for directory in re.findall(r"kubectl apply -k (\S+?)`", text):
        directory = directory.rstrip("/")
        if PLACEHOLDER.search(directory):
            continue
        if not c.check(os.path.isfile(os.path.join(directory, "kustomization.yaml")), "%s: `kubectl apply -k %s` has no kustomization" % (doc, directory)):
            continue
        kinds = set(by_kind(render(c, directory)))
        if directory != "deploy/flux":
            c.check(not kinds & FLUX_KINDS, "%s: `kubectl apply -k %s` would create %s, which need Flux" % (doc, directory, sorted(kinds & FLUX_KINDS)))
    return paths


def main():
    targets = make_targets()
    for doc in DOCS:
        paths = check_doc(doc, targets)
        print("%s: %d repository paths checked" % (doc, len(paths)))
    c.finish()


if __name__ == "__main__":
    main()
