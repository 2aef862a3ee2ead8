"""Align a candidate's trace with the reference's and find the earliest
semantic divergence k* (README, "Alignment"; the event model: docs/EVENTS.md).

Real candidates rename variables, add helpers and rewrite loops, so nothing
here compares step k with step k or a variable with its namesake. Instead:

1. functions are matched by name (the entry point always), variables by what
   they hold: parameters by position, the returned variable with the returned
   variable, the rest by the overlap of their value histories;
2. each matched variable's history is checked against its counterpart's: the
   candidate may take extra intermediate values (a helper loop converging on
   the reference's maximum), but the first reference value it never reaches is
   a *value divergence* at the candidate write that should have produced it;
3. decision points are matched by the variables their bodies write (so a
   helper loop has no counterpart) and their outcome sequences compared: the
   first differing outcome is a *branch divergence* at that condition;
4. return values of matched functions are compared in order;
5. the earliest of these in the candidate's time is k*. A wrong value always
   shows up at the write that produced it before any decision it feeds, so
   "earliest" is what traces a wrong decision back to a wrong assignment.
   When the only symptom is a wrong final result and a matched variable lacks
   values the reference produced, the writes that never happened point to the
   condition that kept them from happening.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from egca import syntax
from egca.core import DivergenceKind, Range
from egca.plugin import LanguageAdapter
from egca.trace import Event, Trace, Write
from egca.values import display

# Name equality is a strong hint that two variables play the same role; value
# overlap decides otherwise.
NAME_BONUS = 1.0
# Share of values two histories must have in common to be matched on values alone.
MIN_OVERLAP = 0.5
LOOP_KINDS = {"for", "while", "do", "loop", "do-while", "for-in", "for-of"}


@dataclass(frozen=True)
class Found:
    event: int                 # index of the candidate event where it shows (time)
    kind: DivergenceKind       # value | branch | return | missing | call
    candidate: Range
    reference: Range | None
    reason: str
    ref_event: int | None = None   # the reference event it corresponds to, when known
    # Candidate name -> reference name of the matched functions and variables (the divergent
    # function's first): how the two programs' texts correspond (egca.spans.narrow).
    rename: dict[str, str] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Side:
    trace: Trace
    program: bytes


def find_divergence(adapter: LanguageAdapter, cand: Side, ref: Side, entry_point: str,
                    partial: bool = False, legacy: bool = False) -> Found | None:
    """The earliest divergence of the candidate's trace from the reference's, or None.

    `partial`: the candidate's trace stops early (it crashed): a value the candidate has not
    reached yet, a return it never made, is not a divergence; only what it did differently
    before it stopped is. `legacy`: the rules before sub-statement spans (benchmarks'
    "before" column)."""
    fmap, vmap = _maps(cand, ref, entry_point)
    hit = _earliest(adapter, cand, ref, fmap, vmap, partial, legacy)
    if hit is None:
        return None
    return replace(hit, rename=_rename(cand.trace, fmap, vmap, hit.event))


def find_crash_cause(adapter: LanguageAdapter, cand: Side, ref: Side, entry_point: str,
                     crash: Range | None) -> Found | None:
    """For a candidate that raised or crashed on a test the reference passes: the earliest
    divergence *before* the error (a wrong index computed earlier; a wrong argument of the
    call that recursed without end, in the statement that crashed), or None when its trace
    shows nothing before the error."""
    stop = next((e.idx for e in cand.trace.events if e.kind == "exception"), len(cand.trace.events))
    hit = find_divergence(adapter, cand, ref, entry_point, partial=True)
    if hit is not None and (hit.event >= stop or hit.candidate is None):
        hit = None
    # The statement that crashed may have read a value that was already wrong (a list built one
    # element short, then indexed): the write of that value is the cause, if it came first.
    last = next((e for e in reversed(cand.trace.events[:stop]) if e.kind == "step"), None)
    if crash is not None and last is not None:
        fmap, vmap = _maps(cand, ref, entry_point)
        names = syntax.read_names(adapter, cand.program, crash)
        wrong = _wrong_input(adapter, cand, ref, vmap, last.function, names, last.frame, stop)
        if wrong is not None and wrong.candidate is not None and (hit is None or wrong.event < hit.event):
            hit = replace(wrong, rename=_rename(cand.trace, fmap, vmap, wrong.event))
    return hit


def _maps(cand: Side, ref: Side, entry_point: str):
    """Matched functions (candidate -> reference) and variables ((function, name) -> same)."""
    fmap = map_functions(cand.trace, ref.trace, entry_point)
    vmap: dict[tuple[str, str], tuple[str, str]] = {}
    for cf, rf in fmap.items():
        vmap.update(map_variables(cand.trace, ref.trace, cf, rf))
    return fmap, vmap


def _rename(cand: Trace, fmap: dict[str, str], vmap: dict[tuple[str, str], tuple[str, str]],
            event: int) -> dict[str, str]:
    """Candidate name -> reference name: matched functions, then matched variables, those of
    the function the divergence is in winning over namesakes elsewhere."""
    here = cand.events[event].function if 0 <= event < len(cand.events) else None
    out = {c: r for c, r in fmap.items()}
    for (cf, c), (_, r) in sorted(vmap.items(), key=lambda kv: kv[0][0] == here):
        out[c] = r
    return out


def _earliest(adapter: LanguageAdapter, cand: Side, ref: Side, fmap: dict[str, str],
              vmap: dict[tuple[str, str], tuple[str, str]], partial: bool, legacy: bool) -> Found | None:
    found: list[Found] = []
    missing: list[tuple[tuple[str, str], tuple[str, str], Write]] = []
    for (cf, x), (rf, v) in vmap.items():
        hit = _value_divergence(adapter, cand, ref, (cf, x), (rf, v), partial, legacy)
        if isinstance(hit, Found):
            found.append(hit)
        elif hit is not None and not partial:
            missing.append(((cf, x), (rf, v), hit))
    found.extend(_branch_divergences(adapter, cand, ref, fmap, vmap, partial))
    found.extend(_return_divergences(cand, ref, fmap))
    found.sort(key=lambda f: (f.event, _KIND_ORDER.get(f.kind, 9)))

    earliest = found[0] if found else None
    if (earliest is None or earliest.kind == DivergenceKind.RETURN) and missing:
        hit = _missing_write(adapter, cand, ref, missing)
        if hit is not None:
            return hit
    if earliest is not None and earliest.kind == DivergenceKind.RETURN and not legacy:
        rename = _rename(cand.trace, fmap, vmap, earliest.event)
        hit = _return_cause(adapter, cand, ref, earliest) or _near_call(adapter, cand, ref, earliest, fmap, rename)
        if hit is not None:
            return hit
    if earliest is not None and earliest.kind == DivergenceKind.BRANCH and not legacy:
        hit = _decision_input(adapter, cand, ref, earliest, vmap)
        if hit is not None:
            return hit
    if earliest is not None and earliest.kind in (DivergenceKind.VALUE, DivergenceKind.BRANCH) and missing:
        return _mistimed_input(adapter, cand, ref, earliest, missing) or earliest
    return earliest


_KIND_ORDER = {DivergenceKind.VALUE: 0, DivergenceKind.CALL: 1, DivergenceKind.BRANCH: 2, DivergenceKind.RETURN: 3}


# --- matching ------------------------------------------------------------------------

def map_functions(cand: Trace, ref: Trace, entry_point: str) -> dict[str, str]:
    cf, rf = cand.functions(), ref.functions()
    fmap = {f: f for f in cf if f in rf}
    if entry_point in cf and entry_point in rf:
        fmap[entry_point] = entry_point
    rest_c = [f for f in cf if f not in fmap]
    rest_r = [f for f in rf if f not in fmap.values()]
    if len(rest_c) == 1 and len(rest_r) == 1:   # one renamed helper each side
        fmap[rest_c[0]] = rest_r[0]
    return fmap


def map_variables(cand: Trace, ref: Trace, cf: str, rf: str) -> dict[tuple[str, str], tuple[str, str]]:
    c_names = [n for (f, n) in cand.writes if f == cf]
    r_names = [n for (f, n) in ref.writes if f == rf]
    mapping: dict[str, str] = {}
    for c, r in zip(cand.params.get(cf, []), ref.params.get(rf, [])):
        mapping[c] = r
    c_ret, r_ret = _returned_variable(cand, cf), _returned_variable(ref, rf)
    # Returned with returned, unless a namesake exists (then `return c` for `return depth`
    # is a wrong variable returned, not a rename).
    if c_ret and r_ret and c_ret not in mapping and r_ret not in mapping.values() \
            and (c_ret == r_ret or (c_ret not in r_names and r_ret not in c_names)):
        mapping[c_ret] = r_ret
    scored = []
    for c in c_names:
        if c in mapping:
            continue
        c_hist = cand.history(cf, c)
        hc = Counter(_hashable(w.value) for w in c_hist)
        for r in r_names:
            if r in mapping.values():
                continue
            r_hist = ref.history(rf, r)
            hr = Counter(_hashable(w.value) for w in r_hist)
            overlap = sum((hc & hr).values()) / max(sum(hc.values()), sum(hr.values()), 1)
            if c == r:
                scored.append((overlap + NAME_BONUS, c, r))
            # On values alone, a weak overlap is trusted only when the variables also start
            # alike: an index 0, 1, 2 shares values with the elements 1, 2, -3 it walks.
            elif overlap >= MIN_OVERLAP or (overlap > 0 and c_hist[0].value == r_hist[0].value):
                scored.append((overlap, c, r))
    for _, c, r in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if c not in mapping and r not in mapping.values():
            mapping[c] = r
    return {(cf, c): (rf, r) for c, r in mapping.items()}


def _returned_variable(trace: Trace, function: str) -> str | None:
    """The variable whose value the function's last return handed back, if exactly one."""
    rets = trace.returns.get(function)
    if not rets:
        return None
    last = rets[-1]
    current: dict[str, Any] = {}
    for (f, name), writes in trace.writes.items():
        if f != function:
            continue
        for w in writes:
            if w.frame == last.frame and w.event < last.idx:
                current[name] = w.value
    names = [n for n, v in current.items() if v == last.value]
    return names[0] if len(names) == 1 else None


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


