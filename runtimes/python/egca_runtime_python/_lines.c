/* The common cases of the Python tracer's hooks, in C.
 *
 * child.py's Tracer._fast_hooks() wraps its Python hooks in the two types below: LineHook is
 * every traced frame's trace function (around `local_trace`), CallHook the global one (around
 * `global_trace`). What they handle they handle exactly as the Python hook would: the same
 * event texts, in the same order, with the same updates of the tracer's state. Anything else
 * is passed to the Python hook before this file has changed anything, so the two always
 * agree; tests/test_python_tracer_cost.py runs every recorded case with and without them.
 *
 * LineHook: a line event where the statement goes on (no event), or where the statement that
 * ended has a plan that bound one name to a plain value (None, bool, int, float, str, bytes)
 * or bound nothing, with the plan's checks passing; and the return from a `return` statement
 * of such a plan with a plain value. Not: exception events, a frame's first line, statements
 * without a plan, containers, printed output, generators, the event budget running out.
 * CallHook: see "call events" below.
 *
 * Why: sys.settrace calls its hook for every line, call and return; as Python code the checks
 * and the text of an event cost ~1.5 us, here a fraction of that. Frame state `st` is the list
 * local_trace keeps per frame (its fields are documented in child.py).
 *
 * The program runs in this process and can reach that state (through sys.gettrace()): what it
 * does to it may spoil its own trace, as in Python, but must not crash the process. So every
 * field is checked before it is used, and whatever is used after a call that may run Python
 * code (a lookup in a dict the program can reach, child.py's encoders) is held, or taken from
 * `st` again and checked again.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>

enum { ST_PREV = 2, ST_SNAP = 3, ST_EXC = 4, ST_LASTI = 5, ST_RAW = 6, ST_FD = 7, ST_UNCLEAN = 11,
       ST_LMAP = 12, ST_PLANS = 13, ST_MARK = 14, ST_CLEAN = 15, ST_NESTED = 16, ST_SIZE = 17 };
enum { P_KIND = 0, P_NAME = 1, P_CALLS = 2, P_METHODS = 3, P_CHANGES = 4, P_BIND = 6, P_AUGS = 7,
       P_CHECKS = 8, P_SIZE = 10 };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *local_trace;      /* the Python hook: everything not handled here */
    PyObject *stopped, *count, *entered, *depth;   /* its closure's cells */
    PyObject *states, *buf, *flush, *tracer;
    PyObject *s_pre, *binfo, *first_line, *r_pre;
    PyObject *miss, *real, *methods;
    PyObject *enc, *jtext, *ebs;
    long long max_events, flush_every, str_cap;
} LineHook;

static PyObject *s_line, *s_return, *s_call, *s_out, *s_nothing, *s_empty_step, *s_open, *s_close_bind, *s_close,
                *s_close_call, *s_comma;

/* ---------------------------------------------------------------- helpers */

static int is_list(PyObject *o, Py_ssize_t n) { return PyList_CheckExact(o) && PyList_GET_SIZE(o) == n; }

/* Whether a trace function's `event` is `want` (sys.settrace passes its own strings: "line"
 * is the interned one, "call" is not, in CPython 3.11). */
static int is_event(PyObject *event, PyObject *want)
{
    return event == want || (PyUnicode_CheckExact(event) && PyUnicode_Compare(event, want) == 0);
}

static long long as_ll(PyObject *o, int *ok)
{
    int overflow = 0;
    long long v;
    if (!PyLong_CheckExact(o)) { *ok = 0; return 0; }
    v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred())) { PyErr_Clear(); *ok = 0; return 0; }
    return v;
}

static int cell_add(PyObject *cell, long long by, long long *now)
{
    int ok = 1;
    long long v = as_ll(PyCell_GET(cell), &ok);
    if (!ok) { PyErr_SetString(PyExc_TypeError, "egca tracer hooks: a counter is not an int"); return -1; }
    PyObject *n = PyLong_FromLongLong(v + by);
    if (!n) return -1;
    PyCell_Set(cell, n);
    Py_DECREF(n);
    if (now) *now = v + by;
    return 0;
}

/* None, bool, int, float, str or bytes, exactly (child.py's _IMMUTABLE): a type test that runs
 * no code (a set lookup of a type would call its metaclass's __hash__). */
static int is_plain(PyObject *v)
{
    PyTypeObject *t = Py_TYPE(v);
    return v == Py_None || t == &PyBool_Type || t == &PyLong_Type || t == &PyFloat_Type || t == &PyUnicode_Type
        || t == &PyBytes_Type;
}

/* An int that JSON carries as itself (|v| < 2**53), as child.py's encoders test it. */
static int is_small_int(PyObject *v)
{
    int ok = 1;
    if (!PyLong_CheckExact(v)) return 0;
    long long x = as_ll(v, &ok);
    return ok && x > -(1LL << 53) && x < (1LL << 53);
}

/* a + b + c (+ d), new reference or NULL */
static PyObject *concat(PyObject *a, PyObject *b, PyObject *c, PyObject *d)
{
    PyObject *parts = d ? PyTuple_Pack(4, a, b, c, d) : PyTuple_Pack(3, a, b, c);
    if (!parts) return NULL;
    PyObject *r = PyUnicode_Join(s_nothing, parts);
    Py_DECREF(parts);
    return r;
}

/* The plan's checks (child.py plan_ok, once st[11] is known empty): 1 yes, 0 no, -1 error.
 * Lookups in the program's dicts may run its code (keys of its own): each step takes what it
 * uses from `st` again, and holds it. */
