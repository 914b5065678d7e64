"""What APL 1.8 (the version our documents declare) allows, and checks of our documents against it.

The lists name the components, properties, vector-graphic (AVG 1.1) elements and commands of the
APL 1.8 reference that our documents could use. They were read from the reference's component
pages and checked against the property definitions of apl-core-library 1.8.1, the engine Alexa
devices render APL 1.8 with (its propDefSet tables, component by component). Properties added
after 1.8 (and AVG filters, which came with AVG 1.2) are not in them, so using one fails a test.

`component_problems` walks a document and names anything outside the lists; `binding_problems`
names every ${...} path that the datasource (or the binding context APL gives) does not define.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

APL_VERSION = "1.8"
AVG_VERSION = "1.1"

DOCUMENT_KEYS = {
    "type", "version", "description", "theme", "import", "resources", "styles", "layouts",
    "mainTemplate", "graphics", "commands", "onMount", "settings", "background",
    "extensions", "handleKeyDown", "handleKeyUp", "onConfigChange", "onDisplayStateChange",
}  # fmt: skip
RESOURCE_KEYS = {
    "description", "when", "colors", "color", "dimensions", "dimension", "numbers", "number",
    "strings", "string", "booleans", "boolean", "gradients", "gradient", "easing", "easings",
}  # fmt: skip
STYLE_KEYS = {"description", "extend", "extends", "values", "value"}

# Every component: builder keys, the common properties (CoreComponent in the engine), and the
# properties a child of a Container takes (layout: position, grow, spacing...).
COMMON_PROPERTIES = {
    "type", "id", "when", "style", "bind", "inheritParentState", "description",
    "accessibilityLabel", "action", "actions", "checked", "disabled", "display", "entities",
    "handleTick", "height", "width", "minHeight", "minWidth", "maxHeight", "maxWidth",
    "layoutDirection", "onCursorEnter", "onCursorExit", "onMount", "opacity", "padding",
    "paddingBottom", "paddingEnd", "paddingLeft", "paddingRight", "paddingStart", "paddingTop",
    "preserve", "role", "shadowColor", "shadowHorizontalOffset", "shadowRadius",
    "shadowVerticalOffset", "speech", "transform",
    "alignSelf", "bottom", "end", "grow", "left", "numbering", "position", "right", "shrink",
    "spacing", "start", "top",
}  # fmt: skip
_ACTIONABLE = {
    "handleKeyDown", "handleKeyUp", "nextFocusDown", "nextFocusForward", "nextFocusLeft",
    "nextFocusRight", "nextFocusUp", "onBlur", "onFocus",
}  # fmt: skip
_TOUCHABLE = _ACTIONABLE | {
    "gesture",
    "gestures",
    "onCancel",
    "onDown",
    "onMove",
    "onPress",
    "onUp",
}
_CHILDREN = {"item", "items", "data", "firstItem", "lastItem"}
_TEXT = {
    "color", "fontFamily", "fontSize", "fontStyle", "fontWeight", "lang", "letterSpacing",
    "lineHeight", "maxLines", "text", "textAlign", "textAlignVertical",
}  # fmt: skip
_FRAME = {
    "backgroundColor", "borderBottomLeftRadius", "borderBottomRightRadius", "borderColor",
    "borderRadius", "borderStrokeWidth", "borderTopLeftRadius", "borderTopRightRadius",
    "borderWidth",
}  # fmt: skip
COMPONENT_PROPERTIES: dict[str, set[str]] = {
    "Container": _CHILDREN | {"alignItems", "direction", "justifyContent", "numbered", "wrap"},
    "Text": _TEXT,
    "Frame": {"item", "items"} | _FRAME,
    "TouchWrapper": {"item", "items"} | _TOUCHABLE,
    "VectorGraphic": _TOUCHABLE | {"align", "onFail", "onLoad", "scale", "source"},
}

GRAPHIC_KEYS = {
    "type", "version", "description", "height", "width", "viewportHeight", "viewportWidth",
    "parameters", "items", "item", "lang", "layoutDirection", "scaleTypeHeight", "scaleTypeWidth",
    "resources", "styles",
}  # fmt: skip
_GRAPHIC_COMMON = {"type", "when", "style", "bind", "description"}
GRAPHIC_ELEMENTS: dict[str, set[str]] = {
    "group": _GRAPHIC_COMMON
    | {"items", "item", "opacity", "transform", "clipPath", "rotation", "pivotX", "pivotY"}
    | {"scaleX", "scaleY", "translateX", "translateY"},
    "path": _GRAPHIC_COMMON
    | {"pathData", "pathLength", "fill", "fillOpacity", "stroke", "strokeOpacity", "strokeWidth"}
    | {"strokeDashArray", "strokeDashOffset", "strokeLineCap", "strokeLineJoin"}
    | {"strokeMiterLimit"},
}

_COMMAND_COMMON = {"type", "when", "delay", "description", "screenLock", "sequencer"}
COMMANDS: dict[str, set[str]] = {"SendEvent": _COMMAND_COMMON | {"arguments", "components"}}
# Properties whose value is a list of commands.
COMMAND_PROPERTIES = {"onMount", "onPress", "onDown", "onUp", "onMove", "onCancel", "onFocus"} | {
    "onBlur",
    "onCursorEnter",
    "onCursorExit",
    "onLoad",
    "onFail",
}

# What a binding may name besides the datasource: APL's own context (viewport, time, functions).
GLOBALS = {"viewport", "environment", "elapsedTime", "localTime", "utcTime", "Math", "String"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _template_items(document: Mapping[str, Any]) -> list[Any]:
    template = document["mainTemplate"]
    return _as_list(template.get("items", template.get("item")))


def components(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every component of the main template, depth first."""
    stack = list(_template_items(document))
    while stack:
        component = stack.pop()
        yield component
        for key in ("item", "items", "firstItem", "lastItem"):
            if key in component:
                stack.extend(_as_list(component[key]))