# --- divergences ---------------------------------------------------------------------

def _value_divergence(adapter: LanguageAdapter, cand: Side, ref: Side, c_key: tuple[str, str],
                      r_key: tuple[str, str], partial: bool = False, legacy: bool = False):
    """Found at the first candidate write that misses a reference value, the reference
    Write the candidate never produced ("missing"), or None when consistent."""
    hc, hr = cand.trace.history(*c_key), ref.trace.history(*r_key)
    if not hr:
        return None
    if partial and not _written_in_loop(adapter, ref, hr):
        return None   # may still be on its way to the reference's values when it stopped
    # Consistent when the candidate reaches every reference value in order and ends where
    # the reference ends: extra intermediate values are another way to compute what the
    # reference computes in one go (a loop for `max(...)`). Not when the reference itself
    # steps the variable through a loop: then each value is a step, and an extra one
    # (`i += 1` for `i += 2`) is a wrong step.
    if not _written_in_loop(adapter, ref, hr):
        p = 0
        for rw in hr:
            p = next((k + 1 for k in range(p, len(hc)) if hc[k].value == rw.value), -1)
            if p < 0:
                break
        if p >= 0 and (not hc or hc[-1].value == hr[-1].value):
            return None
    # Otherwise the divergence is the first write that differs from its counterpart in order.
    for cw, rw in zip(hc, hr):
        if cw.value != rw.value:
            return _value_found(adapter, cand, ref, cw, c_key[1], rw, r_key[1])
    if len(hc) > len(hr):
        extra = hc[len(hr)]
        return (None if legacy else _ran_longer(adapter, cand, hc[len(hr) - 1], extra, c_key[1], hr[-1], r_key[1])) \
            or _value_found(adapter, cand, ref, extra, c_key[1], hr[-1], r_key[1])
    return hr[len(hc)] if len(hr) > len(hc) else None