static int plan_ok(LineHook *h, PyFrameObject *frame, PyObject *st, PyObject *plan)
{
    PyObject *calls = PyTuple_GET_ITEM(plan, P_CALLS);
    PyObject *methods = PyTuple_GET_ITEM(plan, P_METHODS);
    PyObject *changes = PyTuple_GET_ITEM(plan, P_CHANGES);
    if (!PyTuple_CheckExact(calls) || !PyTuple_CheckExact(methods) || !PyTuple_CheckExact(changes))
        return 0;
    if (PyTuple_GET_SIZE(calls)) {
        PyObject *g = PyFrame_GetGlobals(frame), *b = PyFrame_GetBuiltins(frame);
        int ok = PyDict_CheckExact(g) && PyDict_CheckExact(b);
        for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(calls); i++) {
            PyObject *name = PyTuple_GET_ITEM(calls, i);
            PyObject *real = PyDict_GetItemWithError(h->real, name);
            if (!real || PyDict_Contains(g, name) != 0) {
                ok = 0;
            } else {
                Py_INCREF(real);
                ok = PyDict_GetItemWithError(b, name) == real;
                Py_DECREF(real);
            }
        }
        Py_DECREF(g);
        Py_DECREF(b);
        if (PyErr_Occurred()) return -1;
        if (!ok) return 0;
    }
    if (!is_list(st, ST_SIZE) || !PyDict_CheckExact(PyList_GET_ITEM(st, ST_RAW))) return 0;
    PyObject *raw = PyList_GET_ITEM(st, ST_RAW);
    int result = 1;
    Py_INCREF(raw);
    for (Py_ssize_t i = 0; result > 0 && i < PyTuple_GET_SIZE(methods); i++) {
        PyObject *pair = PyTuple_GET_ITEM(methods, i);
        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) { result = 0; break; }
        PyObject *v = PyDict_GetItemWithError(raw, PyTuple_GET_ITEM(pair, 0));
        if (!v && PyErr_Occurred()) { result = -1; break; }
        PyTypeObject *t = Py_TYPE(v ? v : h->miss);
        PyObject *m = PyDict_GetItemWithError(h->methods, PyTuple_GET_ITEM(pair, 1));
        if (!m || !PyTuple_CheckExact(m) || PyTuple_GET_SIZE(m) < 1 || !PyTuple_CheckExact(PyTuple_GET_ITEM(m, 0))) {
            result = PyErr_Occurred() ? -1 : 0;
            break;
        }
        PyObject *types = PyTuple_GET_ITEM(m, 0);     /* the receiver's type must be one of these */
        result = 0;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(types); j++)
            if (PyTuple_GET_ITEM(types, j) == (PyObject *)t) result = 1;
    }
    for (Py_ssize_t i = 0; result > 0 && i < PyTuple_GET_SIZE(changes); i++)
        result = PyDict_Contains(raw, PyTuple_GET_ITEM(changes, i));
    Py_DECREF(raw);
    return result;
}

/* ---------------------------------------------------------------- the event */

static PyObject *delegate(LineHook *h, PyObject *const *args)
{
    PyObject *r = PyObject_Vectorcall(h->local_trace, args, 3, NULL);
    if (r == h->local_trace) {            /* keep this hook as the frame's trace function */
        Py_DECREF(r);
        Py_INCREF(h);
        return (PyObject *)h;
    }
    return r;
}

/* One event's text into the tracer's buffer, counted, flushed every `flush_every` events (as
 * child.py's emit). 0 or -1. */
static int buffer_event(PyObject *count, PyObject *buf, PyObject *flush, long long flush_every, PyObject *text)
{
    if (cell_add(count, 1, NULL) < 0 || PyList_Append(buf, text) < 0) return -1;
    if (PyList_GET_SIZE(buf) >= flush_every) {
        PyObject *r = PyObject_CallNoArgs(flush);
        if (!r) return -1;
        Py_DECREF(r);
    }
    return 0;
}

static int append(LineHook *h, PyObject *text)
{
    return buffer_event(h->count, h->buf, h->flush, h->flush_every, text);
}

/* The text of a STEP that binds `name` (plan kind 1) to `value`, a plain value; the frame's
 * state is updated as local_trace updates it. New reference or NULL. What it takes from `st`
 * it holds: encoding and comparing call Python. */