def component_problems(document: Mapping[str, Any]) -> list[str]:
    found = [f"document key {k!r}" for k in document if k not in DOCUMENT_KEYS]
    if document.get("version") != APL_VERSION:
        found.append(f"document declares APL {document.get('version')!r}, not {APL_VERSION}")
    for block in document.get("resources", []):
        found += [f"resource key {k!r}" for k in block if k not in RESOURCE_KEYS]
    for name, style in document.get("styles", {}).items():
        found += [f"style {name}: key {k!r}" for k in style if k not in STYLE_KEYS]
    for component in components(document):
        kind = component.get("type")
        allowed = COMPONENT_PROPERTIES.get(kind)
        if allowed is None:
            found.append(f"component {kind!r} is not one of {sorted(COMPONENT_PROPERTIES)}")
            continue
        for key, value in component.items():
            if key not in allowed | COMMON_PROPERTIES:
                found.append(f"{kind}.{key} is not an APL {APL_VERSION} property")
            if key in COMMAND_PROPERTIES:
                found += _command_problems(value, f"{kind}.{key}")
    for name, graphic in document.get("graphics", {}).items():
        found += graphic_problems(graphic, name)
    return found


def _command_problems(commands: Any, where: str) -> list[str]:
    found = []
    for command in _as_list(commands):
        allowed = COMMANDS.get(command.get("type"))
        if allowed is None:
            found.append(f"{where}: command {command.get('type')!r} is not listed")
            continue
        found += [f"{where}: {command['type']}.{k}" for k in command if k not in allowed]
    return found