def _ran_longer(adapter: LanguageAdapter, cand: Side, prev: Write, extra: Write, c_name: str, last: Write,
                r_name: str) -> Found | None:
    """Every value the reference gave the variable, then one more: the write itself is what
    the program says; the decision that let it run once more is the fault. That is the loop
    header's own evaluation right after it wrote (`for i in ...`), else the last decision
    since the previous write that could have kept the write from running: a condition
    around it (a loop that held once too often) or one guarding a `return` before it (a
    search that should have stopped)."""
    ev = cand.trace.events[extra.event]
    if extra.range is None or ev.kind != "step":
        return None
    events = cand.trace.events
    after = next((e for e in events[extra.event + 1:] if e.frame == ev.frame and e.kind in ("step", "branch")), None)
    decision = None
    if after is not None and after.kind == "branch" and after.range is not None \
            and extra.range.start_byte <= after.range.start_byte < extra.range.end_byte and after.taken:
        decision = after
    else:
        for e in reversed(events[prev.event + 1:extra.event]):
            if e.kind != "branch" or e.frame != ev.frame or e.range is None:
                continue
            construct = syntax.construct_range(adapter, cand.program, e.range)
            if construct is None:
                continue
            if construct.start_byte <= extra.range.start_byte < construct.end_byte \
                    or syntax.contains_return(adapter, cand.program, construct):
                decision = e
                break
    if decision is None:
        return None
    said = "true" if decision.taken else "false"
    reason = (f"`{syntax.text(cand.program, decision.range)}` was {said} here, and `{c_name}` went on to "
              f"{display(extra.value)}: one value more than the reference's `{r_name}` ever took")
    # The reference's side: its last write of the variable, where it stopped (no decision of
    # its own to pair with: ref_event stays None).
    return Found(decision.idx, DivergenceKind.BRANCH, decision.range, last.range, reason)