static PyObject *bind_step(LineHook *h, PyObject *st, PyObject *plan, PyObject *pre, PyObject *fd,
                           PyObject *name, PyObject *value)
{
    if (!is_list(st, ST_SIZE) || !PyDict_CheckExact(PyList_GET_ITEM(st, ST_RAW))
            || !PyDict_CheckExact(PyList_GET_ITEM(st, ST_SNAP))) {
        PyErr_SetString(PyExc_TypeError, "egca line hook: the frame's state changed");
        return NULL;
    }
    PyObject *raw = PyList_GET_ITEM(st, ST_RAW), *snap = PyList_GET_ITEM(st, ST_SNAP), *v = NULL, *text = NULL;
    Py_INCREF(raw);
    Py_INCREF(snap);
    PyObject *old = PyDict_GetItemWithError(raw, name);
    if (!old && PyErr_Occurred()) goto done;
    if (old == value) {
        text = concat(pre, fd, s_empty_step, NULL);
        goto done;
    }
    if (PyDict_SetItem(raw, name, value) < 0) goto done;
    int vt = 0;
    if (PyLong_CheckExact(value)) {
        vt = is_small_int(value);
    } else if (PyFloat_CheckExact(value)) {
        vt = isfinite(PyFloat_AS_DOUBLE(value)) ? 1 : 0;
    } else if (PyUnicode_CheckExact(value)) {
        vt = PyUnicode_GET_LENGTH(value) <= h->str_cap ? 2 : 0;
    }
    if (vt) {
        v = value;
        Py_INCREF(v);
    } else if (!(v = PyObject_CallOneArg(h->enc, value))) {
        goto done;
    }
    PyObject *sv = PyDict_GetItemWithError(snap, name);
    int differs = 1;
    if (!sv && PyErr_Occurred()) goto done;
    if (sv) {
        Py_INCREF(sv);
        differs = PyObject_RichCompareBool(sv, v, Py_NE);
        Py_DECREF(sv);
        if (differs < 0) goto done;
    }
    if (differs) {
        if (PyDict_SetItem(snap, name, v) < 0) goto done;
        PyObject *json = vt == 1 ? PyObject_Repr(v) : PyObject_CallOneArg(vt == 2 ? h->ebs : h->jtext, v);
        if (!json) goto done;
        PyObject *head = concat(pre, fd, s_open, PyTuple_GET_ITEM(plan, P_BIND));
        text = head ? concat(head, json, s_close_bind, NULL) : NULL;
        Py_XDECREF(head);
        Py_DECREF(json);
    } else {
        text = concat(pre, fd, s_empty_step, NULL);
    }
    if (text && is_list(st, ST_SIZE)) {
        PyObject *clean = PyList_GET_ITEM(st, ST_CLEAN), *nested = PyList_GET_ITEM(st, ST_NESTED);
        if (PyDict_CheckExact(clean) && PyDict_GET_SIZE(clean)) {
            Py_INCREF(clean);
            Py_INCREF(nested);
            if (PyDict_DelItem(clean, name) < 0) PyErr_Clear();
            if (PyDict_CheckExact(nested) && PyDict_DelItem(nested, name) < 0) PyErr_Clear();
            Py_DECREF(clean);
            Py_DECREF(nested);
        }
    }
done:
    Py_XDECREF(v);
    Py_DECREF(raw);
    Py_DECREF(snap);
    return text;
}

/* The STEP of statement `prev`, which just ended in the frame whose state is `st`, when its
 * plan needs no more than this file does; what write_step() needs to write it (all owned:
 * release with step_release). */
typedef struct {
    PyObject *plan;             /* the statement's plan */
    PyObject *name, *value;     /* plan kind 1: the name bound and its value, else NULL */
    PyObject *bi;               /* the statement's BRANCH texts, or None */
} Step;

static void step_release(Step *step)
{
    Py_CLEAR(step->plan);
    Py_CLEAR(step->name);
    Py_CLEAR(step->value);
    Py_CLEAR(step->bi);
}

/* Whether the STEP of `prev` is this file's to write (1), local_trace's (0), or an error (-1).
 * `events` is how many events the caller will write with it: all must fit in the budget. */
static int prepare_step(LineHook *h, PyFrameObject *frame, PyObject *st, long long i_prev, int events, Step *step)
{
    int ok = 1;
    step->plan = step->name = step->value = step->bi = NULL;
    /* what the statement printed (program tests) is local_trace's to write */
    PyObject *out = PyObject_GetAttr(h->tracer, s_out);
    if (!out) return -1;
    int printed = PyObject_IsTrue(out);
    Py_DECREF(out);
    if (printed) return printed < 0 ? -1 : 0;
    /* From here on nothing runs Python code but plan_ok (the frame's state is checked again
     * after it) and PyFrame_GetLocals (none of the program's). */
    if (!is_list(st, ST_SIZE)) return 0;
    long long entered = as_ll(PyCell_GET(h->entered), &ok), mark = as_ll(PyList_GET_ITEM(st, ST_MARK), &ok);
    PyObject *unclean = PyList_GET_ITEM(st, ST_UNCLEAN), *plans = PyList_GET_ITEM(st, ST_PLANS);
    if (!ok || entered != mark || !PyAnySet_CheckExact(unclean) || PySet_GET_SIZE(unclean)
            || !PyList_CheckExact(plans) || i_prev < 0 || i_prev >= PyList_GET_SIZE(plans))
        return 0;
    PyObject *plan = PyList_GET_ITEM(plans, i_prev);
    if (!PyTuple_CheckExact(plan) || PyTuple_GET_SIZE(plan) != P_SIZE) return 0;
    PyObject *checks = PyTuple_GET_ITEM(plan, P_CHECKS), *augs = PyTuple_GET_ITEM(plan, P_AUGS);
    long long k = as_ll(PyTuple_GET_ITEM(plan, P_KIND), &ok);
    if (!ok || (k != 0 && k != 1) || (checks != Py_True && checks != Py_False) || !PyTuple_CheckExact(augs))
        return 0;
    step->plan = plan;
    Py_INCREF(plan);
    if (checks == Py_True) {
        /* Looking names up in the program's globals and builtins may run its code (a key of its
         * own with a colliding hash): go on only if the state is still what it was. */
        Py_INCREF(plans);
        int result = plan_ok(h, frame, st, plan), still = 0;
        if (result > 0 && is_list(st, ST_SIZE) && PyList_GET_ITEM(st, ST_PLANS) == plans
                && i_prev < PyList_GET_SIZE(plans) && PyList_GET_ITEM(plans, i_prev) == plan) {
            unclean = PyList_GET_ITEM(st, ST_UNCLEAN);
            still = as_ll(PyCell_GET(h->entered), &ok) == entered && ok
                && PyAnySet_CheckExact(unclean) && !PySet_GET_SIZE(unclean);
        }
        Py_DECREF(plans);
        if (result < 0 || !still) {
            step_release(step);
            return result < 0 ? -1 : 0;
        }
    }
    PyObject *bi = PyList_CheckExact(h->binfo) && i_prev < PyList_GET_SIZE(h->binfo)
        ? PyList_GET_ITEM(h->binfo, i_prev) : NULL;
    ok = 1;
    long long n = as_ll(PyCell_GET(h->count), &ok);
    if (!bi || (bi != Py_None && (!PyTuple_CheckExact(bi) || PyTuple_GET_SIZE(bi) != 5))
            || !PyList_CheckExact(h->s_pre) || i_prev >= PyList_GET_SIZE(h->s_pre)
            || !PyUnicode_CheckExact(PyList_GET_ITEM(h->s_pre, i_prev))
            || !ok || n + events + (bi != Py_None) > h->max_events) {     /* the budget ends here */
        step_release(step);
        return 0;
    }
    step->bi = bi;
    Py_INCREF(bi);
    if (k == 1) {
        PyObject *raw = PyList_GET_ITEM(st, ST_RAW);
        PyObject *name = PyTuple_GET_ITEM(plan, P_NAME);
        if (!PyDict_CheckExact(raw) || !PyUnicode_CheckExact(name)) { step_release(step); return 0; }
        if (PyTuple_GET_SIZE(augs)) {   /* `x += ...` on a container changes it in place: local_trace's case */
            PyObject *old = PyDict_GetItemWithError(raw, name);   /* (its keys: the frame's names) */
            if (!old && PyErr_Occurred()) { step_release(step); return -1; }
            if (!is_plain(old ? old : Py_None)) { step_release(step); return 0; }
        }
        PyObject *loc = PyFrame_GetLocals(frame);
        if (!loc) { step_release(step); return -1; }
        int is_dict = PyDict_CheckExact(loc);
        PyObject *value = is_dict ? PyDict_GetItemWithError(loc, name) : NULL;
        Py_XINCREF(value);
        Py_DECREF(loc);
        if ((!value && PyErr_Occurred()) || !is_dict || (value && !is_plain(value))) {
            Py_XDECREF(value);
            step_release(step);
            return PyErr_Occurred() ? -1 : 0;
        }
        step->name = name;
        Py_INCREF(name);
        step->value = value;
    }
    return 1;
}