def graphic_problems(graphic: Mapping[str, Any], name: str) -> list[str]:
    found = [f"graphic {name}: key {k!r}" for k in graphic if k not in GRAPHIC_KEYS]
    if graphic.get("type") != "AVG" or graphic.get("version") != AVG_VERSION:
        found.append(f"graphic {name}: not AVG {AVG_VERSION}")
    stack = list(_as_list(graphic.get("items", graphic.get("item", []))))
    while stack:
        element = stack.pop()
        allowed = GRAPHIC_ELEMENTS.get(element.get("type"))
        if allowed is None:
            found.append(f"graphic {name}: element {element.get('type')!r}")
            continue
        found += [f"graphic {name}: {element['type']}.{k}" for k in element if k not in allowed]
        stack.extend(_as_list(element.get("items", element.get("item", []))))
    return found


# ----- data binding ------------------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{([^}]*)\}")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
# A name and its .attributes, not a resource (@name) and not a number.
_PATH = re.compile(r"(?<![@\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def binding_paths(value: Any) -> Iterator[str]:
    """Every dotted name used in the ${...} expressions of a JSON value."""
    if isinstance(value, str):
        for expression in _EXPRESSION.findall(value):
            yield from _PATH.findall(_STRING.sub("''", expression))
    elif isinstance(value, list):
        for item in value:
            yield from binding_paths(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from binding_paths(item)


def _resolves(path: str, scope: Mapping[str, Any]) -> bool:
    root, *attributes = path.split(".")
    if root in GLOBALS:
        return True
    if root not in scope:
        return False
    value = scope[root]
    if value is _ANY:
        return True
    for attribute in attributes:
        if not isinstance(value, dict) or attribute not in value:
            return False
        value = value[attribute]
    return True


_ANY = object()  # a bound name whose value the datasource does not fix (bind, index)


def binding_problems(document: Mapping[str, Any], datasources: Mapping[str, Any]) -> list[str]:
    """Every ${...} path in the document that its datasource and APL's context do not define."""
    found: list[str] = []
    parameters = document["mainTemplate"].get("parameters", [])
    scope: dict[str, Any] = {name: datasources.get(name, {}) for name in parameters}
    for component in _template_items(document):
        _check(component, scope, found)
    for block in document.get("resources", []):
        for path in binding_paths(block.get("when", "")):
            if not _resolves(path, scope):
                found.append(f"resource: {path}")
    for name, style in document.get("styles", {}).items():
        for values in _as_list(style.get("values", [])):
            for path in binding_paths(values.get("when", "")):
                if not path.startswith("state.") and not _resolves(path, scope):
                    found.append(f"style {name}: {path}")
    return found


def _check(component: dict[str, Any], scope: dict[str, Any], found: list[str]) -> None:
    scope = dict(scope)
    for binding in component.get("bind", []):
        for path in binding_paths(binding.get("value")):
            if not _resolves(path, scope):
                found.append(f"{component['type']} bind {binding['name']}: {path}")
        scope[binding["name"]] = _ANY
    own = {k: v for k, v in component.items() if k not in {"bind", "item", "items", "data"}}
    for path in binding_paths(own):
        if not _resolves(path, scope):
            found.append(f"{component['type']}: {path}")
    children = [
        c for key in ("item", "items") if key in component for c in _as_list(component[key])
    ]
    if "data" not in component:
        for child in children:
            _check(child, scope, found)
        return
    for path in binding_paths(component["data"]):
        if not _resolves(path, scope):
            found.append(f"{component['type']} data: {path}")
    # An empty array inflates no child, so there is nothing to bind; every element is checked.
    for item in _data_items(component["data"], scope):
        for child in children:
            _check(child, {**scope, "data": item, "index": _ANY, "length": _ANY}, found)


def _data_items(expression: Any, scope: Mapping[str, Any]) -> list[Any]:
    match = _EXPRESSION.fullmatch(expression) if isinstance(expression, str) else None
    if match is None:
        return expression if isinstance(expression, list) else []
    value: Any = scope
    for attribute in match.group(1).strip().split("."):
        value = value.get(attribute) if isinstance(value, dict) else None
    return value if isinstance(value, list) else []