def _written_in_loop(adapter: LanguageAdapter, side: Side, history: list[Write]) -> bool:
    return any(w.range is not None and side.trace.events[w.event].kind == "step"
               and syntax.enclosing_loop(adapter, side.program, w.range) is not None for w in history)


def _value_found(adapter: LanguageAdapter, cand: Side, ref: Side, cw: Write, c_name: str, rw: Write, r_name: str) -> Found:
    event = cand.trace.events[cw.event]
    if event.kind == "call":
        # A parameter with a wrong value: the cause is the call in the caller (on both sides).
        rng = _caller_statement(adapter, cand, event) or cw.range
        ref_event = ref.trace.events[rw.event]
        ref_rng = (_caller_statement(adapter, ref, ref_event) if ref_event.kind == "call" else None) or rw.range
        reason = (f"`{cw.function}` was called with `{c_name}` = {display(cw.value)} here; "
                  f"the reference's `{r_name}` was {display(rw.value)}")
        return Found(cw.event, DivergenceKind.CALL, rng, ref_rng, reason, rw.event)
    reason = f"`{c_name}` became {display(cw.value)} here; the reference's `{r_name}` became {display(rw.value)}"
    return Found(cw.event, DivergenceKind.VALUE, cw.range, rw.range, reason, rw.event)


def _caller_statement(adapter: LanguageAdapter, side: Side, call: Event) -> Range | None:
    """The statement whose evaluation made `call`. A runtime may record a statement before
    or after evaluating it (a `return` after, to know its value), so: the caller frame's
    next statement, or when the caller never resumed (endless recursion, a crash inside
    the call) the first statement calling that function at or after where the caller was."""
    events = side.trace.events
    caller = next((e for e in reversed(events[:call.idx]) if e.depth == call.depth - 1), None)
    if caller is None:
        return None
    for e in events[call.idx + 1:]:
        if e.frame == caller.frame and e.kind == "step":
            return e.range
        if e.depth < caller.depth:
            break
    last = next((e for e in reversed(events[:call.idx]) if e.frame == caller.frame and e.kind == "step"), None)
    callers = syntax.statements_calling(adapter, side.program, call.function)
    here = last.range.start_byte if last is not None and last.range is not None else 0
    return next((r for r in callers if r.start_byte >= here), callers[0] if callers else None)


def _site_signature(adapter: LanguageAdapter, side: Side, function: str, first: Event,
                    rename: dict[str, str] | None) -> frozenset[str]:
    """What a decision controls: the (reference-named) variables written inside its construct."""
    construct = syntax.construct_range(adapter, side.program, first.range) if first.range else None
    if construct is None:
        return frozenset()
    # Static writes count too: a body that never ran in this trace still says what it controls.
    # Only variables of this function count (not `Array` in `Array.isArray(...)`).
    if rename is None:
        rename = {n: n for (f, n) in side.trace.writes if f == function}
    written = syntax.written_names(adapter, side.program, construct)
    sig = {rename[n] for n in written if n in rename}
    # Setting the variable that is returned (`ok = False` ... `return ok`) decides the
    # result just as a `return False` inside the body does.
    if written & syntax.returned_identifiers(adapter, side.program):
        sig.add("<return>")
    if syntax.contains_return(adapter, side.program, construct):
        sig.add("<return>")
    for e in side.trace.events:
        if e.function != function or e.range is None:
            continue
        if not (construct.start_byte <= e.range.start_byte < construct.end_byte):
            continue
        if e.kind == "step":
            sig.update(rename[name] for name, _ in e.bindings if name in rename)
        elif e.kind == "return":
            sig.add("<return>")
    return frozenset(sig)


def _loopish(kind: str) -> bool:
    return kind in LOOP_KINDS