/* Write the STEP of `step` (the frame's state updated as local_trace updates it), then, when
 * the statement has one and tracing goes on, its BRANCH, taken (`taken`) or not. 0 or -1. */
static int write_step(LineHook *h, PyObject *st, long long i_prev, Step *step, int taken)
{
    if (!is_list(st, ST_SIZE) || !PyList_CheckExact(h->s_pre) || i_prev >= PyList_GET_SIZE(h->s_pre)) {
        PyErr_SetString(PyExc_TypeError, "egca line hook: the frame's state changed");
        return -1;
    }
    PyObject *pre = PyList_GET_ITEM(h->s_pre, i_prev), *fd = PyList_GET_ITEM(st, ST_FD), *text;
    Py_INCREF(pre);
    Py_INCREF(fd);
    if (step->value) text = bind_step(h, st, step->plan, pre, fd, step->name, step->value);
    else text = concat(pre, fd, s_empty_step, NULL);
    int ok = text ? append(h, text) : -1;
    Py_XDECREF(text);
    if (ok == 0 && step->bi != Py_None && PyCell_GET(h->stopped) == Py_False) {
        text = concat(PyTuple_GET_ITEM(step->bi, 2), fd, PyTuple_GET_ITEM(step->bi, taken ? 3 : 4), NULL);
        ok = text ? append(h, text) : -1;
        Py_XDECREF(text);
    }
    Py_DECREF(pre);
    Py_DECREF(fd);
    return ok;
}

/* A line event of the frame args[0], whose state is `st`; `idx` is the statement now running. */
static PyObject *line_event(LineHook *h, PyObject *const *args, PyObject *st, PyObject *idx, int lasti)
{
    PyObject *self = (PyObject *)h;
    PyObject *prev = PyList_GET_ITEM(st, ST_PREV);
    int ok = 1;
    long long i_idx = as_ll(idx, &ok);
    long long last = as_ll(PyList_GET_ITEM(st, ST_LASTI), &ok);
    if (!ok || !PyLong_CheckExact(prev)) return delegate(h, args);
    long long i_prev = as_ll(prev, &ok);
    if (!ok) return delegate(h, args);
    if (i_idx == i_prev && lasti > last) {      /* the same statement goes on */
        PyObject *l = PyLong_FromLong(lasti);
        if (!l) return NULL;
        PyList_SetItem(st, ST_LASTI, l);
        Py_INCREF(self);
        return self;
    }

    /* the statement `prev` ended: its STEP, then its BRANCH (taken when `idx` is in its body) */
    Step step;
    ok = prepare_step(h, (PyFrameObject *)args[0], st, i_prev, 1, &step);
    if (ok <= 0) return ok < 0 ? NULL : delegate(h, args);
    int taken = 0;
    if (step.bi != Py_None) {
        ok = PyList_CheckExact(h->first_line) && i_idx >= 0 && i_idx < PyList_GET_SIZE(h->first_line);
        long long first = ok ? as_ll(PyList_GET_ITEM(h->first_line, i_idx), &ok) : 0;
        long long lo = as_ll(PyTuple_GET_ITEM(step.bi, 0), &ok), hi = as_ll(PyTuple_GET_ITEM(step.bi, 1), &ok);
        if (!ok) {
            step_release(&step);
            return delegate(h, args);
        }
        taken = lo <= first && first <= hi;
    }
    PyObject *l = PyLong_FromLong(lasti);
    if (!l) { step_release(&step); return NULL; }
    /* From here on, as local_trace: the frame's state, then the STEP, then the BRANCH. */
    Py_INCREF(idx);
    PyList_SetItem(st, ST_PREV, idx);
    PyList_SetItem(st, ST_LASTI, l);
    PyObject *entered = PyCell_GET(h->entered);
    Py_INCREF(entered);
    PyList_SetItem(st, ST_MARK, entered);
    ok = write_step(h, st, i_prev, &step, taken);
    step_release(&step);
    if (ok < 0) return NULL;
    Py_INCREF(self);
    return self;
}

