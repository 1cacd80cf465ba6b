"""Readable, input-free summaries of pydantic validation errors, in the words of the person
who wrote the rule or the setting: field paths without the union tags pydantic adds
(``str-enum[Review]``, ``literal['forever']``, model names), one line per field with the
alternatives joined by "or", and an unknown field named with the fields allowed there."""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError


def _is_tag(part: Any) -> bool:
    """A segment pydantic adds for a union member or a validator wrapper, not a field."""
    text = str(part)
    return isinstance(part, str) and ("[" in text or text[:1].isupper() or text.startswith("function-"))


def field_path(loc: tuple[Any, ...]) -> str:
    """('actions', 0, 'offer_sample', 'message') -> 'actions[0].offer_sample.message'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _is_tag(part):
            path += f".{part}" if path else str(part)
    return path or "value"


def _model(name: str) -> type[BaseModel] | None:
    """A model class of this package by its name (pydantic names the class, not the module)."""
    for module_name, module in list(sys.modules.items()):
        found = getattr(module, name, None) if module_name.startswith("goodword") else None
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field's type can hold (through Optional, unions, lists and dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict) or origin is not None:
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def _field(model: type[BaseModel], name: str) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info.annotation
    return None


def _allowed_at(root: str, loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed where ``loc`` points (its last part is the unknown field)."""
    start = _model(root)
    models = [start] if start else []
    for part in loc[:-1]:
        if isinstance(part, int) or _is_tag(part):
            if isinstance(part, str) and (named := _model(part)):  # a model-named union tag narrows it down
                models = [named]
            continue
        models = [m for model in models if (annotation := _field(model, part)) is not None for m in _models_in(annotation)]
    names = {info.alias or name for model in models for name, info in model.model_fields.items()}
    return sorted(names)


def _message(error: Any, root: str) -> str:
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = _allowed_at(root, tuple(error["loc"]))
        unknown = error["loc"][-1] if error["loc"] else "?"
        return f"unknown field {unknown!r}" + (f" (allowed here: {', '.join(allowed)})" if allowed else "")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        tags = [p for p in error["loc"] if isinstance(p, str) and _is_tag(p)]
        model = _model(tags[-1]) if tags else None
        fields = [info.alias or name for name, info in model.model_fields.items()] if model else []
        return f"should be a mapping with {', '.join(fields)}" if fields else "should be a mapping of fields"
    if kind == "missing":
        return "is required"
    return message.replace("Input should be", "should be")


def error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field path, what is wrong) for each field, never the offending values (they may be
    secrets or personal data). Alternatives of a union on one field are joined with "or"."""
    merged: dict[str, list[str]] = {}
    for error in exc.errors(include_input=False, include_url=False):
        where = field_path(tuple(error["loc"]))
        message = _message(error, exc.title)
        if message not in merged.setdefault(where, []):
            merged[where].append(message)
    return [(where, " or ".join(messages)) for where, messages in merged.items()]


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """Field paths and what is wrong with them, on one line."""
    messages = error_messages(exc)
    parts = [f"{where}: {message}" for where, message in messages[:limit]]
    more = len(messages) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