def _branch_divergences(adapter: LanguageAdapter, cand: Side, ref: Side, fmap: dict[str, str],
                        vmap: dict[tuple[str, str], tuple[str, str]], partial: bool = False) -> list[Found]:
    out: list[Found] = []
    for cf, rf in fmap.items():
        rename = {c: r for (f, c), (g, r) in vmap.items() if f == cf}
        c_sites = {k: v for k, v in cand.trace.branches.items() if k[0] == cf}
        r_sites = {k: v for k, v in ref.trace.branches.items() if k[0] == rf}
        c_sig = {k: _site_signature(adapter, cand, cf, v[0], rename) for k, v in c_sites.items()}
        r_sig = {k: _site_signature(adapter, ref, rf, v[0], None) for k, v in r_sites.items()}
        c_ord, r_ord = _ordinals(c_sites), _ordinals(r_sites)
        scored = []
        for ck, cev in c_sites.items():
            for rk, rev in r_sites.items():
                if _loopish(cev[0].branch_kind) != _loopish(rev[0].branch_kind):
                    continue
                a, b = c_sig[ck], r_sig[rk]
                if a or b:
                    jac = len(a & b) / len(a | b)
                    if jac == 0:
                        continue
                else:
                    jac = 0.0
                # Ties (several `if ...: return` guards) go by source order, then by agreement:
                # agreement alone would pair a wrong condition with a reference one it happens to match.
                agree = sum(x.taken == y.taken for x, y in zip(cev, rev)) / max(len(cev), len(rev))
                scored.append((jac + 0.2 * (c_ord[ck] == r_ord[rk]) + 0.1 * agree, ck, rk))
        used_c, used_r = set(), set()
        for _, ck, rk in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
            if ck in used_c or rk in used_r:
                continue
            used_c.add(ck)
            used_r.add(rk)
            hit = _first_outcome_mismatch(cand, c_sites[ck], r_sites[rk])
            if hit:
                out.append(hit)
    return out


def _ordinals(sites: dict[tuple[str, int], list[Event]]) -> dict[tuple[str, int], tuple[bool, int]]:
    """Each decision point's place among the function's ifs (or loops), in source order."""
    out = {}
    for loopish in (False, True):
        keys = sorted(k for k, v in sites.items() if _loopish(v[0].branch_kind) == loopish)
        out.update({k: (loopish, i) for i, k in enumerate(keys)})
    return out


def _first_outcome_mismatch(cand: Side, ce: list[Event], re_: list[Event]) -> Found | None:
    for k, (x, y) in enumerate(zip(ce, re_)):
        if x.taken != y.taken:
            return _branch_found(cand, x, y, k)
    if len(ce) > len(re_):
        x = ce[len(re_)]
        return _branch_found(cand, x, re_[-1] if re_ else None, len(re_), extra=True)
    return None


def _branch_found(cand: Side, x: Event, y: Event | None, k: int, extra: bool = False) -> Found:
    cond = syntax.text(cand.program, x.range)
    said = "true" if x.taken else "false"
    if extra or y is None:
        reason = f"`{cond}` was evaluated a {_ordinal(k + 1)} time here (it was {said}); the reference decided only {k} time(s)"
    else:
        reason = (f"`{cond}` was {said} here (evaluation {k + 1}); "
                  f"the reference's condition was {'true' if y.taken else 'false'}")
    return Found(x.idx, DivergenceKind.BRANCH, x.range, y.range if y else None, reason,
                 None if extra or y is None else y.idx)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _return_divergences(cand: Side, ref: Side, fmap: dict[str, str]) -> list[Found]:
    out = []
    for cf, rf in fmap.items():
        for x, y in zip(cand.trace.returns.get(cf, []), ref.trace.returns.get(rf, [])):
            if x.value != y.value:
                rng = _return_statement(cand.trace, x)
                reason = f"`{cf}` returned {display(x.value)} here; the reference returned {display(y.value)}"
                out.append(Found(x.idx, DivergenceKind.RETURN, rng, _return_statement(ref.trace, y), reason, y.idx))
                break
    return out


def _return_statement(trace: Trace, ret: Event) -> Range | None:
    """The statement that returned: the last STEP of that frame before the RETURN, or the
    return statement inside it that the RETURN names (`if s == "": return 0` on one line)."""
    for e in reversed(trace.events[:ret.idx]):
        if e.kind == "step" and e.frame == ret.frame:
            r = ret.range
            if r is not None and e.range is not None and r != e.range \
                    and r.start_byte >= e.range.end_byte and r.start_line == e.range.end_line:
                return r
            return e.range
    return ret.range


def _decision_input(adapter: LanguageAdapter, cand: Side, ref: Side, hit: Found,
                    vmap: dict[tuple[str, str], tuple[str, str]]) -> Found | None:
    """A decision that went the other way because an input was already wrong: a matched
    variable the condition reads held another value than its counterpart did at the
    reference's decision. The value rule can miss that write (a crashed run may still have
    been on its way to the reference's values; `int i = 1` for `int i = 2` never changes
    again before the crash), but at a matched decision the two must agree."""
    if hit.ref_event is None or hit.candidate is None:
        return None
    ce, re_ = cand.trace.events[hit.event], ref.trace.events[hit.ref_event]
    names = syntax.read_names(adapter, cand.program, hit.candidate)
    return _wrong_input(adapter, cand, ref, vmap, ce.function, names, ce.frame, ce.idx, (re_.frame, re_.idx))