/* A return event of the frame args[0], whose state is `st`, from a `return` statement with a
 * plain value: the STEP of that statement, the RETURN, and the frame's state goes, as
 * local_trace does it. */
static PyObject *return_event(LineHook *h, PyObject *const *args, PyObject *st)
{
    PyFrameObject *frame = (PyFrameObject *)args[0];
    PyObject *value = args[2];
    PyCodeObject *code = PyFrame_GetCode(frame);
    int flags = code->co_flags;
    Py_DECREF(code);
    if (flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE)
            || PyList_GET_ITEM(st, ST_EXC) != Py_False || !PyLong_CheckExact(PyList_GET_ITEM(st, ST_PREV))
            || !is_plain(value))
        return delegate(h, args);
    int ok = 1;
    long long i_prev = as_ll(PyList_GET_ITEM(st, ST_PREV), &ok);
    if (!ok || i_prev < 0 || !PyList_CheckExact(h->r_pre) || i_prev >= PyList_GET_SIZE(h->r_pre)
            || !PyUnicode_CheckExact(PyList_GET_ITEM(h->r_pre, i_prev)))    /* not a return statement */
        return delegate(h, args);
    PyObject *r_pre = PyList_GET_ITEM(h->r_pre, i_prev);      /* '["R",<range>' */
    Py_INCREF(r_pre);
    Step step;
    ok = prepare_step(h, frame, st, i_prev, 2, &step);
    if (ok <= 0 || !is_list(st, ST_SIZE)) {
        Py_DECREF(r_pre);
        if (ok > 0) step_release(&step);
        return ok < 0 ? NULL : delegate(h, args);
    }

    /* The RETURN's text first (the value is plain: encoding it runs no code of the program). */
    PyObject *fd = PyList_GET_ITEM(st, ST_FD), *json, *ret = NULL;
    Py_INCREF(fd);
    if (is_small_int(value)) {
        json = PyObject_Repr(value);
    } else if (PyUnicode_CheckExact(value) && PyUnicode_GET_LENGTH(value) <= h->str_cap) {
        json = PyObject_CallOneArg(h->ebs, value);
    } else {
        PyObject *v = PyObject_CallOneArg(h->enc, value);
        json = v ? PyObject_CallOneArg(h->jtext, v) : NULL;
        Py_XDECREF(v);
    }
    if (json) {
        PyObject *head = concat(r_pre, fd, json, NULL);
        ret = head ? concat(head, s_close, s_nothing, NULL) : NULL;
        Py_XDECREF(head);
        Py_DECREF(json);
    }
    Py_DECREF(r_pre);
    Py_DECREF(fd);
    ok = ret ? write_step(h, st, i_prev, &step, 0) : -1;    /* a return statement has no BRANCH */
    step_release(&step);
    if (ok == 0) ok = append(h, ret);            /* the budget was checked for both */
    Py_XDECREF(ret);
    if (ok < 0 || PyDict_DelItem(h->states, args[0]) < 0 || cell_add(h->depth, -1, NULL) < 0) return NULL;
    Py_INCREF(h);
    return (PyObject *)h;
}

static PyObject *line_hook_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    LineHook *h = (LineHook *)self;
    if (PyVectorcall_NARGS(nargsf) != 3 || kwnames)
        return PyObject_Vectorcall(h->local_trace, args, nargsf, kwnames);
    int line = PyFrame_Check(args[0]) && is_event(args[1], s_line);
    int ret = !line && PyFrame_Check(args[0]) && is_event(args[1], s_return);
    if (!(line || ret) || PyCell_GET(h->stopped) != Py_False) return delegate(h, args);
    PyObject *st = PyDict_GetItemWithError(h->states, args[0]), *r;
    if (!st || !is_list(st, ST_SIZE)) return PyErr_Occurred() ? NULL : delegate(h, args);
    Py_INCREF(st);                /* held: a lookup in a dict the program can reach may run its code */
    if (ret) {
        r = return_event(h, args, st);
        Py_DECREF(st);
        return r;
    }

    /* which statement is running: as local_trace, from the frame's lasti -> statement map */
    int lasti = PyFrame_GetLasti((PyFrameObject *)args[0]);
    PyObject *lmap = PyList_GET_ITEM(st, ST_LMAP), *key = NULL, *idx = NULL;
    if (!PyDict_CheckExact(lmap) || PyList_GET_ITEM(st, ST_EXC) != Py_False) {
        r = delegate(h, args);
    } else if (!(key = PyLong_FromLong(lasti))) {
        r = NULL;
    } else {
        Py_INCREF(lmap);
        idx = PyDict_GetItemWithError(lmap, key);
        Py_XINCREF(idx);
        Py_DECREF(lmap);
        if (!idx || !PyLong_CheckExact(idx) || !is_list(st, ST_SIZE))
            r = PyErr_Occurred() ? NULL : delegate(h, args);
        else
            r = line_event(h, args, st, idx, lasti);
    }
    Py_XDECREF(key);
    Py_XDECREF(idx);
    Py_DECREF(st);
    return r;
}


