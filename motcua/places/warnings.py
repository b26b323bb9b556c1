"""Warnings about offices being set up that other apps raise (e.g. dossiers: an office that lacks a role its
dossiers need would strand them, issue 13 kind 6). The apps above places register their source in
AppConfig.ready, so places never imports them (docs/architecture.md, layers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

_SOURCES: list[Callable[[Iterable | None], list[str]]] = []


def register_office_warnings(source: Callable[[Iterable | None], list[str]]) -> None:
    """``source(offices) -> [message]``: Vietnamese warnings about those offices (None: every active one)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def office_warnings(offices: Iterable | None = None) -> list[str]:
    """Every registered source's warnings about the offices (None: every active office), in order."""
    return [message for source in _SOURCES for message in source(offices)]