def _wrong_input(adapter: LanguageAdapter, cand: Side, ref: Side, vmap: dict[tuple[str, str], tuple[str, str]],
                 function: str, names: set[str], frame: int, before: int,
                 ref_at: tuple[int, int] | None = None) -> Found | None:
    """The earliest write, among the current values of `names` in the candidate's `frame`
    just before event `before`, whose value differs from the reference's write at the same
    place in the matched variable's history. A stale value (an update after it never
    happened) is no wrong write: it equals its counterpart. `ref_at` (frame, event): also
    require the reference's current value there to differ (a matched decision)."""
    best: Found | None = None
    for x in sorted(names):
        r_key = vmap.get((function, x))
        if r_key is None:
            continue
        cw = _current(cand.trace, (function, x), frame, before)
        if cw is None:
            continue
        if ref_at is not None:
            rw = _current(ref.trace, r_key, *ref_at)
            if rw is None or rw.value == cw.value:
                continue
        hc, hr = cand.trace.history(function, x), ref.trace.history(*r_key)
        k = sum(1 for w in hc if w.event <= cw.event) - 1
        if k < 0 or k >= len(hr) or hc[k].value == hr[k].value:
            continue
        if best is None or cw.event < best.event:
            best = _value_found(adapter, cand, ref, cw, x, hr[k], r_key[1])
    return best


def _current(trace: Trace, key: tuple[str, str], frame: int, before: int) -> Write | None:
    """The write that gave a variable its value in `frame` just before event `before`."""
    return next((w for w in reversed(trace.writes.get(key, [])) if w.frame == frame and w.event < before), None)


def _missing_write(adapter: LanguageAdapter, cand: Side, ref: Side,
                   missing: list[tuple[tuple[str, str], tuple[str, str], Write]]) -> Found | None:
    """A matched variable never received a value the reference gave it. Either a
    statement that writes it ran without changing it (`m = min(m, x)` where the
    reference takes the max): blame that statement; or no such statement ran:
    blame the condition that kept it from running."""
    best: Found | None = None
    for (cf, x), (rf, v), rw in missing:
        writers = syntax.statements_writing(adapter, cand.program, x)
        hit = _unchanging_write(cand, cf, x, v, rw, writers)
        if hit is None:
            hit = _guarded_write(adapter, cand, cf, x, v, rw, writers)
        if hit is not None and (best is None or hit.event < best.event):
            best = hit
    return best


def _unchanging_write(cand: Side, cf: str, x: str, v: str, rw: Write, writers: list[Range]) -> Found | None:
    last_change = max((w.event for w in cand.trace.history(cf, x)), default=-1)
    starts = {r.start_byte: r for r in writers}
    for e in cand.trace.events[last_change + 1:]:
        if e.kind == "step" and e.function == cf and e.range is not None and e.range.start_byte in starts \
                and all(name != x for name, _ in e.bindings):
            reason = (f"`{syntax.text(cand.program, e.range)}` left `{x}` unchanged here; the reference's "
                      f"`{v}` became {display(rw.value)}")
            return Found(e.idx, DivergenceKind.VALUE, e.range, rw.range, reason, rw.event)
    return None


def _guarded_write(adapter: LanguageAdapter, cand: Side, cf: str, x: str, v: str, rw: Write,
                   writers: list[Range]) -> Found | None:
    best: Found | None = None
    for stmt in writers:
        cond = syntax.enclosing_condition(adapter, cand.program, stmt)
        if cond is None:
            continue
        decisions = [e for (f, _), evs in cand.trace.branches.items() if f == cf for e in evs
                     if _decides(e, cond)]
        first_no = next((d for d in decisions if not d.taken), None)
        if first_no is None:
            continue
        reason = (f"`{x}` never got the value {display(rw.value)} that the reference's `{v}` received: "
                  f"`{syntax.text(cand.program, stmt)}` did not run because "
                  f"`{syntax.text(cand.program, cond)}` was false")
        hit = Found(first_no.idx, DivergenceKind.MISSING, cond, rw.range, reason, rw.event)
        if best is None or hit.event < best.event:
            best = hit
    return best