/* ================================================================ call events
 *
 * CallHook is the tracer's global trace function: sys.settrace's hook for every Python call.
 * It handles, as global_trace does, a call of code that is not traced (return None) and a new
 * activation of a traced function whose arguments are all plain values (None, bool, int,
 * float, str, bytes) and which has no other local yet: its state, its CALL event, and
 * the LineHook as its trace function. Anything else, and a stack near the recursion limit
 * (where global_trace switches to the original hooks), goes to global_trace untouched.
 */
enum { I_CODE = 0, I_TRACED = 1, I_ARGS = 2, I_CALL_PRE = 3, I_NAME = 4, I_LMAP = 5, I_PLANS = 10, I_SIZE = 11 };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *global_trace;     /* the Python hook: everything not handled here */
    PyObject *stopped, *count, *entered, *depth, *next_frame;   /* its closure's cells */
    PyObject *states, *infos, *buf, *flush, *line_hook;
    PyObject *enc, *jtext, *ebs, *binds, *bind;
    long long max_events, flush_every, str_cap, guards, margin;
} CallHook;

#define N_CALL_FIELDS 16


static PyObject *call_delegate(CallHook *h, PyObject *const *args)
{
    return PyObject_Vectorcall(h->global_trace, args, 3, NULL);
}


/* The JSON text of an argument's binding: '["name",' + text of v + ']'. New reference or NULL. */
static PyObject *arg_binding(CallHook *h, PyObject *name, PyObject *v)
{
    PyObject *b = PyDict_GetItemWithError(h->binds, name), *json;
    if (b) Py_INCREF(b);
    else if (PyErr_Occurred() || !(b = PyObject_CallOneArg(h->bind, name))) return NULL;
    if (PyLong_CheckExact(v)) json = PyObject_Repr(v);
    else if (PyUnicode_CheckExact(v)) json = PyObject_CallOneArg(h->ebs, v);
    else json = PyObject_CallOneArg(h->jtext, v);
    PyObject *text = json ? concat(b, json, s_close, NULL) : NULL;
    Py_XDECREF(json);
    Py_DECREF(b);
    return text;
}

/* Frames below `frame` as global_trace counts them: up to the nearest traced one, plus its count. */
static long long stack_depth(CallHook *h, PyFrameObject *frame, int *ok)
{
    long long k = 1;
    PyFrameObject *back = PyFrame_GetBack(frame);
    while (back) {
        PyObject *pst = PyDict_GetItemWithError(h->states, (PyObject *)back);
        if (pst) {
            if (!is_list(pst, ST_SIZE)) { *ok = 0; Py_DECREF(back); return 0; }
            k += as_ll(PyList_GET_ITEM(pst, 9), ok);
            Py_DECREF(back);
            return k;
        }
        if (PyErr_Occurred()) { *ok = -1; Py_DECREF(back); return 0; }
        k += 1;
        PyFrameObject *next = PyFrame_GetBack(back);
        Py_DECREF(back);
        back = next;
    }
    return k;
}

