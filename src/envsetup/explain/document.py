"""Partial Facts documents (Facts.to_dict()'s JSON shape, a paste's part of it): read and write a
dotted path, copy, and lay one over another the way explain/merge.py merges a paste over a host.

Objects merge key by key; a list replaces the one below, except the lists of installations found
at a path (CUDA toolkits, cuDNN), where a pasted one replaces the one at the same path, or at the
same version when the paste cannot say where it is, and is added otherwise.
"""

from __future__ import annotations

import copy
from typing import Any

# Lists of installations, merged by where they are ("path").
_BY_PATH = {"cuda.toolkits", "cudnn"}


def _has_path(document: dict[str, Any], path: str) -> bool:
    node: Any = document
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """copy.deepcopy for the JSON-shaped documents merged here (dicts, lists, scalars) at a
    fraction of its cost (its memo and dispatch were most of merge's time on a long paste);
    anything else still goes through deepcopy."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def _overlay(document: dict[str, Any], partial: dict[str, Any], where: str) -> None:
    for key, value in partial.items():
        path = f"{where}.{key}" if where else key
        current = document.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            _overlay(current, value, path)
        elif path in _BY_PATH and isinstance(value, list) and isinstance(current, list):
            document[key] = _merge_installs(current, value)
        else:
            document[key] = _copy(value)


def _merge_installs(current: list[Any], pasted: list[Any]) -> list[Any]:
    merged = list(current)
    for item in pasted:
        same = [
            i
            for i, old in enumerate(merged)
            if isinstance(old, dict)
            and isinstance(item, dict)
            and (old.get("path") == item.get("path") or old.get("version") == item.get("version"))
        ]
        if same:
            old, new = merged[same[0]], _copy(item)
            if old.get("path") != new.get("path") and not _is_path(new.get("path")):
                # The same version, where the paste cannot say where it is: the host knows.
                new["path"], new["nvcc"] = old.get("path"), old.get("nvcc", new.get("nvcc"))
            merged[same[0]] = new
        else:
            merged.append(_copy(item))
    return merged


def _get_path(document: dict[str, Any], path: str) -> Any:
    node: Any = document
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _put_path(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = document
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[leaf] = _copy(value)


def _is_path(value: Any) -> bool:
    """An absolute path (POSIX or Windows), not a description such as "nvcc on PATH"."""
    return isinstance(value, str) and (value.startswith("/") or value[1:3] in (":\\", ":/"))