def _mistimed_input(adapter: LanguageAdapter, cand: Side, ref: Side, hit: Found,
                    missing: list[tuple[tuple[str, str], tuple[str, str], Write]]) -> Found | None:
    """A wrong value or decision computed from a variable whose history went wrong without
    a differing value of its own (values say nothing about *when*):
    - updated fewer times than its counterpart by then: an assignment ran but wrote the
      same value again, leaving no trace of its own: blame the last statement before that
      writes it;
    - updated more times: it was set too early (`k = 1` where the reference resets `k = 0`):
      blame that write."""
    if hit.ref_event is None:
        return None
    event = cand.trace.events[hit.event]
    reads = syntax.read_names(adapter, cand.program, hit.candidate)
    for (cf, x), (rf, v), rw in missing:
        if cf != event.function or x not in reads:
            continue
        updates = [w for w in cand.trace.history(cf, x) if w.event < hit.event]
        ref_updates = [w for w in ref.trace.history(rf, v) if w.event < hit.ref_event]
        if len(updates) > len(ref_updates) and cand.trace.events[updates[-1].event].kind == "step":
            w = updates[-1]
            reason = (f"`{x}` became {display(w.value)} here, a change the reference's `{v}` had not made "
                      f"by the corresponding point")
            return Found(w.event, DivergenceKind.VALUE, w.range, ref_updates[-1].range if ref_updates else rw.range,
                         reason)
        if len(updates) < len(ref_updates):
            # Only a write that ran after the last change and left the value as it was.
            since = updates[-1].event if updates else -1
            for e in reversed(cand.trace.events[since + 1:hit.event]):
                if e.kind == "step" and e.frame == event.frame and e.range is not None \
                        and x in syntax.written_names(adapter, cand.program, e.range):
                    reason = (f"`{syntax.text(cand.program, e.range)}` left `{x}` unchanged here; the reference's "
                              f"`{v}` became {display(ref_updates[len(updates)].value)}")
                    return Found(e.idx, DivergenceKind.VALUE, e.range, ref_updates[len(updates)].range, reason)
    return None


# --- a wrong result with no counterpart structure: follow the returned value back ----------

def _sequence(value: Any) -> tuple | str | None:
    """A string, or the items of a complete (not truncated) list; else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "list" and value[2] == -1:
        return value[1]
    return None


def _return_cause(adapter: LanguageAdapter, cand: Side, ref: Side, hit: Found) -> Found | None:
    """A matched function returned a wrong sequence (list, string) built by a variable the
    reference has no counterpart for (it filters or maps in a comprehension, joins, calls a
    built-in). Values decide where it went wrong: the first write that left the variable in
    a state from which appending or prepending can never reach the reference's result (not
    a prefix, not a suffix of it) is the divergence; when that write ran under a condition
    (not a loop), the condition that let it run is. A variable that never received any
    element the reference's result has: the condition that kept its writes from running."""
    if hit.ref_event is None:
        return None
    x, y = cand.trace.events[hit.event], ref.trace.events[hit.ref_event]
    want = _sequence(y.value)
    if want is None or _sequence(x.value) is None:
        return None
    name = _variable_holding(cand.trace, x)
    if name is None:
        return None
    writes = [w for w in cand.trace.writes.get((x.function, name), [])
              if w.frame == x.frame and w.event < x.idx and cand.trace.events[w.event].kind == "step"]
    states = [(w, _sequence(w.value)) for w in writes]
    if not states or any(v is None for _, v in states):
        return None
    if not _reachable(states[0][1], want, "both"):
        return None   # not built up from a part of the result: nothing to follow
    # Each writing statement grows the value at one end: appending must stay a prefix of the
    # result, prepending a suffix.
    ends: dict[int, set[str]] = {}
    for (_, p), (w, v) in zip(states, states[1:]):
        grows = {end for end, ok in (("prefix", v[:len(p)] == p), ("suffix", v[len(v) - len(p):] == p)) if ok}
        if len(p) < len(v) and len(grows) == 1 and w.range is not None:
            ends.setdefault(w.range.start_byte, set()).update(grows)
    for w, v in states[1:]:
        end = ends.get(w.range.start_byte if w.range else -1, set())
        if _reachable(v, want, next(iter(end)) if len(end) == 1 else "both"):
            continue
        guard = _guard(adapter, cand, x.function, w)
        shown = display(want)
        if guard is not None:
            reason = (f"`{syntax.text(cand.program, guard[0])}` let `{syntax.text(cand.program, w.range)}` make "
                      f"`{name}` {display(w.value)} here; the reference's result {shown} cannot be reached from it")
            return Found(guard[1].idx, DivergenceKind.BRANCH, guard[0], hit.reference, reason, None)
        reason = (f"`{name}` became {display(w.value)} here; the reference's result {shown} cannot be reached "
                  f"from it")
        return Found(w.event, DivergenceKind.VALUE, w.range, hit.reference, reason, None)
    if len(states) == 1 and len(want) > len(states[0][1]):
        # Never grew: the writes that would have added the reference's elements never ran.
        best = None
        for stmt in syntax.statements_writing(adapter, cand.program, name):
            cond = _condition_of(adapter, cand.program, stmt)
            if cond is None:
                continue
            decisions = [e for e in cand.trace.events if e.kind == "branch" and e.function == x.function
                         and e.frame == x.frame and e.idx < x.idx and _decides(e, cond)]
            if decisions and not any(d.taken for d in decisions) and (best is None or decisions[0].idx < best[1].idx):
                best = (cond, decisions[0], stmt)
        if best is not None:
            cond, first, stmt = best
            reason = (f"`{name}` never received an element of the reference's result {display(want)}: "
                      f"`{syntax.text(cand.program, stmt)}` never ran because "
                      f"`{syntax.text(cand.program, cond)}` was always false")
            return Found(first.idx, DivergenceKind.MISSING, cond, hit.reference, reason, None)
    return None


