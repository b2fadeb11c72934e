from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """Return mapping[key], or "" when missing (for keys a template cannot spell)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def has(values, key) -> bool:
    """Return whether `key` is among the values (a list, or one value)."""
    if isinstance(values, (list, tuple)):
        return key in values
    return values == key
