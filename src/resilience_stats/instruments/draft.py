"""A first draft of a questionnaire YAML from a survey platform's export (``resilience-stats instruments init``).

The export's headers become items (their question numbers removed, the row text of a matrix question kept),
the option texts the answers use become the response scale, and the platform's own columns (序号, 所用时间,
IP ...) become fields. What a file cannot tell is left for the researcher, and the draft says so in comments:
which items form which construct (all items start in one construct ``C1``), which items are reverse-keyed, and
the order of option texts that are not a known agreement scale.

Option texts are ordered by the agreement wordings of the bundled questionnaires (非常不同意 ... 非常同意 and
their aliases) when every text is one of them; texts meaning "no answer" (不知道, 拒绝回答 ...) become missing
codes outside the scale (with a known agreement scale, the bundled questionnaires' codes 8 = 不知道 and
9 = 拒绝回答 are declared even when the export does not use them, so that a later wave that does reads
cleanly). Several exports (waves) can be drafted together. Numeric answers give a numeric scale from the smallest to the largest code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from ..errors import SurveyReadError

__all__ = ["draft_instrument", "draft_spec"]

#: A column whose answers take more distinct values than this is free text, not a closed question.
MAX_OPTIONS = 11
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _known_orders() -> tuple[list[list[str]], dict[str, int]]:
    """Agreement scales of the bundled questionnaires (texts per code, in order) and their missing texts
    ({text: code})."""
    from .loading import list_instruments, load_instrument

    scales, missing = [], {}
    for name in list_instruments():
        inst = load_instrument(name)
        for scale in inst.scales.values():
            if scale.labels:
                scales.append([[*lab.texts, *lab.aliases, *lab.fuzzy_aliases]
                               for _code, lab in sorted(scale.labels.items())])
        for code, lab in inst.spec.missing_codes.items():
            for text in (*lab.texts, *lab.aliases):
                missing.setdefault(text.strip().casefold(), int(code))
    return scales, missing


def _standard_missing() -> list[str]:
    """The missing-code labels of the bundled questionnaires (不知道, 拒绝回答), in code order."""
    from .loading import load_instrument

    codes = load_instrument("party_building_social_capital").spec.missing_codes
    return [lab.zh or lab.en for _code, lab in sorted(codes.items())]


def _header_text(header: str) -> str:
    from ..survey.coding import _matrix_row, strip_question_number

    row = _matrix_row(header)
    text = row if row is not None else strip_question_number(header)
    return text.strip() or header.strip()


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _options(values: pd.Series) -> list[str] | None:
    """The distinct answers of a closed question in order of first appearance, or None for free text."""
    texts = [str(v).strip() for v in values.dropna().tolist() if str(v).strip()]
    distinct = list(dict.fromkeys(texts))
    if not distinct or len(distinct) > MAX_OPTIONS:
        return None
    return distinct


def _scale_for(options: list[str], known: list[list[list[str]]], missing: dict[str, str]) -> dict:
    """A scale block (and the missing texts seen) for one set of answers."""
    answers = [o for o in options if o.casefold() not in missing]
    seen_missing = [o for o in options if o.casefold() in missing]
    if answers and all(_is_number(o) for o in answers):
        numbers = sorted(float(o) for o in answers)
        whole = all(n.is_integer() for n in numbers)
        return {"kind": "numeric", "min": int(numbers[0]) if whole else numbers[0],
                "max": int(numbers[-1]) if whole else numbers[-1], "labels": {}, "missing": seen_missing,
                "ordered": True}
    for scale in known:
        lookup = {t.strip().casefold(): code for code, texts in enumerate(scale, start=1) for t in texts}
        if answers and all(a.casefold() in lookup for a in answers):
            labels = {code: (scale[code - 1][0], []) for code in range(1, len(scale) + 1)}
            for a in answers:  # keep the export's own spelling as an alias when it is not the label
                label, aliases = labels[lookup[a.casefold()]]
                if a != label and a not in aliases:
                    aliases.append(a)
            return {"kind": "likert", "min": 1, "max": len(scale), "labels": labels, "missing": seen_missing,
                    "ordered": True}
    labels = {code: (text, []) for code, text in enumerate(answers, start=1)}
    return {"kind": "ordinal", "min": 1, "max": max(2, len(answers)), "labels": labels, "missing": seen_missing,
            "ordered": False}


def draft_spec(raw: pd.DataFrame, instrument_id: str = "my_survey", title: str | None = None) -> tuple[dict, list]:
    """The draft questionnaire as a dict (the YAML's content) and notes for the researcher.

    Parameters
    ----------
    raw : pandas.DataFrame
        The export as read (headers and answers as exported).
    instrument_id : str
        Id of the new questionnaire (lower case letters, digits, _).
    title : str, optional
        Its title (default: the id).

    Returns
    -------
    spec : dict
    notes : list of str
        What to check or edit.

    Examples
    --------
    >>> raw = pd.DataFrame({"序号": [1, 2], "1、我信任邻居": ["非常同意", "比较同意"],
    ...                     "2、社区有应急预案": ["一般", "不知道"]})
    >>> spec, notes = draft_spec(raw)
    >>> [i["text_zh"] for i in spec["items"]], spec["scales"][0]["labels"][5]["zh"]
    (['我信任邻居', '社区有应急预案'], '非常同意')
    """
    from ..survey.coding import DURATION_HEADERS, ID_HEADERS, PLATFORM_COLUMNS

    if not re.fullmatch(r"[a-z][a-z0-9_]*", instrument_id):
        raise ValueError(f"instrument id {instrument_id!r}: use lower case letters, digits and _ (start with a letter)")
    known, missing_texts = _known_orders()
    standard_missing = _standard_missing()
    fields, items, scales, notes = [], [], [], []
    scale_ids: dict[tuple, str] = {}
    seen_missing: list[str] = []
    for header in [str(c) for c in raw.columns]:
        stripped = header.strip()
        if stripped in PLATFORM_COLUMNS:
            role = ("id" if stripped in ID_HEADERS and not any(f["role"] == "id" for f in fields)
                    else "duration" if stripped in DURATION_HEADERS and not any(f["role"] == "duration" for f in fields)
                    else "metadata")
            fid = {"id": "respondent_id", "duration": "duration"}.get(role, f"meta{len(fields) + 1}")
            entry = {"id": fid, "role": role, "type": {"id": "text", "duration": "duration"}.get(role, "text"),
                     "label": {"zh": stripped} if _CJK.search(stripped) else {"en": stripped}, "aliases": [header]}
            if role == "duration":
                entry["unit"] = "seconds"
            fields.append(entry)
            continue
        options = _options(raw[header])
        if options is None:
            notes.append(f"column {header!r} has free-text or many different answers: left out (add it as a field "
                         "if you need it)")
            continue
        scale = _scale_for(options, known, missing_texts)
        key = (scale["kind"], scale["min"], scale["max"],
               tuple(sorted((c, lab[0]) for c, lab in scale["labels"].items())))
        if key not in scale_ids:
            sid = f"scale{len(scale_ids) + 1}"
            scale_ids[key] = sid
            scales.append((sid, scale))
            if scale["kind"] == "numeric":
                notes.append(f"scale {sid}: codes {scale['min']} to {scale['max']} as observed; set min and max to "
                             "the scale's full range (and add labels) if answers did not use every code")
            if not scale["ordered"]:
                notes.append(f"scale {sid}: the order of its option texts {[t for t, _a in scale['labels'].values()]} is not a "
                             "known agreement scale; put them in order (code 1 = lowest) before the analyses")
        sid = scale_ids[key]
        for _sid, sc in scales:  # add this column's spellings to its scale
            if _sid == sid:
                for code, (_label, aliases) in scale["labels"].items():
                    known_aliases = sc["labels"][code][1]
                    known_aliases += [a for a in aliases if a not in known_aliases]
        seen_missing += [m for m in scale["missing"] if m not in seen_missing]
        if scale["kind"] == "likert":  # a known agreement scale: its usual missing codes too
            seen_missing += [m for m in standard_missing if m not in seen_missing]
        text = _header_text(header)
        item = {"id": f"q{len(items) + 1}", "construct": "C1", "scale": sid}
        item["text_zh" if _CJK.search(text) else "text_en"] = text
        if header != text:
            item["aliases"] = [header]
        items.append(item)
    if not items:
        raise SurveyReadError("no closed question found in the export: every column is a platform column or free "
                              "text; check the file")
    missing_codes = {}
    top = max((int(sc["max"]) for _sid, sc in scales), default=5)
    for text in seen_missing:  # the bundled questionnaires' codes (8 = 不知道, 9 = 拒绝回答) when outside the scales
        code = missing_texts.get(text.casefold())
        if code is None or code <= top or code in missing_codes:
            code = max([top + 3, 8, *[c + 1 for c in missing_codes]])
        missing_codes[code] = {"zh": text} if _CJK.search(text) else {"en": text}
    missing_codes = dict(sorted(missing_codes.items()))
    spec = {
        "id": instrument_id,
        "version": "0.1",
        "title": {"zh": title or instrument_id} if _CJK.search(title or "") else {"en": title or instrument_id},
        "scales": [_scale_block(sid, sc) for sid, sc in scales],
        **({"missing_codes": missing_codes} if missing_codes else {}),
        "constructs": [{"id": "C1", "name": {"zh": "构念1（请修改）", "en": "Construct 1 (edit)"}, "role": "other"}],
        "items": items,
        **({"fields": fields} if fields else {}),
    }
    notes.insert(0, f"all {len(items)} items are in construct C1: split them into your constructs (at least 3 items "
                    "each), give the constructs their names and roles, and mark reverse-keyed items (reverse: true)")
    return spec, notes


def _scale_block(sid: str, scale: dict) -> dict:
    block: dict = {"id": sid, "type": scale["kind"] if scale["kind"] != "ordinal" else "likert",
                   "min": scale["min"], "max": scale["max"]}
    labels = {}
    for code, (text, aliases) in sorted(scale["labels"].items()):
        entry = {"zh": text} if _CJK.search(text) else {"en": text}
        if aliases:
            entry["aliases"] = list(aliases)
        labels[code] = entry
    if labels:
        block["labels"] = labels
    return block


def draft_instrument(export, instrument_id: str = "my_survey", encoding: str | None = None,
                     title: str | None = None) -> str:
    """The draft questionnaire YAML (text) for a platform export file (or several: the waves of one survey).

    Parameters
    ----------
    export : str, pathlib.Path or a list of them
        The export(s) (.csv/.xlsx/.sav/...; see :func:`resilience_stats.read_survey`); several are read as
        one table (their answers together give the option texts).
    instrument_id : str, default "my_survey"
    encoding : str, optional
        Text encoding of a CSV export (default: detected).
    title : str, optional
        The questionnaire's title (default: the file name).

    Returns
    -------
    str
        YAML that :func:`resilience_stats.load_instrument` reads, with comments on what to edit.

    Raises
    ------
    SurveyReadError
        The file cannot be read or has no closed question.
    ValueError
        A bad ``instrument_id``.

    Examples
    --------
    >>> text = draft_instrument("wjx_export.xlsx", "community_survey")  # doctest: +SKIP
    >>> Path("community_survey.yaml").write_text(text, encoding="utf-8")  # doctest: +SKIP
    """
    from ..survey.io import read_table

    paths = list(export) if isinstance(export, (list, tuple)) else [export]
    raw = pd.concat([read_table(p, encoding=encoding)[0] for p in paths], ignore_index=True)
    spec, notes = draft_spec(raw, instrument_id, title or Path(str(paths[0])).stem)
    names = ", ".join(Path(str(p)).name for p in paths)
    head = ["# Draft questionnaire made by `resilience-stats instruments init` from " + names,
            "# Edit before use:"] + [f"#  - {n}" for n in notes]
    body = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=110)
    return "\n".join(head) + "\n" + body