static PyObject *new_activation(CallHook *h, PyObject *const *args, PyObject *info)
{
    PyFrameObject *frame = (PyFrameObject *)args[0];
    int ok = 1;
    long long k = stack_depth(h, frame, &ok);
    if (ok < 0) return NULL;
    if (!ok || k * h->guards + h->margin >= Py_GetRecursionLimit()) return call_delegate(h, args);
    long long n = as_ll(PyCell_GET(h->count), &ok);
    if (!ok || n + 1 > h->max_events) return call_delegate(h, args);
    PyObject *names = PyTuple_GET_ITEM(info, I_ARGS);
    if (!PyTuple_CheckExact(names)) return call_delegate(h, args);
    PyObject *loc = PyFrame_GetLocals(frame);
    if (!loc) return NULL;
    if (!PyDict_CheckExact(loc)) { Py_DECREF(loc); return call_delegate(h, args); }

    /* Only plain arguments, and nothing else in the frame yet: else global_trace's case. */
    Py_ssize_t present = 0, nargs = PyTuple_GET_SIZE(names);
    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyObject *value = PyDict_GetItemWithError(loc, PyTuple_GET_ITEM(names, i));
        if (!value) {
            if (PyErr_Occurred()) { Py_DECREF(loc); return NULL; }
            continue;
        }
        if (!is_plain(value)) { Py_DECREF(loc); return call_delegate(h, args); }
        present++;
    }
    if (present != PyDict_GET_SIZE(loc)) { Py_DECREF(loc); return call_delegate(h, args); }
    if (cell_add(h->entered, 1, NULL) < 0) { Py_DECREF(loc); return NULL; }   /* from here on, ours */

    PyObject *snap = PyDict_New(), *raw = PyDict_New(), *parts = PyList_New(0), *st = NULL, *text = NULL, *fd = NULL;
    PyObject *result = NULL;
    if (!snap || !raw || !parts) goto done;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *value = PyDict_GetItemWithError(loc, name), *v, *b;
        if (!value) {
            if (PyErr_Occurred()) goto done;
            continue;
        }
        ok = is_small_int(value) || (PyUnicode_CheckExact(value) && PyUnicode_GET_LENGTH(value) <= h->str_cap);
        if (ok) { v = value; Py_INCREF(v); }
        else if (!(v = PyObject_CallOneArg(h->enc, value))) goto done;
        ok = PyDict_SetItem(snap, name, v) == 0 && PyDict_SetItem(raw, name, value) == 0
             && (b = arg_binding(h, name, v)) != NULL;
        Py_DECREF(v);
        if (!ok) goto done;
        ok = PyList_Append(parts, b) == 0;
        Py_DECREF(b);
        if (!ok) goto done;
    }

    long long fid, depth;
    if (cell_add(h->depth, 1, &depth) < 0 || cell_add(h->next_frame, 1, &fid) < 0) goto done;
    fid -= 1;                                  /* the frame's id is next_frame before the increment */
    fd = PyUnicode_FromFormat(",%lld,%lld,", fid, depth);
    if (!fd) goto done;
    st = Py_BuildValue("[LLOOOiOONiONOOONN]", fid, depth, Py_None, snap, Py_False, -1, raw, fd, PyDict_New(),
                       0, info, PySet_New(NULL), PyTuple_GET_ITEM(info, I_LMAP), PyTuple_GET_ITEM(info, I_PLANS),
                       PyCell_GET(h->entered), PyDict_New(), PyDict_New());
    if (!st) goto done;
    PyObject *kk = PyLong_FromLongLong(k);
    if (!kk) goto done;
    PyList_SetItem(st, 9, kk);
    if (PyDict_SetItem(h->states, args[0], st) < 0) goto done;
    PyObject *joined = PyUnicode_Join(s_comma, parts);
    if (!joined) goto done;
    PyObject *head = concat(PyTuple_GET_ITEM(info, I_CALL_PRE), fd, PyTuple_GET_ITEM(info, I_NAME), NULL);
    text = head ? concat(head, joined, s_close_call, NULL) : NULL;
    Py_XDECREF(head);
    Py_DECREF(joined);
    if (!text || buffer_event(h->count, h->buf, h->flush, h->flush_every, text) < 0) goto done;
    Py_INCREF(h->line_hook);
    result = h->line_hook;
done:
    Py_DECREF(loc);
    Py_XDECREF(snap);
    Py_XDECREF(raw);
    Py_XDECREF(parts);
    Py_XDECREF(st);
    Py_XDECREF(fd);
    Py_XDECREF(text);
    return result;
}

static PyObject *call_hook_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    CallHook *h = (CallHook *)self;
    if (PyVectorcall_NARGS(nargsf) != 3 || kwnames)
        return PyObject_Vectorcall(h->global_trace, args, nargsf, kwnames);
    if (!PyFrame_Check(args[0]) || !is_event(args[1], s_call) || PyCell_GET(h->stopped) != Py_False)
        return call_delegate(h, args);
    PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)args[0]);
    PyObject *key = PyLong_FromVoidPtr(code);
    PyObject *info = key ? PyDict_GetItemWithError(h->infos, key) : NULL;
    Py_XINCREF(info);             /* held: the lookup of the frame's state below may run Python code */
    Py_XDECREF(key);
    PyObject *result = NULL;
    if (!info || !PyTuple_CheckExact(info) || PyTuple_GET_SIZE(info) != I_SIZE
            || PyTuple_GET_ITEM(info, I_CODE) != (PyObject *)code) {
        result = PyErr_Occurred() ? NULL : call_delegate(h, args);      /* info_of's first look */
    } else if (PyTuple_GET_ITEM(info, I_TRACED) != Py_True) {
        result = cell_add(h->entered, 1, NULL) < 0 ? NULL : Py_NewRef(Py_None);   /* not the program's */
    } else {
        PyObject *st = PyDict_GetItemWithError(h->states, args[0]);
        if (st || PyErr_Occurred()) {
            result = st ? call_delegate(h, args) : NULL;                  /* a resumed generator */
        } else {
            result = new_activation(h, args, info);
        }
    }
    Py_XDECREF(info);
    Py_DECREF(code);
    return result;
}

/* ---------------------------------------------------------------- the types */

/* What both hooks share: the vectorcall slot, then their object fields, consecutive (from
 * local_trace to ebs, from global_trace to bind), then plain numbers. */
typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
} Hook;

#define N_FIELDS 19
static PyTypeObject CallHookType;

static PyObject **hook_fields(PyObject *self, int *n)
{
    if (Py_IS_TYPE(self, &CallHookType)) {
        *n = N_CALL_FIELDS;
        return &((CallHook *)self)->global_trace;
    }
    *n = N_FIELDS;
    return &((LineHook *)self)->local_trace;
}

static int hook_traverse(PyObject *self, visitproc visit, void *arg)
{
    int n;
    PyObject **f = hook_fields(self, &n);
    for (int i = 0; i < n; i++) Py_VISIT(f[i]);
    return 0;
}

static int hook_clear(PyObject *self)
{
    int n;
    PyObject **f = hook_fields(self, &n);
    for (int i = 0; i < n; i++) Py_CLEAR(f[i]);
    return 0;
}

static void hook_dealloc(PyObject *self)
{
    PyObject_GC_UnTrack(self);
    hook_clear(self);
    Py_TYPE(self)->tp_free(self);
}

