"""Schemathesis hooks for Lendstack's API fuzzing (loaded through SCHEMATHESIS_HOOKS by
packages/testing/src/schemathesis.ts).

Random text almost never holds the few characters our stack cannot store: Postgres refuses U+0000 in
text, and a lone UTF-16 surrogate (a JSON "\\ud800" escape) is no valid UTF-8. Thousands of generated
cases went by without one. So in the fuzzing and stateful phases about half the generated path
parameters, query strings and bodies get ONE of their string values poisoned with such a character,
inserted after its first character (length limits still mostly hold). The choice is a Hypothesis
strategy, so a fixed --seed reproduces it and shrinking still works.

A poisoned case is still generated as "positive" (schema-valid) data, and the services refuse it with a
400 naming the field, as their text rule says (packages/platform/src/text-hygiene.ts). So
`filter_failure` drops exactly those positive_data_acceptance failures: a 400 problem whose every
error is one of the text rule's own refusals. Any other refusal of schema-valid data still fails, and
schemathesis counts what was dropped in its summary.
"""

import json

from hypothesis import strategies as st

import schemathesis

# U+0000 travels in URLs (%00) and JSON; a lone surrogate only in JSON (a URL must be UTF-8).
IN_URLS = ["\x00"]
IN_JSON = ["\x00", "\ud800", "\udfff"]


def _string_paths(value, path=()):
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, path + (index,))


def _replaced(value, path, poison):
    if not path:
        return value[:1] + poison + value[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], poison)
    return copy


def _sometimes_poisoned(strategy, poisons):
    def variants(value):
        paths = list(_string_paths(value))
        if not paths:
            return st.just(value)
        poisoned = st.tuples(st.sampled_from(paths), st.sampled_from(poisons)).map(
            lambda choice: _replaced(value, choice[0], choice[1])
        )
        return st.one_of(st.just(value), poisoned)

    return strategy.flatmap(variants)


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    return _sometimes_poisoned(strategy, IN_URLS)


@schemathesis.hook
def before_generate_query(context, strategy):
    return _sometimes_poisoned(strategy, IN_URLS)


def _only_json_bodies(operation):
    """True when every media type the operation's body may be sent as is JSON (a lone surrogate can
    only travel as a JSON escape: a form or text/csv body must be UTF-8, so it gets NUL only)."""
    items = getattr(getattr(operation, "body", None), "items", None) or []
    return all("json" in str(getattr(item, "media_type", "")) for item in items)


@schemathesis.hook
def before_generate_body(context, strategy):
    return _sometimes_poisoned(strategy, IN_JSON if _only_json_bodies(context.operation) else IN_URLS)


# The text rule's refusals (text-hygiene.ts textProblem and its UTF-8 check), and nothing else.
TEXT_RULE_DETAILS = ("must not contain the NUL character (U+0000)", "must be well-formed Unicode (no lone surrogate)", "must be UTF-8")


def _refused_only_by_text_rule(response):
    if response.status_code != 400:
        return False
    try:
        errors = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        return False
    return len(errors) > 0 and all(
        isinstance(e, dict) and any(str(e.get("detail", "")).endswith(d) for d in TEXT_RULE_DETAILS) for e in errors
    )


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code == "ST202" and _refused_only_by_text_rule(response):
        return False
    return True
