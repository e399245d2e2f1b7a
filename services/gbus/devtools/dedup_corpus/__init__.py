"""Generator of the labelled dedup corpus (issue 11): grievances written in
many voices, split by grievance into train / dev / test.

Run `python -m gbus.devtools.dedup_corpus --out tests/data` to rebuild the
files; the test split is frozen in git and must not be regenerated once
scores have been reported on it (docs/dedup.md).
"""