def _reachable(state: tuple | str, want: tuple | str, end: str) -> bool:
    """Can appending (`end` prefix) or prepending (suffix), or either (both), turn `state`
    into `want`?"""
    n = len(state)
    if n > len(want):
        return False
    return (end != "suffix" and want[:n] == state) or (end != "prefix" and want[len(want) - n:] == state)


def _variable_holding(trace: Trace, ret: Event) -> str | None:
    """The one variable of the returning frame whose value was the returned value (written by
    a statement: a parameter handed back unchanged is not built by the function)."""
    current: dict[str, Any] = {}
    for e in trace.events[:ret.idx]:
        if e.frame == ret.frame and e.kind == "step":
            for name, value in e.bindings:
                current[name] = value
    names = [n for n, v in current.items() if v == ret.value]
    return names[0] if len(names) == 1 else None


def _guard(adapter: LanguageAdapter, cand: Side, function: str, w: Write) -> tuple[Range, Event] | None:
    """The condition of the innermost conditional (not a loop) around a write, and its last
    decision before the write, when one is inside the same loop iteration."""
    cond = _condition_of(adapter, cand.program, w.range) if w.range is not None else None
    if cond is None:
        return None
    for e in reversed(cand.trace.events[:w.event]):
        if e.kind == "branch" and e.frame == w.frame and _decides(e, cond):
            return cond, e
    return None


def _decides(e: Event, cond: Range) -> bool:
    """Is this BRANCH event the decision of the condition `cond` (which may include the
    parentheses the runtime leaves out)?"""
    return e.range is not None and cond.start_byte <= e.range.start_byte < cond.end_byte \
        and e.range.end_byte <= cond.end_byte


def _condition_of(adapter: LanguageAdapter, program: bytes, rng: Range) -> Range | None:
    """The condition of the innermost conditional statement around `rng`, unless a loop or
    a function is closer."""
    cond = syntax.enclosing_condition(adapter, program, rng)
    loop = syntax.enclosing_loop(adapter, program, rng)
    if cond is None:
        return None
    if loop is not None and loop.start_byte > cond.start_byte:
        return None
    if loop is not None and loop.start_byte <= cond.start_byte < loop.end_byte:
        return None   # the loop's own header
    return cond


def _near_call(adapter: LanguageAdapter, cand: Side, ref: Side, hit: Found, fmap: dict[str, str],
               rename: dict[str, str]) -> Found | None:
    """A wrong result whose computation has no counterpart statements may still call what
    the reference calls (`range(n)` in a loop where the reference sums `range(n + 1)`): the
    first executed candidate statement that calls a function the reference's counterpart
    function also calls, with the same number of arguments but other ones, where the
    reference never makes that exact call, is blamed."""
    from egca.spans import calls_compared

    x = cand.trace.events[hit.event]
    rf = fmap.get(x.function)
    ref_fn = syntax.function_range(adapter, ref.program, rf) if rf else None
    if ref_fn is None:
        return None
    seen: set[int] = set()
    for e in cand.trace.events[:x.idx]:
        if e.kind != "step" or e.frame != x.frame or e.range is None or e.range.start_byte in seen:
            continue
        seen.add(e.range.start_byte)
        found = calls_compared(adapter, cand.program, e.range, ref.program, ref_fn, rename)
        if found is not None:
            mine, theirs = found
            reason = (f"`{syntax.text(cand.program, mine)}` here calls what the reference calls as "
                      f"`{syntax.text(ref.program, theirs)}`, with other arguments; {hit.reason}")
            return Found(e.idx, DivergenceKind.CALL, e.range, theirs, reason, None)
    return None
