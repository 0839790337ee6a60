"""explain: what people paste (errors, logs, collect_env, nvidia-smi...) read into sections and
facts, merged over a host's facts, and judged by the same rules as doctor plus the pasted errors'.

paste.normalise (text -> Lines) -> detect.detect (Lines -> sections by the readers of
explain/sections, and the error classifier's signals) -> merge.merge (the paste's facts over the
host's, each with its `paste:LINE` source) -> run.explain (findings). record.py turns the merged
facts into a recorded host. Pure: commands/explain.py reads the input and probes the host.
"""