/* A new hook of `type` calling `call`, holding the objects `o` (its fields, in order). */
static PyObject *hook_alloc(PyTypeObject *type, vectorcallfunc call, PyObject **o)
{
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) return NULL;
    ((Hook *)self)->vectorcall = call;
    int n;
    PyObject **f = hook_fields(self, &n);
    for (int i = 0; i < n; i++) { Py_INCREF(o[i]); f[i] = o[i]; }
    return self;
}

static PyObject *line_hook_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"local_trace", "stopped", "count", "entered", "depth", "states", "buf", "flush", "tracer",
                         "s_pre", "binfo", "first_line", "r_pre", "miss", "real", "methods", "enc", "jtext",
                         "ebs", "max_events", "flush_every", "str_cap", NULL};
    PyObject *o[N_FIELDS];
    long long max_events, flush_every, str_cap;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!O!O!O!O!O!OOO!O!O!O!OO!O!OOOLLL:LineHook", kw,
            &PyFunction_Type, &o[0], &PyCell_Type, &o[1], &PyCell_Type, &o[2], &PyCell_Type, &o[3],
            &PyCell_Type, &o[4], &PyDict_Type, &o[5], &PyList_Type, &o[6], &o[7], &o[8], &PyList_Type, &o[9],
            &PyList_Type, &o[10], &PyList_Type, &o[11], &PyList_Type, &o[12], &o[13],
            &PyDict_Type, &o[14], &PyDict_Type, &o[15], &o[16], &o[17], &o[18], &max_events, &flush_every, &str_cap))
        return NULL;
    LineHook *h = (LineHook *)hook_alloc(type, line_hook_call, o);
    if (!h) return NULL;
    h->max_events = max_events;
    h->flush_every = flush_every < 1 ? 1 : flush_every;
    h->str_cap = str_cap;
    return (PyObject *)h;
}

static PyTypeObject LineHookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "egca_runtime_python._lines.LineHook",
    .tp_basicsize = sizeof(LineHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "A traced frame's trace function: line events of the common kinds in C, the rest in local_trace.",
    .tp_new = line_hook_new,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(LineHook, vectorcall),
    .tp_traverse = hook_traverse,
    .tp_clear = hook_clear,
    .tp_dealloc = hook_dealloc,
};


static PyObject *call_hook_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"global_trace", "stopped", "count", "entered", "depth", "next_frame", "states", "infos",
                         "buf", "flush", "line_hook", "enc", "jtext", "ebs", "binds", "bind",
                         "max_events", "flush_every", "str_cap", "guards", "margin", NULL};
    PyObject *o[N_CALL_FIELDS];
    long long max_events, flush_every, str_cap, guards, margin;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!O!O!O!O!O!O!O!OOOOOO!OLLLLL:CallHook", kw,
            &PyFunction_Type, &o[0], &PyCell_Type, &o[1], &PyCell_Type, &o[2], &PyCell_Type, &o[3],
            &PyCell_Type, &o[4], &PyCell_Type, &o[5], &PyDict_Type, &o[6], &PyDict_Type, &o[7], &PyList_Type, &o[8],
            &o[9], &o[10], &o[11], &o[12], &o[13], &PyDict_Type, &o[14], &o[15],
            &max_events, &flush_every, &str_cap, &guards, &margin))
        return NULL;
    CallHook *h = (CallHook *)hook_alloc(type, call_hook_call, o);
    if (!h) return NULL;
    h->max_events = max_events;
    h->flush_every = flush_every < 1 ? 1 : flush_every;
    h->str_cap = str_cap;
    h->guards = guards;
    h->margin = margin;
    return (PyObject *)h;
}

static PyTypeObject CallHookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "egca_runtime_python._lines.CallHook",
    .tp_basicsize = sizeof(CallHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "The tracer's global trace function: plain new activations in C, the rest in global_trace.",
    .tp_new = call_hook_new,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(CallHook, vectorcall),
    .tp_traverse = hook_traverse,
    .tp_clear = hook_clear,
    .tp_dealloc = hook_dealloc,
};

static struct PyModuleDef lines_module = {PyModuleDef_HEAD_INIT, .m_name = "_lines", .m_size = -1};

PyMODINIT_FUNC PyInit__lines(void)
{
    if (PyType_Ready(&LineHookType) < 0 || PyType_Ready(&CallHookType) < 0) return NULL;
    s_call = PyUnicode_InternFromString("call");
    s_return = PyUnicode_InternFromString("return");
    s_close_call = PyUnicode_InternFromString("]]");
    s_comma = PyUnicode_InternFromString(",");
    s_close = PyUnicode_InternFromString("]");
    if (!s_call || !s_return || !s_close_call || !s_comma || !s_close) return NULL;
    s_line = PyUnicode_InternFromString("line");
    s_out = PyUnicode_InternFromString("out");
    s_nothing = PyUnicode_New(0, 0);
    s_empty_step = PyUnicode_InternFromString("[]]");
    s_open = PyUnicode_InternFromString("[");
    s_close_bind = PyUnicode_InternFromString("]]]");
    if (!s_line || !s_out || !s_nothing || !s_empty_step || !s_open || !s_close_bind) return NULL;
    PyObject *m = PyModule_Create(&lines_module);
    if (!m) return NULL;
    Py_INCREF(&LineHookType);
    if (PyModule_AddObject(m, "LineHook", (PyObject *)&LineHookType) < 0) {
        Py_DECREF(&LineHookType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&CallHookType);
    if (PyModule_AddObject(m, "CallHook", (PyObject *)&CallHookType) < 0) {
        Py_DECREF(&CallHookType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
